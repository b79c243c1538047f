/**
 * Failure triage against the production build: with the CRM failing every request, extract_users exhausts its
 * retries and the run fails; /failures shows its group (pipeline, step, error class) with the counts GET
 * /api/failures gives, and a link to the run. A viewer sees the group without buttons. The operator opens
 * "Retry all" from the keyboard, sees the preview list the run and what re-runs in it, is refused a too-short
 * reason with the typed text kept and the field named by its label, then — with the fault switched off — confirms;
 * the run completes again and its event log names the operation with who did it and why. At 390 px the page and
 * the dialog do not scroll sideways and axe finds nothing serious; at 1280 px the navigation, Failures included, is
 * one row, and nothing in the header is drawn over anything else.
 */
import { expect, test, type Browser, type Page } from '@playwright/test';
import { NO_CHAOS, pageAs, putChaos, readRun, signIn, startRunViaApi, stepNode, utcDay } from './console-fixtures';
import { ADMIN_EMAIL, ADMIN_PASSWORD, artifactPath } from './fixtures';
import { DESKTOP, expectAxeClean, expectNoSidewaysScroll, PHONE } from './ui-checks';

const PIPELINE = 'data_pipeline/customer_analytics';
const STEP = 'extract_users';
const ERROR_CLASS = 'RetryableError';

interface GroupJson {
  pipeline: string;
  step: string;
  error_class: string;
  failed_steps: number;
  runs: number;
  run_ids: string[];
}

async function apiGroup(page: Page): Promise<GroupJson | undefined> {
  const response = await page.request.get(`/api/failures?${new URLSearchParams({ pipeline: PIPELINE, step: STEP, error_class: ERROR_CLASS }).toString()}`);
  expect(response.status()).toBe(200);
  return ((await response.json()) as { groups: GroupJson[] }).groups[0];
}

const groupRow = (page: Page) => page.locator(`[data-testid="failure-group"][data-pipeline="${PIPELINE}"][data-step="${STEP}"][data-error-class="${ERROR_CLASS}"]`);

test('a step failed for good is a group on /failures; the operator retries the whole group behind a preview', async ({ browser }) => {
  test.setTimeout(300_000);
  const operator = await pageAs(browser, 'operator');
  const viewer = await pageAs(browser, 'viewer');
  await operator.goto('/failures');
  await putChaos(operator, { crm: { failure_rate: 1 } });
  try {
    const taskId = await startRunViaApi(operator, utcDay(-3));
    await expect.poll(async () => (await readRun(operator.request, taskId)).status, { timeout: 150_000, intervals: [1_000] }).toBe('failed');
    // The fault off before the retry, so the retried steps succeed.
    await putChaos(operator, NO_CHAOS);

    const group = await apiGroup(operator);
    expect(group?.run_ids).toContain(taskId);
    const failedSteps = group?.failed_steps ?? 0;
    expect(failedSteps).toBeGreaterThanOrEqual(1);

    // The viewer sees the group, its counts and the run, and no operation.
    await viewer.goto('/failures');
    const seen = groupRow(viewer);
    await expect(seen.getByTestId('failed-steps')).toHaveText(String(failedSteps));
    await expect(seen.getByTestId('failed-runs')).toHaveText(String(group?.runs));
    await expect(seen.getByTestId('sample-message')).not.toHaveText('—');
    await expect(seen.locator(`a[href="/runs/${taskId}"]`)).toBeVisible();
    await expect(seen.getByRole('link', { name: `Runs with ${ERROR_CLASS}` })).toHaveAttribute('href', `/runs?error=${ERROR_CLASS}&pipeline=data_pipeline.customer_analytics`);
    await expect(viewer.getByRole('button', { name: /^(Retry|Resolve) all/ })).toHaveCount(0);

    // The alert's link: the group alone; a bad filter is a message naming the field, not an error page.
    await operator.goto(`/failures?${new URLSearchParams({ pipeline: PIPELINE, step: STEP, error_class: ERROR_CLASS }).toString()}`);
    await expect(operator.getByTestId('failure-group')).toHaveCount(1);
    await expect(operator.getByLabel('Step')).toHaveValue(STEP);
    await expectAxeClean(operator, 'failures (desktop)');
    const bad = await operator.goto('/failures?pipeline=no-slash&colour=red');
    expect(bad?.status()).toBe(200);
    await expect(operator.getByTestId('failures-problems')).toContainText('Pipeline: pipeline must be namespace/name');
    await expect(operator.getByTestId('failures-problems')).toContainText('colour');
    await expect(operator.getByTestId('failures-empty')).toHaveText('Fix the filter above to see the failures.');
    await operator.goto('/failures?step=no_such_step');
    await expect(operator.getByTestId('failures-empty')).toHaveText('Nothing matching this filter is failed now.');

    // On a phone: no sideways scroll, axe clean, the dialog within the screen.
    await operator.setViewportSize(PHONE);
    await operator.goto('/failures');
    const row = groupRow(operator);
    await expect(row).toBeVisible();
    await expectNoSidewaysScroll(operator, 'failures (phone)');
    await expectAxeClean(operator, 'failures (phone)');

    // From the keyboard: Enter opens the dialog, whose preview lists the run and what re-runs in it.
    const retryAll = row.getByRole('button', { name: `Retry all: ${STEP} (${ERROR_CLASS}) in ${PIPELINE}` });
    await retryAll.focus();
    await operator.keyboard.press('Enter');
    const dialog = operator.getByTestId('group-operation-dialog');
    await expect(dialog.getByText('Asking the engine…')).toHaveCount(0);
    const planned = dialog.getByTestId('group-preview').locator(`li[data-run-id="${taskId}"]`);
    await expect(planned).toContainText(`Run ${taskId.slice(0, 8)}`);
    await expect(planned.getByRole('list', { name: `Steps of run ${taskId.slice(0, 8)}` }).locator('li')).toContainText([STEP, 'transform_customer_metrics']);
    await expect(dialog.getByTestId('group-preview').locator(':scope > li')).toHaveCount(failedSteps);
    await expect(dialog.getByTestId('group-preview-remaining')).toHaveCount(0);
    await expectNoSidewaysScroll(operator, 'retry-all dialog (phone)');
    expect((await dialog.boundingBox())?.width ?? Infinity).toBeLessThanOrEqual(PHONE.width);
    await expectAxeClean(operator, 'retry-all dialog (phone)', { selector: '[data-testid="group-operation-dialog"]' });
    await operator.screenshot({ path: artifactPath('pages/failures-retry-all-phone.png') });

    // Too short a reason: refused by the server, the text kept, the field named as labelled.
    const reason = dialog.getByLabel('Reason (required)');
    await reason.fill('ok');
    await dialog.getByRole('button', { name: 'Retry all steps' }).click();
    await expect(dialog).toContainText('Reason must be at least 3 characters');
    await expect(reason).toHaveValue('ok');
    await expect(reason).toHaveAttribute('aria-invalid', 'true');

    await reason.fill('CRM is back; e2e group retry');
    await dialog.getByRole('button', { name: 'Retry all steps' }).focus();
    await operator.keyboard.press('Enter');
    await expect(dialog).toBeHidden();
    await expect(operator.getByTestId('failures-message')).toHaveText(/^Retrying \d+ steps? in \d+ runs?\.$/);
    await expect(groupRow(operator)).toHaveCount(0);

    // The run runs again and completes; its history names the operation, who and why.
    await operator.setViewportSize(DESKTOP);
    await operator.goto(`/runs/${taskId}`);
    await expect(operator.getByTestId('run-status')).toHaveAttribute('data-state', 'completed', { timeout: 90_000 });
    await expect(stepNode(operator, STEP)).toHaveAttribute('data-status', 'completed');
    await operator.getByRole('tab', { name: 'Events' }).click();
    await expect(operator.getByTestId('run-events')).toContainText(/retry_step by operator-[^ ]+ \(“CRM is back; e2e group retry”\)/);
  } finally {
    await putChaos(operator, NO_CHAOS);
    await operator.context().close();
    await viewer.context().close();
  }
});

