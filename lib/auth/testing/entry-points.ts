/**
 * Test helper: every page, route handler and server action in the source tree, found from the files, so tests
 * over "every entry point" cannot miss one that is added later.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = process.cwd();

function walk(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name.startsWith('.') ? [] : walk(full);
    return [full];
  });
}

export const relative = (file: string) => path.relative(ROOT, file).split(path.sep).join('/');

/** app/(group)/runs/[id]/page.tsx → /runs/[id] */
export function routePathOf(file: string): string {
  const segments = relative(path.dirname(file))
    .split('/')
    .slice(1)
    .filter((segment) => !(segment.startsWith('(') && segment.endsWith(')')) && !segment.startsWith('@'));
  return `/${segments.join('/')}`;
}

/** A concrete URL path and the params object Next would pass for a route template. */
export function concretize(template: string, sample?: (name: string) => string): { urlPath: string; params: Record<string, string | string[]> } {
  const params: Record<string, string | string[]> = {};
  const parts = template.split('/').map((segment) => {
    const optionalCatchAll = /^\[\[\.\.\.(.+)\]\]$/.exec(segment);
    if (optionalCatchAll?.[1]) {
      params[optionalCatchAll[1]] = [];
      return '';
    }
    const catchAll = /^\[\.\.\.(.+)\]$/.exec(segment);
    if (catchAll?.[1]) {
      params[catchAll[1]] = ['sample'];
      return 'sample';
    }
    const dynamic = /^\[(.+)\]$/.exec(segment);
    if (dynamic?.[1]) {
      const value = sample ? sample(dynamic[1]) : /id$/i.test(dynamic[1]) ? '00000000-0000-4000-8000-000000000000' : 'sample';
      params[dynamic[1]] = value;
      try {
        return encodeURIComponent(value);
      } catch {
        // A lone surrogate cannot be percent-encoded; the handler still gets it in params.
        return 'unencodable';
      }
    }
    return segment;
  });
  return { urlPath: parts.join('/').replace(/\/+$/, '') || '/', params };
}

// The directive must be the file's first statement; comments may come before it.
const USE_SERVER_AT_TOP = /^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*['"]use server['"]/;
const USE_SERVER_ANYWHERE = /^\s*['"]use server['"];?\s*$/m;

const sourceFiles = ['app', 'lib', 'components']
  .flatMap((folder) => walk(path.join(ROOT, folder)))
  .filter((file) => /\.(ts|tsx)$/.test(file) && !/\.test\.tsx?$/.test(file));
export const routeFiles = sourceFiles.filter((file) => /^app\/.*\/?route\.tsx?$/.test(relative(file)));
export const pageFiles = sourceFiles.filter((file) => /^app\/(.*\/)?page\.tsx?$/.test(relative(file)));
export const actionFiles = sourceFiles.filter((file) => USE_SERVER_AT_TOP.test(readFileSync(file, 'utf8')));
export const inlineActionFiles = sourceFiles.filter((file) => {
  const text = readFileSync(file, 'utf8');
  return !USE_SERVER_AT_TOP.test(text) && USE_SERVER_ANYWHERE.test(text);
});
