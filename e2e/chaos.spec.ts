/**
 * The fault-injection panel and the messages page: an operator changes a source's settings (kept, and audited as
 * chaos.update), bad values are refused per field, viewers are refused the panel but may read the messages.
 */
import { expect, test } from '@playwright/test';
import { NO_CHAOS, pageAs, putChaos } from './console-fixtures';
import { openAsAdmin } from './fixtures';

test('an operator edits fault injection; changes are kept and audited; viewers are refused', async ({ browser, page }) => {
  test.setTimeout(90_000);
  const operator = await pageAs(browser, 'operator');
  try {
    await operator.goto('/chaos');
    const latency = operator.getByLabel('Inventory (products): Latency (ms)');
    await latency.fill('25');
    await operator.getByLabel('Slack (notifications): Rate limit (%)').fill('150');
    await operator.getByRole('button', { name: 'Save settings' }).click();
    await expect(operator.locator('#field-slack_rate_limit_rate-errors')).toContainText('Slack (notifications) rate limit must be a percentage from 0 to 100.');

    await operator.getByLabel('Inventory (products): Latency (ms)').fill('25');
    await operator.getByLabel('Slack (notifications): Rate limit (%)').fill('0');
    await operator.getByRole('button', { name: 'Save settings' }).click();
    await expect(operator.getByText('Fault-injection settings saved.')).toBeVisible();
    await operator.reload();
    await expect(operator.getByLabel('Inventory (products): Latency (ms)')).toHaveValue('25');
    const api = (await (await operator.request.get('/api/chaos')).json()) as { inventory: { latency_ms: number } };
    expect(api.inventory.latency_ms).toBe(25);

    await openAsAdmin(page, '/admin/audit');
    await expect(page.getByRole('row').filter({ hasText: 'chaos.update' }).first()).toBeVisible();
  } finally {
    await putChaos(operator, NO_CHAOS);
    await operator.context().close();
  }

  const viewer = await pageAs(browser, 'viewer');
  expect((await viewer.goto('/chaos'))?.status()).toBe(403);
  await viewer.goto('/messages');
  await expect(viewer.getByRole('heading', { name: 'Messages' })).toBeVisible();
  await expect(viewer.getByTestId('messages-table')).toBeVisible();
  await viewer.context().close();
});
