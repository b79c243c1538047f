/** Shared e2e settings and helpers: the bootstrap admin the e2e server is started with, and where artifacts go. */
import path from 'node:path';
import { expect, type Page } from '@playwright/test';

/** Passed to the e2e server (playwright.config.ts) so the first-run admin account is known to the tests. */
export const ADMIN_EMAIL = 'admin@nightshift.test';
export const ADMIN_PASSWORD = 'e2e-Admin-password-1';

/** Screenshots and other files worth keeping from a run (gitignored). */
export const artifactsDir = path.join(import.meta.dirname, 'artifacts');

export function artifactPath(fileName: string): string {
  return path.join(artifactsDir, fileName);
}

/**
 * Opens `pathname`; if the app sends the browser to /login first, signs in as the bootstrap admin and opens it again.
 * Keeps page specs working whether or not authentication guards the page.
 */
export async function openAsAdmin(page: Page, pathname: string): Promise<void> {
  await page.goto(pathname);
  if (new URL(page.url()).pathname !== '/login') return;
  await page.getByLabel(/email/i).fill(ADMIN_EMAIL);
  await page.getByLabel(/password/i).fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: /sign in|log in/i }).click();
  await expect(page).not.toHaveURL(/\/login(\?|$)/);
  // A fresh document load, as without the detour: focus and scroll start at the top of the page.
  await page.goto(pathname);
}
