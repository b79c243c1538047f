/**
 * Errors handlers throw to steer retries, and errors the engine raises to callers.
 * Any error that is neither RetryableError nor PermanentError is treated as retryable.
 */

export class RetryableError extends Error {
  override name = 'RetryableError';
  /** Wait at least this long before the next attempt (e.g. an HTTP Retry-After), capped by the backoff cap. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
  }
}

export class PermanentError extends Error {
  override name = 'PermanentError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
  }
}

/** Recorded when an attempt ran past its step's timeoutMs. Retryable. */
export class StepTimeoutError extends Error {
  override name = 'StepTimeoutError';
}

/** The launch context did not match the pipeline's input schema; nothing was written. */
export class InputValidationError extends Error {
  override name = 'InputValidationError';
  readonly issues: { path: string; message: string }[];
  constructor(pipeline: string, issues: { path: string; message: string }[]) {
    super(`Invalid input for ${pipeline}: ${issues.map((issue) => `${issue.path || '(root)'}: ${issue.message}`).join('; ')}`);
    this.issues = issues;
  }
}

/** A pipeline definition is malformed (unknown dependency, duplicate step, cycle, …). */
export class PipelineDefinitionError extends Error {
  override name = 'PipelineDefinitionError';
}

/** The named pipeline, task or step does not exist. */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** An operator operation is not allowed in the current state (e.g. retrying a step that has not failed). */
export class OperationNotAllowedError extends Error {
  override name = 'OperationNotAllowedError';
}

export interface SerializedError {
  errorClass: string;
  message: string;
  stack: string | null;
  retryable: boolean;
  retryAfterMs: number | undefined;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    return {
      // `name`, which every error class sets, not constructor.name: a production build minifies class names ("t").
      errorClass: error.name !== 'Error' ? error.name : error.constructor.name,
      message: error.message,
      stack: error.stack ?? null,
      retryable: !(error instanceof PermanentError),
      retryAfterMs: error instanceof RetryableError ? error.retryAfterMs : undefined,
    };
  }
  return { errorClass: 'NonError', message: String(error), stack: null, retryable: true, retryAfterMs: undefined };
}

/** A step returned more JSON than the engine stores with a step. Permanent: the same code returns the same size. */
export class ResultTooLargeError extends PermanentError {
  override name = 'ResultTooLargeError';
}

/** The worker running the attempt shut down before the attempt finished; another worker takes the step over. */
export class WorkerShutdownError extends Error {
  override name = 'WorkerShutdownError';
}

/** A handler's write was refused because its attempt is no longer the step's current one (see assertCurrentAttempt). */
export class StaleAttemptError extends PermanentError {
  override name = 'StaleAttemptError';
}

/**
 * A run reached a step that the worker's copy of the run's pipeline version has no handler for: the definition was
 * changed (a step removed or renamed) without a new version while the run was in flight. Permanent: every worker
 * with this deployment would answer the same; deploy the run's version again or resolve the step by hand.
 */
export class PipelineVersionRetiredError extends PermanentError {
  override name = 'PipelineVersionRetired';
}

/** A handler read the result of a step that is not one of its ancestors. Permanent: it is a bug in the pipeline. */
export class NotAnAncestorError extends PermanentError {
  override name = 'NotAnAncestorError';
}

/** A mapped step's list is not a list, or is longer than its maxItems. Permanent until its ancestor runs again. */
export class MapListError extends PermanentError {
  override name = 'MapListError';
}
