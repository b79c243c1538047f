/**
 * Engineer console, acceptance 2: with the CRM failing every request, extract_users retries and then fails, its
 * dependent waits (blocked) and the run fails. The operator turns the failure off in /chaos and retries
 * extract_users: the preview lists exactly it and its not-completed downstream steps; the run then completes and
 * extract_orders still has its single attempt.
 */
import { expect, test } from '@playwright/test';
import { NO_CHAOS, pageAs, putChaos, startRunViaApi, stepNode, utcDay } from './console-fixtures';

// From the seed's graph: everything downstream of extract_users (transform_product_metrics does not depend on it).
const RETRIED = ['extract_users', 'transform_customer_metrics', 'generate_insights', 'update_dashboard', 'send_notifications'];

test('a failed step is retried from the DAG after the fault is switched off in /chaos', async ({ browser }) => {
  test.setTimeout(180_000);
  const page = await pageAs(browser, 'operator');
  await page.goto('/runs');
  await putChaos(page, { crm: { failure_rate: 1 } });
  try {
    const taskId = await startRunViaApi(page, utcDay(-2));
    await page.goto(`/runs/${taskId}`);
    const users = stepNode(page, 'extract_users');

    // Retries show on the node: state, attempts counting up against 6 (retry_limit 5 + 1), then failed.
    await expect(users.getByTestId('step-attempts')).toHaveText(/^[2-6]\/6$/, { timeout: 30_000 });
    await expect(users).toHaveAttribute('data-status', 'failed', { timeout: 90_000 });
    await expect(users.getByTestId('step-attempts')).toHaveText('6/6');
    const dependent = stepNode(page, 'transform_customer_metrics');
    // Engine v2 moves everything downstream of a step that failed for good to the terminal 'blocked' state.
    await expect(dependent).toHaveAttribute('data-status', 'blocked');
    await expect(dependent).toHaveAttribute('data-blocked', 'true');
    await expect(dependent.getByTestId('step-blocked')).toHaveText('Blocked by extract_users');
    await expect(page.getByTestId('run-status')).toHaveAttribute('data-state', 'failed', { timeout: 60_000 });
    await expect(stepNode(page, 'extract_orders')).toHaveAttribute('data-status', 'completed');

    // Switch the fault off through the panel.
    await page.goto('/chaos');
    const failure = page.getByLabel('CRM (users): Failure (%)');
    await expect(failure).toHaveValue('100');
    await failure.fill('0');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect(page.getByText('Fault-injection settings saved.')).toBeVisible();

    await page.goto(`/runs/${taskId}`);
    await users.getByRole('button').click();
    const drawer = page.getByTestId('step-drawer');
    await expect(drawer.getByTestId('step-attempts-list').locator('li')).toHaveCount(6);
    await drawer.getByRole('button', { name: 'Retry', exact: true }).click();
    const dialog = page.getByTestId('operation-dialog');
    await expect(dialog.getByTestId('operation-preview').locator('li')).toHaveText(RETRIED);
    await dialog.getByLabel('Reason (required)').fill('CRM is back; e2e retry');
    await dialog.getByRole('button', { name: 'Confirm retry' }).click();
    await expect(dialog).toBeHidden();
    await page.keyboard.press('Escape');

    await expect(page.getByTestId('run-status')).toHaveAttribute('data-state', 'completed', { timeout: 60_000 });
    await expect(users).toHaveAttribute('data-status', 'completed');
    await expect(users.getByTestId('step-attempts')).toHaveText('1/6 (+6 earlier)');
    const orders = stepNode(page, 'extract_orders');
    await expect(orders.getByTestId('step-attempts')).toHaveText('1/4');
    await orders.getByRole('button').click();
    await expect(drawer.getByTestId('step-attempts-list').locator('li')).toHaveCount(1);
  } finally {
    await putChaos(page, NO_CHAOS);
    await page.context().close();
  }
});