/** Pairs of header items drawn over each other (a crowded row squeezes the account slot under the theme switch). */
async function headerOverlaps(page: Page): Promise<string[]> {
  return page.locator('header').evaluate((header) => {
    const items = [...header.querySelectorAll('a, button, span.rounded-full')].map((element) => ({
      name: (element.textContent ?? '').trim() || element.getAttribute('aria-label') || element.tagName,
      box: element.getBoundingClientRect(),
    }));
    const found: string[] = [];
    for (const [index, a] of items.entries()) {
      for (const b of items.slice(index + 1)) {
        const apart = a.box.right <= b.box.left || b.box.right <= a.box.left || a.box.bottom <= b.box.top || b.box.bottom <= a.box.top;
        const contains = (outer: DOMRect, inner: DOMRect) => outer.left <= inner.left && outer.right >= inner.right && outer.top <= inner.top && outer.bottom >= inner.bottom;
        if (!apart && !contains(a.box, b.box) && !contains(b.box, a.box) && a.box.width > 0 && b.box.width > 0) found.push(`${a.name} / ${b.name}`);
      }
    }
    return found;
  });
}

async function desktopPage(browser: Browser, role: 'admin' | 'operator'): Promise<Page> {
  if (role === 'operator') return pageAs(browser, 'operator');
  const page = await (await browser.newContext({ viewport: DESKTOP })).newPage();
  await signIn(page, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  return page;
}

test('at 1280 px the navigation, Failures included, is one row on the screen for the role that sees the most links', async ({ browser }) => {
  const page = await desktopPage(browser, 'admin');
  try {
    await page.goto('/failures');
    const navigation = page.getByRole('navigation', { name: 'Main' });
    await expect(navigation.getByRole('link', { name: 'Failures' })).toHaveAttribute('aria-current', 'page');
    expect(await page.evaluate(() => document.documentElement.scrollWidth), 'document width at 1280 px').toBeLessThanOrEqual(DESKTOP.width);
    const boxes = await navigation.getByRole('link').evaluateAll((links) => links.map((link) => link.getBoundingClientRect()).map(({ top, right }) => ({ top, right })));
    expect(boxes.length).toBe(11);
    expect(new Set(boxes.map((box) => Math.round(box.top))).size).toBe(1);
    for (const box of boxes) expect(box.right).toBeLessThanOrEqual(DESKTOP.width);
  } finally {
    await page.context().close();
  }
});

for (const role of ['operator', 'admin'] as const) {
  test(`at 1280 px nothing in an ${role}’s header is drawn over anything else`, async ({ browser }) => {
    // With twelve links the signed-in email is shown only from 1536 px (the role badge and Sign out stay): at
    // 1280 px it pushed Sign out under the theme switch.
    const page = await desktopPage(browser, role);
    try {
      await page.goto('/failures');
      expect(await headerOverlaps(page)).toEqual([]);
    } finally {
      await page.context().close();
    }
  });
}
