/** Backfills' public API: requests, the promoter, cancel and retry, and the read models of the backfill page. */
export { backfillRequestSchema, createBackfill, MAX_BACKFILL_PARALLEL, type BackfillRequest, type CreateBackfillResult, type CreatedBackfill } from './request';
export { backfillDayKey, createBackfillSubscriber, promoteActiveBackfills, promoteBackfill } from './promote';
export { cancelBackfill, retryFailedDays } from './operations';
export { listBackfills, loadBackfill, DAY_STATES, type BackfillDayView, type BackfillSummary, type BackfillView, type DayState } from './read';
export { createCatchUpBackfill } from './catch-up';
export { BACKFILL_OPERATIONS, backfillListQuerySchema, backfillOperationSchema, isBackfillId, runBackfillOperation, type BackfillOperation } from './api';
export { backfillFormDefaults, backfillFormSchema } from './form';
