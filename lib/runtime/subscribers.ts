/**
 * The engine event subscribers of this app (monitoring, alerting …), delivered by the event dispatcher that runs in
 * every process — web (whatever RUN_WORKERS says) and standalone workers — so each deployment shape alerts; the
 * dispatchers claim each subscriber's deliveries with SKIP LOCKED, so an event is handled by one of them.
 * Each subscriber's `name` keys its durable deliveries: never rename one casually (a renamed subscriber starts
 * afresh, and the old name keeps its pending deliveries until its event_subscribers row is deleted).
 */
import type { DbHandle } from '@/db/client';
import { createBackfillSubscriber } from '@/lib/backfills';
import type { Logger, PipelineRegistry, Subscriber } from '@/lib/engine';
import { createMonitorSubscriber } from '@/lib/monitoring/host';
import type { MonitoringMetrics } from '@/lib/monitoring/metrics';
import type { SchedulerOptions } from '@/lib/scheduling';
import { createCatchUpBackfill, promoteActiveBackfills } from '@/lib/backfills';
import { deliveredPipeline } from './registry';

export function buildSubscribers(options: { db: DbHandle; registry: PipelineRegistry; logger: Logger; metrics?: MonitoringMetrics }): Subscriber[] {
  return [
    // The pipeline monitor: alerts routed by step severity, auto-resolve, step notices, step durations.
    createMonitorSubscriber(options.db, options.logger, options.metrics),
    // A backfill's finished run hands its slot to the next waiting day.
    createBackfillSubscriber(options.db, { registry: options.registry, delivered: deliveredPipeline() }),
  ];
}

/** The scheduler's catch-up becomes a backfill, and each tick sweeps active backfills for free slots. */
export function backfillSchedulerHooks(options: { db: DbHandle; registry: PipelineRegistry; logger: Logger }): Pick<SchedulerOptions, 'catchUp' | 'onTick'> {
  const pipelines = { registry: options.registry, delivered: deliveredPipeline() };
  return {
    catchUp: createCatchUpBackfill(options.db, pipelines, options.logger),
    onTick: () => promoteActiveBackfills(options.db, pipelines, options.logger),
  };
}
