/**
 * The public status page: anonymous visitors get /status and /status.json (200,
 * the same overall state, a short Cache-Control) without internal details — every error message and stack the
 * engine recorded and every email known to the database are searched for in both — and `/` sends them to sign in.
 */
import { expect, test } from '@playwright/test';
import { openE2eDatabase } from './e2e-database';
import { artifactPath } from './fixtures';

const EMAIL_PATTERN = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;

/** Strings that must never reach the public: recorded error texts and stacks, user and customer emails. */
async function internalStrings(): Promise<string[]> {
  const db = openE2eDatabase();
  try {
    const { rows } = await db.pool.query<{ value: string }>(
      `SELECT DISTINCT value FROM (
         SELECT error_message AS value FROM step_attempts WHERE error_message IS NOT NULL
         UNION ALL SELECT split_part(error_stack, E'\\n', 2) FROM step_attempts WHERE error_stack LIKE '%' || E'\\n' || '%'
         UNION ALL SELECT last_error ->> 'message' FROM steps WHERE last_error IS NOT NULL
         UNION ALL SELECT email FROM users
         UNION ALL (SELECT customer_email FROM analytics.customer_metrics LIMIT 200)
       ) AS internal WHERE length(trim(value)) >= 6`,
    );
    return rows.map((row) => row.value.trim());
  } finally {
    await db.close();
  }
}

test.describe('public status (anonymous)', () => {
  test('the dashboard sends anonymous visitors to sign in', async ({ page }) => {
    await page.goto('/');
    await expect(page).toHaveURL(/\/login$/);
  });

  test('/status and /status.json answer 200 with the same state and no internal detail', async ({ page, request }) => {
    const json = await request.get('/status.json');
    expect(json.status()).toBe(200);
    expect(json.headers()['cache-control']).toMatch(/max-age=\d+/);
    const body = await json.text();
    const status = JSON.parse(body) as {
      overall: { state: string };
      history: { outcome: string }[];
      delivery: { time_zone: string };
      today: { scheduled_start_at: string | null };
    };
    expect(['operational', 'delayed', 'degraded', 'down', 'awaiting']).toContain(status.overall.state);
    expect(status.history).toHaveLength(90);

    const response = await page.goto('/status');
    expect(response?.status()).toBe(200);
    await expect(page).toHaveURL(/\/status$/);
    await expect(page.getByTestId('overall-state')).toHaveAttribute('data-state', status.overall.state);
    await expect(page.getByTestId('history').locator('[data-outcome]')).toHaveCount(90);
    // Today's firing of the daily schedule, at the clock time /status.json gives, in the delivery's zone.
    const scheduled = status.today.scheduled_start_at;
    if (scheduled === null) await expect(page.getByTestId('scheduled-start')).toHaveText('Not scheduled yet');
    else {
      const clock = new Intl.DateTimeFormat('en-GB', { timeZone: status.delivery.time_zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(scheduled));
      await expect(page.getByTestId('scheduled-start')).toContainText(clock);
    }
    // Its own header: no console navigation for the public, and the app's icons instead of a 404.
    await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
    await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
    const icon = await page.locator('link[rel="icon"]').first().getAttribute('href');
    expect((await request.get(icon ?? '/favicon.ico')).status()).toBe(200);
    expect((await request.get('/favicon.ico')).status()).toBe(200);
    await expect(page).toHaveTitle('Status · Nightshift');

    const today = page.getByTestId('history').locator('[data-outcome]').last();
    await today.hover();
    await expect(page.getByRole('tooltip')).toContainText(/deadline/);
    await page.screenshot({ path: artifactPath('status.png'), fullPage: true });

    const html = await page.content();
    for (const text of [html, body]) {
      expect(text).not.toMatch(EMAIL_PATTERN);
      expect(text).not.toMatch(/\n\s+at \S+ \(/);
      for (const secret of await internalStrings()) expect(text.includes(secret), `leaked: ${secret}`).toBe(false);
    }
  });
});
