/**
 * launchTask: validates the context with the pipeline's schema (nothing is written when it fails), then
 * creates the task and all its steps in one transaction. An idempotency key makes concurrent launches
 * converge on one task: the unique index decides, and the losers read the winner's id.
 */
import type { DbHandle } from '@/db/client';
import { pipelineKey } from './claim-steps';
import { notifyReady } from './events';
import { InputValidationError } from './errors';
import type { PipelineRegistry } from './registry';
import { withTransaction } from '@/db/transaction';

export interface LaunchTaskOptions {
  namespace: string;
  name: string;
  /** Default: the highest registered version. */
  version?: string;
  context: unknown;
  idempotencyKey?: string;
  /** Who launched it: a user, `schedule:<id>`, `api-token:<id>` … */
  initiator: string;
  reason?: string;
}

export interface LaunchTaskResult {
  taskId: string;
  /** False when the idempotency key matched an existing task. */
  created: boolean;
}

export async function launchTask(db: DbHandle, registry: PipelineRegistry, options: LaunchTaskOptions): Promise<LaunchTaskResult> {
  const definition = registry.require(options.namespace, options.name, options.version);
  const parsed = definition.input.safeParse(options.context);
  if (!parsed.success) {
    throw new InputValidationError(
      `${definition.namespace}/${definition.name}@${definition.version}`,
      // An unknown key is reported at its own path, so a client sees which one (zod reports it at the object's).
      parsed.error.issues.flatMap((issue) => {
        const path = issue.path.map(String);
        if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: [...path, key].join('.'), message: `unknown field "${key}"` }));
        return [{ path: path.join('.'), message: issue.message }];
      }),
    );
  }
  if (!options.initiator.trim()) throw new InputValidationError('launch', [{ path: 'initiator', message: 'is required' }]);

  const existing = async () => {
    if (options.idempotencyKey === undefined) return undefined;
    const found = await db.pool.query<{ id: string }>(`SELECT id FROM tasks WHERE idempotency_key = $1`, [options.idempotencyKey]);
    return found.rows[0]?.id;
  };
  const before = await existing();
  if (before) return { taskId: before, created: false };

  const taskId = await withTransaction(db.pool, async (client) => {
    const inserted = await client.query<{ id: string }>(
      `INSERT INTO tasks (namespace, name, version, context, idempotency_key, initiator, reason, definition_hash)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING id`,
      [
        definition.namespace,
        definition.name,
        definition.version,
        JSON.stringify(parsed.data ?? null),
        options.idempotencyKey ?? null,
        options.initiator,
        options.reason ?? null,
        definition.definitionHash,
      ],
    );
    const id = inserted.rows[0]?.id;
    // A concurrent launch with the same key committed first (the insert waited for it, then did nothing).
    if (!id) return undefined;
    const steps = definition.steps;
    // Readiness is materialized at launch: each step waits for its dependencies, roots are ready at once, and
    // each step knows its dependents so completion can wake them without a scan. Everything that shapes the run
    // (graph, ancestors, retry and timeout settings, maps) is pinned in these rows: a deploy cannot change it.
    const dependents = new Map<string, string[]>();
    for (const step of steps) for (const dependency of step.dependsOn) dependents.set(dependency, [...(dependents.get(dependency) ?? []), step.name]);
    await client.query(
      `WITH task AS (
         UPDATE tasks SET unfinished_steps = $3 WHERE id = $1 RETURNING created_at
       )
       INSERT INTO steps (task_id, name, position, description, depends_on, dependents, ancestors, waiting_for, pipeline,
                          task_created_at, retryable, retry_limit, timeout_ms, metadata, maps_over, map_max_items)
       SELECT $1, s.name, s.position, s.description, ARRAY(SELECT jsonb_array_elements_text(s.depends_on)),
              ARRAY(SELECT jsonb_array_elements_text(s.dependents)), ARRAY(SELECT jsonb_array_elements_text(s.ancestors)),
              jsonb_array_length(s.depends_on), $4, task.created_at,
              s.retryable, s.retry_limit, s.timeout_ms, s.metadata, s.maps_over, s.map_max_items
         FROM task, jsonb_to_recordset($2::jsonb) AS s(name text, position int, description text, depends_on jsonb,
                                                       dependents jsonb, ancestors jsonb, retryable boolean, retry_limit int,
                                                       timeout_ms int, metadata jsonb, maps_over text, map_max_items int)`,
      [
        id,
        JSON.stringify(
          steps.map((step, position) => ({
            name: step.name,
            position,
            description: step.description,
            depends_on: step.dependsOn,
            dependents: dependents.get(step.name) ?? [],
            ancestors: step.ancestors,
            maps_over: step.map?.over ?? null,
            map_max_items: step.map?.maxItems ?? null,
            retryable: step.retryable,
            retry_limit: step.retryLimit,
            timeout_ms: step.timeoutMs,
            metadata: step.metadata,
          })),
        ),
        steps.length,
        pipelineKey(definition),
      ],
    );
    await notifyReady(client, steps.filter((step) => step.dependsOn.length === 0).length);
    return id;
  });
  if (taskId) return { taskId, created: true };
  const winner = await existing();
  if (!winner) throw new Error(`Launch with idempotency key ${options.idempotencyKey} conflicted, but no task holds the key`);
  return { taskId: winner, created: false };
}
