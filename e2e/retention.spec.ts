/**
 * customer_retention end to end: an operator starts a run over HTTP (POST /api/pipelines/customer_retention/runs),
 * it maps one child per cohort and publishes; a viewer then reads /retention on a 390 px phone — the heatmap's cells
 * say what the run's published result says, the page does not scroll sideways (the table scrolls inside its own
 * region, reachable from the keyboard), and axe finds nothing serious.
 */
import { expect, test, type Page } from '@playwright/test';
import { pageAs } from './console-fixtures';
import { expectAxeClean, expectNoSidewaysScroll, PHONE } from './ui-checks';

interface RetentionResult {
  cohorts: { cohort: string; customers: number; retention: number[] }[];
}

const originOf = (page: Page) => ({ origin: new URL(page.url()).origin });

test('a customer_retention run publishes a cohort heatmap that reads on a phone', async ({ browser }) => {
  test.setTimeout(120_000);
  const operator = await pageAs(browser, 'operator');
  await operator.goto('/runs');
  const started = await operator.request.post('/api/pipelines/customer_retention/runs', { data: { months: 3 }, headers: originOf(operator) });
  expect(started.status(), await started.text()).toBe(202);
  const { task_id: taskId } = (await started.json()) as { task_id: string };

  await expect
    .poll(async () => ((await (await operator.request.get(`/api/runs/${taskId}`)).json()) as { status: string }).status, { timeout: 90_000 })
    .toBe('completed');
  const run = (await (await operator.request.get(`/api/runs/${taskId}`)).json()) as { steps: { name: string; map_parent: string | null }[] };
  const { results: published } = (await (await operator.request.get(`/api/runs/${taskId}/results`)).json()) as { results: RetentionResult };
  // Three months asked for: at most three cohorts (the demo's customers keep joining through its 420 days, so at
  // least one), one mapped child each.
  expect(published.cohorts.length).toBeGreaterThan(0);
  expect(published.cohorts.length).toBeLessThanOrEqual(3);
  expect(run.steps.filter((step) => step.map_parent === 'measure_cohort')).toHaveLength(published.cohorts.length);
  await operator.context().close();

  const viewer = await pageAs(browser, 'viewer');
  await viewer.setViewportSize(PHONE);
  await viewer.goto('/retention');
  await expect(viewer.getByRole('heading', { name: 'Customer retention', level: 1 })).toBeVisible();
  const heatmap = viewer.getByTestId('retention-heatmap');
  await expect(heatmap.locator('tbody tr')).toHaveCount(published.cohorts.length);
  // Every cell shows the published share, as a percentage with one decimal, in the cohort's row.
  for (const [row, cohort] of published.cohorts.entries()) {
    const cells = heatmap.locator('tbody tr').nth(row).locator('td');
    await expect(cells.first()).toHaveText(cohort.customers.toLocaleString('en-US'));
    for (const [month, share] of cohort.retention.entries()) {
      await expect(cells.nth(month + 1)).toHaveText(`${(share * 100).toFixed(1)}%`);
    }
  }
  // A table wider than the phone scrolls in its own region, which the keyboard reaches.
  const region = viewer.getByRole('region', { name: 'Retention by cohort (scrolls sideways)' });
  await expect(region).toBeVisible();
  if (await region.evaluate((element) => element.scrollWidth > element.clientWidth)) {
    await expect(region).toHaveAttribute('tabindex', '0');
    await region.focus();
    await expect(region).toBeFocused();
  }
  await expectNoSidewaysScroll(viewer, '/retention');
  await expectAxeClean(viewer, '/retention on a phone');
  await viewer.context().close();
});
