/**
 * Engineer console: a viewer sees the live DAG but no action controls, and a server-action call
 * forged with the viewer's session is refused (the run is untouched) — while the very same request replayed
 * with an operator's session does act, which proves the forged call was well-formed.
 */
import { expect, test, type Page } from '@playwright/test';
import { pageAs, readRun, startRunViaApi, stepNode, utcDay } from './console-fixtures';

interface CapturedAction {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Opens the Cancel dialog as operator and captures (without sending) the cancel action's request. */
async function captureCancelAction(operator: Page, taskId: string): Promise<CapturedAction> {
  let captured: CapturedAction | undefined;
  await operator.route(`**/runs/${taskId}`, async (route) => {
    const request = route.request();
    const body = request.postData() ?? '';
    if (request.method() === 'POST' && request.headers()['next-action'] && body.includes('reason')) {
      captured = { url: request.url(), headers: request.headers(), body };
      await route.abort();
      return;
    }
    await route.continue();
  });
  await operator.goto(`/runs/${taskId}`);
  await operator.getByRole('button', { name: 'Cancel run' }).click();
  const dialog = operator.getByTestId('operation-dialog');
  await expect(dialog.getByTestId('operation-preview')).toBeVisible();
  await dialog.getByLabel('Reason (required)').fill('forged by the e2e test');
  await dialog.getByRole('button', { name: 'Cancel run' }).click();
  await expect.poll(() => captured !== undefined).toBe(true);
  return captured as CapturedAction;
}

function replay(page: Page, action: CapturedAction) {
  const headers = Object.fromEntries(Object.entries(action.headers).filter(([name]) => !['cookie', 'content-length', 'host'].includes(name)));
  return page.request.post(action.url, { headers, data: action.body, maxRedirects: 0 });
}

test('a viewer sees the DAG without actions, and a forged action call as viewer is refused', async ({ browser }) => {
  // Generous: two users are created through the admin UI first, and the machine may be shared.
  test.setTimeout(150_000);
  const operator = await pageAs(browser, 'operator');
  const viewer = await pageAs(browser, 'viewer');
  await operator.goto('/runs');
  // A CRM that answers slowly keeps the run going while the test works on it.
  const response = await operator.request.put('/api/chaos', { data: { crm: { latency_ms: 8_000 } }, headers: { origin: new URL(operator.url()).origin } });
  expect(response.status()).toBe(200);
  try {
    const taskId = await startRunViaApi(operator, utcDay(-6));

    await viewer.goto(`/runs/${taskId}`);
    await expect(viewer.getByTestId('run-dag')).toBeVisible();
    // The navigation offers each role only what it may open: no Chaos (403) or Admin for a viewer.
    const viewerNav = viewer.getByRole('navigation', { name: 'Main' });
    await expect(viewerNav.getByRole('link', { name: 'Runs' })).toBeVisible();
    await expect(viewerNav.getByRole('link', { name: 'Chaos' })).toHaveCount(0);
    await expect(viewerNav.getByRole('link', { name: 'Admin' })).toHaveCount(0);
    await expect(operator.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Chaos' })).toBeVisible();
    await expect(stepNode(viewer, 'extract_users')).toBeVisible();
    await expect(viewer.getByTestId('run-actions')).toHaveCount(0);
    await expect(viewer.getByRole('button', { name: /cancel run|retry|rerun|resolve/i })).toHaveCount(0);
    await stepNode(viewer, 'extract_orders').getByRole('button').click();
    await expect(viewer.getByTestId('step-drawer')).toBeVisible();
    await expect(viewer.getByTestId('step-actions')).toHaveCount(0);
    await viewer.keyboard.press('Escape');
    const viewerStart = await viewer.goto('/runs/new');
    expect(viewerStart?.status()).toBe(403);

    const action = await captureCancelAction(operator, taskId);
    const forged = await replay(viewer, action);
    expect(forged.status()).toBe(403);
    const afterForgery = await readRun(viewer.request, taskId);
    expect(afterForgery.status).not.toBe('cancelled');

    const genuine = await replay(operator, action);
    expect(genuine.status()).toBe(200);
    await expect.poll(async () => (await readRun(viewer.request, taskId)).status).toBe('cancelled');
  } finally {
    await operator.request.put('/api/chaos', { data: { crm: { latency_ms: 0 } }, headers: { origin: new URL(operator.url()).origin } });
    await operator.context().close();
    await viewer.context().close();
  }
});
