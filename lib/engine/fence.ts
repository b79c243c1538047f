/**
 * assertCurrentAttempt: the fence for a step handler's own writes. Called inside the handler's transaction, it
 * share-locks the step row while the attempt is still the step's current, running one, so until that transaction
 * ends no one can declare the attempt lost, cancel it or hand the step to another attempt; and it throws when the
 * attempt was already superseded, so the transaction rolls back instead of writing over a newer attempt's data.
 */
import type pg from 'pg';
import { StaleAttemptError } from './errors';
import type { StepContext } from './types';

export async function assertCurrentAttempt(
  client: pg.ClientBase,
  attempt: Pick<StepContext, 'taskId' | 'stepName' | 'attemptId'>,
): Promise<void> {
  const current = await client.query(
    `SELECT 1 FROM steps WHERE task_id = $1 AND name = $2 AND current_attempt_id = $3 AND status = 'running' FOR SHARE`,
    [attempt.taskId, attempt.stepName, attempt.attemptId],
  );
  if (current.rowCount === 0) {
    throw new StaleAttemptError(
      `Attempt ${attempt.attemptId} of step ${attempt.stepName} is no longer the step's current attempt (timed out, lost or cancelled); its write is refused`,
    );
  }
}
