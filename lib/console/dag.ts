/**
 * The run page's step graph as pure data: left-to-right positions from dagre, which not-done steps a failure
 * blocks, and the per-node labels. Kept apart from React Flow so it can be tested without a browser. A mapped step is
 * one node: its children are counted on it (lib/console/mapped-steps), never drawn as nodes or edges of their own.
 */
import dagre from '@dagrejs/dagre';
import type { StepStatus } from '@/lib/engine';
import { groupMappedSteps, type GroupedSteps, type MappableStep } from './mapped-steps';

/** Fixed node size: the layout never depends on text, so nothing shifts when data arrives. */
export const NODE_WIDTH = 256;
export const NODE_HEIGHT = 160;

export interface GraphStep {
  name: string;
  dependsOn: readonly string[];
  status: StepStatus;
}

export interface LaidOutGraph {
  /** Top-left corner of each node, by step name. */
  positions: Record<string, { x: number; y: number }>;
  edges: { id: string; source: string; target: string }[];
  width: number;
  height: number;
}

/** Every node is NODE_HEIGHT tall unless `heightOf` says otherwise (an expanded mapped step). */
export function layoutSteps(steps: readonly Pick<GraphStep, 'name' | 'dependsOn'>[], heightOf: (name: string) => number = () => NODE_HEIGHT): LaidOutGraph {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 72, marginx: 8, marginy: 8 });
  graph.setDefaultEdgeLabel(() => ({}));
  const names = new Set(steps.map((step) => step.name));
  for (const step of steps) graph.setNode(step.name, { width: NODE_WIDTH, height: heightOf(step.name) });
  const edges: LaidOutGraph['edges'] = [];
  for (const step of steps) {
    for (const dependency of step.dependsOn) {
      if (!names.has(dependency)) continue;
      graph.setEdge(dependency, step.name);
      edges.push({ id: `${dependency}->${step.name}`, source: dependency, target: step.name });
    }
  }
  dagre.layout(graph);
  const positions: LaidOutGraph['positions'] = {};
  let width = 0;
  let height = 0;
  for (const step of steps) {
    const node = graph.node(step.name);
    // dagre reports centres; React Flow wants top-left corners.
    const x = node.x - NODE_WIDTH / 2;
    const y = node.y - node.height / 2;
    positions[step.name] = { x, y };
    width = Math.max(width, x + NODE_WIDTH);
    height = Math.max(height, y + node.height);
  }
  return { positions, edges, width, height };
}

const DONE: ReadonlySet<StepStatus> = new Set(['completed', 'resolved_manually']);

/**
 * For every step that is not done and depends (transitively) on a failed step: the failed steps in its way.
 * These are the steps that cannot run until an operator acts.
 */
export function blockedSteps(steps: readonly GraphStep[]): Map<string, string[]> {
  const byName = new Map(steps.map((step) => [step.name, step]));
  const failedAncestors = new Map<string, Set<string>>();
  const ancestorsOf = (name: string, seen: Set<string>): Set<string> => {
    const cached = failedAncestors.get(name);
    if (cached) return cached;
    const found = new Set<string>();
    for (const dependency of byName.get(name)?.dependsOn ?? []) {
      if (seen.has(dependency)) continue;
      const parent = byName.get(dependency);
      if (!parent) continue;
      if (parent.status === 'failed') found.add(dependency);
      for (const failed of ancestorsOf(dependency, new Set([...seen, dependency]))) found.add(failed);
    }
    failedAncestors.set(name, found);
    return found;
  };
  const blocked = new Map<string, string[]>();
  for (const step of steps) {
    if (DONE.has(step.status) || step.status === 'failed' || step.status === 'cancelled') continue;
    const failed = ancestorsOf(step.name, new Set([step.name]));
    if (failed.size > 0) blocked.set(step.name, steps.filter((candidate) => failed.has(candidate.name)).map((candidate) => candidate.name));
  }
  return blocked;
}

