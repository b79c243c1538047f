/**
 * The run page's Gantt: every attempt as a bar on one time axis, and what each step waited for in between — the
 * retry back-off, an operator (a step that failed for good runs again only when someone retries it), or the
 * steps it depends on — including the wait before a scheduled retry that has not started yet. A mapped step is one
 * row whose bar spans its children's attempts, expandable into one row per child.
 */
import type { StepStatus } from '@/lib/engine';
import { groupMappedSteps, type ChildCounts, type MappableStep } from './mapped-steps';

interface TimelineAttempt {
  number: number;
  startedAt: string;
  finishedAt: string | null;
  outcome: string | null;
}

export interface TimelineStep {
  name: string;
  status: StepStatus;
  runAfter: string | null;
  dependsOn?: readonly string[];
  attempts: readonly TimelineAttempt[];
}

/** An operator's action on the run (retry, rerun, resolve, cancel) and the steps it set going again. */
export interface TimelineOperation {
  stepName: string | null;
  affectedSteps: readonly string[];
  createdAt: string;
}

export interface TimelineBar {
  attempt: number;
  start: number;
  end: number;
  /** null while running. */
  outcome: string | null;
}

export type WaitKind = 'backoff' | 'scheduled' | 'operator' | 'dependency';

export interface TimelineGap {
  /**
   * `backoff`: between two attempts of one retry budget; `scheduled`: waiting for a retry that has not started
   * yet; `operator`: failed for good (itself or a step it depends on) until an operator acted; `dependency`:
   * waiting for the steps it depends on to finish.
   */
  kind: WaitKind;
  start: number;
  end: number;
}

export interface TimelineRow {
  step: string;
  bars: TimelineBar[];
  gaps: TimelineGap[];
}

export interface Timeline {
  rows: TimelineRow[];
  /** Axis bounds in epoch ms; equal when nothing has started. */
  start: number;
  end: number;
}

// Folds rather than Math.min(...values): with a mapped step's children a run may have tens of thousands of times,
// past the argument count some engines accept.
const minOf = (values: readonly number[]) => values.reduce((least, value) => Math.min(least, value), Infinity);
const maxOf = (values: readonly number[]) => values.reduce((most, value) => Math.max(most, value), -Infinity);

/** Every step that `name` depends on, directly or not. */
function ancestorsOf(name: string, byName: ReadonlyMap<string, TimelineStep>): Set<string> {
  const found = new Set<string>();
  const pending = [...(byName.get(name)?.dependsOn ?? [])];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (found.has(next)) continue;
    found.add(next);
    pending.push(...(byName.get(next)?.dependsOn ?? []));
  }
  return found;
}

