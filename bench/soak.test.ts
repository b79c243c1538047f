/**
 * The soak (bench/soak.ts) for a week, part of `npm test`: seven nights with the realistic fault mix, in which a
 * worker is killed mid-attempt, PostgreSQL restarts mid-run and one day carries ten times the largest day's orders.
 * Every night must publish, on time, figures equal to the harness's own reference; the 365-night and harsh runs are
 * `npm run soak` (docs/BENCHMARKS.md).
 */
import { describe, expect, it } from 'vitest';
import { runSoak } from './soak';

describe('a week of nights', () => {
  it('publishes every night on time with the right figures through a worker crash and a database restart', async () => {
    const messages: string[] = [];
    const result = await runSoak({ nights: 7, faults: 'realistic', speed: 360, log: (message) => messages.push(message) });
    const faults = result.nights.flatMap((night) => night.faults);
    expect(faults.some((fault) => fault.startsWith('worker SIGKILL during '))).toBe(true);
    expect(faults).toContain('PostgreSQL restart');
    expect(faults.some((fault) => fault.startsWith('largest day ×10'))).toBe(true);
    expect(result.nights.map((night) => night.explanation)).toEqual(Array(7).fill(null));
    expect(result.table).toMatchObject({ runs: 7, onTime: 7, nightsLost: 0, wrongData: 0, pagedWithoutNeed: 0 });
    // The killed worker's attempt was lost and taken over: the engine recorded it, and a later attempt completed it.
    expect(result.table.failedAttempts).toBeGreaterThanOrEqual(1);
    expect(result.table.recoveredAttempts).toBe(result.table.failedAttempts);
  }, 300_000);
});