/** Edges on a blocked path: from a failed or blocked step into a blocked step. */
export function blockedEdgeIds(steps: readonly GraphStep[], blocked: ReadonlyMap<string, string[]>): Set<string> {
  const failedOrBlocked = new Set([...steps.filter((step) => step.status === 'failed').map((step) => step.name), ...blocked.keys()]);
  const ids = new Set<string>();
  for (const step of steps) {
    if (!blocked.has(step.name)) continue;
    for (const dependency of step.dependsOn) if (failedOrBlocked.has(dependency)) ids.add(`${dependency}->${step.name}`);
  }
  return ids;
}

/**
 * Attempts of the current retry budget over the attempts it allows: `2/6` for a step with retry_limit 5 on its
 * second attempt. An operator retry starts a fresh budget, so earlier attempts are reported separately.
 */
export function attemptsLabel(step: { budgetAttempts: number; attemptCount: number; retryLimit: number; retryable: boolean }): string {
  const allowed = step.retryable ? step.retryLimit + 1 : 1;
  const label = `${step.budgetAttempts}/${allowed}`;
  const earlier = step.attemptCount - step.budgetAttempts;
  return earlier > 0 ? `${label} (+${earlier} earlier)` : label;
}

/** An expanded mapped step shows one small status cell per child, up to this many, then how many more there are. */
export const MAP_GRID_LIMIT = 500;
/** Cells are 8 px with a 2 px gap: 23 fit the node's inner width. */
export const MAP_GRID_COLUMNS = 23;
export const MAP_CELL_PITCH = 10;
/** Children listed by name (failed and running first) in an expanded mapped step. */
export const MAP_LIST_LIMIT = 5;
const MAP_LIST_ROW = 26;
const MAP_FOOTER = 41;
const MAP_NOTE = 24;

/**
 * Height of a mapped step's node with its children shown: the card, the cell grid, a note when cells are left out,
 * the short list and the link to all children. Computed, not measured, so the layout is known before rendering.
 */
export function expandedMapHeight(childCount: number): number {
  if (childCount === 0) return NODE_HEIGHT + MAP_NOTE + 16;
  const rows = Math.ceil(Math.min(childCount, MAP_GRID_LIMIT) / MAP_GRID_COLUMNS);
  const note = childCount > MAP_GRID_LIMIT ? MAP_NOTE : 0;
  return NODE_HEIGHT + 16 + rows * MAP_CELL_PITCH + note + 8 + Math.min(childCount, MAP_LIST_LIMIT) * MAP_LIST_ROW + MAP_FOOTER;
}

/**
 * What blocks each drawn step, in words: a failed child counts as its mapped step for the steps after it, and a
 * mapped step held up by its own children says how many failed (`2 failed children`). Children themselves are left out.
 */
export function collapseBlocked(blocked: ReadonlyMap<string, string[]>, parentOf: ReadonlyMap<string, string>): Map<string, string[]> {
  const collapsed = new Map<string, string[]>();
  for (const [name, failed] of blocked) {
    if (parentOf.has(name)) continue;
    const own = failed.filter((failedName) => parentOf.get(failedName) === name).length;
    const others = [...new Set(failed.filter((failedName) => parentOf.get(failedName) !== name).map((failedName) => parentOf.get(failedName) ?? failedName))];
    collapsed.set(name, own === 0 ? others : [...others, own === 1 ? '1 failed child' : `${own} failed children`]);
  }
  return collapsed;
}

export interface RunGraph<T extends MappableStep> {
  grouped: GroupedSteps<T>;
  /** Drawn step → what blocks it, in words. */
  blocked: Map<string, string[]>;
  redEdges: Set<string>;
}

/**
 * The graph to draw: the steps without map children, what blocks each (worked out on every row, so a failed child
 * blocks its mapped step and what follows), and the edges on a blocked path.
 */
export function runGraph<T extends MappableStep>(steps: readonly T[]): RunGraph<T> {
  const grouped = groupMappedSteps(steps);
  const blocked = collapseBlocked(blockedSteps(steps), grouped.parentOf);
  return { grouped, blocked, redEdges: blockedEdgeIds(grouped.top, blocked) };
}
