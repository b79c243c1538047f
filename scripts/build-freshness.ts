/**
 * When `npm start` rebuilds: a production build (.next/BUILD_ID) older than any source it was built from is stale.
 * The benchmarks apply the same rule, so they never measure a build that `npm start` would have replaced.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** What a production build is made from: the source folders and the files that change how it is built. */
const BUILD_INPUTS = ['app', 'lib', 'db', 'components', 'instrumentation.ts', 'proxy.ts', 'package-lock.json', 'next.config.mjs'];

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const stat = statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

export function buildIsStale(root: string = process.cwd()): boolean {
  const buildId = path.join(root, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return true;
  return Math.max(...BUILD_INPUTS.map((name) => newestMtime(path.join(root, name)))) > statSync(buildId).mtimeMs;
}
