/**
 * Backfills in the browser: an operator backfills 7 days from /runs/backfill, watches the backfill page move on
 * by itself (live updates, no reload) until every day is done, and the delivery calendar on /runs then shows the 7
 * days as backfilled. The dashboard's default view and the public status history are the same before and after.
 */
import { expect, test, type Page } from '@playwright/test';
import type { DbHandle } from '@/db/client';
import { NO_CHAOS, putChaos, signIn, startRunViaApi, utcDay } from './console-fixtures';
import { openE2eDatabase } from './e2e-database';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './fixtures';

// Days no other spec runs, inside the demo data's 420 days and clear of its injected anomalous days.
const DAYS = Array.from({ length: 7 }, (_, index) => utcDay(-20 + index));

async function defaultView(db: DbHandle): Promise<number | null> {
  return (await db.pool.query<{ id: number }>('SELECT id FROM analytics.dashboard_snapshots WHERE is_current')).rows[0]?.id ?? null;
}

/** The public 90-day history without today, whose cell may change with the clock during the test. */
async function pastHistory(page: Page): Promise<unknown[]> {
  const response = await page.request.get('/status.json');
  expect(response.status()).toBe(200);
  const { history } = (await response.json()) as { history: unknown[] };
  return history.slice(0, -1);
}

const monthOf = (day: string) => day.slice(0, 7);

test('an operator backfills 7 days and watches them complete; the calendar shows them backfilled, nothing public changes', async ({ browser }) => {
  test.setTimeout(240_000);
  const db = openE2eDatabase();
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  try {
    await signIn(page, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    await putChaos(page, NO_CHAOS);
    if ((await defaultView(db)) === null) {
      // Yesterday's delivery gives the dashboard a default view, which the backfill must leave alone.
      const taskId = await startRunViaApi(page, utcDay(-1));
      await expect
        .poll(async () => ((await (await page.request.get(`/analytics/status/${taskId}`)).json()) as { status: string }).status, { timeout: 90_000 })
        .toBe('completed');
    }
    const viewBefore = await defaultView(db);
    expect(viewBefore).not.toBeNull();
    const historyBefore = await pastHistory(page);

    await page.goto('/runs');
    await page.getByRole('link', { name: 'Backfill days' }).click();
    await expect(page).toHaveURL(/\/runs\/backfill$/);
    const form = page.getByRole('form', { name: 'Backfill a range of days' });
    await form.getByLabel('First day').fill(DAYS[0] ?? '');
    await form.getByLabel('Last day').fill(DAYS[6] ?? '');
    await form.getByLabel('Runs at once').fill('3');
    await form.getByLabel('Reason').fill('e2e: rebuild a week');
    await form.getByRole('button', { name: 'Start backfill' }).click();

    await expect(page).toHaveURL(/\/runs\/backfills\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId('connection-indicator')).toHaveAttribute('data-connection', 'live');
    const rows = page.getByTestId('backfill-day');
    await expect(rows).toHaveCount(7);
    // Progress arrives by itself: the page is never reloaded from here on.
    expect(Number(await page.getByTestId('count-completed').textContent())).toBeLessThan(7);
    await expect(page.getByTestId('count-running')).not.toHaveText('0');
    await expect(page.getByTestId('count-completed')).toHaveText('7', { timeout: 200_000 });
    for (const day of DAYS) await expect(page.locator(`[data-testid="backfill-day"][data-day="${day}"]`)).toHaveAttribute('data-state', 'completed');
    await expect(page.getByTestId('backfill-status')).toContainText('Finished');

    await page.goto('/runs');
    const calendar = page.getByTestId('delivery-calendar');
    let shown = new Date().toISOString().slice(0, 7);
    for (const month of [...new Set(DAYS.map(monthOf))]) {
      while (shown > month) {
        await calendar.getByRole('button', { name: 'Previous month' }).click();
        shown = new Date(Date.UTC(Number(shown.slice(0, 4)), Number(shown.slice(5, 7)) - 2, 1)).toISOString().slice(0, 7);
      }
      while (shown < month) {
        await calendar.getByRole('button', { name: 'Next month' }).click();
        shown = new Date(Date.UTC(Number(shown.slice(0, 4)), Number(shown.slice(5, 7)), 1)).toISOString().slice(0, 7);
      }
      for (const day of DAYS.filter((candidate) => monthOf(candidate) === month)) {
        await expect(calendar.locator(`[data-testid="calendar-day"][data-day="${day}"]`)).toHaveAttribute('data-state', 'backfilled');
      }
    }
    // Keyboard: a focused day shows its tooltip and opens its snapshot.
    const lastDay = calendar.locator(`[data-testid="calendar-day"][data-day="${DAYS[6]}"]`);
    await lastDay.focus();
    await expect(page.getByRole('tooltip')).toContainText('Backfilled');
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/\/\?snapshot=\d+$/);

    const api = await page.request.get(`/api/calendar?from=${DAYS[0]}&to=${DAYS[6]}`);
    expect(api.status()).toBe(200);
    const { days } = (await api.json()) as { days: { day: string; state: string }[] };
    expect(days.map((day) => day.state)).toEqual(DAYS.map(() => 'backfilled'));

    expect(await defaultView(db)).toBe(viewBefore);
    expect(await pastHistory(page)).toEqual(historyBefore);
  } finally {
    await putChaos(page, NO_CHAOS).catch(() => undefined);
    await page.context().close();
    await db.close();
  }
});
