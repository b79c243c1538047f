/**
 * Every setting Nightshift reads from the environment, parsed once with zod.
 * Nothing else in the code base reads process.env directly; README's configuration table mirrors this file.
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

const flag = (defaultValue: boolean) =>
  z
    .enum(['1', '0', 'true', 'false', 'on', 'off', 'yes', 'no'])
    .optional()
    .transform((value) => (value === undefined ? defaultValue : ['1', 'true', 'on', 'yes'].includes(value)));

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** An IPv4/IPv6 address, or a CIDR block such as 10.0.0.0/8 or fd00::/8. */
function isAddressOrCidr(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/** A comma-separated list of addresses and CIDR blocks; empty means none. */
const addressList = z
  .string()
  .default('')
  .transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean))
  .pipe(z.array(z.string().refine(isAddressOrCidr, 'must be a comma-separated list of IP addresses or CIDR blocks (e.g. 127.0.0.1,10.0.0.0/8)')));

const postgresUrl = z
  .string()
  .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL');

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** External PostgreSQL (>= 15). Unset: `npm start` runs an embedded server and sets this for its children. */
  DATABASE_URL: postgresUrl.optional(),
  /** Where the demo orders database lives (schema `shop`); defaults to DATABASE_URL. */
  SOURCE_DATABASE_URL: postgresUrl.optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Folder for the embedded cluster, credentials and other local state. */
  NIGHTSHIFT_DATA_DIR: z.string().min(1).default(path.join(process.cwd(), '.data')),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  /** Source systems; unset means the built-in demo endpoints of this server. */
  CRM_URL: z.url().optional(),
  INVENTORY_URL: z.url().optional(),
  SLACK_WEBHOOK_URL: z.url().optional(),
  /** How long a source HTTP client waits for an answer (including the body) before giving up. */
  SOURCE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** Rows per CRM / inventory page the extracts ask for; 5,000 is the demo APIs' largest page. */
  SOURCE_PAGE_SIZE: z.coerce.number().int().min(1).max(5_000).default(5_000),
  /** Serve the demo source systems under /demo/*. */
  DEMO_SOURCES: flag(true),
  /** Run workers and the event dispatcher inside the web process. */
  RUN_WORKERS: flag(true),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(4),
  WORKER_LEASE_MS: z.coerce.number().int().min(1000).default(30_000),
  WORKER_HEARTBEAT_MS: z.coerce.number().int().min(100).default(5_000),
  WORKER_POLL_MS: z.coerce.number().int().min(50).default(2_000),
  /** Retry backoff: exponential from BASE with jitter, never above CAP (a Retry-After is honoured up to CAP). */
  WORKER_BACKOFF_BASE_MS: z.coerce.number().int().min(1).default(1_000),
  WORKER_BACKOFF_CAP_MS: z.coerce.number().int().min(1).default(300_000),
  /** How long a stopping worker lets in-flight steps finish before releasing them to other workers. */
  WORKER_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(25_000),
  WORKER_MAX_LOST_ATTEMPTS: z.coerce.number().int().min(1).max(1_000).default(10),
  WORKER_MAX_RATE_LIMITED_ATTEMPTS: z.coerce.number().int().min(1).max(10_000).default(20),
  /** How often the event dispatcher polls the outbox when no NOTIFY arrives. */
  EVENT_POLL_MS: z.coerce.number().int().min(50).default(1_000),
  /** Failed attempts of a subscriber at one event before the delivery becomes a dead letter on /alerts. */
  EVENT_MAX_DELIVERY_ATTEMPTS: z.coerce.number().int().min(1).max(1_000).default(10),
  /** Back-off between a subscriber's attempts at one event: exponential from the base, with jitter, capped. */
  EVENT_DELIVERY_BACKOFF_BASE_MS: z.coerce.number().int().min(1).default(1_000),
  EVENT_DELIVERY_BACKOFF_CAP_MS: z.coerce.number().int().min(1).default(300_000),
  /** Delivered outbox events and finished step attempts older than this are purged (in batches, hourly). */
  EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(30),
  /**
   * Finished runs (task, steps, attempts, events, operations, alerts, schedule firings) older than this are purged,
   * hourly, 1,000 runs per transaction; runs a published snapshot, an active backfill or an open alert needs are
   * kept (lib/runtime/run-retention.ts). 100 days outlasts the status page's 90-day history with room for its
   * time zone, so every figure it shows still finds its runs.
   */
  RUN_RETENTION_DAYS: z.coerce
    .number({ message: 'must be a whole number of days' })
    .int({ message: 'must be a whole number of days' })
    .min(1, { message: 'must be at least 1 (day); runs cannot be kept forever, choose a long period instead' })
    .max(36_500, { message: 'must be at most 36500 (days, about 100 years)' })
    .default(100),
  SEED_ON_EMPTY: flag(true),
  /**
   * The daily dashboard delivery is "on time" when published by this local time (HH:MM, 24 h) in DELIVERY_TIMEZONE.
   * Read by the status page (lib/status) and the dashboard's freshness; the monitoring issue reuses both.
   */
  DELIVERY_DEADLINE: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time like 07:00')
    .default('07:00'),
  /**
   * The first day the source systems hold data for (YYYY-MM-DD). Analysis windows starting before it — or before
   * 2000-01-01, whichever is later — are refused with a 400 instead of publishing an empty dashboard.
   */
  EARLIEST_DATA_DATE: z.iso.date({ message: 'must be a date in YYYY-MM-DD form' }).optional(),
  /** IANA time zone the delivery day and deadline are counted in, e.g. Europe/Berlin. */
  DELIVERY_TIMEZONE: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone such as UTC or Europe/Berlin')
    .default('UTC'),
  /** A product needs reordering when its stock covers fewer days than this at its 28-day sales rate (docs/METRICS.md). */
  REORDER_COVER_DAYS: z.coerce.number().int().min(1).max(365).default(14),
  /** Days of sales at the 28-day rate a reorder should bring the stock up to. */
  REORDER_TARGET_DAYS: z.coerce.number().int().min(1).max(365).default(28),
  /**
   * Monitoring. PagerDuty Events API v2: unset routing key → triggers and resolves are recorded in
   * demo.pagerduty_events instead of sent. The events URL is overridable for tests and EU accounts.
   */
  PAGERDUTY_ROUTING_KEY: z.string().min(1).optional(),
  PAGERDUTY_EVENTS_URL: z.url().default('https://events.pagerduty.com/v2/enqueue'),
  /** A bearer token that may read /api/metrics only (for a Prometheus scraper); viewer tokens work too. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Post "Starting: step" / "Completed: step in 2.4min" notices to #data-pipeline-status (the seed's opt-in). */
  ALERT_STEP_NOTICES: flag(false),
  /** Outgoing alert messages: per-request timeout, retry backoff, and attempts before a message is a dead letter. */
  ALERT_DELIVERY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  ALERT_DELIVERY_BACKOFF_BASE_MS: z.coerce.number().int().min(1).default(2_000),
  ALERT_DELIVERY_BACKOFF_CAP_MS: z.coerce.number().int().min(1).default(300_000),
  ALERT_DELIVERY_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(10),
  ALERT_DELIVERY_POLL_MS: z.coerce.number().int().min(50).default(1_000),
  /** Base URL put into alert links (task pages); unset: this server's own address. */
  ALERT_LINK_BASE_URL: z.url().optional(),
  /** Run the scheduler (cron firings, catch-up, deadline watch) in this process; any number may run. */
  SCHEDULER_ENABLED: flag(true),
  SCHEDULER_TICK_MS: z.coerce.number().int().min(100).default(15_000),
  /**
   * After downtime, a missed firing whose day is older than this many days is too late to matter: it is skipped
   * with that reason on the delivery calendar instead of run out of order (the newest firing always runs).
   */
  CATCH_UP_MAX_AGE_DAYS: z.coerce.number().int().min(0).max(366).default(3),
  /**
   * A scheduled run forecast late (≥ 80% confidence) pages the on-call once less than this many minutes are left
   * before its deadline; before that the team is warned in Slack. A missed deadline always pages (once per firing).
   */
  DEADLINE_PAGE_LEAD_MINUTES: z.coerce.number().int().min(0).max(1_440).default(30),
  /** How many of a backfill's runs may run at once when the request does not say (also the scheduler's catch-up). */
  BACKFILL_MAX_PARALLEL: z.coerce.number().int().min(1).max(32).default(2),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Playwright only: port of the production server the e2e tests start. */
  E2E_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** Playwright only: Chromium to drive; unset means /usr/bin/chromium, else Playwright's own download. */
  PLAYWRIGHT_CHROMIUM_PATH: z.string().min(1).optional(),
  /** First run only: the admin account created when no user exists. Unset password: one is generated and written to the data folder. */
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').max(200).optional(),
  /** A bearer token for automation, accepted with the operator role (`Authorization: Bearer <value>`). */
  API_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  /** A session ends after this long without a request (sliding). */
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(60 * 24 * 30).default(12 * 60),
  /** A session ends this long after sign-in, however active. */
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(24 * 365).default(7 * 24),
  /**
   * Failed sign-ins per account within LOGIN_WINDOW_MINUTES before each further attempt on it must wait (1 s,
   * doubling, at most LOGIN_MAX_DELAY_SECONDS). A delay instead of a lock: a stranger's guesses cannot lock the
   * owner out.
   */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
  LOGIN_MAX_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /** Failed sign-ins allowed per client address within LOGIN_WINDOW_MINUTES; then that address is refused. */
  LOGIN_MAX_FAILURES_PER_ADDRESS: z.coerce.number().int().min(1).default(20),
  LOGIN_WINDOW_MINUTES: z.coerce.number().int().min(1).default(15),
  /**
   * Reverse proxies whose X-Forwarded-For / -Proto / -Host are believed (addresses or CIDR blocks). Without one,
   * the client is the socket's peer and those headers are ignored, so nobody can pick the address they are
   * rate-limited under.
   */
  TRUSTED_PROXIES: addressList,
});

export type Env = z.infer<typeof envSchema>;

/** Settings that were renamed: the old name set is refused with the new one, rather than silently ignored. */
const RENAMED_SETTINGS: Readonly<Record<string, keyof Env>> = { SCHEDULER_CATCH_UP_DAYS: 'CATCH_UP_MAX_AGE_DAYS' };

export function parseEnv(source: NodeJS.ProcessEnv): Env {
  const parsed = envSchema.safeParse(source);
  const renamed = Object.entries(RENAMED_SETTINGS)
    .filter(([old]) => source[old] !== undefined)
    .map(([old, current]) => `  ${old}: was renamed ${current}; set that instead`);
  if (!parsed.success || renamed.length > 0) {
    const lines = [...renamed, ...(parsed.error?.issues ?? []).map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)];
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

let cached: Env | undefined;

/** The parsed environment of this process (parsed on first use, so scripts may set variables before). */
export function env(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Parse the environment again on the next env(): for a test process that points the app at another database. */
export function forgetParsedEnv(): void {
  cached = undefined;
}

/** Base URL of this server, for the demo source defaults. */
export function selfUrl(): string {
  return `http://127.0.0.1:${env().PORT}`;
}
