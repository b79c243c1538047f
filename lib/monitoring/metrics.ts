/**
 * Prometheus metrics (prom-client), served by /api/metrics.
 *
 * State that lives in the database (tasks by status, step attempts, extracted record counts, the ready queue,
 * worker heartbeats, alerts, the outbox) is read at scrape time, so every web process reports the same
 * truth whichever process did the work. Step attempts are a true counter because attempts are never deleted
 * (short of deleting tasks). Durations are histograms observed in this process: step durations by the pipeline
 * monitor (from engine events), delivery outcomes by the delivery loop; HTTP request durations by the server
 * (lib/http/request-metrics.ts), appended to this registry's output. Prometheus's default process and Node.js
 * runtime metrics (process_cpu_seconds_total, nodejs_heap_size_used_bytes …) are collected too.
 */
import { timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { getDb } from '@/lib/database';
import { readServerMetrics } from '@/lib/http/request-metrics';
import { countFinishedAttempts, countTasksByStatus, readLatestStepResultNumbers, readReadyQueue, readWorkerHeartbeats } from '@/lib/engine';

export interface MonitoringMetrics {
  registry: Registry;
  stepDuration: Histogram<'pipeline' | 'step' | 'outcome'>;
  deliveryAttempts: Counter<'target' | 'outcome'>;
}

/** Fresh value sets per scrape: labels that vanished from the database disappear from the output too. */
function setAll<L extends string>(gauge: Gauge<L>, rows: ReadonlyArray<{ labels: Partial<Record<L, string>>; value: number }>) {
  gauge.reset();
  for (const row of rows) gauge.set(row.labels, row.value);
}

export function createMetrics(pool: pg.Pool): MonitoringMetrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  // Gauges named like counters, which promtool rejects; the per-type nodejs_active_* gauges carry the same counts.
  for (const misnamed of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(misnamed);
  }

  new Gauge({
    name: 'nightshift_tasks',
    help: 'Tasks by pipeline and status.',
    labelNames: ['pipeline', 'status'] as const,
    registers,
    async collect() {
      const rows = await countTasksByStatus(pool);
      setAll(this, rows.map((row) => ({ labels: { pipeline: `${row.namespace}/${row.name}`, status: row.status }, value: row.count })));
    },
  });

  new Counter({
    name: 'nightshift_step_attempts_total',
    help: 'Finished step attempts by pipeline, step (a mapped step counts its children) and outcome (completed, failed, timed_out, lost, released, cancelled).',
    labelNames: ['pipeline', 'step', 'outcome'] as const,
    registers,
    async collect() {
      const rows = await countFinishedAttempts(pool);
      this.reset();
      for (const row of rows) this.inc({ pipeline: row.pipeline, step: row.stepName, outcome: row.outcome }, row.count);
    },
  });

  new Gauge({
    name: 'nightshift_extraction_records',
    help: "Records extracted by each extract_* step's latest completed run (the seed's data_pipeline.extraction.records_count).",
    labelNames: ['step'] as const,
    registers,
    async collect() {
      const rows = await readLatestStepResultNumbers(pool, { stepNamePrefix: 'extract_', field: 'total_count' });
      setAll(this, rows.map((row) => ({ labels: { step: row.stepName }, value: row.value })));
    },
  });

  new Gauge({
    name: 'nightshift_ready_steps',
    help: 'Steps that could be claimed right now (the ready-queue depth).',
    registers,
    async collect() {
      this.set((await readReadyQueue(pool)).depth);
    },
  });
  new Gauge({
    name: 'nightshift_oldest_ready_step_age_seconds',
    help: 'How long the longest-waiting ready step has been claimable (0 when none is).',
    registers,
    async collect() {
      this.set((await readReadyQueue(pool)).oldestReadyAgeSeconds);
    },
  });

  new Gauge({
    name: 'nightshift_worker_heartbeat_age_seconds',
    help: 'Seconds since each running worker last recorded a heartbeat (workers seen within the last hour).',
    labelNames: ['worker'] as const,
    registers,
    async collect() {
      const rows = await readWorkerHeartbeats(pool, { withinSeconds: 3600 });
      setAll(this, rows.map((row) => ({ labels: { worker: row.workerId }, value: row.heartbeatAgeSeconds })));
    },
  });

  new Gauge({
    name: 'nightshift_alerts_open',
    help: 'Unresolved alerts by severity and status (open, acknowledged).',
    labelNames: ['severity', 'status'] as const,
    registers,
    async collect() {
      const { rows } = await pool.query<{ severity: string; status: string; count: number }>(
        `SELECT s.severity, st.status, count(a.id)::int AS count
           FROM unnest(enum_range(NULL::alert_severity)) AS s(severity)
          CROSS JOIN unnest(ARRAY['open', 'acknowledged']::alert_status[]) AS st(status)
           LEFT JOIN alerts a ON a.severity = s.severity AND a.status = st.status
          GROUP BY 1, 2`,
      );
      setAll(this, rows.map((row) => ({ labels: { severity: row.severity, status: row.status }, value: row.count })));
    },
  });

  new Gauge({
    name: 'nightshift_outgoing_messages',
    help: 'Outgoing alert messages by target and status (pending, delivered, dead).',
    labelNames: ['target', 'status'] as const,
    registers,
    async collect() {
      const { rows } = await pool.query<{ target: string; status: string; count: number }>(
        `SELECT target, status, count(*)::int AS count FROM outgoing_messages GROUP BY 1, 2`,
      );
      setAll(this, rows.map((row) => ({ labels: { target: row.target, status: row.status }, value: row.count })));
    },
  });

  return {
    registry,
    stepDuration: new Histogram({
      name: 'nightshift_step_duration_seconds',
      help: 'Step attempt durations seen by this process, by pipeline, step (a mapped step counts its children) and outcome (completed, retrying, failed).',
      labelNames: ['pipeline', 'step', 'outcome'] as const,
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
      registers,
    }),
    deliveryAttempts: new Counter({
      name: 'nightshift_alert_delivery_attempts_total',
      help: 'Attempts to send outgoing alert messages by target and outcome (delivered, retry, dead).',
      labelNames: ['target', 'outcome'] as const,
      registers,
    }),
  };
}

