/**
 * The reliability report's figures as Prometheus gauges (`nightshift_slo_*`), per pipeline (`namespace/name`) and
 * window (`7d`, `30d`, `90d`); a ratio without a denominator is left out rather than reported as 0. Registered on
 * the app's metrics registry where /api/metrics is served (lib/monitoring/metrics.ts extendMetrics).
 */
import { Gauge, type Registry } from 'prom-client';
import { ROLLING_PERIODS, type ReliabilityPeriod, type ReliabilityReport } from './slo';

/** One read of the reports per scrape, shared by the gauges that show them. */
function perScrape<T>(read: () => Promise<T>, freshMs = 1_000): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > freshMs) last = { at: Date.now(), value: read() };
    return last.value;
  };
}

const asShare = (ratio: { numerator: number; denominator: number }) => (ratio.denominator > 0 ? ratio.numerator / ratio.denominator : null);
const minutesAsSeconds = (minutes: number | null) => (minutes === null ? null : minutes * 60);

type Figure = (period: ReliabilityPeriod, report: ReliabilityReport) => number | null;

const GAUGES: readonly { name: string; help: string; figure: Figure }[] = [
  {
    name: 'nightshift_slo_on_time_ratio',
    help: 'Share of days due whose daily delivery was published by the deadline (a day with no run counts as missed), per pipeline and window.',
    figure: (period) => (period.on_time ? asShare(period.on_time) : null),
  },
  {
    name: 'nightshift_slo_deliveries_due',
    help: "Daily deliveries whose deadline has passed, per pipeline and window (the on-time ratio's denominator).",
    figure: (period, report) => (report.delivered ? period.days_due : null),
  },
  { name: 'nightshift_slo_run_failure_ratio', help: 'Share of the finished runs created in the window that failed, per pipeline.', figure: (period) => asShare(period.runs.failure_rate) },
  {
    name: 'nightshift_slo_automatic_recovery_ratio',
    help: 'Share of failed attempts with a known fate that a later attempt of the same step fixed with no operator in between.',
    figure: (period) => asShare(period.automatic_recovery),
  },
  { name: 'nightshift_slo_runs_needing_person', help: 'Runs created in the window where an operator acted (retry, rerun, resolve, complete, cancel).', figure: (period) => period.needed_person },
  { name: 'nightshift_slo_pages', help: 'Pages (critical alerts) raised in the window.', figure: (period) => period.pages.sent },
  {
    name: 'nightshift_slo_page_resolve_mean_seconds',
    help: 'Mean time from raising to resolving of the pages resolved in the window.',
    figure: (period) => minutesAsSeconds(period.pages.mean_minutes_to_resolve),
  },
  {
    name: 'nightshift_slo_finish_vs_deadline_median_seconds',
    help: "Median of the daily delivery's publish time minus its deadline (negative: early).",
    figure: (period) => minutesAsSeconds(period.finish_vs_deadline.median_minutes),
  },
  {
    name: 'nightshift_slo_finish_vs_deadline_p95_seconds',
    help: "95th percentile (nearest rank) of the daily delivery's publish time minus its deadline.",
    figure: (period) => minutesAsSeconds(period.finish_vs_deadline.p95_minutes),
  },
];

export function registerReliabilityGauges(registry: Registry, readReports: () => Promise<ReliabilityReport[]>): void {
  const reports = perScrape(readReports);
  const windows = new Set<string>(ROLLING_PERIODS.map((days) => `${days}d`));
  for (const { name, help, figure } of GAUGES) {
    new Gauge({
      name,
      help,
      labelNames: ['pipeline', 'window'] as const,
      registers: [registry],
      async collect() {
        // Fresh value sets per scrape: a pipeline no longer served disappears from the output.
        this.reset();
        for (const report of await reports()) {
          for (const period of report.periods.filter((candidate) => windows.has(candidate.key))) {
            const value = figure(period, report);
            if (value !== null) this.set({ pipeline: report.pipeline.replace('.', '/'), window: period.key }, value);
          }
        }
      },
    });
  }
}
