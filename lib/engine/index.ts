/**
 * The workflow engine's public API. Pipelines, the web app, scripts and tests import from here only;
 * everything else in lib/engine is internal.
 */
export { definePipeline, DEFAULT_MAP_MAX_ITEMS, DEFAULT_RETRY_LIMIT, MAP_MAX_ITEMS_LIMIT } from './definition';
export { createRegistry, type PipelineRegistry } from './registry';
export { groupingStepName, mapChildName } from './map-names';
export { launchTask, type LaunchTaskOptions, type LaunchTaskResult } from './launch-task';
export { createWorker, MAX_RESULT_BYTES, type Worker, type WorkerOptions } from './worker';
export { DEFAULT_ATTEMPT_CAPS, type AttemptCaps } from './fail-attempt';
export {
  createEventDispatcher,
  DEFAULT_MAX_DELIVERY_ATTEMPTS,
  type DeliveredEvent,
  type EventDispatcher,
  type EventDispatcherOptions,
  type Subscriber,
} from './dispatcher';
export type { EventPayload, EventError } from './events';
export {
  DeliveryNotDeadError,
  listDeadEventDeliveries,
  resendEventDelivery,
  type DeadEventDelivery,
  type ResentDelivery,
} from './event-deliveries';
export { purgeHistory, purgeRunBatch, type PurgeResult, type RunHold } from './retention';
export {
  cancelTask,
  previewCancelTask,
  previewRerunFromStep,
  previewResolveStepManually,
  previewCompleteStepManually,
  completeStepManually,
  previewRetryFailedSteps,
  previewRetryStep,
  rerunFromStep,
  resolveStepManually,
  retryFailedSteps,
  retryStep,
} from './operations';
export { getTask, isTaskId, listTaskEvents, listWorkers, type TaskDetail } from './queries';
export { listTasks, type ListTasksFilters, type TaskCursor, type TaskPage, type TaskSummary, type TaskTotal } from './list-tasks';
export {
  countFinishedAttempts,
  countTasksByStatus,
  findLatestTask,
  listFinishedAttempts,
  listPipelineOperations,
  listPipelineRuns,
  readCompletedStepResults,
  readLatestStepResultNumbers,
  readReadyQueue,
  readRecentStepResults,
  readRunsFacts,
  readStep,
  readRecentStepDurations,
  readStepDurationMedians,
  readTaskFacts,
  readTasksFacts,
  readTaskSteps,
  readUnservedTasks,
  readWorkerHeartbeats,
  type EngineReader,
  type FinishedAttempt,
  type OperationFacts,
  type PipelineRef,
  type ReadyQueue,
  type RecentStepResult,
  type RunFacts,
  type StepResult,
  type StepState,
  type TaskFacts,
  type TaskStatusCount,
  type UnservedTask,
  type WorkerHeartbeat,
} from './read-api';
export { computeBackoffMs, DEFAULT_BACKOFF, type BackoffSettings } from './backoff';
export { createPollLoop, type PollLoop } from './poll-loop';
export { createNotificationHub, type NotificationHub, type NotificationSubscription } from './listener';
export {
  InputValidationError,
  MapListError,
  NotAnAncestorError,
  NotFoundError,
  OperationNotAllowedError,
  PermanentError,
  PipelineDefinitionError,
  PipelineVersionRetiredError,
  ResultTooLargeError,
  RetryableError,
  StaleAttemptError,
  StepTimeoutError,
  WorkerShutdownError,
} from './errors';
export { assertCurrentAttempt } from './fence';
export { CANCEL_CHANNEL, DELIVERIES_CHANNEL, EVENTS_CHANNEL, READY_CHANNEL } from './channels';
export { consoleLogger } from './logger';
export {
  EVENT_NAMES,
  STEP_STATUSES,
  TASK_STATUSES,
  type Actor,
  type EventName,
  type AncestorsOf,
  type JsonValue,
  type Logger,
  type MappedStepDefinition,
  type NormalizedStep,
  type PipelineDefinition,
  type StepContext,
  type StepDefinition,
  type StepGraph,
  type StepHandler,
  type StepStatus,
  type TaskStatus,
} from './types';
export { readFailedStepGroups, readGroupFailedSteps, UNKNOWN_ERROR_CLASS, type FailedStepGroupRow } from './failed-steps';
export { readFirstFailures, readRunHealthCounts, type RunFailureCause, type RunHealthCounts } from './pipeline-health';
export { readLastCompletedStepResult, readTaskPipeline } from './step-results';
export { MAX_LOG_BYTES, MAX_LOG_LINES, readStepAttemptLogs, TRUNCATION_MARKER, type AttemptLogLine, type AttemptWithLog } from './attempt-log';
