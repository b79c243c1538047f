/**
 * Checks the page-walk specs share: the colour scheme, sideways overflow at phone width, the collapsing
 * navigation driven from the keyboard, and an axe-core scan that fails on serious or critical violations.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };
export const SCHEMES = ['light', 'dark'] as const;
export type Scheme = (typeof SCHEMES)[number];

/** Follows the system preference live (no stored choice), so switching needs no reload. */
export async function switchScheme(page: Page, scheme: Scheme): Promise<void> {
  await page.emulateMedia({ colorScheme: scheme });
  await expect(page.locator('html')).toHaveAttribute('data-theme', scheme);
}

/**
 * Serious and critical WCAG 2.1 A/AA violations on the page (or inside `selector`), one line each. `coloursOnly`
 * runs just the rules a colour scheme can change: the second scheme's scan of a page whose structure the first
 * scan already checked, which halves the time of a both-schemes walk.
 */
export async function seriousViolations(page: Page, { selector, coloursOnly = false }: { selector?: string; coloursOnly?: boolean } = {}): Promise<string[]> {
  // Legacy mode runs axe in the page itself; the default opens a blank page per scan to merge frame results,
  // and these pages have no frames.
  let builder = new AxeBuilder({ page }).setLegacyMode(true);
  builder = coloursOnly ? builder.withRules(['color-contrast', 'link-in-text-block']) : builder.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']);
  const { violations } = await (selector ? builder.include(selector) : builder).analyze();
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.slice(0, 4).map((node) => node.target.join(' ')).join(' | ')}`);
}

export async function expectAxeClean(page: Page, what: string, options: { selector?: string; coloursOnly?: boolean } = {}): Promise<void> {
  expect(await seriousViolations(page, options), `axe: ${what}`).toEqual([]);
}

export async function expectNoSidewaysScroll(page: Page, what: string): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(width, `${what}: document width at ${PHONE.width} px`).toBeLessThanOrEqual(PHONE.width);
}

/** At phone width the navigation sits behind Menu: Enter opens it, Escape closes it and gives focus back. */
export async function expectMenuWorksFromKeyboard(page: Page, what: string): Promise<void> {
  const menu = page.getByRole('button', { name: 'Menu' });
  const navigation = page.getByRole('navigation', { name: 'Main' });
  await expect(navigation, `${what}: folded`).toBeHidden();
  await menu.focus();
  await page.keyboard.press('Enter');
  await expect(menu).toHaveAttribute('aria-expanded', 'true');
  await expect(navigation, `${what}: opened`).toBeVisible();
  await expectNoSidewaysScroll(page, `${what} with the menu open`);
  await page.keyboard.press('Escape');
  await expect(menu).toHaveAttribute('aria-expanded', 'false');
  await expect(menu).toBeFocused();
  await expect(navigation, `${what}: closed again`).toBeHidden();
}
