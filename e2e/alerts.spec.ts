/**
 * Monitoring pages in a production build: the default schedule is listed and an operator pauses and
 * resumes it (audited); /alerts shows its status tabs and the dead-letter section; /api/metrics answers a
 * signed-in viewer in Prometheus text; viewers see schedules without the pause button.
 */
import { expect, test } from '@playwright/test';
import { pageAs } from './console-fixtures';
import { openAsAdmin } from './fixtures';

test('an operator pauses and resumes the default schedule; alerts and metrics are readable', async ({ browser, page }) => {
  const operator = await pageAs(browser, 'operator');
  try {
    await operator.goto('/schedules');
    await expect(operator.getByRole('heading', { level: 1, name: 'Schedules' })).toBeVisible();
    const row = operator.getByTestId('schedules-table').getByRole('row').filter({ hasText: 'customer_analytics_daily' });
    await expect(row).toContainText('0 1 * * *');
    await expect(row).toContainText('07:00 local');
    await row.getByRole('button', { name: 'Pause schedule customer_analytics_daily' }).click();
    await expect(row.getByText('Paused', { exact: true })).toBeVisible();
    await row.getByRole('button', { name: 'Resume schedule customer_analytics_daily' }).click();
    await expect(row.getByText('Active', { exact: true })).toBeVisible();

    await operator.goto('/alerts');
    await expect(operator.getByRole('heading', { level: 1, name: 'Alerts' })).toBeVisible();
    const tabs = operator.getByRole('navigation', { name: 'Alert status' });
    await expect(tabs.getByRole('link', { name: /^open \(\d+\)$/ })).toHaveAttribute('aria-current', 'page');
    await tabs.getByRole('link', { name: /^resolved/ }).click();
    await expect(operator.getByRole('heading', { name: 'resolved alerts' })).toBeVisible();
    await expect(operator.getByRole('heading', { name: 'Undelivered messages' })).toBeVisible();
  } finally {
    await operator.context().close();
  }

  await openAsAdmin(page, '/admin/audit');
  await expect(page.getByRole('row').filter({ hasText: 'schedule.pause' }).first()).toBeVisible();
  await expect(page.getByRole('row').filter({ hasText: 'schedule.resume' }).first()).toBeVisible();

  const viewer = await pageAs(browser, 'viewer');
  try {
    const metrics = await viewer.request.get('/api/metrics');
    expect(metrics.status()).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('# TYPE nightshift_step_attempts_total counter');
    expect(text).toMatch(/^nightshift_ready_steps \d+$/m);
    await viewer.goto('/schedules');
    await expect(viewer.getByTestId('schedules-table')).toContainText('customer_analytics_daily');
    await expect(viewer.getByRole('button', { name: /Pause schedule/ })).toHaveCount(0);
  } finally {
    await viewer.context().close();
  }
});
