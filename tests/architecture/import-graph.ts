/**
 * The repository's import graph, read from the TypeScript source as text: every static import, `export … from`
 * and dynamic `import('…')` with a literal specifier, resolved to a repository-relative file. Package imports are
 * left out. Enough for the architecture tests; not a TypeScript resolver.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

const IMPORT_PATTERNS = [
  /^\s*import\s+(?:type\s+)?[^'"]*?\s+from\s+['"]([^'"]+)['"]/gm,
  /^\s*import\s+['"]([^'"]+)['"]/gm,
  /^\s*export\s+(?:type\s+)?[^'"]*?\s+from\s+['"]([^'"]+)['"]/gm,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\bvi\.mock\(\s*['"]([^'"]+)['"]/g,
];

/** The specifiers a source text imports, in order of appearance per pattern. */
export function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  for (const pattern of IMPORT_PATTERNS) {
    for (const match of source.matchAll(pattern)) if (match[1]) found.push(match[1]);
  }
  return found;
}

const EXTENSIONS = ['.ts', '.tsx', '/index.ts', '/index.tsx'];

/** Repository-relative path of the file `specifier` names from `fromFile`, or null for a package. */
export function resolveSpecifier(fromFile: string, specifier: string): string | null {
  let base: string;
  if (specifier.startsWith('@/')) base = specifier.slice(2);
  else if (specifier.startsWith('.')) base = path.posix.join(path.posix.dirname(fromFile), specifier);
  else return null;
  if (/\.(ts|tsx|mjs|js|json|css)$/.test(base) && existsSync(path.join(ROOT, base))) return base;
  for (const extension of EXTENSIONS) {
    if (existsSync(path.join(ROOT, base + extension))) return base + extension;
  }
  return base;
}

export function listSources(folder: string, into: string[]): void {
  const absolute = path.join(ROOT, folder);
  if (!existsSync(absolute)) return;
  for (const entry of readdirSync(absolute)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    const relative = path.posix.join(folder, entry);
    if (statSync(path.join(ROOT, relative)).isDirectory()) listSources(relative, into);
    else if (/\.tsx?$/.test(entry) && !entry.endsWith('.d.ts')) into.push(relative);
  }
}

export interface ImportEdge {
  from: string;
  to: string;
}

/** Every import between files under `folders` (and top-level .ts files when `rootFiles`), as resolved edges. */
export function importEdges(folders: readonly string[], rootFiles = true): ImportEdge[] {
  const files: string[] = [];
  for (const folder of folders) listSources(folder, files);
  if (rootFiles) for (const entry of readdirSync(ROOT)) if (/\.tsx?$/.test(entry) && !entry.endsWith('.d.ts')) files.push(entry);
  const edges: ImportEdge[] = [];
  for (const file of files) {
    const source = readFileSync(path.join(ROOT, file), 'utf8');
    for (const specifier of importSpecifiers(source)) {
      const target = resolveSpecifier(file, specifier);
      if (target !== null) edges.push({ from: file, to: target });
    }
  }
  return edges;
}

export const isTestFile = (file: string) => /\.test\.tsx?$/.test(file) || /(^|\/)(test-fixtures|testing)\//.test(file) || file.includes('.test-data.');
