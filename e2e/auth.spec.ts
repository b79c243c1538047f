/**
 * Sign in as the bootstrap admin, create a viewer, sign in as the viewer, and be refused with 403
 * on an operator-only page (/chaos) and an operator-only API (/api/chaos). Also: the form never shows the password back, API tokens work once and
 * stop working when revoked, and anonymous visitors are sent to /login.
 */
import { expect, test, type Page } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, artifactPath } from './fixtures';

/** Signs in and waits until the app has moved on from /login (a navigation before that would cancel the action). */
async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

async function submitSignIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
}

test('anonymous visitors are sent to sign in; protected APIs answer 401', async ({ page, request }) => {
  await page.goto('/admin/users');
  await expect(page).toHaveURL(/\/login\?next=%2Fadmin%2Fusers$/);
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  expect((await request.get('/api/chaos')).status()).toBe(401);
  expect((await request.get('/api/health/live')).status()).toBe(200);
});

test('a wrong password is refused without echoing it back', async ({ page }) => {
  await submitSignIn(page, ADMIN_EMAIL, 'Wrong-password-e2e-SENTINEL');
  await expect(page.getByText('Invalid email or password.')).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByLabel('Password')).toHaveValue('');
  expect(await page.content()).not.toContain('SENTINEL');
});

test('bootstrap admin creates a viewer; the viewer signs in and is refused (403) above their role', async ({ page }) => {
  const viewerEmail = `viewer-${Date.now()}@nightshift.test`;
  const viewerPassword = 'Viewer-e2e-password-1';

  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  const account = page.getByTestId('header-account');
  await expect(account).toContainText(ADMIN_EMAIL);
  await expect(account).toContainText('admin');

  await page.goto('/admin/users');
  const createForm = page.getByRole('form', { name: 'Create a user' });
  await createForm.getByLabel('Email').fill(viewerEmail);
  await createForm.getByLabel('Name').fill('E2E Viewer');
  await createForm.getByLabel('Initial password').fill(viewerPassword);
  await createForm.getByLabel('Role').selectOption('viewer');
  await createForm.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByText(`Created ${viewerEmail} as viewer.`)).toBeVisible();
  await expect(page.locator(`tr[data-email="${viewerEmail}"]`)).toBeVisible();
  await page.screenshot({ path: artifactPath('admin-users.png'), fullPage: true });
  await signOut(page);

  await signIn(page, viewerEmail, viewerPassword);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('header-account')).toContainText('viewer');

  // The fault-injection API is operator-only: the viewer's session cookie is refused.
  const chaos = await page.request.get('/api/chaos');
  expect(chaos.status()).toBe(403);
  expect((await chaos.json()).error).toMatch(/operator/);
  // The operator-only fault-injection page, and an admin page: the real HTTP status of the document is 403,
  // not just a 403 text in a 200 page.
  const operatorPage = await page.goto('/chaos');
  expect(operatorPage?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: /403/ })).toBeVisible();
  await page.screenshot({ path: artifactPath('viewer-403.png'), fullPage: true });
  const adminPage = await page.goto('/admin/users');
  expect(adminPage?.status()).toBe(403);
  await signOut(page);

  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.goto('/admin/audit');
  await expect(page.getByRole('cell', { name: 'user.create' }).first()).toBeVisible();
  await expect(page.getByRole('cell', { name: 'auth.login.success' }).first()).toBeVisible();
  await expect(page.getByRole('cell', { name: 'auth.login.failure' }).first()).toBeVisible();
});

test('an API token is shown once, works as a bearer token and stops working when revoked', async ({ page, playwright, baseURL }) => {
  await signIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  await page.goto('/admin/tokens');
  const name = `e2e-${Date.now()}`;
  const form = page.getByRole('form', { name: 'Create an API token' });
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Role').selectOption('operator');
  await form.getByRole('button', { name: 'Create token' }).click();
  const token = (await page.getByTestId('new-api-token').textContent())?.trim() ?? '';
  expect(token).toMatch(/^ns_[A-Za-z0-9_-]{43}$/);

  // A separate client without the browser's cookies: only the bearer token authenticates it.
  const machine = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
  expect((await machine.get('/api/chaos')).status()).toBe(200);

  await page.reload();
  await expect(page.getByTestId('new-api-token')).toHaveCount(0);
  await expect(page.getByRole('cell', { name }).first()).toBeVisible();
  await page.getByRole('button', { name: `Revoke token ${name}` }).click();
  await expect(page.getByText(/^Revoked/).first()).toBeVisible();
  expect((await machine.get('/api/chaos')).status()).toBe(401);
  await machine.dispose();
});
