/** Smoke test of the production build: readiness, the start page and its layout, both themes and the toggle. */
import { expect, test, type Page } from '@playwright/test';
import { artifactPath, openAsAdmin } from './fixtures';

/** The theme <html> carried when <body> first appeared, i.e. before anything was painted or hydrated. */
async function recordThemeAtFirstBody(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const observer = new MutationObserver(() => {
      if (!document.body) return;
      document.documentElement.setAttribute('data-theme-at-first-body', document.documentElement.dataset.theme ?? 'none');
      observer.disconnect();
    });
    observer.observe(document, { childList: true, subtree: true });
  });
}

test('the server is ready', async ({ request }) => {
  const response = await request.get('/api/health/ready');
  expect(response.status()).toBe(200);
  expect(await response.json()).toMatchObject({ ready: true, checks: { database: 'ok', migrations: 'ok' } });
});

test('the start page shows its heading and the navigation', async ({ page }) => {
  await openAsAdmin(page, '/');
  await expect(page.getByRole('heading', { level: 1, name: 'Executive dashboard' })).toBeVisible();

  const navigation = page.getByRole('navigation', { name: 'Main' });
  for (const [name, href] of [
    ['Dashboard', '/'],
    ['Runs', '/runs'],
    ['Status', '/status'],
  ] as const) {
    await expect(navigation.getByRole('link', { name, exact: true })).toHaveAttribute('href', href);
  }
  await expect(navigation.getByRole('link', { name: 'Dashboard' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByRole('main')).toBeVisible();

});

test('the skip link is the first stop and moves focus to the main content', async ({ page }) => {
  await openAsAdmin(page, '/');
  await page.keyboard.press('Tab');
  const skipLink = page.getByRole('link', { name: 'Skip to main content' });
  await expect(skipLink).toBeFocused();
  await skipLink.press('Enter');
  await expect(page.getByRole('main')).toBeFocused();
});

for (const scheme of ['light', 'dark'] as const) {
  test(`follows the system ${scheme} preference from the first paint`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await recordThemeAtFirstBody(page);
    await openAsAdmin(page, '/');
    const root = page.locator('html');
    await expect(root).toHaveAttribute('data-theme', scheme);
    await expect(root).toHaveAttribute('data-theme-at-first-body', scheme);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    // The page background is near-white in light and near-black in dark.
    const [red = 0, green = 0, blue = 0] = (background.match(/\d+(\.\d+)?/g) ?? []).map(Number);
    const brightness = (red + green + blue) / 3;
    expect(scheme === 'light' ? brightness > 200 : brightness < 60, `background ${background}`).toBe(true);
    await page.screenshot({ path: artifactPath(`home-${scheme}.png`), fullPage: true });
  });
}

test('the theme toggle switches, persists across reloads and does not flash', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await recordThemeAtFirstBody(page);
  await openAsAdmin(page, '/');
  const root = page.locator('html');
  await expect(root).toHaveAttribute('data-theme', 'light');

  await page.getByRole('button', { name: 'Switch to dark theme' }).click();
  await expect(root).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByRole('button', { name: 'Switch to light theme' })).toBeVisible();
  expect(await page.evaluate(() => localStorage.getItem('nightshift-theme'))).toBe('dark');

  // The stored choice beats the system preference, already before the body is parsed.
  await page.reload();
  await expect(root).toHaveAttribute('data-theme-at-first-body', 'dark');
  await expect(root).toHaveAttribute('data-theme', 'dark');

  await page.getByRole('button', { name: 'Switch to light theme' }).click();
  await expect(root).toHaveAttribute('data-theme', 'light');
  await page.reload();
  await expect(root).toHaveAttribute('data-theme-at-first-body', 'light');
});
