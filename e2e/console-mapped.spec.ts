/**
 * Mapped steps in the console, on a run staged in the database the way the engine stores an expanded map
 * (`resize` over `list_images`, 500 children `resize[<i>]` appended to its depends_on): the graph shows one node with
 * counts and expands from the keyboard, the timeline one row, the children list searches by index, item and status,
 * a failed child opens in the drawer with its retry; everything fits a 390 px phone. The runs list shows versions
 * and refuses a version the registry does not serve with a message.
 *
 * The staged pipeline is served by no worker, so nothing claims its steps (lib/console/test-fixtures/stage-mapped-run.ts).
 */
import { expect, test, type Page } from '@playwright/test';
import { pageAs } from './console-fixtures';
import { stageMappedRun } from '@/lib/console/test-fixtures/stage-mapped-run';
import { openE2eDatabase } from './e2e-database';
import { expectNoSidewaysScroll, PHONE } from './ui-checks';

const CHILDREN = 500;
const FAILED = 10;

let taskId = '';
test.beforeAll(async () => {
  const db = openE2eDatabase();
  try {
    taskId = await stageMappedRun(db.pool, CHILDREN);
  } finally {
    await db.pool.end();
  }
});

/** The page's own alerts: Next's route announcer also has role="alert" once the app has hydrated. */
const filterProblems = (page: Page) => page.locator('[role="alert"]:not(#__next-route-announcer__)');

async function openRun(page: Page): Promise<void> {
  await page.goto(`/runs/${taskId}`);
  await expect(page.getByTestId('run-dag')).toBeVisible();
}

test('the graph shows a mapped step as one node with counts, expandable from the keyboard', async ({ browser }) => {
  const page = await pageAs(browser, 'operator');
  await openRun(page);
  const node = page.getByTestId('step-node-resize');
  await expect(node.getByTestId('map-counts')).toHaveText('470 done · 0 running · 10 failed · 20 waiting');
  await expect(page.locator('[data-testid^="step-node-"]')).toHaveCount(3);
  await expect(page.getByTestId('step-node-resize[0]')).toHaveCount(0);
  await expect(node.getByTestId('step-blocked')).toHaveText('Blocked by 10 failed children');
  await expect(page.getByTestId('step-node-publish').getByTestId('step-blocked')).toHaveText('Blocked by resize');
  // Only two edges: list_images → resize → publish, none into a child.
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);

  const toggle = node.getByRole('button', { name: 'Show children' });
  await toggle.focus();
  await page.keyboard.press('Enter');
  await expect(node.getByRole('button', { name: 'Hide children' })).toHaveAttribute('aria-expanded', 'true');
  await expect(node.getByTestId('map-cells').locator('button')).toHaveCount(CHILDREN);
  // The short list starts with the failed children.
  await expect(node.getByRole('button', { name: /^resize\[3\]: Failed/ })).toBeVisible();
  await node.getByRole('button', { name: 'All 500 children, with search' }).click();
  await expect(page.getByLabel('Index or text in the item')).toBeFocused();
  await page.context().close();
});

test('the children list searches by index, item text and status; a failed child opens with its retry', async ({ browser }) => {
  const page = await pageAs(browser, 'operator');
  await openRun(page);
  const list = page.getByTestId('map-children-list');
  await expect(list.getByTestId('map-child')).toHaveCount(50);
  await list.getByLabel('Index or text in the item').fill('42');
  await expect(list.getByTestId('map-child').first()).toContainText('[42]');
  await list.getByLabel('Index or text in the item').fill('photos/0103');
  await expect(list.getByTestId('map-child')).toHaveCount(1);
  await list.getByLabel('Index or text in the item').fill('');
  await list.getByLabel('Status').selectOption('failed');
  await expect(list.getByTestId('map-children-count')).toHaveText('10 of 500 children match.');
  await expect(list.getByTestId('map-child')).toHaveCount(FAILED);

  await list.getByRole('button', { name: /^resize\[53\]/ }).click();
  const drawer = page.getByTestId('step-drawer');
  await expect(drawer.getByRole('heading', { name: 'resize[53]' })).toBeVisible();
  await expect(drawer.getByTestId('step-map-child')).toContainText('Child [53] of mapped step resize');
  await expect(drawer.getByTestId('step-item')).toContainText('photos/0053.jpg');
  await expect(drawer.getByTestId('step-actions').getByRole('button', { name: 'Retry' })).toBeVisible();
  await drawer.getByRole('button', { name: 'Open resize' }).click();
  await expect(drawer.getByTestId('step-map')).toContainText('Mapped step over list_images: 500 children');
  await page.context().close();
});

test('the timeline shows the mapped step as one row that expands into child rows', async ({ browser }) => {
  const page = await pageAs(browser, 'viewer');
  await openRun(page);
  await page.getByRole('tab', { name: 'Timeline' }).click();
  const row = page.getByTestId('timeline-map');
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('timeline-map-span')).toHaveCount(1);
  await row.getByRole('button', { name: /^resize, mapped step/ }).click();
  await expect(row.getByRole('list', { name: 'Children of resize' }).getByRole('listitem').filter({ has: page.getByRole('list') })).toHaveCount(50);
  await row.getByRole('button', { name: 'Show 50 more' }).click();
  await expect(row.getByText('100 of 500 children shown')).toBeVisible();
  await page.context().close();
});

test('at 390 px the run page and its children list fit without sideways scrolling', async ({ browser }) => {
  const page = await pageAs(browser, 'viewer');
  await page.setViewportSize(PHONE);
  await openRun(page);
  await expectNoSidewaysScroll(page, 'mapped run, graph');
  await page.getByTestId('step-node-resize').getByRole('button', { name: 'Show children' }).click();
  await expectNoSidewaysScroll(page, 'mapped run, node expanded');
  await page.getByRole('tab', { name: 'Timeline' }).click();
  await expectNoSidewaysScroll(page, 'mapped run, timeline');
  await page.context().close();
});

test('the runs list shows versions and the run page the definition hash; an unserved version is explained', async ({ browser }) => {
  const page = await pageAs(browser, 'viewer');
  await openRun(page);
  await expect(page.getByTestId('run-version')).toHaveText('v3');
  await expect(page.getByTestId('run-definition-hash')).toHaveText('ab12cd34');
  await expect(page.getByTestId('run-definition-hash')).toHaveAttribute('title', /fingerprint of the graph/);

  const response = await page.goto('/runs?pipeline=data_pipeline.customer_analytics&version=999');
  expect(response?.status()).toBe(200);
  await expect(filterProblems(page)).toContainText('data_pipeline.customer_analytics has no version 999 registered (versions: 1.0.0)');
  await expect(page.getByLabel('Version')).toBeEnabled();
  await page.goto('/runs?version=1.0.0');
  await expect(filterProblems(page)).toContainText('version needs a pipeline');
  await expect(page.getByLabel('Version')).toBeDisabled();
  await page.getByLabel('Pipeline').selectOption('data_pipeline.customer_analytics');
  await page.getByLabel('Version').selectOption('1.0.0');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/pipeline=data_pipeline\.customer_analytics&version=1\.0\.0/);
  await expect(filterProblems(page)).toHaveCount(0);
  await page.context().close();
});
