/**
 * "Needs attention today" against the production build and the default demo data:
 * - a 28-day run ending yesterday (it holds two of the demo's injected anomalous days) is published; its dashboard
 *   shows every figure of the run's executive summary as GET /analytics/results/{id} serves it — recommendations
 *   high first with their action links, churn risk by segment, the reorder count and most urgent products, the
 *   abnormal days, one marker per revenue anomaly on the revenue chart — and the two CSV links of that run;
 * - a number that appears twice agrees: the counts in the recommendation titles and in the cards, the reorder
 *   count and the low-stock list's;
 * - at 390 px nothing scrolls sideways, the section's links are reached with Tab, and axe finds nothing serious;
 * - a run published without a summary (as before summaries existed) says so plainly.
 */
import { expect, test, type Page } from '@playwright/test';
import type { DbHandle } from '@/db/client';
import { NO_CHAOS, pageAs, putChaos, startRunViaApi, utcDay } from './console-fixtures';
import { openE2eDatabase } from './e2e-database';
import { artifactPath } from './fixtures';
import { expectAxeClean, expectNoSidewaysScroll, PHONE } from './ui-checks';

interface Recommendation {
  priority: 'high' | 'medium' | 'low';
  title: string;
  action_url: string;
}

interface ExecutiveSummary {
  churn_risk: { customers_at_risk: number; lifetime_value_at_risk: number; by_segment: Record<'VIP' | 'Regular' | 'Occasional' | 'New', number> };
  reorder_needed_count: number;
  reorder: { product_id: number; stock_on_hand: number; days_of_cover: number; reorder_quantity: number }[];
  anomalies: { metric: 'revenue' | 'orders'; day: string; value: number }[];
  recommendations: Recommendation[];
}

const PRIORITY_ORDER = ['high', 'medium', 'low'] as const;

async function waitForSnapshot(db: DbHandle, taskId: string): Promise<number> {
  let id: number | undefined;
  await expect
    .poll(
      async () => {
        const { rows } = await db.pool.query<{ id: number; state: string }>('SELECT id, state FROM analytics.dashboard_snapshots WHERE task_id = $1', [taskId]);
        id = rows[0]?.id;
        return rows[0]?.state;
      },
      { timeout: 120_000, intervals: [500] },
    )
    .toBe('published');
  if (id === undefined) throw new Error('no snapshot');
  return id;
}

async function summaryOverHttp(page: Page, taskId: string): Promise<ExecutiveSummary | null> {
  const response = await page.request.get(`/analytics/results/${taskId}`);
  expect(response.status()).toBe(200);
  return ((await response.json()) as { executive_summary: ExecutiveSummary | null }).executive_summary;
}

const dataValue = async (page: Page, testId: string) => Number(await page.getByTestId(testId).getAttribute('data-value'));

test.describe.configure({ mode: 'serial' });

