/** Human-readable durations for notices, as the seed prints them: "12.3s" under a minute, "2.4min" from one minute. */
export function formatDuration(ms: number): string {
  const safe = Math.max(0, ms);
  return safe >= 60_000 ? `${(safe / 60_000).toFixed(1)}min` : `${(safe / 1_000).toFixed(1)}s`;
}

/** Timestamps on the monitoring pages: unambiguous UTC, to the second. */
export function formatTimestamp(value: Date | null): string {
  return value ? `${value.toISOString().replace('T', ' ').slice(0, 19)} UTC` : '—';
}
