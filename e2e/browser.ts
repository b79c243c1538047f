/**
 * Finds a Chromium for Playwright: PLAYWRIGHT_CHROMIUM_PATH, else Debian's /usr/bin/chromium, else Playwright's
 * own download. Browsers cannot be downloaded on every machine (CI has no access), so a system Chromium comes first.
 */
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

export const systemChromiumPath = '/usr/bin/chromium';

/** Flags that let Chromium run as root in a container and keep it off the (closed) network. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export type ChromiumLookup = { found: true; executablePath: string } | { found: false; problem: string };

export function findChromium(configuredPath: string | undefined): ChromiumLookup {
  if (configuredPath) {
    return existsSync(configuredPath)
      ? { found: true, executablePath: configuredPath }
      : { found: false, problem: `PLAYWRIGHT_CHROMIUM_PATH=${configuredPath} does not exist: point it at a Chromium executable, or unset it.` };
  }
  if (existsSync(systemChromiumPath)) return { found: true, executablePath: systemChromiumPath };
  const bundled = chromium.executablePath();
  if (bundled && existsSync(bundled)) return { found: true, executablePath: bundled };
  return {
    found: false,
    problem:
      'No Chromium for the e2e tests: install one with `apt-get install chromium` or `npx playwright install chromium`, or set PLAYWRIGHT_CHROMIUM_PATH.',
  };
}
