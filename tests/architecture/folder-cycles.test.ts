/**
 * No import cycles between top-level folders (app, lib, db, scripts, components) or between lib/* folders: a
 * folder's dependencies point one way, so a lower folder can be read, tested and changed without the ones above.
 * Tests and their fixtures are left out — a test may import from anywhere.
 */
import { describe, expect, it } from 'vitest';
import { importEdges, isTestFile, type ImportEdge } from './import-graph';

const FOLDERS = ['app', 'lib', 'db', 'scripts', 'components'];

/**
 * Cycles known and owned by work under way elsewhere, as "a -> b -> a" strings. Each must name why it remains;
 * the test fails when one disappears, so the list only shrinks.
 */
const KNOWN_CYCLES: Record<string, string> = {};

/** The folder a file belongs to at the top level: `lib/x/y.ts` → `lib`. */
function topFolder(file: string): string {
  const first = file.split('/')[0] ?? file;
  return file.includes('/') ? first : '(root)';
}

/** The lib/* folder of a file: `lib/x/y.ts` → `lib/x`; a file directly in lib/ (env.ts, database.ts) is its own node. */
function libFolder(file: string): string | null {
  const parts = file.split('/');
  if (parts[0] !== 'lib') return null;
  return parts.length > 2 ? `lib/${parts[1]}` : file;
}

/** Strongly connected components with more than one folder, each as one sorted cycle description. */
export function folderCycles(edges: ImportEdge[], folderOf: (file: string) => string | null): string[] {
  const graph = new Map<string, Set<string>>();
  for (const edge of edges) {
    const from = folderOf(edge.from);
    const to = folderOf(edge.to);
    if (from === null || to === null || from === to) continue;
    if (!graph.has(from)) graph.set(from, new Set());
    if (!graph.has(to)) graph.set(to, new Set());
    graph.get(from)?.add(to);
  }
  // Tarjan's algorithm: every folder in a component reaches every other, so each component is a cycle.
  let index = 0;
  const indices = new Map<string, number>();
  const lowlinks = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string) => {
    indices.set(node, index);
    lowlinks.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        lowlinks.set(node, Math.min(lowlinks.get(node) ?? 0, lowlinks.get(next) ?? 0));
      } else if (onStack.has(next)) {
        lowlinks.set(node, Math.min(lowlinks.get(node) ?? 0, indices.get(next) ?? 0));
      }
    }
    if (lowlinks.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indices.has(node)) visit(node);
  return components.map((component) => component.join(' <-> ')).sort();
}

/** The imports behind a cycle, for the failure message: those answered by an import back, else all of them. */
function witnesses(edges: ImportEdge[], folderOf: (file: string) => string | null, cycle: string): string[] {
  const members = new Set(cycle.split(' <-> '));
  const all = edges
    .filter((edge) => {
      const from = folderOf(edge.from);
      const to = folderOf(edge.to);
      return from !== null && to !== null && from !== to && members.has(from) && members.has(to);
    })
    .map((edge) => `${edge.from} -> ${edge.to}`);
  const pairs = new Set(all.map((line) => line.split(' -> ').map((file) => folderOf(file)).join(' -> ')));
  const answered = all.filter((line) => {
    const [from, to] = line.split(' -> ').map((file) => folderOf(file));
    return pairs.has(`${to} -> ${from}`);
  });
  return (answered.length > 0 ? answered : all).slice(0, 40);
}

const productEdges = () => importEdges(FOLDERS).filter((edge) => !isTestFile(edge.from));

describe('folder import cycles', () => {
  it('none between top-level folders', () => {
    const edges = productEdges();
    const cycles = folderCycles(edges, topFolder).filter((cycle) => !(cycle in KNOWN_CYCLES));
    expect(cycles.map((cycle) => ({ cycle, imports: witnesses(edges, topFolder, cycle) }))).toEqual([]);
  });

  it('none between lib/* folders', () => {
    const edges = productEdges();
    const cycles = folderCycles(edges, libFolder).filter((cycle) => !(cycle in KNOWN_CYCLES));
    expect(cycles.map((cycle) => ({ cycle, imports: witnesses(edges, libFolder, cycle) }))).toEqual([]);
  });

  it('the known exceptions are all still cycles (remove an entry once its cycle is gone)', () => {
    const edges = productEdges();
    const present = new Set([...folderCycles(edges, topFolder), ...folderCycles(edges, libFolder)]);
    expect(Object.keys(KNOWN_CYCLES).filter((cycle) => !present.has(cycle))).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const edges: ImportEdge[] = [
      { from: 'lib/a/x.ts', to: 'lib/b/y.ts' },
      { from: 'lib/b/y.ts', to: 'lib/c/z.ts' },
      { from: 'lib/c/z.ts', to: 'lib/a/w.ts' },
      { from: 'lib/d/v.ts', to: 'lib/a/x.ts' },
    ];
    expect(folderCycles(edges, libFolder)).toEqual(['lib/a <-> lib/b <-> lib/c']);
  });
});
