/**
 * The pipeline monitor subscriber (for the event dispatcher), built from the environment's settings. lib/runtime
 * starts it in each process.
 */
import type { DbHandle } from '@/db/client';
import type { Logger, Subscriber } from '@/lib/engine';
import { env } from '@/lib/env';
import type { MonitoringMetrics } from './metrics';
import { createPipelineMonitor } from './monitor';
import { alertLinkBaseUrl } from './settings';

export function createMonitorSubscriber(db: DbHandle, logger: Logger, metrics?: MonitoringMetrics): Subscriber {
  return createPipelineMonitor({ db, logger, metrics, stepNotices: env().ALERT_STEP_NOTICES, linkBaseUrl: alertLinkBaseUrl() });
}
