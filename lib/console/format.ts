/** Formatting shared by the console's server and client components: durations, times and relative waits. */

/** `850 ms`, `12.4 s`, `3 min 05 s`, `2 h 04 min`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const totalSeconds = Math.round(ms / 1_000);
  if (totalSeconds < 3_600) return `${Math.floor(totalSeconds / 60)} min ${String(totalSeconds % 60).padStart(2, '0')} s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  return `${Math.floor(totalMinutes / 60)} h ${String(totalMinutes % 60).padStart(2, '0')} min`;
}

/** Milliseconds between two ISO times, or from `start` until `now` while there is no end. */
export function spanMs(start: string | null, end: string | null, now: number): number | null {
  if (!start) return null;
  const from = Date.parse(start);
  const to = end ? Date.parse(end) : now;
  return Number.isNaN(from) || Number.isNaN(to) ? null : Math.max(0, to - from);
}

/** A UTC timestamp, compact: `2026-11-26 14:03:07 UTC`. UTC on purpose: server and browser render the same text. */
export function formatTimestamp(value: string | null): string {
  if (!value) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '—';
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
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
