/**
 * Scheduling's public API for the rest of the app: schedules, the scheduler, and the ETA / deadline reads
 * the run page and the status page show (shapes documented in eta.ts and deadline.ts).
 */
export { getTaskEta, type TaskEta } from './eta';
export { getDeadlineForTask, type TaskDeadline } from './deadline';
export { createScheduler, firingIdempotencyKey, type Scheduler, type SchedulerOptions, type FiringResult } from './scheduler';
export {
  addSchedule,
  createSchedule,
  deleteSchedule,
  ensureDeclaredSchedules,
  ensureDefaultSchedule,
  defaultScheduleDeclaration,
  type DeclaredSchedule,
  listSchedules,
  setSchedulePaused,
  updateSchedule,
  type Schedule,
  type ScheduleChanges,
  type ScheduleInput,
  type ScheduleListItem,
} from './schedules';
