/**
 * The app's route patterns (`/runs/[id]`, `/api/live/runs/[id]/events` …), read from the app/ folder the way Next
 * maps it: a `page.tsx` or `route.ts` makes its folder a route, `(group)` folders add no segment, `[param]` matches
 * one segment and `[...rest]` / `[[...rest]]` the rest. Request metrics label by pattern, not raw path, so a run id
 * never becomes a label value.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const ROUTE_FILES = /^(page|route)\.(tsx|ts|jsx|js)$/;

interface RoutePattern {
  pattern: string;
  regex: RegExp;
  /** Lower first: static segments beat dynamic ones, which beat catch-alls (Next's own precedence). */
  rank: number[];
}

function segmentPart(segment: string): { source: string; rank: number } {
  if (/^\[\[\.\.\..+\]\]$/.test(segment)) return { source: '(?:/.*)?', rank: 3 };
  if (/^\[\.\.\..+\]$/.test(segment)) return { source: '/.+', rank: 2 };
  if (/^\[.+\]$/.test(segment)) return { source: '/[^/]+', rank: 1 };
  return { source: `/${segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, rank: 0 };
}

function toPattern(segments: string[]): RoutePattern {
  const parts = segments.map(segmentPart);
  return {
    pattern: `/${segments.join('/')}`,
    regex: new RegExp(`^${parts.map((part) => part.source).join('')}/?$`),
    rank: parts.map((part) => part.rank),
  };
}

function byPrecedence(a: RoutePattern, b: RoutePattern): number {
  for (let index = 0; index < Math.max(a.rank.length, b.rank.length); index += 1) {
    const difference = (a.rank[index] ?? -1) - (b.rank[index] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Every page and route handler pattern under `appDir`, most specific first. */
export function readRoutePatterns(appDir: string): RoutePattern[] {
  const found: RoutePattern[] = [];
  const walk = (folder: string, segments: string[]) => {
    for (const entry of readdirSync(folder)) {
      const full = path.join(folder, entry);
      if (statSync(full).isDirectory()) {
        // Private (_x) folders are not routes; groups add no segment; parallel slots (@x) render inside their parent.
        if (entry.startsWith('_') || entry.startsWith('@')) continue;
        walk(full, /^\(.+\)$/.test(entry) ? segments : [...segments, entry]);
      } else if (ROUTE_FILES.test(entry)) {
        found.push(toPattern(segments));
      }
    }
  };
  if (existsSync(appDir)) walk(appDir, []);
  return found.sort(byPrecedence);
}

/** The label of a request path: its route pattern, `/_next` for Next's own assets, `other` for anything else. */
export function routeResolver(patterns: readonly RoutePattern[]): (pathname: string) => string {
  return (pathname) => {
    if (pathname.startsWith('/_next/')) return '/_next';
    return patterns.find((candidate) => candidate.regex.test(pathname))?.pattern ?? 'other';
  };
}