const globalForMetrics = globalThis as typeof globalThis & { nightshiftMetrics?: { pool: pg.Pool; metrics: MonitoringMetrics } };

/**
 * This process's metrics over the shared pool: one registry per process, kept across dev reloads, and rebuilt
 * only if the shared pool itself was replaced (tests point getDb() at a new database per file).
 */
export function appMetrics(): MonitoringMetrics {
  const { pool } = getDb();
  if (globalForMetrics.nightshiftMetrics?.pool !== pool) globalForMetrics.nightshiftMetrics = { pool, metrics: createMetrics(pool) };
  return globalForMetrics.nightshiftMetrics.metrics;
}

const extensions = new WeakMap<Registry, Set<string>>();

/**
 * Adds gauges owned by another module (lib/reliability's SLO gauges) to a registry, once per registry: the module
 * that knows the figures registers them where they are served (app/api/metrics), so monitoring imports none of it.
 */
export function extendMetrics(metrics: MonitoringMetrics, name: string, register: (registry: Registry) => void): MonitoringMetrics {
  const done = extensions.get(metrics.registry) ?? new Set<string>();
  extensions.set(metrics.registry, done);
  if (!done.has(name)) {
    done.add(name);
    register(metrics.registry);
  }
  return metrics;
}

/** True when the request carries `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time). */
export function hasMetricsToken(request: Request, metricsToken: string | undefined): boolean {
  if (!metricsToken) return false;
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '');
  if (!match?.[1]) return false;
  const given = Buffer.from(match[1].trim());
  const expected = Buffer.from(metricsToken);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The Prometheus text exposition of this process's registry. */
export async function metricsResponse(metrics: MonitoringMetrics = appMetrics()): Promise<Response> {
  // prom-client writes a missing value (e.g. the event-loop lag before its first sample) as "Nan"; the text format
  // spells it "NaN", which strict parsers require.
  const body = `${await metrics.registry.metrics()}${await readServerMetrics()}`.replace(/ Nan$/gm, ' NaN');
  return new Response(body, { status: 200, headers: { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' } });
}
