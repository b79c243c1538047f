/**
 * The engine event subscribers of this app (monitoring, alerting …), delivered by the event dispatcher that runs in
 * every process — web (whatever RUN_WORKERS says) and standalone workers — so each deployment shape alerts; the
 * dispatchers claim each subscriber's deliveries with SKIP LOCKED, so an event is handled by one of them.
 * Each subscriber's `name` keys its durable deliveries: never rename one casually (a renamed subscriber starts
 * afresh, and the old name keeps its pending deliveries until its event_subscribers row is deleted).
 */
import type { DbHandle } from '@/db/client';
import type { Logger, Subscriber } from '@/lib/engine';
import { createMonitorSubscriber } from '@/lib/monitoring/host';
import type { MonitoringMetrics } from '@/lib/monitoring/metrics';

export function buildSubscribers(options: { db: DbHandle; logger: Logger; metrics?: MonitoringMetrics }): Subscriber[] {
  // The pipeline monitor: alerts routed by step severity, auto-resolve, step notices, step durations.
  return [createMonitorSubscriber(options.db, options.logger, options.metrics)];
}
