/**
 * The run page's Gantt: every attempt as a bar on one time axis, and the gaps between a step's attempts (the
 * retry back-off) — including the wait before a scheduled retry that has not started yet.
 */
import type { StepStatus } from '@/lib/engine';

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
  attempts: readonly TimelineAttempt[];
}

export interface TimelineBar {
  attempt: number;
  start: number;
  end: number;
  /** null while running. */
  outcome: string | null;
}

export interface TimelineGap {
  /** `backoff`: between two attempts; `scheduled`: waiting for a retry that has not started yet. */
  kind: 'backoff' | 'scheduled';
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

export function buildTimeline(steps: readonly TimelineStep[], now: number): Timeline {
  const rows: TimelineRow[] = steps.map((step) => {
    const bars = step.attempts.map((attempt) => ({
      attempt: attempt.number,
      start: Date.parse(attempt.startedAt),
      end: attempt.finishedAt ? Date.parse(attempt.finishedAt) : now,
      outcome: attempt.outcome,
    }));
    const gaps: TimelineGap[] = [];
    for (let index = 1; index < bars.length; index += 1) {
      const previous = bars[index - 1];
      const current = bars[index];
      if (previous && current && current.start > previous.end) gaps.push({ kind: 'backoff', start: previous.end, end: current.start });
    }
    const last = bars[bars.length - 1];
    if (step.status === 'retrying' && last && last.outcome !== null) {
      const scheduled = step.runAfter ? Date.parse(step.runAfter) : now;
      gaps.push({ kind: 'scheduled', start: last.end, end: Math.max(scheduled, last.end) });
    }
    return { step: step.name, bars, gaps };
  });
  const times = rows.flatMap((row) => [...row.bars.flatMap((bar) => [bar.start, bar.end]), ...row.gaps.map((gap) => gap.end)]);
  if (times.length === 0) return { rows, start: now, end: now };
  return { rows, start: Math.min(...times), end: Math.max(...times) };
}

/** Left offset and width in percent of the axis, at least a sliver wide so a 5 ms attempt stays visible. */
export function placeOnAxis(timeline: Pick<Timeline, 'start' | 'end'>, start: number, end: number): { left: number; width: number } {
  const span = Math.max(timeline.end - timeline.start, 1);
  const left = ((start - timeline.start) / span) * 100;
  const width = Math.max(((end - start) / span) * 100, 0.4);
  return { left: Math.min(Math.max(left, 0), 100), width: Math.min(width, 100 - Math.min(Math.max(left, 0), 99.6)) };
}
