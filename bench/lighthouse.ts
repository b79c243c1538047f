/**
 * `npm run bench:lighthouse [-- --orders N]`: Lighthouse (performance only, its default mobile profile: a mid-range
 * phone, simulated slow 4G and a 4× slower CPU) on `/` as a signed-in viewer, against the production build and
 * Debian's Chromium. Not part of `npm run bench` or CI: it needs a Chromium and takes a few minutes.
 *
 * It publishes a real snapshot first (the pipeline benchmark at a small size, 100,000 orders by default, on its own
 * embedded PostgreSQL) and makes it the default view the way an operator would (the benchmark's multi-day window is an
 * ad-hoc run, which publishes into the history only), starts `next start` on it, signs a viewer in (a session
 * cookie, as a browser holds it), checks `/` shows a dashboard, and runs Lighthouse three times, reporting the
 * median. Writes bench/results/lighthouse.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { createPool } from '@/db/client';
import { users } from '@/db/schema/auth';
import { SESSION_COOKIE } from '@/lib/auth/constants';
import { createSession } from '@/lib/auth/sessions';
import { freePort } from '@/db/embedded';
import { chromiumArgs, systemChromiumPath } from '@/e2e/browser';
import { runPipelineAtScale } from './pipeline-at-scale';
import { makeBenchSnapshotDefault } from './support/default-view';
import { startBenchPostgres } from './support/postgres';
import { ensureProductionBuild, holdNextLock, startNextServer, stopProcessGroup, waitForOk } from './support/next-server';
import { machine, percentile } from './support/report';

const CHROMIUM = process.env.PLAYWRIGHT_CHROMIUM_PATH ?? systemChromiumPath;
// The Playwright setup's flags (root needs --no-sandbox; the background services flood a closed network), headless.
const CHROME_FLAGS = ['--headless=new', ...chromiumArgs];
const RUNS = 3;

const { values } = parseArgs({ options: { orders: { type: 'string', default: '100000' } } });
const orders = Number(values.orders);
const log = (message: string) => console.log(`[lighthouse] ${message}`);

const server = await startBenchPostgres('lighthouse');
const lock = await holdNextLock();
let next: ReturnType<typeof startNextServer> | undefined;
try {
  const built = ensureProductionBuild();
  if (built > 0) log(`built the app in ${built.toFixed(1)} s`);
  const published = await runPipelineAtScale({ url: server.url, orders, days: 90, customers: orders / 10, products: 1_000, seed: 42 });

  const db = createPool(server.url, { max: 2, applicationName: 'nightshift-bench' });
  let cookie: string;
  try {
    await makeBenchSnapshotDefault(db.pool, published.taskId, 'lighthouse benchmark');
    const [user] = await db.db.insert(users).values({ email: `lighthouse-${Date.now()}@nightshift.test`, role: 'viewer', passwordHash: 'unusable' }).returning({ id: users.id });
    if (!user) throw new Error('no viewer created');
    cookie = `${SESSION_COOKIE}=${(await createSession(db.db, { userId: user.id })).token}`;
  } finally {
    await db.close();
  }

  const port = await freePort();
  next = startNextServer({ port, databaseUrl: server.url });
  const url = `http://127.0.0.1:${port}/`;
  // The published dashboard, not the empty state (which has no key figures).
  await waitForOk(url, { headers: { cookie }, accept: (body) => body.includes('Key figures'), timeoutMs: 120_000 });

  const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM, chromeFlags: CHROME_FLAGS });
  const runs: { score: number; fcp: number; lcp: number; tbt: number; cls: number; si: number; domNodes: number; jsKb: number }[] = [];
  try {
    for (let run = 0; run < RUNS; run += 1) {
      const result = await lighthouse(url, { port: chrome.port, onlyCategories: ['performance'], extraHeaders: { Cookie: cookie }, logLevel: 'error' });
      if (!result) throw new Error('Lighthouse returned no result');
      const { lhr } = result;
      const numeric = (id: string) => lhr.audits[id]?.numericValue ?? Number.NaN;
      const scriptBytes = (lhr.audits['resource-summary']?.details as { items?: { resourceType: string; transferSize: number }[] } | undefined)?.items
        ?.find((item) => item.resourceType === 'script')?.transferSize ?? Number.NaN;
      runs.push({
        score: Math.round((lhr.categories.performance?.score ?? 0) * 100),
        fcp: Math.round(numeric('first-contentful-paint')),
        lcp: Math.round(numeric('largest-contentful-paint')),
        tbt: Math.round(numeric('total-blocking-time')),
        cls: Math.round(numeric('cumulative-layout-shift') * 1000) / 1000,
        si: Math.round(numeric('speed-index')),
        // Lighthouse 13 reports the DOM size as an insight; older versions as the dom-size audit.
        domNodes: lhr.audits['dom-size-insight']?.numericValue ?? numeric('dom-size'),
        jsKb: Math.round(scriptBytes / 1024),
      });
      log(`run ${run + 1}: ${JSON.stringify(runs.at(-1))}`);
      // The whole report of the last run, for the profile (bootup time per script, long tasks, DOM size).
      if (run === RUNS - 1) writeFileSync(path.join(os.tmpdir(), 'nightshift-lighthouse.json'), JSON.stringify(lhr));
    }
  } finally {
    chrome.kill();
  }
  const median = (pick: (run: (typeof runs)[number]) => number) => percentile(runs.map(pick), 50);
  const summary = {
    date: new Date().toISOString(),
    machine: machine(),
    command: `npm run bench:lighthouse -- --orders ${orders}`,
    lighthouse: (await import('lighthouse/package.json', { with: { type: 'json' } })).default.version,
    profile: 'mobile (Lighthouse default: Moto G Power emulation, simulated slow 4G, 4× CPU slowdown)',
    median: {
      score: median((run) => run.score),
      fcpMs: median((run) => run.fcp),
      lcpMs: median((run) => run.lcp),
      tbtMs: median((run) => run.tbt),
      cls: median((run) => run.cls),
      speedIndexMs: median((run) => run.si),
      domNodes: median((run) => run.domNodes),
      scriptTransferKb: median((run) => run.jsKb),
    },
    runs,
  };
  const out = path.join(import.meta.dirname, 'results', 'lighthouse.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(summary, null, 2)}\n`);
  log(`median of ${RUNS}: ${JSON.stringify(summary.median)} → ${out}`);
} finally {
  if (next) await stopProcessGroup(next);
  await lock.release();
  await server.stop();
}
