/**
 * Engineer console: an operator starts a run from the form and watches the DAG complete
 * live (screenshot kept); invalid input shows field errors and creates nothing; the time from a step's
 * completion in the database to its node changing on the page is measured and is under a second.
 */
import { expect, test, type Page } from '@playwright/test';
import { artifactPath } from './fixtures';
import { NO_CHAOS, pageAs, putChaos, startRunViaApi, stepNode, utcDay } from './console-fixtures';
import { openE2eDatabase } from './e2e-database';

const STEPS = [
  'extract_orders',
  'extract_users',
  'extract_products',
  'transform_customer_metrics',
  'transform_product_metrics',
  'generate_insights',
  'update_dashboard',
  'send_notifications',
];

/** Records, in the page, the wall-clock time at which each step node's data-status changed to each value. */
async function recordNodeChanges(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: Record<string, number> = {};
    (window as unknown as { nodeChanges: Record<string, number> }).nodeChanges = seen;
    (window as unknown as { loadedOnce: boolean }).loadedOnce = true;
    new MutationObserver((mutations) => {
      const now = performance.timeOrigin + performance.now();
      for (const mutation of mutations) {
        const node = mutation.target as HTMLElement;
        const name = node.dataset.testid?.replace(/^step-node-/, '');
        if (!name || !node.dataset.status) continue;
        seen[`${name}:${node.dataset.status}`] ??= now;
      }
    }).observe(document.body, { attributes: true, attributeFilter: ['data-status'], subtree: true });
  });
}

test('an operator starts a run from the form and the DAG completes live', async ({ browser }) => {
  test.setTimeout(120_000);
  const page = await pageAs(browser, 'operator');
  await page.goto('/runs/new');
  const form = page.getByRole('form', { name: 'Start a run' });
  // Defaults come from the pipeline's schema: yesterday, #data-team, no force refresh.
  await expect(form.getByLabel('Start date')).toHaveValue(utcDay(-1));
  await expect(form.getByLabel('Notification channels')).toHaveValue('#data-team');
  await expect(form.getByLabel('Force refresh')).not.toBeChecked();
  await form.getByLabel('Force refresh').check();
  await form.getByRole('button', { name: 'Start run' }).click();
  await expect(page).toHaveURL(/\/runs\/[0-9a-f-]{36}$/);
  const taskId = page.url().split('/').pop() ?? '';

  await expect(page.getByTestId('run-dag')).toBeVisible();
  for (const name of STEPS) await expect(stepNode(page, name)).toBeVisible();
  await expect(page.getByTestId('connection-indicator')).toHaveAttribute('data-connection', 'live');
  await recordNodeChanges(page);

  for (const name of STEPS) await expect(stepNode(page, name)).toHaveAttribute('data-status', 'completed', { timeout: 90_000 });
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-state', 'completed');
  // The same document all along: the marker set after load survived, so nothing was reloaded.
  expect(await page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce)).toBe(true);
  await expect(stepNode(page, 'extract_orders').getByTestId('step-attempts')).toHaveText('1/4');
  await page.getByTestId('run-dag').screenshot({ path: artifactPath('console-dag.png') });

  // The run is on /runs, and the drawer shows a step's attempt and result.
  await stepNode(page, 'extract_users').getByRole('button').click();
  const drawer = page.getByTestId('step-drawer');
  await expect(drawer.getByRole('heading', { name: 'extract_users' })).toBeVisible();
  await expect(drawer.getByTestId('step-attempts-list').locator('li')).toHaveCount(1);
  await expect(drawer.getByTestId('step-result')).toContainText('total_count');
  await page.keyboard.press('Escape');
  await page.getByRole('tab', { name: 'Timeline' }).click();
  await expect(page.getByTestId('timeline-bar')).toHaveCount(STEPS.length);
  await page.getByRole('tab', { name: 'Events' }).click();
  await expect(page.getByTestId('run-events')).toContainText('task.completed');

  await page.goto('/runs');
  const row = page.locator(`tr[data-run-id="${taskId}"]`);
  await expect(row).toHaveAttribute('data-status', 'completed');
  await expect(row.getByRole('progressbar')).toHaveAttribute('aria-valuetext', '8/8');
  await page.context().close();
});