test.describe('needs attention today', () => {
  let db: DbHandle;
  let viewer: Page;
  let operator: Page;

  test.beforeAll(async ({ browser }) => {
    db = openE2eDatabase();
    operator = await pageAs(browser, 'operator');
    viewer = await pageAs(browser, 'viewer');
    await putChaos(operator, NO_CHAOS);
  });

  test.afterAll(async () => {
    await db.close();
  });

  test('shows the published run’s executive summary, each number as the results endpoint serves it', async () => {
    test.setTimeout(180_000);
    const response = await operator.request.post('/analytics/start', {
      data: { date_range: { start_date: utcDay(-28), end_date: utcDay(-1) }, force_refresh: true },
      headers: { origin: new URL(operator.url()).origin },
    });
    expect(response.status(), await response.text()).toBe(202);
    const { task_id: taskId } = (await response.json()) as { task_id: string };
    const snapshotId = await waitForSnapshot(db, taskId);
    const summary = await summaryOverHttp(viewer, taskId);
    if (!summary) throw new Error('the run has no executive summary');

    await viewer.goto(`/?snapshot=${snapshotId}`);
    const section = viewer.getByTestId('needs-attention');
    await expect(section.getByRole('heading', { level: 2, name: 'Needs attention today' })).toBeVisible();

    // Recommendations: the summary's, high first, each linking to its action.
    const expected = [...summary.recommendations].sort((a, b) => PRIORITY_ORDER.indexOf(a.priority) - PRIORITY_ORDER.indexOf(b.priority));
    expect(expected.length, 'the demo data gives this window recommendations').toBeGreaterThan(0);
    const items = section.locator('[data-testid="attention-recommendations"] > li');
    await expect(items).toHaveCount(expected.length);
    for (const [index, recommendation] of expected.entries()) {
      const item = items.nth(index);
      await expect(item).toHaveAttribute('data-priority', recommendation.priority);
      await expect(item.getByTestId('recommendation-title')).toHaveText(recommendation.title);
      await expect(item.getByTestId('recommendation-action')).toHaveAttribute('href', recommendation.action_url);
    }

    // Churn risk and reorder: every figure equals the summary's.
    expect(await dataValue(viewer, 'churn-customers-at-risk')).toBe(summary.churn_risk.customers_at_risk);
    expect(await dataValue(viewer, 'churn-lifetime-value')).toBe(summary.churn_risk.lifetime_value_at_risk);
    for (const segment of ['VIP', 'Regular', 'Occasional', 'New'] as const) {
      expect(await dataValue(viewer, `churn-segment-${segment}`), segment).toBe(summary.churn_risk.by_segment[segment]);
    }
    expect(await dataValue(viewer, 'reorder-count')).toBe(summary.reorder_needed_count);
    const products = section.locator('[data-testid="reorder-products"] > li');
    await expect(products).toHaveCount(Math.min(5, summary.reorder.length));
    for (const [index, product] of summary.reorder.slice(0, 5).entries()) {
      const item = products.nth(index);
      await expect(item).toHaveAttribute('data-product-id', String(product.product_id));
      expect(Number(await item.getByTestId('reorder-stock').getAttribute('data-value'))).toBe(product.stock_on_hand);
      expect(Number(await item.getByTestId('reorder-cover').getAttribute('data-value'))).toBe(product.days_of_cover);
      expect(Number(await item.getByTestId('reorder-quantity').getAttribute('data-value'))).toBe(product.reorder_quantity);
    }
    await expect(viewer.getByTestId('churn-csv')).toHaveAttribute('href', `/analytics/results/${taskId}/at-risk-customers.csv`);
    await expect(viewer.getByTestId('reorder-csv')).toHaveAttribute('href', `/analytics/results/${taskId}/products-to-reorder.csv`);

    // A number shown twice agrees: the titles' counts with the cards', the reorder count with the low-stock list's.
    for (const title of expected.map((recommendation) => recommendation.title)) {
      const vip = /^Contact (\d+) VIP customers at risk$/.exec(title);
      if (vip) expect(Number(vip[1]), title).toBe(await dataValue(viewer, 'churn-segment-VIP'));
      const reorder = /^Reorder (\d+) products$/.exec(title);
      if (reorder) expect(Number(reorder[1]), title).toBe(await dataValue(viewer, 'reorder-count'));
    }
    const lowStockCount = new Intl.NumberFormat('en-US').format(summary.reorder_needed_count);
    await expect(viewer.locator('#low-stock-heading ~ p, #low-stock-heading + p').first()).toContainText(
      summary.reorder_needed_count === 1 ? '1 product has' : `${lowStockCount} products have`,
    );

    // Abnormal days: the two injected into the demo's last four weeks are among them, each listed, revenue ones on the chart.
    const anomalies = section.locator('[data-testid="attention-anomalies"] > li');
    await expect(anomalies).toHaveCount(summary.anomalies.length);
    for (const anomaly of summary.anomalies) {
      const item = section.locator(`[data-testid="attention-anomalies"] > li[data-day="${anomaly.day}"][data-metric="${anomaly.metric}"]`);
      await expect(item).toHaveAttribute('data-value', String(anomaly.value));
    }
    const anomalyDays = new Set(summary.anomalies.map((anomaly) => anomaly.day));
    for (const day of [utcDay(-9), utcDay(-23)]) expect(anomalyDays.has(day), `injected anomalous day ${day}`).toBe(true);
    const chart = viewer.getByRole('heading', { name: 'Revenue per day' });
    await chart.scrollIntoViewIfNeeded();
    const revenueAnomalies = summary.anomalies.filter((anomaly) => anomaly.metric === 'revenue').length;
    await expect(viewer.locator('.recharts-reference-dot')).toHaveCount(revenueAnomalies);
    await viewer.screenshot({ path: artifactPath('needs-attention-desktop.png'), fullPage: true });
  });

  test('reads on a 390 px phone without sideways scrolling, from the keyboard, and axe finds nothing serious', async () => {
    const { rows } = await db.pool.query<{ id: number; task_id: string }>(
      `SELECT id, task_id FROM analytics.dashboard_snapshots WHERE state = 'published' AND window_end - window_start = 27 ORDER BY id DESC LIMIT 1`,
    );
    const snapshot = rows[0];
    if (!snapshot) throw new Error('the first test publishes a 28-day snapshot');
    await viewer.setViewportSize(PHONE);
    await viewer.goto(`/?snapshot=${snapshot.id}`);
    await expect(viewer.getByTestId('needs-attention')).toBeVisible();
    await expectNoSidewaysScroll(viewer, 'dashboard with "Needs attention today"');
    await expectAxeClean(viewer, 'dashboard with "Needs attention today" at 390 px');

    // Tab from the top of the page reaches every action of the section, in reading order.
    const wanted = await viewer.locator('[data-testid="needs-attention"] a').evaluateAll((links) => links.map((link) => link.getAttribute('href')));
    const reached: (string | null)[] = [];
    await viewer.locator('body').focus();
    for (let press = 0; press < 80 && reached.length < wanted.length; press += 1) {
      await viewer.keyboard.press('Tab');
      const focused = await viewer.evaluate(() => {
        const active = document.activeElement;
        return active?.closest('[data-testid="needs-attention"]') && active instanceof HTMLAnchorElement ? active.getAttribute('href') : undefined;
      });
      if (focused !== undefined) reached.push(focused);
    }
    expect(reached).toEqual(wanted);
    await viewer.screenshot({ path: artifactPath('needs-attention-phone.png'), fullPage: true });
    await viewer.setViewportSize({ width: 1280, height: 900 });
  });

  test('a run published without an executive summary says so plainly', async () => {
    test.setTimeout(180_000);
    const taskId = await startRunViaApi(operator, utcDay(-33));
    // Before anyone reads it: the result as a run published before summaries existed stored it.
    await expect
      .poll(async () => (await db.pool.query(`SELECT 1 FROM steps WHERE task_id = $1 AND name = 'generate_insights' AND status = 'completed'`, [taskId])).rowCount, {
        timeout: 120_000,
        intervals: [250],
      })
      .toBe(1);
    await db.pool.query(`UPDATE steps SET result = result - 'executive_summary' WHERE task_id = $1 AND name = 'generate_insights'`, [taskId]);
    const snapshotId = await waitForSnapshot(db, taskId);
    expect(await summaryOverHttp(viewer, taskId)).toBeNull();
    await viewer.goto(`/?snapshot=${snapshotId}`);
    await expect(viewer.getByTestId('attention-none')).toContainText('This snapshot has no executive summary');
    await expect(viewer.getByTestId('attention-recommendations')).toHaveCount(0);
  });
});
