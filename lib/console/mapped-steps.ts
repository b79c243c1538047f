/**
 * Mapped steps as the console shows them: a mapped step is one entry with counts of its children, never its children
 * as steps of their own. The engine stores each child as a step row (`<parent>[<i>]`) and appends the children to the
 * parent's depends_on; the graph, the timeline and the children list all group them here, the same way.
 */
import type { StepStatus } from '@/lib/engine';
import type { MapChildView, MapView } from './views';

/** What the console counts children by: what an operator asks of a fan-out (how much is done, what is stuck). */
export const CHILD_BUCKETS = ['done', 'running', 'failed', 'waiting', 'cancelled'] as const;
export type ChildBucket = (typeof CHILD_BUCKETS)[number];

/** Lower-case words, as they read after a number: "480 done · 3 running". */
export const CHILD_BUCKET_LABELS: Record<ChildBucket, { label: string; description: string }> = {
  done: { label: 'done', description: 'Completed, or resolved manually' },
  running: { label: 'running', description: 'A worker is executing it now' },
  failed: { label: 'failed', description: 'Out of retries, or failed with an error that cannot be retried' },
  waiting: { label: 'waiting', description: 'Pending, retrying after a back-off, or blocked' },
  cancelled: { label: 'cancelled', description: 'Stopped by an operator' },
};

const BUCKET_OF: Record<StepStatus, ChildBucket> = {
  completed: 'done',
  resolved_manually: 'done',
  running: 'running',
  failed: 'failed',
  pending: 'waiting',
  retrying: 'waiting',
  blocked: 'waiting',
  cancelled: 'cancelled',
};

export const bucketOf = (status: StepStatus): ChildBucket => BUCKET_OF[status];

export type ChildCounts = Record<ChildBucket, number> & { total: number };

export function countChildren(children: readonly { status: StepStatus }[]): ChildCounts {
  const counts: ChildCounts = { done: 0, running: 0, failed: 0, waiting: 0, cancelled: 0, total: children.length };
  for (const child of children) counts[bucketOf(child.status)] += 1;
  return counts;
}

/** `480 done · 3 running · 1 failed · 16 waiting`: the four main buckets always, cancelled only when there are any. */
export function describeCounts(counts: ChildCounts): string {
  return CHILD_BUCKETS.filter((bucket) => bucket !== 'cancelled' || counts.cancelled > 0)
    .map((bucket) => `${counts[bucket]} ${CHILD_BUCKET_LABELS[bucket].label}`)
    .join(' · ');
}

export interface MappableStep {
  name: string;
  dependsOn: readonly string[];
  status: StepStatus;
  map: MapView | null;
  mapChild: MapChildView | null;
}

export interface MapGroup<T> {
  parent: T;
  /** In item order. */
  children: T[];
  counts: ChildCounts;
}

export interface GroupedSteps<T> {
  /** Every step that is not a map child, in the given order, its own children left out of its dependsOn. */
  top: T[];
  /** By mapped step name; a mapped step not expanded yet has a group with no children. */
  maps: Map<string, MapGroup<T>>;
  /** Map child name → its mapped step. */
  parentOf: Map<string, string>;
}

/**
 * Splits a run's steps into the steps to draw and each mapped step's children. A child whose mapped step is missing
 * from the list stays a step of its own, so nothing the engine stored is ever hidden.
 */
export function groupMappedSteps<T extends MappableStep>(steps: readonly T[]): GroupedSteps<T> {
  const names = new Set(steps.map((step) => step.name));
  const parentOf = new Map<string, string>();
  const childrenOf = new Map<string, T[]>();
  for (const step of steps) {
    if (!step.mapChild || !names.has(step.mapChild.parent)) continue;
    parentOf.set(step.name, step.mapChild.parent);
    const siblings = childrenOf.get(step.mapChild.parent);
    if (siblings) siblings.push(step);
    else childrenOf.set(step.mapChild.parent, [step]);
  }
  const top: T[] = [];
  const maps = new Map<string, MapGroup<T>>();
  for (const step of steps) {
    if (parentOf.has(step.name)) continue;
    const own = childrenOf.get(step.name);
    const shown = own ? { ...step, dependsOn: step.dependsOn.filter((dependency) => parentOf.get(dependency) !== step.name) } : step;
    top.push(shown);
    if (step.map || own) {
      const children = [...(own ?? [])].sort((a, b) => (a.mapChild?.index ?? 0) - (b.mapChild?.index ?? 0));
      maps.set(step.name, { parent: shown, children, counts: countChildren(children) });
    }
  }
  return { top, maps, parentOf };
}

/** A child's item as searchable, showable text: a string as it is, anything else as JSON. */
export function itemText(item: unknown): string {
  if (typeof item === 'string') return item;
  if (item === undefined) return '';
  return JSON.stringify(item) ?? '';
}

export interface ChildSearch {
  /** An index (`42`, `#42`, `[42]`) or text found in the item; blank matches every child. */
  text: string;
  bucket: ChildBucket | 'any';
}

/** The children matching a search, in item order, except that the child with the searched index comes first. */
export function searchChildren<T extends Pick<MappableStep, 'status' | 'mapChild'>>(children: readonly T[], search: ChildSearch): T[] {
  const text = search.text.trim().toLowerCase();
  const index = /^(?:#|\[)?(\d+)\]?$/.exec(text);
  const wanted = index ? Number(index[1]) : null;
  const found = children.filter((child) => {
    if (search.bucket !== 'any' && bucketOf(child.status) !== search.bucket) return false;
    if (!text) return true;
    if (wanted !== null && child.mapChild?.index === wanted) return true;
    return itemText(child.mapChild?.item).toLowerCase().includes(text);
  });
  const exact = found.findIndex((child) => wanted !== null && child.mapChild?.index === wanted);
  return exact <= 0 ? found : [found[exact]!, ...found.slice(0, exact), ...found.slice(exact + 1)];
}

const ATTENTION: Record<StepStatus, number> = {
  failed: 0,
  retrying: 1,
  running: 2,
  blocked: 3,
  cancelled: 4,
  pending: 5,
  resolved_manually: 6,
  completed: 7,
};

/** The first `limit` children an operator should look at: failed, retrying, then running ones, then by index. */
export function childrenNeedingAttention<T extends Pick<MappableStep, 'status' | 'mapChild'>>(children: readonly T[], limit: number): T[] {
  return [...children]
    .sort((a, b) => ATTENTION[a.status] - ATTENTION[b.status] || (a.mapChild?.index ?? 0) - (b.mapChild?.index ?? 0))
    .slice(0, limit);
}
