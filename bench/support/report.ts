/** The shape every benchmark returns to the runner: table rows, goals met or missed, and the raw figures. */
import os from 'node:os';
import type { JsonValue } from '@/lib/engine';

export interface TableRow {
  metric: string;
  value: string;
}

export interface GoalCheck {
  goal: string;
  measured: string;
  met: boolean;
}

export interface BenchmarkReport {
  benchmark: string;
  rows: TableRow[];
  goals: GoalCheck[];
  /** Everything measured, for bench/results/*.json. */
  details: { [key: string]: JsonValue | undefined };
}

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Nearest-rank percentile of unsorted samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? Number.NaN;
}

export function machine(): { cores: number; cpu: string; memoryGiB: number; node: string; loadAverage: number[] } {
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    loadAverage: os.loadavg().map((value) => round(value, 2)),
  };
}

/** Throws with `message` when a correctness check fails, so a fast wrong answer never reaches the table. */
export function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`correctness check failed: ${message}`);
}
