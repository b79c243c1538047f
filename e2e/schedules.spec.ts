/**
 * Schedules in the browser: an operator adds one (a bad cron expression is refused on its field, in words, and the
 * typed values stay), edits it and deletes it; the default schedule is left alone for alerts.spec.ts. And the start
 * form names the known pipelines when asked for one that does not exist.
 */
import { expect, test } from '@playwright/test';
import { pageAs } from './console-fixtures';

test('an operator adds, edits and deletes a schedule', async ({ browser }) => {
  const page = await pageAs(browser, 'operator');
  try {
    await page.goto('/schedules');
    const form = page.getByRole('form', { name: 'New schedule' });
    await form.getByLabel('Name').fill('e2e_yearly');
    // Once a year, disabled: it must not launch runs while other specs watch theirs.
    await form.getByLabel('Cron expression').fill('0 3 1 1 * *x');
    await form.getByLabel('Input template').fill('{"date_range":{"start_date":"{{yesterday}}","end_date":"{{yesterday}}"}}');
    await form.getByLabel('Enabled').uncheck();
    await form.getByRole('button', { name: 'Add schedule' }).click();
    const cronErrors = page.locator('#new-schedule-cronExpression-errors');
    await expect(cronErrors).toContainText('Cron expression “0 3 1 1 * *x” is not valid');
    await expect(cronErrors).toHaveAttribute('aria-live', 'polite');
    await expect(form.getByLabel('Name')).toHaveValue('e2e_yearly');

    await form.getByLabel('Cron expression').fill('0 3 1 1 *');
    await form.getByRole('button', { name: 'Add schedule' }).click();
    await expect(form.getByRole('status')).toContainText('Schedule e2e_yearly added.');
    const row = page.getByTestId('schedules-table').getByRole('row').filter({ hasText: 'e2e_yearly' });
    await expect(row).toContainText('0 3 1 1 *');
    await expect(row.getByText('Paused', { exact: true })).toBeVisible();

    const editor = page.getByTestId('schedule-edit-e2e_yearly');
    await editor.locator('summary').click();
    const edit = editor.getByRole('form', { name: 'Edit schedule e2e_yearly' });
    await edit.getByLabel('Cron expression').fill('0 4 1 1 *');
    await edit.getByRole('button', { name: 'Save schedule' }).click();
    await expect(edit.getByRole('status')).toContainText('Schedule e2e_yearly saved');
    await expect(row).toContainText('0 4 1 1 *');

    await editor.getByRole('button', { name: 'Delete schedule e2e_yearly', exact: true }).click();
    await editor.getByRole('button', { name: 'Delete schedule e2e_yearly now' }).click();
    await expect(page.getByTestId('schedules-table').getByRole('row').filter({ hasText: 'e2e_yearly' })).toHaveCount(0);
    await expect(page.getByTestId('schedules-table')).toContainText('customer_analytics_daily');
  } finally {
    await page.context().close();
  }
});

test('the start form names the known pipelines for an unknown one', async ({ browser }) => {
  const page = await pageAs(browser, 'operator');
  try {
    await page.goto('/runs/new?pipeline=payroll');
    await expect(page.getByText('There is no pipeline “payroll”. Known pipelines: customer_analytics, customer_retention.')).toBeVisible();
    await page.getByRole('navigation', { name: 'Pipelines' }).getByRole('link', { name: 'customer_analytics' }).click();
    await expect(page.getByRole('form', { name: 'Start a run' }).getByLabel('Start date')).toBeVisible();
  } finally {
    await page.context().close();
  }
});
