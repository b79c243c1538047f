/**
 * Engineer console: with the CRM failing every request, extract_users retries and then fails, its
 * dependent waits (blocked) and the run fails. The operator turns the failure off in /chaos and retries
 * extract_users: the preview lists exactly it and its not-completed downstream steps; the run then completes and
 * extract_orders still has its single attempt.
 *
 * The failed run also serves the honest-run-page checks against the production build: the error's real class
 * name (not a minified one) in the API and the drawer, a failed step's clock that has stopped, the drawer and
 * every operation dialog axe-clean in light and dark, a refused dialog that keeps its reason, and — after the
 * retry — a timeline that draws the wait for the operator as such, not as back-off.
 */
import { expect, test, type Page } from '@playwright/test';
import { NO_CHAOS, pageAs, putChaos, readRun, startRunViaApi, stepNode, utcDay } from './console-fixtures';
import { artifactPath } from './fixtures';
import { expectAxeClean, SCHEMES, switchScheme } from './ui-checks';

// From the seed's graph: everything downstream of extract_users (transform_product_metrics does not depend on it).
const RETRIED = ['extract_users', 'transform_customer_metrics', 'generate_insights', 'update_dashboard', 'send_notifications'];

/** Opens the operation dialog behind `button`, scans it in both schemes, and closes it with its dismiss button. */
async function scanDialog(page: Page, button: ReturnType<Page['getByRole']>, name: string): Promise<void> {
  await button.click();
  const dialog = page.getByTestId('operation-dialog');
  await expect(dialog.getByRole('heading').first()).toBeVisible();
  await expect(dialog.getByText('Asking the engine…')).toHaveCount(0);
  for (const scheme of SCHEMES) {
    await switchScheme(page, scheme);
    await expectAxeClean(page, `${name} dialog (${scheme})`, { selector: '[data-testid="operation-dialog"]', coloursOnly: scheme === 'dark' });
  }
  await page.screenshot({ path: artifactPath(`pages/dialog-${name}.png`) });
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
}

test('a failed step is retried from the DAG after the fault is switched off in /chaos', async ({ browser }) => {
  test.setTimeout(240_000);
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

    // The real class name, in the API and on the page: a production build minifies constructors to "t".
    const failed = (await readRun(page.request, taskId)).steps.find((step) => step.name === 'extract_users');
    expect(failed?.lastError?.class).toBe('RetryableError');
    expect(failed?.attempts.map((attempt) => attempt.errorClass)).toEqual(Array(6).fill('RetryableError'));
    expect(failed?.attempts.some((attempt) => /\b50[03]\b/.test(attempt.errorMessage ?? ''))).toBe(true);
    // A failed step's clock has stopped: the same "Took …" a few seconds later.
    const elapsed = users.getByTestId('step-elapsed');
    await expect(elapsed).toHaveText(/^Took /);
    const tookBefore = await elapsed.textContent();
    await page.waitForTimeout(2_100);
    await expect(elapsed).toHaveText(tookBefore ?? '');

    // The drawer and every operation dialog this failed run offers, in light and dark.
    await users.getByRole('button').click();
    const failedDrawer = page.getByTestId('step-drawer');
    await expect(failedDrawer.getByText('RetryableError').first()).toBeVisible();
    for (const scheme of SCHEMES) {
      await switchScheme(page, scheme);
      await expectAxeClean(page, `failed step drawer (${scheme})`, { selector: '[data-testid="step-drawer"]', coloursOnly: scheme === 'dark' });
    }
    await scanDialog(page, failedDrawer.getByRole('button', { name: 'Retry', exact: true }), 'retry-step');
    await scanDialog(page, failedDrawer.getByRole('button', { name: 'Resolve manually' }), 'resolve-step');
    await page.keyboard.press('Escape');
    await stepNode(page, 'extract_orders').getByRole('button').click();
    await scanDialog(page, failedDrawer.getByRole('button', { name: 'Rerun from here' }), 'rerun-from-step');
    await page.keyboard.press('Escape');
    await scanDialog(page, page.getByTestId('run-actions').getByRole('button', { name: 'Retry all failed' }), 'retry-failed');
    await scanDialog(page, page.getByTestId('run-actions').getByRole('button', { name: 'Cancel run' }), 'cancel-run');
    // The destructive dialog names its action on both buttons.
    await page.getByTestId('run-actions').getByRole('button', { name: 'Cancel run' }).click();
    const cancelDialog = page.getByTestId('operation-dialog');
    await expect(cancelDialog.getByRole('button', { name: 'Keep running' })).toBeVisible();
    await expect(cancelDialog.getByRole('button', { name: 'Cancel run' })).toBeVisible();
    await cancelDialog.getByRole('button', { name: 'Keep running' }).click();
    await expect(cancelDialog).toBeHidden();
    await switchScheme(page, 'light');

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
    // Too short a reason is refused by the server; the dialog keeps what was typed and names the field.
    await dialog.getByLabel('Reason (required)').fill('ok');
    await dialog.getByRole('button', { name: 'Retry step' }).click();
    await expect(dialog).toContainText('Reason must be at least 3 characters');
    await expect(dialog.getByLabel('Reason (required)')).toHaveValue('ok');
    await dialog.getByLabel('Reason (required)').fill('CRM is back; e2e retry');
    await dialog.getByRole('button', { name: 'Retry step' }).click();
    await expect(dialog).toBeHidden();
    await page.keyboard.press('Escape');

    await expect(page.getByTestId('run-status')).toHaveAttribute('data-state', 'completed', { timeout: 60_000 });
    await expect(users).toHaveAttribute('data-status', 'completed');
    await expect(users.getByTestId('step-attempts')).toHaveText('1/6 (+6 earlier)');
    const orders = stepNode(page, 'extract_orders');
    await expect(orders.getByTestId('step-attempts')).toHaveText('1/4');
    await orders.getByRole('button').click();
    await expect(drawer.getByTestId('step-attempts-list').locator('li')).toHaveCount(1);
    await page.keyboard.press('Escape');

    // The timeline draws the time before the operator's retry as a wait for the operator, not as back-off.
    await page.getByRole('tab', { name: 'Timeline' }).click();
    const usersRow = page.getByRole('list', { name: 'Attempts and waits of extract_users' });
    const operatorWait = usersRow.locator('[data-kind="operator"]');
    await expect(operatorWait).toHaveCount(1);
    await expect(operatorWait).toHaveAttribute('aria-label', /^Waiting for an operator: /);
    // Five back-offs between the six attempts of the first budget, none across the operator's wait.
    await expect(usersRow.locator('[data-kind="backoff"]')).toHaveCount(5);
    await expect(page.getByRole('list', { name: 'Attempts and waits of transform_customer_metrics' }).locator('[data-kind="operator"]')).toHaveCount(1);
    await page.getByTestId('run-timeline').screenshot({ path: artifactPath('pages/run-timeline-operator-wait.png') });
  } finally {
    await putChaos(page, NO_CHAOS);
    await page.context().close();
  }
});
