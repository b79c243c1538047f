/**
 * The engine owns its tables: no module outside lib/engine reads or writes them with SQL or through their drizzle
 * table objects; everything goes through the engine's API (lib/engine/read-api.ts for reads). This walks every
 * .ts/.tsx file of the project and fails on a string or template literal that names an engine table after
 * FROM, JOIN, UPDATE or INTO (comments are not literals, so prose does not count), and on a value import of an
 * engine table from db/schema.
 *
 * Left out: tests and specs (they may set up and inspect state directly), test helpers, generated migrations,
 * the schema itself, and bench/ — benchmarks measure the engine's storage from outside (statement counts, commit
 * timestamps), so they change together with the engine.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const ENGINE_TABLES = [
  'tasks',
  'steps',
  'step_attempts',
  'task_events',
  'event_fanout',
  'event_fanout_gaps',
  'event_subscribers',
  'event_deliveries',
  'task_operations',
  'workers',
];
const ENGINE_TABLE_OBJECTS = new Set([
  'tasks',
  'steps',
  'stepAttempts',
  'taskEvents',
  'eventFanout',
  'eventFanoutGaps',
  'eventSubscribers',
  'eventDeliveries',
  'taskOperations',
  'workers',
]);
const SKIPPED_FOLDERS = new Set(['node_modules', '.next', '.data', '.git', 'drizzle', 'bench', 'test-fixtures', 'testing']);
const SKIPPED_PATHS = ['lib/engine/', 'db/schema/', 'tests/', 'e2e/'];

const SQL_ON_ENGINE_TABLE = new RegExp(
  String.raw`\b(from|join|update|into)\s+(only\s+)?("?public"?\.)?"?(${ENGINE_TABLES.join('|')})"?(?![\w.])`,
  'i',
);

function sourceFiles(folder: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_FOLDERS.has(entry.name)) found.push(...sourceFiles(path.join(folder, entry.name)));
      continue;
    }
    if (!/\.tsx?$/.test(entry.name) || /\.(test|spec)\.tsx?$/.test(entry.name) || entry.name.endsWith('.d.ts')) continue;
    const relative = path.relative(ROOT, path.join(folder, entry.name)).split(path.sep).join('/');
    if (!SKIPPED_PATHS.some((prefix) => relative.startsWith(prefix))) found.push(relative);
  }
  return found;
}

/** Text of every string and template literal (the template's static parts joined), with its line. */
function literals(file: string, text: string): { text: string; line: number }[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: { text: string; line: number }[] = [];
  const visit = (node: ts.Node) => {
    let value: string | undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) value = node.text;
    if (ts.isTemplateExpression(node)) value = [node.head.text, ...node.templateSpans.map((span) => span.literal.text)].join(' $ ');
    if (value !== undefined) found.push({ text: value, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Names of engine table objects imported as values from db/schema. */
function engineTableImports(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (!/(^|\/)db\/schema(\/engine)?$/.test(statement.moduleSpecifier.text)) continue;
    const clause = statement.importClause;
    if (!clause || clause.isTypeOnly) continue;
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) found.push(`* as ${bindings.name.text}`);
    if (bindings && ts.isNamedImports(bindings)) {
      for (const element of bindings.elements) {
        const imported = (element.propertyName ?? element.name).text;
        if (!element.isTypeOnly && ENGINE_TABLE_OBJECTS.has(imported)) found.push(imported);
      }
    }
  }
  return found;
}

describe('engine table ownership', () => {
  it('the scanner recognises SQL on engine tables and ignores prose', () => {
    const hits = (text: string) => literals('probe.ts', text).filter((literal) => SQL_ON_ENGINE_TABLE.test(literal.text)).length;
    expect(hits('const q = `SELECT id FROM tasks WHERE id = ${id}`;')).toBe(1);
    expect(hits("const q = 'update public.steps set x = 1';")).toBe(1);
    expect(hits('const q = `SELECT 1 FROM shop.orders o JOIN "step_attempts" a ON true`;')).toBe(1);
    expect(hits("// Edges into steps that a collapsed group hides\nconst label = 'steps';")).toBe(0);
    expect(hits("const q = 'SELECT * FROM analytics.tasks_view';")).toBe(0);
    expect(engineTableImports('probe.ts', "import { tasks, type TaskRow } from '@/db/schema';")).toEqual(['tasks']);
    expect(engineTableImports('probe.ts', "import type { TaskStatus } from '@/db/schema';")).toEqual([]);
  });

  it('no file outside lib/engine queries an engine table', () => {
    const files = sourceFiles(ROOT);
    expect(files.length).toBeGreaterThan(100);
    const offences: string[] = [];
    for (const file of files) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      for (const literal of literals(file, text)) {
        if (SQL_ON_ENGINE_TABLE.test(literal.text)) offences.push(`${file}:${literal.line}: ${literal.text.replace(/\s+/g, ' ').slice(0, 120)}`);
      }
      for (const name of engineTableImports(file, text)) offences.push(`${file}: imports ${name} from db/schema`);
    }
    expect(offences, 'use the engine API (lib/engine/read-api.ts) instead').toEqual([]);
  });
});