test('invalid form input shows field errors and creates nothing', async ({ browser }) => {
  const page = await pageAs(browser, 'operator');
  // The newest run before and after: the list's total is an estimate once runs exceed a page, so "no new run"
  // is read from the newest id (and the total, while it is exact).
  type RunList = { total: number; totalExact: boolean; runs: { id: string }[] };
  const before = (await (await page.request.get('/api/live/runs')).json()) as RunList;
  await page.goto('/runs/new');
  const form = page.getByRole('form', { name: 'Start a run' });
  // End before start, end in the future, and a malformed channel, in one submission.
  await form.getByLabel('Start date').fill(utcDay(3));
  await form.getByLabel('End date').fill(utcDay(2));
  await form.getByLabel('Notification channels').fill('#data-team, Not A Channel!');
  await form.getByRole('button', { name: 'Start run' }).click();

  const endErrors = page.locator('#field-date_range-end_date-errors');
  await expect(endErrors).toContainText('End date must be on or after the start date.');
  await expect(endErrors).toContainText('End date must not be after today (UTC).');
  await expect(endErrors).toHaveAttribute('aria-live', 'polite');
  await expect(page.locator('#field-notification_channels-errors')).toContainText('Notification channels: “Not” must be a channel name like #data-team.');
  await expect(form.getByLabel('End date')).toHaveAttribute('aria-invalid', 'true');
  await expect(page).toHaveURL(/\/runs\/new$/);
  const after = (await (await page.request.get('/api/live/runs')).json()) as RunList;
  expect(after.runs[0]?.id).toBe(before.runs[0]?.id);
  if (before.totalExact && after.totalExact) expect(after.total).toBe(before.total);
  await page.context().close();
});

test('a step completing in the database reaches its node in under a second (median of five; none beyond two)', async ({ browser }) => {
  test.setTimeout(120_000);
  const page = await pageAs(browser, 'operator');
  const db = openE2eDatabase();
  // When each step's completion first became visible in the database, seen by polling it every 10 ms:
  // the latency is measured from the commit being visible (at most ~10 ms late), not from a timestamp the
  // engine took before its transaction committed. Only completions after `watchSince` (database time) count.
  const visibleAt: Record<string, number> = {};
  let watching = true;
  let watchedTask = '';
  let watchSince = '';
  const watcher = (async () => {
    while (watching) {
      if (watchedTask) {
        const { rows } = await db.pool.query<{ name: string }>(
          `SELECT name FROM steps WHERE task_id = $1 AND status = 'completed' AND completed_at > $2`,
          [watchedTask, watchSince],
        );
        const now = Date.now();
        for (const { name } of rows) visibleAt[name] ??= now;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  try {
    // A first run completes; then, with the page live and recording, the tail of the graph runs again. Measuring
    // the rerun, not the first run, means a busy machine that is slow to open the page cannot leave nothing to
    // measure (the first run may well have finished by the time the page is live).
    const taskId = await startRunViaApi(page, utcDay(-4));
    await page.goto(`/runs/${taskId}`);
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-state', 'completed', { timeout: 60_000 });
    await expect(page.getByTestId('connection-indicator')).toHaveAttribute('data-connection', 'live');
    // A slow CRM keeps extract_users running for a while, so the page shows the rerun steps waiting before each
    // completes (a step that reset and completed between two page updates would leave its node unchanged).
    await putChaos(page, { crm: { latency_ms: 1_500 } });
    await recordNodeChanges(page);
    const { rows } = await db.pool.query<{ now: string }>(`SELECT now()::text AS now`);
    watchSince = rows[0]?.now ?? '';
    watchedTask = taskId;
    const rerun = await page.request.post(`/api/runs/${taskId}/operations`, {
      data: { kind: 'rerun_from', step: 'extract_users', reason: 'e2e: measure completion latency' },
      headers: { origin: new URL(page.url()).origin },
    });
    expect(rerun.status(), await rerun.text()).toBeLessThan(300);
    // The five rerun steps complete in the database; a node that has not changed a second after its commit fails.
    await expect.poll(() => Object.keys(visibleAt).length, { timeout: 60_000 }).toBe(5);
    await page.waitForTimeout(1_000);
    watching = false;
    await watcher;

    const changes = await page.evaluate(() => (window as unknown as { nodeChanges: Record<string, number> }).nodeChanges);
    const latencies = Object.entries(visibleAt).map(([step, seenAt]) => ({
      step,
      ms: (changes[`${step}:completed`] ?? Number.POSITIVE_INFINITY) - seenAt,
    }));
    console.log(`DB commit visible → DOM latency per step: ${latencies.map((entry) => `${entry.step} ${Math.round(entry.ms)} ms`).join(', ')}`);
    // The rerun covers extract_users and everything downstream of it.
    expect(latencies.map((entry) => entry.step).sort()).toEqual(
      ['extract_users', 'generate_insights', 'send_notifications', 'transform_customer_metrics', 'update_dashboard'],
    );
    for (const { step, ms } of latencies) {
      // The poll may see the commit up to one interval after the page does.
      expect(ms, `${step}: completion to node change`).toBeGreaterThanOrEqual(-50);
      // The next step's SQL shares the machine's two cores with the page's refetch: on a quiet machine every step
      // takes 100–450 ms, and CI once measured 1.4 s for one of five. No step may take two seconds.
      expect(ms, `${step}: completion to node change`).toBeLessThan(2_000);
    }
    const sorted = latencies.map((entry) => entry.ms).sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)], 'median completion to node change').toBeLessThan(1_000);
  } finally {
    watching = false;
    await watcher;
    await putChaos(page, NO_CHAOS);
    await db.close();
  }
  await page.context().close();
});
