/**
 * The run page's step graph as pure data: left-to-right positions from dagre, which not-done steps a failure
 * blocks, and the per-node labels. Kept apart from React Flow so it can be tested without a browser.
 */
import dagre from '@dagrejs/dagre';
import type { StepStatus } from '@/lib/engine';

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

export function layoutSteps(steps: readonly Pick<GraphStep, 'name' | 'dependsOn'>[]): LaidOutGraph {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 72, marginx: 8, marginy: 8 });
  graph.setDefaultEdgeLabel(() => ({}));
  const names = new Set(steps.map((step) => step.name));
  for (const step of steps) graph.setNode(step.name, { width: NODE_WIDTH, height: NODE_HEIGHT });
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
    const y = node.y - NODE_HEIGHT / 2;
    positions[step.name] = { x, y };
    width = Math.max(width, x + NODE_WIDTH);
    height = Math.max(height, y + NODE_HEIGHT);
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
