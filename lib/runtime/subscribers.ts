/**
 * The engine event subscribers of this app (monitoring, alerting …), delivered by the event dispatcher
 * that runs in the web process. Each subscriber's `name` is its durable cursor: never rename one casually.
 */
import type { DbHandle } from '@/db/client';
import type { Logger, Subscriber } from '@/lib/engine';
import { createMonitorSubscriber } from '@/lib/monitoring/host';
import type { MonitoringMetrics } from '@/lib/monitoring/metrics';

export function buildSubscribers(options: { db: DbHandle; logger: Logger; metrics?: MonitoringMetrics }): Subscriber[] {
  // Issue 8: the pipeline monitor (alerts routed by step severity, auto-resolve, step notices, step durations).
  return [createMonitorSubscriber(options.db, options.logger, options.metrics)];
}
