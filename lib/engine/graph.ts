/** Pure functions over a pipeline's step graph: cycle detection, ancestor and downstream sets. */

export interface GraphNode {
  name: string;
  dependsOn: readonly string[];
}

/** A cycle as a path of step names that returns to its start (`a → b → a`), or null. */
export function findCycle(nodes: readonly GraphNode[]): string[] | null {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];

  const visit = (name: string): string[] | null => {
    const seen = state.get(name);
    if (seen === 'done') return null;
    if (seen === 'visiting') return [...path.slice(path.indexOf(name)), name];
    state.set(name, 'visiting');
    path.push(name);
    for (const dependency of byName.get(name)?.dependsOn ?? []) {
      const cycle = visit(dependency);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(name, 'done');
    return null;
  };

  for (const node of nodes) {
    const cycle = visit(node.name);
    // Walking dependencies finds the cycle backwards; reverse it so it reads in execution order.
    if (cycle) return cycle.reverse();
  }
  return null;
}

/** Every step that depends, directly or transitively, on one of `roots` (roots excluded). */
export function downstreamOf(nodes: readonly GraphNode[], roots: readonly string[]): Set<string> {
  const dependents = new Map<string, string[]>();
  for (const node of nodes) {
    for (const dependency of node.dependsOn) {
      dependents.set(dependency, [...(dependents.get(dependency) ?? []), node.name]);
    }
  }
  const found = new Set<string>();
  const queue = [...roots];
  for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
    for (const dependent of dependents.get(name) ?? []) {
      if (!found.has(dependent) && !roots.includes(dependent)) {
        found.add(dependent);
        queue.push(dependent);
      }
    }
  }
  return found;
}

/** Orders names as they appear in `nodes` (declaration order), so previews and events read predictably. */
export function inDeclarationOrder(nodes: readonly GraphNode[], names: Iterable<string>): string[] {
  const wanted = new Set(names);
  return nodes.filter((node) => wanted.has(node.name)).map((node) => node.name);
}

/** Every step `name` depends on, directly or transitively, in declaration order: what it may read. */
export function ancestorsOf(nodes: readonly GraphNode[], name: string): string[] {
  const byName = new Map(nodes.map((node) => [node.name, node]));
  const found = new Set<string>();
  const queue = [...(byName.get(name)?.dependsOn ?? [])];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (found.has(next)) continue;
    found.add(next);
    queue.push(...(byName.get(next)?.dependsOn ?? []));
  }
  return inDeclarationOrder(nodes, found);
}
