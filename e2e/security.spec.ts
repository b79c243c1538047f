/**
 * Security hardening against the production build, through the real server (scripts/serve.ts):
 * - pages render and hydrate under the nonce CSP (charts, the React Flow DAG, the theme script) with no CSP
 *   violation reported by the browser;
 * - security headers on a page, an API route and a CSV download; `no-store` on private data;
 * - a forged X-Forwarded-For / peer header does not change the address a sign-in is recorded under;
 * - a CSV export of a customer named `=HYPERLINK("x")` carries it as text (`'=…`), not as a formula.
 */
import { expect, test, type Page } from '@playwright/test';
import { startRunViaApi } from './console-fixtures';
import { openE2eDatabase } from './e2e-database';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './fixtures';

const FORMULA_EMAIL = '=HYPERLINK("x")';
const FORMULA_CUSTOMER_ID = 987_654_321;

/** Collects every CSP violation the page reports, from the DOM event and from the console. */
async function watchCsp(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to (execute|load|apply|connect)/i.test(message.text())) violations.push(message.text());
  });
  await page.exposeFunction('reportCspViolation', (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const report = (window as unknown as { reportCspViolation(text: string): void }).reportCspViolation;
      report(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`);
    });
  });
  return violations;
}

function expectSecurityHeaders(response: { headers(): Record<string, string> } | null, what: string): Record<string, string> {
  const headers = response?.headers() ?? {};
  expect(headers['content-security-policy'], what).toMatch(/script-src 'self' 'nonce-[^']+' 'sha256-[^']+' 'strict-dynamic'/);
  expect(headers['content-security-policy'], what).toContain("frame-ancestors 'none'");
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  expect(headers['referrer-policy'], what).toBe('same-origin');
  expect(headers['x-frame-options'], what).toBe('DENY');
  // Served over plain http here: HSTS would be meaningless, and is not sent.
  expect(headers['strict-transport-security'], what).toBeUndefined();
  return headers;
}

test('pages work under the CSP, headers are set, sign-in ignores forged addresses, CSV cells are text', async ({ page, context }) => {
  test.setTimeout(120_000);
  const violations = await watchCsp(page);
  await context.setExtraHTTPHeaders({ 'x-forwarded-for': '203.0.113.66', 'x-nightshift-peer': '203.0.113.67' });
  const db = openE2eDatabase();
  try {
    const login = await page.goto('/login');
    expectSecurityHeaders(login, 'the sign-in page');
    await page.getByLabel(/email/i).fill(ADMIN_EMAIL);
    await page.getByLabel(/password/i).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: /sign in/i }).click();
    await expect(page).not.toHaveURL(/\/login(\?|$)/);
    const { rows: signIns } = await db.pool.query<{ address: string }>(
      `SELECT details->>'clientAddress' AS address FROM audit_log WHERE action = 'auth.login.success' AND target = $1 ORDER BY id DESC LIMIT 1`,
      [ADMIN_EMAIL],
    );
    expect(signIns[0]?.address).toMatch(/^(127\.0\.0\.1|::1)$/);
    await context.setExtraHTTPHeaders({});

    const home = await page.goto('/');
    expectSecurityHeaders(home, 'the dashboard');
    await expect(page.getByRole('heading', { level: 1, name: 'Executive dashboard' })).toBeVisible();
    // The inline theme script ran (allowed by its hash), before hydration.
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toMatch(/^(light|dark)$/);

    const taskId = (await db.pool.query<{ id: string }>('SELECT id FROM tasks ORDER BY created_at LIMIT 1')).rows[0]?.id ?? (await startRunViaApi(page, new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)));
    // Client-rendered by React Flow after hydration: proof that Next's scripts ran under the nonce.
    await page.goto(`/runs/${taskId}`);
    await expect(page.locator('.react-flow__node').first()).toBeVisible();
    for (const path of ['/runs', '/alerts', '/messages', '/chaos', '/status']) {
      const response = await page.goto(path);
      expect(response?.status(), path).toBe(200);
    }

    const api = await page.request.get('/api/dashboard');
    expect(api.status()).toBe(200);
    expect(expectSecurityHeaders(api, '/api/dashboard')['cache-control']).toBe('no-store');
    const live = await page.request.get(`/api/live/runs/${taskId}`);
    expect(expectSecurityHeaders(live, '/api/live/runs/:id')['cache-control']).toBe('no-store');

    await db.pool.query(
      `INSERT INTO analytics.customer_metrics (task_id, customer_id, customer_email, total_lifetime_value, average_order_value, total_orders,
         order_frequency, days_since_last_order, customer_segment, acquisition_date, calculated_at)
       VALUES ($1, $2, $3, 10, 10, 1, 0, 1, 'New', now(), now())`,
      [taskId, FORMULA_CUSTOMER_ID, FORMULA_EMAIL],
    );
    const csv = await page.request.get(`/analytics/results/${taskId}/customers.csv`);
    expect(csv.status()).toBe(200);
    const csvHeaders = expectSecurityHeaders(csv, 'the CSV download');
    expect(csvHeaders['cache-control']).toBe('no-store');
    expect(csvHeaders['content-type']).toContain('text/csv');
    const line = (await csv.text()).split('\r\n').find((row) => row.startsWith(`${FORMULA_CUSTOMER_ID},`));
    // A leading apostrophe makes spreadsheets show the cell as text; the quotes are CSV's own escaping.
    expect(line?.split(',').slice(0, 2).join(',')).toBe(`${FORMULA_CUSTOMER_ID},"'=HYPERLINK(""x"")"`);

    expect(violations).toEqual([]);
  } finally {
    await db.pool.query('DELETE FROM analytics.customer_metrics WHERE customer_id = $1', [FORMULA_CUSTOMER_ID]).catch(() => undefined);
    await db.close();
  }
});
