/**
 * Every form keeps what was typed when a submit is refused, and its message names the field by its label. One
 * signed-in admin walks the forms in turn (sign-in itself first, signed out); the operation dialog's reason is
 * checked where a run is failed anyway (console-retry.spec.ts), alerts have no typed fields, and the schedule forms are checked in schedules.spec.ts.
 */
import { expect, test } from '@playwright/test';
import { signIn, utcDay } from './console-fixtures';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './fixtures';

test('refused submits keep every typed value and name the field by its label', async ({ page }) => {
  test.setTimeout(90_000);

  // Sign-in: a missing password keeps the email; refused credentials keep the email and empty the password.
  await page.goto('/login');
  const login = page.getByRole('form', { name: 'Sign in' });
  await login.getByLabel('Email').fill('someone@nightshift.test');
  await login.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('#field-password-errors')).toContainText('Enter your password');
  await expect(login.getByLabel('Email')).toHaveValue('someone@nightshift.test');
  await login.getByLabel('Password').fill('Not-the-password-1');
  await login.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('Invalid email or password.')).toBeVisible();
  await expect(login.getByLabel('Email')).toHaveValue('someone@nightshift.test');

  await signIn(page, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });

  // Start a run: an end date before the start date.
  await page.goto('/runs/new');
  const start = page.getByRole('form', { name: 'Start a run' });
  await start.getByLabel('Start date').fill(utcDay(-3));
  await start.getByLabel('End date').fill(utcDay(-5));
  await start.getByLabel('Notification channels').fill('#data-team, #exec');
  await start.getByLabel('Force refresh').check();
  await start.getByRole('button', { name: 'Start run' }).click();
  await expect(page.locator('#field-date_range-end_date-errors')).toHaveText('End date must be on or after the start date.');
  await expect(start.getByLabel('Start date')).toHaveValue(utcDay(-3));
  await expect(start.getByLabel('End date')).toHaveValue(utcDay(-5));
  await expect(start.getByLabel('Notification channels')).toHaveValue('#data-team, #exec');
  await expect(start.getByLabel('Force refresh')).toBeChecked();
  await expect(page).toHaveURL(/\/runs\/new$/);

  // Create a user: a password that is too short.
  await page.goto('/admin/users');
  const user = page.getByRole('form', { name: 'Create a user' });
  await user.getByLabel('Email').fill('kept-values@nightshift.test');
  await user.getByLabel('Name').fill('Kept Values');
  await user.getByLabel('Initial password').fill('short');
  await user.getByLabel('Role').selectOption('operator');
  await user.getByRole('button', { name: 'Create user' }).click();
  await expect(page.locator('#field-password-errors')).toContainText('Password must be at least');
  await expect(user.getByLabel('Email')).toHaveValue('kept-values@nightshift.test');
  await expect(user.getByLabel('Name')).toHaveValue('Kept Values');
  await expect(user.getByLabel('Initial password')).toHaveValue('short');
  await expect(user.getByLabel('Role')).toHaveValue('operator');

  // Create an API token: a name over the limit keeps the name and the chosen role.
  await page.goto('/admin/tokens');
  const token = page.getByRole('form', { name: 'Create an API token' });
  const longName = 'n'.repeat(101);
  await token.getByLabel('Name').fill(longName);
  await token.getByLabel('Role').selectOption('viewer');
  await token.getByRole('button', { name: 'Create token' }).click();
  await expect(page.locator('#field-name-errors')).toContainText('Name must be at most 100 characters');
  await expect(token.getByLabel('Name')).toHaveValue(longName);
  await expect(token.getByLabel('Role')).toHaveValue('viewer');

  // Fault injection: one bad rate; every other changed value stays as typed (nothing was saved).
  await page.goto('/chaos');
  await page.getByLabel('CRM (users): Latency (ms)').fill('120');
  await page.getByLabel('Inventory (products): Hang (%)').fill('5');
  await page.getByLabel('Slack (notifications): Failure (%)').fill('250');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.locator('#field-slack_failure_rate-errors')).toHaveText('Slack (notifications) failure must be a percentage from 0 to 100.');
  await expect(page.getByLabel('CRM (users): Latency (ms)')).toHaveValue('120');
  await expect(page.getByLabel('Inventory (products): Hang (%)')).toHaveValue('5');
  await expect(page.getByLabel('Slack (notifications): Failure (%)')).toHaveValue('250');
  const saved = (await (await page.request.get('/api/chaos')).json()) as { crm: { latency_ms: number } };
  expect(saved.crm.latency_ms).toBe(0);
});
