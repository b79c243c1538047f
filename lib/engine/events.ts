/** Writes outbox events (inside the caller's transaction) and announces them with NOTIFY at commit. */
import type pg from 'pg';
import { EVENTS_CHANNEL, READY_CHANNEL } from './channels';
import type { LockedTask } from './task-transaction';
import type { EventName, JsonValue } from './types';

export type EventError = {
  class: string;
  message: string;
  retryable: boolean;
};

/** The payload every event carries; fields apply as the event kind allows. */
export interface EventPayload {
  namespace: string;
  taskName: string;
  taskId: string;
  stepName?: string;
  attempt?: number;
  durationMs?: number;
  error?: EventError;
  /** A JSON excerpt of the step result (at most RESULT_SUMMARY_CHARS characters). */
  resultSummary?: string;
  [extra: string]: JsonValue | undefined;
}

export interface NewEvent {
  name: EventName;
  task: Pick<LockedTask, 'id' | 'namespace' | 'name'>;
  stepName?: string;
  attempt?: number;
  durationMs?: number;
  error?: EventError;
  result?: JsonValue;
  extra?: Record<string, JsonValue | undefined>;
}

const RESULT_SUMMARY_CHARS = 500;

export function summarizeResult(result: JsonValue): string {
  return summarizeResultJson(JSON.stringify(result) ?? 'null');
}

/** The summary of a result already serialized (the worker serializes each result once). */
export function summarizeResultJson(json: string): string {
  return json.length <= RESULT_SUMMARY_CHARS ? json : `${json.slice(0, RESULT_SUMMARY_CHARS - 1)}…`;
}

export function buildPayload(event: NewEvent): EventPayload {
  const payload: EventPayload = {
    ...event.extra,
    namespace: event.task.namespace,
    taskName: event.task.name,
    taskId: event.task.id,
  };
  if (event.stepName !== undefined) payload.stepName = event.stepName;
  if (event.attempt !== undefined) payload.attempt = event.attempt;
  if (event.durationMs !== undefined) payload.durationMs = Math.round(event.durationMs);
  if (event.error !== undefined) payload.error = { ...event.error };
  if (event.result !== undefined) payload.resultSummary = summarizeResult(event.result);
  return payload;
}

export async function appendEvents(client: pg.ClientBase, events: readonly NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await client.query(
    `INSERT INTO task_events (task_id, name, step_name, payload)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::jsonb[])`,
    [
      events.map((event) => event.task.id),
      events.map((event) => event.name),
      events.map((event) => event.stepName ?? null),
      events.map((event) => JSON.stringify(buildPayload(event))),
    ],
  );
  const taskIds = [...new Set(events.map((event) => event.task.id))];
  await client.query(`SELECT pg_notify($1, id) FROM unnest($2::text[]) AS id`, [EVENTS_CHANNEL, taskIds]);
}

/** Announces that `count` steps became claimable; workers claim at most that many (and their free slots). */
export async function notifyReady(client: pg.ClientBase, count: number): Promise<void> {
  if (count > 0) await client.query(`SELECT pg_notify($1, $2)`, [READY_CHANNEL, String(count)]);
}
