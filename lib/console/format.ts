/** The console's own readings of time: spans, relative waits, data windows and how long a step ran. */
import { formatDuration } from '@/lib/time/format';

/** Milliseconds between two ISO times, or from `start` until `now` while there is no end. */
export function spanMs(start: string | null, end: string | null, now: number): number | null {
  if (!start) return null;
  const from = Date.parse(start);
  const to = end ? Date.parse(end) : now;
  return Number.isNaN(from) || Number.isNaN(to) ? null : Math.max(0, to - from);
}

/** `in 4.2 s` / `now` for a scheduled time. */
export function formatWait(until: string | null, now: number): string {
  if (!until) return '—';
  const ms = Date.parse(until) - now;
  return ms <= 0 ? 'now' : `in ${formatDuration(ms)}`;
}

export function formatWindow(window: { start: string; end: string } | null): string {
  if (!window) return '—';
  return window.start === window.end ? window.start : `${window.start} → ${window.end}`;
}

interface StepClock {
  status: string;
  startedAt: string | null;
  completedAt: string | null;
  attempts: readonly { finishedAt: string | null }[];
}

/**
 * How long a step ran: until its completion, or — failed and cancelled steps record no completion — until its
 * last attempt ended; only a step that may still run counts on to `now`. `stopped` says which of the two it is.
 * Null before the step started.
 */
export function stepDuration(step: StepClock, now: number): { ms: number | null; stopped: boolean } | null {
  if (!step.startedAt) return null;
  if (step.status !== 'failed' && step.status !== 'cancelled') {
    const ms = spanMs(step.startedAt, step.completedAt, now);
    return ms === null ? null : { ms, stopped: step.completedAt !== null };
  }
  const lastEnd = step.attempts.reduce<string | null>((latest, attempt) => (attempt.finishedAt && (!latest || attempt.finishedAt > latest) ? attempt.finishedAt : latest), null);
  // Cancelled mid-attempt, the attempt may have no recorded end: stopped, for an unknown time.
  return { ms: lastEnd ? spanMs(step.startedAt, lastEnd, now) : null, stopped: true };
}

const FINAL = new Set(['completed', 'resolved_manually', 'failed', 'cancelled']);

/**
 * How long a mapped step's children ran together: from the first child's start to the last one's end, counting on
 * to `now` while any child may still run (one not started yet included). Null before any child started.
 */
export function childrenDuration(children: readonly StepClock[], now: number): { ms: number; stopped: boolean } | null {
  let start = Infinity;
  let end = -Infinity;
  let open = false;
  for (const child of children) {
    const duration = stepDuration(child, now);
    if (!child.startedAt || !duration) {
      if (!FINAL.has(child.status)) open = true;
      continue;
    }
    const from = Date.parse(child.startedAt);
    start = Math.min(start, from);
    if (duration.ms !== null) end = Math.max(end, from + duration.ms);
    if (!duration.stopped) open = true;
  }
  if (start === Infinity) return null;
  return open ? { ms: Math.max(0, now - start), stopped: false } : { ms: Math.max(0, end - start), stopped: true };
}
