/**
 * What counts as the daily delivery, in the browser:
 * - a backfill completes and the dashboard's default view stays; the picker lists the backfill, labelled; an
 *   operator's "Make default view" promotes it and is audited;
 * - with the CRM failing, extract_users fails; resolved manually, the run ends "held for review": the default
 *   view stays, one high alert names the reason, no "back on track" is sent; "Publish anyway" then makes it the
 *   default view and is audited.
 */
import { expect, test, type Page } from '@playwright/test';
import type { DbHandle } from '@/db/client';
import { NO_CHAOS, putChaos, signIn, startRunViaApi, stepNode, utcDay } from './console-fixtures';
import { openE2eDatabase } from './e2e-database';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './fixtures';

test.describe.configure({ mode: 'serial' });

async function currentSnapshot(db: DbHandle): Promise<{ id: number; task_id: string } | undefined> {
  return (await db.pool.query<{ id: number; task_id: string }>('SELECT id, task_id FROM analytics.dashboard_snapshots WHERE is_current')).rows[0];
}

async function runStatus(page: Page, taskId: string): Promise<{ status: string; kind: string; outcome: string | null; hold_reasons: { code: string }[] }> {
  return (await (await page.request.get(`/analytics/status/${taskId}`)).json()) as { status: string; kind: string; outcome: string | null; hold_reasons: { code: string }[] };
}

async function finished(page: Page, taskId: string) {
  await expect.poll(async () => (await runStatus(page, taskId)).status, { timeout: 90_000, intervals: [500] }).toBe('completed');
  return runStatus(page, taskId);
}

test.describe('daily delivery', () => {
  let db: DbHandle;
  let admin: Page;

  test.beforeAll(async ({ browser }) => {
    db = openE2eDatabase();
    admin = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(admin, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    await putChaos(admin, NO_CHAOS);
    await expect
      .poll(async () => (await db.pool.query(`SELECT 1 FROM tasks WHERE name = 'customer_analytics' AND status IN ('pending', 'running')`)).rowCount, {
        timeout: 60_000,
      })
      .toBe(0);
    if (!(await currentSnapshot(db))) {
      // Yesterday's window, published today: a delivery, so it becomes the default view.
      expect((await finished(admin, await startRunViaApi(admin, utcDay(-1)))).kind).toBe('delivery');
    }
  });

  test.afterAll(async () => {
    await putChaos(admin, NO_CHAOS).catch(() => undefined);
    await db.close();
  });

  test('a backfill publishes into the history; "Make default view" promotes it, audited', async () => {
    test.setTimeout(120_000);
    const before = await currentSnapshot(db);
    const taskId = await startRunViaApi(admin, utcDay(-4));
    expect(await finished(admin, taskId)).toMatchObject({ kind: 'backfill', outcome: 'published' });
    expect(await currentSnapshot(db)).toEqual(before);

    await admin.goto('/');
    await expect(admin.getByTestId('snapshot-run')).toHaveText(`#${before?.id}`);
    const backfill = (await db.pool.query<{ id: number }>('SELECT id FROM analytics.dashboard_snapshots WHERE task_id = $1', [taskId])).rows[0];
    await expect(admin.locator(`select[name="snapshot"] option[value="${backfill?.id}"]`)).toContainText('Backfill');

    await admin.goto(`/?snapshot=${backfill?.id}`);
    await expect(admin.getByTestId('freshness-banner')).toHaveAttribute('data-freshness', 'history');
    await expect(admin.getByTestId('default-view-link')).toBeVisible();
    const form = admin.getByRole('form', { name: 'Make default view' });
    await form.getByLabel('Reason').fill('e2e: the board reviews this day');
    await form.getByRole('button', { name: 'Make default view' }).click();
    await expect.poll(async () => (await currentSnapshot(db))?.task_id).toBe(taskId);
    // The page re-renders as the default view: the banner no longer says "not the default view".
    await admin.goto('/');
    await expect(admin.getByTestId('snapshot-run')).toHaveText(`#${backfill?.id}`);
    const audit = await db.pool.query<{ action: string }>(`SELECT action FROM audit_log WHERE target = $1`, [`snapshot:${backfill?.id}`]);
    expect(audit.rows).toEqual([{ action: 'snapshot.make_default' }]);
  });

  test('a manually resolved extract is held for review, and published only when an operator says so', async () => {
    test.setTimeout(180_000);
    const before = await currentSnapshot(db);
    await putChaos(admin, { crm: { failure_rate: 1 } });
    const taskId = await startRunViaApi(admin, utcDay(-1));
    await admin.goto(`/runs/${taskId}`);
    const users = stepNode(admin, 'extract_users');
    await expect(users).toHaveAttribute('data-status', 'failed', { timeout: 120_000 });
    await putChaos(admin, NO_CHAOS);

    await users.getByRole('button').click();
    await admin.getByTestId('step-drawer').getByRole('button', { name: 'Resolve manually' }).click();
    const dialog = admin.getByTestId('operation-dialog');
    await dialog.getByLabel('Note (required)').fill('e2e: CRM is down, go on without users');
    await dialog.getByRole('button', { name: 'Mark as resolved' }).click();
    await expect(dialog).toBeHidden();

    const held = await finished(admin, taskId);
    expect(held).toMatchObject({ kind: 'delivery', outcome: 'held_for_review' });
    expect(held.hold_reasons.map((reason) => reason.code)).toContain('manual_resolution');
    expect(await currentSnapshot(db)).toEqual(before);
    const alerts = await db.pool.query<{ title: string }>(`SELECT title FROM alerts WHERE task_id = $1 AND severity = 'high'`, [taskId]);
    expect(alerts.rows).toHaveLength(1);
    expect(alerts.rows[0]?.title).toContain('extract_users was resolved manually');
    // The stakeholders hear that the step was resolved by hand, never that all is well.
    await expect
      .poll(async () => (await db.pool.query(`SELECT 1 FROM outgoing_messages WHERE payload ->> 'text' LIKE '%resolved by hand%'`)).rowCount, { timeout: 30_000 })
      .toBeGreaterThan(0);
    expect((await db.pool.query(`SELECT 1 FROM outgoing_messages WHERE payload ->> 'text' ILIKE '%back on track%'`)).rowCount).toBe(0);

    await admin.goto(`/runs/${taskId}`);
    const panel = admin.getByTestId('run-delivery');
    await expect(panel).toHaveAttribute('data-outcome', 'held_for_review');
    await expect(panel).toContainText('Held for review');
    const form = panel.getByRole('form', { name: 'Publish anyway' });
    await form.getByLabel('Reason').fill('e2e: checked the figures by hand');
    await form.getByRole('button', { name: 'Publish anyway' }).click();
    await expect.poll(async () => (await currentSnapshot(db))?.task_id).toBe(taskId);
    await admin.goto(`/runs/${taskId}`);
    await expect(admin.getByTestId('run-delivery')).toHaveAttribute('data-outcome', 'published');
    const audit = await db.pool.query<{ action: string }>(`SELECT action FROM audit_log WHERE target = $1`, [`task:${taskId}`]);
    expect(audit.rows.map((row) => row.action)).toContain('snapshot.publish_anyway');
  });
});
