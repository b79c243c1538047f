/**
 * The runs list pages by cursor: on a 390 px phone, from the keyboard, Older and Newer walk 45 runs of one day
 * without a duplicate or a gap while a newer run arrives between pages; the total is labelled as an estimate; a
 * mangled page link is explained on the page, and searching by run id and error class finds the run.
 */
import { expect, test, type Page } from '@playwright/test';
import { pageAs } from './console-fixtures';
import { openE2eDatabase } from './e2e-database';
import { expectAxeClean, expectNoSidewaysScroll, PHONE } from './ui-checks';

// A day long before any other spec's runs, so the list filtered to it holds only what this spec writes.
const DAY = '2020-01-01';
const RUNS = 45;
const listOfDay = `/runs?created_from=${DAY}&created_to=${DAY}`;

const rowIds = (page: Page) => page.locator('tr[data-run-id]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-run-id') ?? ''));

/** Presses Tab until the link is focused (it must be reachable in the tab order), then Enter. */
async function followFromKeyboard(page: Page, name: string): Promise<void> {
  const link = page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name });
  for (let presses = 0; presses < 120; presses += 1) {
    if (await link.evaluate((element) => element === document.activeElement)) break;
    await page.keyboard.press('Tab');
  }
  await expect(link).toBeFocused();
  const url = page.url();
  await page.keyboard.press('Enter');
  await page.waitForURL((next) => next.toString() !== url);
}

test('Older and Newer page 45 runs from the keyboard at 390 px, stable while a run arrives', async ({ browser }) => {
  test.setTimeout(60_000);
  const db = openE2eDatabase();
  const page = await pageAs(browser, 'viewer');
  try {
    // Written the way the engine writes finished tasks, one a minute through the day (set-based).
    const seeded = await db.pool.query<{ id: string }>(
      `INSERT INTO tasks (namespace, name, version, status, context, initiator, created_at, started_at, completed_at)
       SELECT 'e2e', 'paging', '1', 'completed', '{}', 'e2e-paging', t, t, t + interval '5 seconds'
         FROM generate_series(1, $1::int) AS g, LATERAL (SELECT $2::timestamptz + g * interval '1 minute') AS at(t)
       RETURNING id`,
      [RUNS, `${DAY}T08:00:00Z`],
    );
    await page.setViewportSize(PHONE);
    await page.goto(listOfDay);
    const pages = page.getByRole('navigation', { name: 'Pages' });
    await expect(page.locator('tr[data-run-id]')).toHaveCount(20);
    await expect(pages.getByText('Newer')).toHaveAttribute('aria-disabled', 'true');
    await expect(page.getByTestId('runs-total')).toHaveAttribute('data-exact', 'false');
    await expect(page.getByTestId('runs-total')).toHaveText(/^About [\d,]+ runs$/);
    await expectNoSidewaysScroll(page, 'runs list, first page');
    await expectAxeClean(page, 'runs list with search fields and page links');
    const first = await rowIds(page);

    // A newer run of the same day arrives while the reader is on page 1: page 2 is still the next 20.
    const arrived = await db.pool.query<{ id: string }>(
      `INSERT INTO tasks (namespace, name, version, status, context, initiator, created_at)
       VALUES ('e2e', 'paging', '1', 'completed', '{}', 'e2e-paging', $1::timestamptz) RETURNING id`,
      [`${DAY}T20:00:00Z`],
    );
    await followFromKeyboard(page, 'Older');
    expect(page.url()).toMatch(/[?&]after=[A-Za-z0-9_-]+/);
    await expect(page.locator('tr[data-run-id]')).toHaveCount(20);
    const second = await rowIds(page);
    await expect(pages.getByRole('link', { name: 'Newest' })).toBeVisible();
    await expectNoSidewaysScroll(page, 'runs list, second page');

    await followFromKeyboard(page, 'Older');
    await expect(page.locator('tr[data-run-id]')).toHaveCount(5);
    const third = await rowIds(page);
    await expect(pages.getByText('Older')).toHaveAttribute('aria-disabled', 'true');
    const walked = [...first, ...second, ...third];
    expect(new Set(walked).size).toBe(RUNS);
    expect([...walked].sort()).toEqual(seeded.rows.map((row) => row.id).sort());

    // Back up: the first page again, and now a Newer link above it leads to the run that arrived.
    await followFromKeyboard(page, 'Newer');
    expect(await rowIds(page)).toEqual(second);
    await followFromKeyboard(page, 'Newer');
    expect(page.url()).toMatch(/[?&]before=/);
    expect(await rowIds(page)).toEqual(first);
    await followFromKeyboard(page, 'Newer');
    expect(await rowIds(page)).toEqual([arrived.rows[0]!.id]);

    // A link cut short is explained, and the list shows the newest runs instead of failing.
    const response = await page.goto(`${listOfDay}&after=bm90LWEtY3Vyc29y`);
    expect(response?.status()).toBe(200);
    await expect(page.locator('[role="alert"]:not(#__next-route-announcer__)')).toContainText('after is not a page link of this list');
    expect(await rowIds(page)).toEqual([arrived.rows[0]!.id, ...first.slice(0, 19)]);

    // Search: the run id's first digits from the list, and an error class a step failed with.
    await page.goto('/runs');
    const target = second[3]!;
    // Beyond the first 12 digits (the millisecond of a time-ordered id, shared by runs written together) the
    // digits are random, so this prefix names one run.
    await page.getByLabel('Run id').fill(target.slice(0, 23).toUpperCase());
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.locator('tr[data-run-id]')).toHaveCount(1);
    await expect(page.locator(`tr[data-run-id="${target}"]`)).toBeVisible();
    await db.pool.query(
      `INSERT INTO steps (task_id, name, position, pipeline, task_created_at, status, retryable, retry_limit, last_error)
       SELECT id, 'extract', 0, 'e2e/paging@1', created_at, 'failed', true, 3, '{"class": "E2ePagingError", "message": "503"}' FROM tasks WHERE id = $1`,
      [target],
    );
    await page.goto('/runs');
    await page.getByLabel('Error class').fill('E2ePagingError');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.locator('tr[data-run-id]')).toHaveCount(1);
    await expect(page.locator(`tr[data-run-id="${target}"]`).getByRole('progressbar')).toHaveAttribute('aria-valuetext', '0/1');
    await expect(page.getByTestId('runs-total')).toHaveText('1 run');
  } finally {
    await db.pool.query(`DELETE FROM tasks WHERE initiator = 'e2e-paging'`);
    await db.close();
    await page.context().close();
  }
});
