/**
 * /reliability end to end: after today's delivery publishes, a viewer reads the report on a 390 px phone; each
 * figure of the summary row (its finish time against the deadline included) says what
 * GET /api/slo says for the same period, the run failure rate links to that period's failed runs on /runs, and the
 * page neither scrolls sideways nor has anything axe finds serious.
 */
import { expect, test } from '@playwright/test';
import { pageAs, readRun, startRunViaApi, utcDay } from './console-fixtures';
import { expectAxeClean, expectNoSidewaysScroll, PHONE } from './ui-checks';

interface Period {
  key: string;
  from: string;
  to: string;
  on_time: { numerator: number; denominator: number; percent: number | null } | null;
  days_due: number;
  runs: { finished: number; failed: number; failure_rate: { percent: number | null } };
  finish_vs_deadline: { median_minutes: number | null };
}

test('a viewer reads the reliability report on a phone, and its figures agree with /api/slo', async ({ browser }) => {
  test.setTimeout(150_000);
  // Today's delivery of yesterday's data, published: the period then has a finish time to show.
  const operator = await pageAs(browser, 'operator');
  await operator.goto('/runs');
  const taskId = await startRunViaApi(operator, utcDay(-1));
  await expect.poll(async () => (await readRun(operator.request, taskId)).status, { timeout: 120_000, intervals: [1_000] }).toBe('completed');
  await operator.context().close();

  const viewer = await pageAs(browser, 'viewer');
  await viewer.setViewportSize(PHONE);
  const report = (await (await viewer.request.get('/api/slo?days=30')).json()) as { pipeline: string; summary: Period };
  await viewer.goto('/reliability');
  await expect(viewer.getByRole('heading', { name: 'Reliability', level: 1 })).toBeVisible();
  const table = viewer.getByTestId('reliability-periods');
  const summaryRow = table.getByRole('row').filter({ has: viewer.getByRole('rowheader', { name: /Last 30 days/ }) });
  const { summary } = report;
  const percent = (value: number | null | undefined) => (value === null || value === undefined ? '—' : `${value}%`);
  await expect(summaryRow).toContainText(`${summary.on_time?.numerator ?? 0} of ${summary.days_due} days due`);
  await expect(summaryRow).toContainText(percent(summary.on_time?.percent));
  await expect(summaryRow).toContainText(`${summary.runs.failed} of ${summary.runs.finished} finished`);
  // The finish time against the deadline, in words, as the report's median says.
  expect(summary.finish_vs_deadline.median_minutes).not.toBeNull();
  await expect(summaryRow).toContainText(/ (early|late)|at the deadline/);
  await expectNoSidewaysScroll(viewer, 'reliability on a phone');
  await expectAxeClean(viewer, 'reliability');

  const failedRuns = summaryRow.getByTestId('failed-runs-link');
  await expect(failedRuns).toHaveText(percent(summary.runs.failure_rate.percent));
  await failedRuns.click();
  await expect(viewer).toHaveURL(new RegExp(`/runs\\?pipeline=${report.pipeline.replace('.', '\\.')}&created_from=${summary.from}&created_to=${summary.to}&status=failed$`));
  await viewer.context().close();
});
