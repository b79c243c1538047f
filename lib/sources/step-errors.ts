/** A source failure in the engine's terms, for every pipeline's steps: transient → RetryableError, contract errors → PermanentError. */
import { PermanentError, RetryableError } from '@/lib/engine';
import { SourceError } from './source-error';

export function asStepError(error: unknown): unknown {
  if (!(error instanceof SourceError)) return error;
  return error.retryable
    ? new RetryableError(error.message, { retryAfterMs: error.retryAfterMs, cause: error })
    : new PermanentError(error.message, { cause: error });
}

/** Runs `work`, translating source failures for the engine. */
export async function translatingSourceErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asStepError(error);
  }
}
