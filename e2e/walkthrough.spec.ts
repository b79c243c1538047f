/**
 * Every page as a person meets it, against the production build: on a desktop and a 390 px phone, in light and
 * dark. Each page is opened once per viewport and checked in both schemes in place — no sideways scrolling and
 * a keyboard-operable Menu on the phone, an axe-core scan (0 serious or critical) on the desktop — every WCAG
 * A/AA rule in light, the colour rules again in dark — and a screenshot of each combination in
 * e2e/artifacts/pages/ to look at.
 */
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { signIn } from './console-fixtures';
import { ADMIN_EMAIL, ADMIN_PASSWORD, artifactPath } from './fixtures';
import { DESKTOP, expectAxeClean, expectMenuWorksFromKeyboard, expectNoSidewaysScroll, PHONE, SCHEMES, switchScheme } from './ui-checks';

interface PageVisit {
  name: string;
  path: string;
  /** Signed out: the pages an anonymous visitor meets. */
  anonymous?: boolean;
  /** Something that is there once the page has drawn its content (charts, graph). */
  ready?: string;
}

type Viewport = { name: 'desktop' | 'phone'; size: typeof DESKTOP };

const VIEWPORTS: Viewport[] = [
  { name: 'desktop', size: DESKTOP },
  { name: 'phone', size: PHONE },
];

function shot(page: Page, name: string): Promise<Buffer> {
  return page.screenshot({ path: artifactPath(`pages/${name}.png`), fullPage: true });
}

/** The newest run, started now if the earlier specs left none. */
async function someRunId(page: Page): Promise<string> {
  const list = (await (await page.request.get('/api/live/runs')).json()) as { runs: { id: string }[] };
  const existing = list.runs[0]?.id;
  if (existing) return existing;
  const response = await page.request.post('/analytics/start', {
    data: { date_range: { start_date: '2026-01-01', end_date: '2026-01-01' } },
    headers: { origin: new URL(page.url()).origin },
  });
  return ((await response.json()) as { task_id: string }).task_id;
}

async function visit(page: Page, viewport: Viewport, target: PageVisit): Promise<void> {
  await page.goto(target.path);
  await expect(page.locator('main')).toBeVisible();
  if (target.ready) await expect(page.locator(target.ready).first()).toBeVisible();
  for (const scheme of SCHEMES) {
    await switchScheme(page, scheme);
    const label = `${target.name} (${viewport.name}, ${scheme})`;
    if (viewport.name === 'phone') await expectNoSidewaysScroll(page, label);
    else await expectAxeClean(page, label, { coloursOnly: scheme === 'dark' });
    await shot(page, `${target.name}-${viewport.name}-${scheme}`);
  }
  // Public pages carry their own header; everything else folds its navigation behind Menu on a phone.
  if (viewport.name === 'phone' && target.path !== '/status') await expectMenuWorksFromKeyboard(page, target.name);
}

async function signedInContext(browser: Browser, viewport: Viewport, storageState?: Awaited<ReturnType<BrowserContext['storageState']>>) {
  const context = await browser.newContext({ viewport: viewport.size, storageState });
  return { context, page: await context.newPage() };
}

test.describe.configure({ mode: 'serial' });

test('every page on desktop and phone, light and dark: no sideways scroll, keyboard Menu, axe clean', async ({ browser }) => {
  // About 26 page visits and 30 scans: generous for a shared 2-core machine.
  test.setTimeout(300_000);
  const desktop = await signedInContext(browser, VIEWPORTS[0]!);
  await signIn(desktop.page, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  const session = await desktop.context.storageState();
  const runId = await someRunId(desktop.page);

  const pages: PageVisit[] = [
    { name: 'dashboard', path: '/', ready: 'h1' },
    { name: 'runs', path: '/runs', ready: '[data-run-id]' },
    { name: 'run', path: `/runs/${runId}`, ready: '[data-testid^="step-node-"]' },
    { name: 'start-run', path: '/runs/new' },
    { name: 'backfill', path: '/runs/backfill' },
    { name: 'failures', path: '/failures' },
    { name: 'alerts', path: '/alerts' },
    { name: 'reliability', path: '/reliability', ready: '[data-testid="reliability-periods"]' },
    { name: 'schedules', path: '/schedules' },
    { name: 'messages', path: '/messages' },
    { name: 'chaos', path: '/chaos' },
    { name: 'admin-users', path: '/admin/users' },
    { name: 'admin-tokens', path: '/admin/tokens' },
    { name: 'admin-audit', path: '/admin/audit' },
    { name: 'status', path: '/status', anonymous: true },
    { name: 'login', path: '/login', anonymous: true },
  ];

  try {
    for (const viewport of VIEWPORTS) {
      const signedIn = viewport.name === 'desktop' ? desktop : await signedInContext(browser, viewport, session);
      const anonymous = await signedInContext(browser, viewport);
      try {
        for (const target of pages) await visit(target.anonymous ? anonymous.page : signedIn.page, viewport, target);

        // The run page's step drawer, open: full width on a phone, axe-clean in both schemes.
        const page = signedIn.page;
        await page.goto(`/runs/${runId}`);
        // From the keyboard: on a phone the first node may sit outside the graph's initial view until panned.
        await page.locator('[data-testid^="step-node-"] button').first().focus();
        await page.keyboard.press('Enter');
        const drawer = page.getByTestId('step-drawer');
        await expect(drawer).toBeVisible();
        for (const scheme of SCHEMES) {
          await switchScheme(page, scheme);
          if (viewport.name === 'desktop') await expectAxeClean(page, `step drawer (${scheme})`, { selector: '[data-testid="step-drawer"]', coloursOnly: scheme === 'dark' });
          else expect((await drawer.boundingBox())?.width, 'the drawer spans the phone').toBeGreaterThanOrEqual(PHONE.width - 1);
          await page.screenshot({ path: artifactPath(`pages/run-drawer-${viewport.name}-${scheme}.png`) });
        }
      } finally {
        if (signedIn !== desktop) await signedIn.context.close();
        await anonymous.context.close();
      }
    }
  } finally {
    await desktop.context.close();
  }
});
