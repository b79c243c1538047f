/**
 * Completing a step by hand in the browser: with Slack refusing every message, send_notifications fails after its
 * retries. The operator opens it from the DAG, chooses "Complete manually", sees the step's result schema, types a
 * result that does not fit (refused, naming the field, keeping what was typed), then one that fits: the run completes,
 * the node says the result was supplied by hand, and the run's API shows the operator's result.
 */
import { expect, test } from '@playwright/test';
import { NO_CHAOS, pageAs, putChaos, readRun, startRunViaApi, stepNode, utcDay } from './console-fixtures';
import { expectAxeClean } from './ui-checks';

test('an operator completes a failed step with a result they supply', async ({ browser }) => {
  test.setTimeout(240_000);
  const page = await pageAs(browser, 'operator');
  await page.goto('/runs');
  await putChaos(page, { slack: { failure_rate: 1 } });
  try {
    const taskId = await startRunViaApi(page, utcDay(-4));
    await page.goto(`/runs/${taskId}`);
    const notify = stepNode(page, 'send_notifications');
    await expect(notify).toHaveAttribute('data-status', 'failed', { timeout: 150_000 });

    await notify.getByRole('button').click();
    const drawer = page.getByTestId('step-drawer');
    await drawer.getByRole('button', { name: 'Complete manually' }).click();
    const dialog = page.getByTestId('operation-dialog');
    await expect(dialog.getByRole('heading', { name: 'Complete manually: send_notifications' })).toBeVisible();
    await expect(dialog.getByTestId('operation-preview')).toHaveCount(0);
    await expect(dialog.getByText('The step completes with your result; no other step needs to run.')).toBeVisible();
    await dialog.getByText('Result schema').click();
    await expect(dialog.getByTestId('result-schema')).toContainText('delivered_now');
    await expectAxeClean(page, 'complete-manually dialog', { selector: '[data-testid="operation-dialog"]' });

    const result = dialog.getByLabel('Result (JSON, required)');
    await result.fill('{"channels": "#data-team"}');
    await dialog.getByLabel('Reason (required)').fill('posted the summary to #data-team by hand');
    await dialog.getByRole('button', { name: 'Complete with this result' }).click();
    await expect(dialog).toContainText('result.channels');
    await expect(result).toHaveValue('{"channels": "#data-team"}');

    const supplied = { channels: ['#data-team'], delivered_now: ['#data-team'], already_delivered: [] };
    await result.fill(JSON.stringify(supplied));
    await dialog.getByRole('button', { name: 'Complete with this result' }).click();
    await expect(dialog).toBeHidden();
    await page.keyboard.press('Escape');

    await expect(page.getByTestId('run-status')).toHaveAttribute('data-state', 'completed', { timeout: 30_000 });
    await expect(notify).toHaveAttribute('data-status', 'completed');
    await expect(notify).toHaveAttribute('data-operator-supplied', 'true');
    await expect(notify.getByTestId('step-operator-supplied')).toHaveText('· by hand');
    const step = (await readRun(page.request, taskId)).steps.find((candidate) => candidate.name === 'send_notifications');
    expect(step?.result).toEqual(supplied);
  } finally {
    await putChaos(page, NO_CHAOS);
    await page.context().close();
  }
});
