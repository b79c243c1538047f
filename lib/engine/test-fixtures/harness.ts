/** Test helpers for the engine suites: quiet loggers, fast workers, polling waits, and row readers. */
import type { DbHandle } from '@/db/client';
import { createWorker, type PipelineRegistry, type Worker, type WorkerOptions } from '@/lib/engine';
import type { Logger } from '@/lib/engine';

export const quietLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (fields, message) => console.error(`[engine test] ${message}`, fields),
};

import { waitFor } from '@/tests/setup/wait';

export { sleep, waitFor } from '@/tests/setup/wait';

export async function taskStatus(db: DbHandle, taskId: string): Promise<string | undefined> {
  const row = await db.pool.query<{ status: string }>('SELECT status FROM tasks WHERE id = $1', [taskId]);
  return row.rows[0]?.status;
}

export function waitForTaskStatus(db: DbHandle, taskId: string, statuses: string[], timeoutMs = 20_000): Promise<string> {
  return waitFor(
    `task ${taskId} to reach ${statuses.join('/')}`,
    async () => {
      const status = await taskStatus(db, taskId);
      return status && statuses.includes(status) ? status : undefined;
    },
    timeoutMs,
  );
}

export interface AttemptView {
  stepName: string;
  attemptNumber: number;
  workerId: string;
  outcome: string | null;
  errorClass: string | null;
  errorMessage: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

export async function attemptsOf(db: DbHandle, taskId: string): Promise<AttemptView[]> {
  const rows = await db.pool.query<AttemptView>(
    `SELECT step_name AS "stepName", attempt_number AS "attemptNumber", worker_id AS "workerId", outcome,
            error_class AS "errorClass", error_message AS "errorMessage", started_at AS "startedAt", finished_at AS "finishedAt"
       FROM step_attempts WHERE task_id = $1 ORDER BY step_name, attempt_number`,
    [taskId],
  );
  return rows.rows;
}

export async function stepStates(db: DbHandle, taskId: string): Promise<Record<string, string>> {
  const rows = await db.pool.query<{ name: string; status: string }>('SELECT name, status FROM steps WHERE task_id = $1', [taskId]);
  return Object.fromEntries(rows.rows.map((row) => [row.name, row.status]));
}

export async function eventsOf(db: DbHandle, taskId: string): Promise<{ name: string; stepName: string | null; attempt: number | null }[]> {
  const rows = await db.pool.query<{ name: string; stepName: string | null; attempt: number | null }>(
    `SELECT name, step_name AS "stepName", (payload->>'attempt')::int AS attempt FROM task_events WHERE task_id = $1 ORDER BY id`,
    [taskId],
  );
  return rows.rows;
}

/** A worker with test-friendly timings; stop it with stopAll(). */
export function makeWorkerFactory() {
  const started: Worker[] = [];
  return {
    async start(db: DbHandle, registry: PipelineRegistry, overrides: Partial<WorkerOptions> = {}): Promise<Worker> {
      const worker = createWorker({
        db,
        registry,
        concurrency: 4,
        leaseMs: 5_000,
        heartbeatMs: 500,
        pollIntervalMs: 500,
        backoff: { baseMs: 50, capMs: 1_000 },
        logger: quietLogger,
        ...overrides,
      });
      await worker.start();
      started.push(worker);
      return worker;
    },
    async stopAll(graceMs = 2_000) {
      await Promise.all(started.splice(0).map((worker) => worker.stop({ graceMs })));
    },
  };
}
