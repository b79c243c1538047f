/**
 * The pipeline monitor: an engine event subscriber (durable deliveries under "pipeline-monitor") that turns final step
 * failures into alerts routed by the step's severity, resolves them when the step later completes or is
 * resolved by hand, posts the seed's opt-in step notices, and feeds the step-duration histogram.
 *
 * Only `step.failed` alerts: the engine emits it once retries are exhausted or the error is permanent, while a
 * failure that will be retried is `step.retrying` (counted in metrics and shown in the console, paging nobody).
 * Each event is handled in one transaction (alert + outbox rows), and keys make a redelivered event a no-op.
 */
import type { DbHandle } from '@/db/client';
import { withTransaction } from '@/db/transaction';
import { groupingStepName, readStep, type DeliveredEvent, type Logger, type Subscriber } from '@/lib/engine';
import { raiseAlert, resolveAlerts, type RoutingOptions } from './alert-store';
import { formatNoticeDuration } from '@/lib/time/format';
import { slackNotice, type Resolution } from './messages';
import type { MonitoringMetrics } from './metrics';
import { enqueueMessages } from './outbox';
import { declaredChannelsOf, severityOf, STATUS_CHANNEL } from './routing';

export const PIPELINE_MONITOR = 'pipeline-monitor';

export interface PipelineMonitorOptions extends RoutingOptions {
  db: DbHandle;
  logger: Logger;
  /** Post step started / completed notices to #data-pipeline-status (ALERT_STEP_NOTICES). */
  stepNotices: boolean;
  metrics?: MonitoringMetrics;
  /** Called after the monitor enqueued messages, so an in-process delivery loop sends them at once. */
  onEnqueued?: () => void;
}

export const stepFailureKey = (taskId: string, stepName: string) => `step_failed:${taskId}:${stepName}`;
export const DEADLINE_ALERT_KINDS = ['deadline_at_risk', 'deadline_forecast_late', 'deadline_missed'] as const;
export const deadlineKey = (kind: (typeof DEADLINE_ALERT_KINDS)[number], taskId: string) => `${kind}:${taskId}`;

export function createPipelineMonitor(options: PipelineMonitorOptions): Subscriber {
  const { db, logger } = options;

  async function onStepFailed(event: DeliveredEvent, stepName: string): Promise<void> {
    const step = await readStep(db.pool, event.taskId, stepName);
    const severity = severityOf(step?.metadata);
    const { payload } = event;
    const attempts = payload.attempt ?? step?.attemptCount ?? 1;
    const raised = await withTransaction(db.pool, (client) =>
      raiseAlert(
        client,
        {
          kind: 'step_failed',
          dedupKey: stepFailureKey(event.taskId, stepName),
          severity,
          taskId: event.taskId,
          stepName,
          title: `Data pipeline failure: ${stepName} of ${payload.namespace}/${payload.taskName} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}`,
          details: { namespace: payload.namespace, taskName: payload.taskName, attempt: attempts, error: payload.error },
          sourceEventId: event.id,
          channels: declaredChannelsOf(step?.metadata),
        },
        options,
      ),
    );
    if (raised.created) {
      logger.warn({ taskId: event.taskId, stepName, severity, alertId: raised.alertId }, 'step failed for good: alert raised');
      options.onEnqueued?.();
    }
  }

  async function resolve(dedupKey: string, reason: string, fields: Record<string, unknown>, resolution?: Resolution): Promise<void> {
    const resolved = await withTransaction(db.pool, (client) => resolveAlerts(client, dedupKey, reason, options, resolution));
    if (resolved.length > 0) {
      logger.info({ ...fields, alertIds: resolved, reason }, 'alert resolved');
      options.onEnqueued?.();
    }
  }

  async function notice(event: DeliveredEvent, text: string): Promise<void> {
    if (!options.stepNotices) return;
    const payload = slackNotice(STATUS_CHANNEL, text);
    await enqueueMessages(db.pool, [
      { idempotencyKey: `event:${event.id}:notice`, target: 'slack', destination: STATUS_CHANNEL, orderingKey: `slack:${STATUS_CHANNEL}`, payload },
    ]);
    options.onEnqueued?.();
  }

  function observe(event: DeliveredEvent, stepName: string, outcome: string, durationMs: number | undefined) {
    if (durationMs === undefined) return;
    const labels = { pipeline: `${event.payload.namespace}/${event.payload.taskName}`, step: groupingStepName(stepName), outcome };
    options.metrics?.stepDuration.observe(labels, durationMs / 1000);
  }

  return {
    name: PIPELINE_MONITOR,
    // On its first start the monitor begins at the end of the outbox: an existing installation must not page
    // the on-call for every failure in its history. From then on its deliveries make it miss nothing.
    startAt: 'latest',
    events: ['step.started', 'step.retrying', 'step.failed', 'step.completed', 'step.resolved_manually', 'task.completed'],
    async handle(event) {
      const stepName = event.stepName ?? event.payload.stepName;
      const fields = { taskId: event.taskId, stepName, event: event.name, eventId: event.id };
      logger.debug(fields, 'pipeline monitor event');
      if (event.name === 'task.completed') {
        for (const kind of DEADLINE_ALERT_KINDS) {
          await resolve(deadlineKey(kind, event.taskId), 'the run finished', fields);
        }
        return;
      }
      if (!stepName) return;
      switch (event.name) {
        case 'step.started':
          await notice(event, `🔄 Starting: ${stepName} (${event.taskId})`);
          return;
        case 'step.retrying':
          observe(event, stepName, 'retrying', event.payload.durationMs);
          return;
        case 'step.failed':
          observe(event, stepName, 'failed', event.payload.durationMs);
          await onStepFailed(event, stepName);
          return;
        case 'step.completed':
          observe(event, stepName, 'completed', event.payload.durationMs);
          await resolve(stepFailureKey(event.taskId, stepName), 'completed after a retry', fields);
          await notice(event, `✅ Completed: ${stepName} in ${formatNoticeDuration(event.payload.durationMs ?? 0)}`);
          return;
        case 'step.resolved_manually': {
          const step = await readStep(db.pool, event.taskId, stepName);
          const missingData = step?.description ? step.description.replace(/^./, (first) => first.toLowerCase()) : null;
          await resolve(stepFailureKey(event.taskId, stepName), 'resolved manually', fields, { kind: 'resolved_manually', missingData });
          return;
        }
        default:
          return;
      }
    },
  };
}
