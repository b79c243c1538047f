/**
 * Helpers for the engineer-console specs: users of a given role (created through the admin UI), sign-in,
 * fault injection and run starts over the HTTP API, and reading a run's JSON as the page does.
 */
import { expect, type APIRequestContext, type Browser, type Page } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from './fixtures';

export interface Credentials {
  email: string;
  password: string;
}

export async function signIn(page: Page, credentials: Credentials): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(credentials.email);
  await page.getByLabel('Password').fill(credentials.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

/** A new user with `role`, created by the bootstrap admin through /admin/users. */
export async function createUser(browser: Browser, role: 'viewer' | 'operator'): Promise<Credentials> {
  const credentials = { email: `${role}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@nightshift.test`, password: `Console-${role}-password-1` };
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  await page.goto('/admin/users');
  const form = page.getByRole('form', { name: 'Create a user' });
  await form.getByLabel('Email').fill(credentials.email);
  await form.getByLabel('Initial password').fill(credentials.password);
  await form.getByLabel('Role').selectOption(role);
  await form.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByText(`Created ${credentials.email} as ${role}.`)).toBeVisible();
  await context.close();
  return credentials;
}

/** A page signed in as a fresh user of `role`. */
export async function pageAs(browser: Browser, role: 'viewer' | 'operator'): Promise<Page> {
  const credentials = await createUser(browser, role);
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signIn(page, credentials);
  return page;
}

/** UTC calendar day `days` from today, YYYY-MM-DD. */
export function utcDay(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Cookie-authenticated state changes must come from this site (withRole checks Origin). */
function originOf(page: Page): Record<string, string> {
  return { origin: new URL(page.url()).origin };
}

export async function putChaos(page: Page, patch: Record<string, Record<string, number>>): Promise<void> {
  const response = await page.request.put('/api/chaos', { data: patch, headers: originOf(page) });
  expect(response.status(), await response.text()).toBe(200);
}

export const NO_CHAOS = {
  crm: { failure_rate: 0, rate_limit_rate: 0, hang_rate: 0, latency_ms: 0 },
  inventory: { failure_rate: 0, rate_limit_rate: 0, hang_rate: 0, latency_ms: 0 },
  slack: { failure_rate: 0, rate_limit_rate: 0, hang_rate: 0, latency_ms: 0 },
  orders_db: { failure_rate: 0 },
};

/** Starts (force refresh) a customer_analytics run for one day through POST /analytics/start; returns its id. */
export async function startRunViaApi(page: Page, day: string): Promise<string> {
  const response = await page.request.post('/analytics/start', {
    data: { date_range: { start_date: day, end_date: day }, force_refresh: true },
    headers: originOf(page),
  });
  expect(response.status(), await response.text()).toBe(202);
  return ((await response.json()) as { task_id: string }).task_id;
}

export interface RunJson {
  status: string;
  steps: {
    name: string;
    status: string;
    completedAt: string | null;
    result?: unknown;
    lastError: { class: string; message: string } | null;
    attempts: { errorClass: string | null; errorMessage: string | null }[];
  }[];
}

export async function readRun(request: APIRequestContext, taskId: string): Promise<RunJson> {
  const response = await request.get(`/api/live/runs/${taskId}`);
  expect(response.status()).toBe(200);
  return (await response.json()) as RunJson;
}

export const stepNode = (page: Page, name: string) => page.getByTestId(`step-node-${name}`);