export function buildTimeline(steps: readonly TimelineStep[], now: number, operations: readonly TimelineOperation[] = []): Timeline {
  const barsOf = (step: TimelineStep): TimelineBar[] =>
    step.attempts
      .map((attempt) => ({
        attempt: attempt.number,
        start: Date.parse(attempt.startedAt),
        end: attempt.finishedAt ? Date.parse(attempt.finishedAt) : now,
        outcome: attempt.outcome,
      }))
      .sort((a, b) => a.start - b.start);
  const barsByStep = new Map(steps.map((step) => [step.name, barsOf(step)]));
  const allStarts = [...barsByStep.values()].flatMap((bars) => bars.map((bar) => bar.start));
  const runStart = allStarts.length > 0 ? minOf(allStarts) : now;

  // Built once: a mapped step's children are rows too, so a run may have thousands.
  const byName = new Map(steps.map((step) => [step.name, step]));
  const rows: TimelineRow[] = steps.map((step) => {
    const bars = barsByStep.get(step.name) ?? [];
    const ancestors = ancestorsOf(step.name, byName);
    const operationTimes = operations
      .filter((operation) => operation.stepName === step.name || operation.affectedSteps.includes(step.name))
      .map((operation) => Date.parse(operation.createdAt))
      .sort((a, b) => a - b);
    /** When the last attempt of this step or of a step it depends on gave up, before `time`. */
    const lastFailureBefore = (from: number, time: number): number => {
      let latest = from;
      for (const name of [step.name, ...ancestors]) {
        for (const bar of barsByStep.get(name) ?? []) {
          if (bar.outcome !== null && bar.outcome !== 'completed' && bar.end <= time && bar.end > latest) latest = bar.end;
        }
      }
      return latest;
    };
    const gaps: TimelineGap[] = [];
    const add = (kind: WaitKind, start: number, end: number) => {
      if (end > start) gaps.push({ kind, start, end });
    };
    /** One wait, split where an operator set the step going again: before it, the wait was for the operator. */
    const classify = (start: number, end: number, otherwise: WaitKind) => {
      const operation = operationTimes.find((time) => time > start && time <= end);
      if (operation === undefined) {
        add(otherwise, start, end);
        return;
      }
      const failedAt = lastFailureBefore(start, operation);
      add('dependency', start, failedAt);
      add('operator', failedAt, operation);
      // After the operator, a step with dependencies waits for them to run again; without any it starts at once.
      if (ancestors.size > 0) add('dependency', operation, end);
    };

    const first = bars[0];
    if (first && ancestors.size > 0) classify(runStart, first.start, 'dependency');
    for (let index = 1; index < bars.length; index += 1) {
      const previous = bars[index - 1];
      const current = bars[index];
      if (previous && current && current.start > previous.end) classify(previous.end, current.start, 'backoff');
    }
    const last = bars[bars.length - 1];
    if (step.status === 'retrying' && last && last.outcome !== null) {
      const scheduled = step.runAfter ? Date.parse(step.runAfter) : now;
      add('scheduled', last.end, Math.max(scheduled, last.end));
    }
    return { step: step.name, bars, gaps };
  });
  const times = rows.flatMap((row) => [...row.bars.flatMap((bar) => [bar.start, bar.end]), ...row.gaps.map((gap) => gap.end)]);
  if (times.length === 0) return { rows, start: now, end: now };
  return { rows, start: minOf(times), end: maxOf(times) };
}

/** Left offset and width in percent of the axis, at least a sliver wide so a 5 ms attempt stays visible. */
export function placeOnAxis(timeline: Pick<Timeline, 'start' | 'end'>, start: number, end: number): { left: number; width: number } {
  const span = Math.max(timeline.end - timeline.start, 1);
  const left = ((start - timeline.start) / span) * 100;
  const width = Math.max(((end - start) / span) * 100, 0.4);
  return { left: Math.min(Math.max(left, 0), 100), width: Math.min(width, 100 - Math.min(Math.max(left, 0), 99.6)) };
}

export type TimelineEntry =
  | { kind: 'step'; row: TimelineRow }
  | {
      kind: 'map';
      /** The mapped step's own row: its own attempts, if the engine records any, and its gaps. */
      row: TimelineRow;
      /** From the first child attempt's start to the last one's end (now while one runs); null before any started. */
      span: { start: number; end: number } | null;
      /** The wait for the mapped step's own dependencies, before its first child started. */
      lead: TimelineGap | null;
      counts: ChildCounts;
      /** One row per child, in item order. */
      children: TimelineRow[];
    };

/** The timeline's rows with each mapped step's children folded into it. */
export function groupTimeline(timeline: Timeline, steps: readonly MappableStep[]): TimelineEntry[] {
  const grouped = groupMappedSteps(steps);
  const rowOf = new Map(timeline.rows.map((row) => [row.step, row]));
  const empty = (step: string): TimelineRow => ({ step, bars: [], gaps: [] });
  return grouped.top.map((step): TimelineEntry => {
    const row = rowOf.get(step.name) ?? empty(step.name);
    const group = grouped.maps.get(step.name);
    if (!group) return { kind: 'step', row };
    const children = group.children.map((child) => rowOf.get(child.name) ?? empty(child.name));
    const bars = [...row.bars, ...children.flatMap((child) => child.bars)];
    const span = bars.length === 0 ? null : { start: minOf(bars.map((bar) => bar.start)), end: maxOf(bars.map((bar) => bar.end)) };
    const lead = span && step.dependsOn.length > 0 && span.start > timeline.start ? { kind: 'dependency' as const, start: timeline.start, end: span.start } : null;
    return { kind: 'map', row, span, lead, counts: group.counts, children };
  });
}
