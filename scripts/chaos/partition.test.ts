/**
 * Across hosts: a worker in its own network namespace is cut off from PostgreSQL mid-step; another worker takes
 * its steps over once the lease expires; when the partition heals, the cut-off worker's late completion and its late
 * write through the fence are refused, leaving exactly one completion per step and the run's results unchanged.
 * Real processes, a real veth link taken down, real PostgreSQL. Short leases keep it fast (the cut still outlasts
 * the lease); `npm run chaos -- partition` runs the same scenario with a 60 s cut and production lease settings.
 */
import { describe, expect, it } from 'vitest';
import { netnsUnavailableReason } from './netns';
import { runHeldFenceScenario, runPartitionScenario } from './partition';

const unavailable = netnsUnavailableReason();

describe.skipIf(unavailable !== undefined)(`network partition across hosts${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  it('fences the cut-off worker: one completion per step, results unchanged', async () => {
    const figures = await runPartitionScenario({ cutMs: 9_000, leaseMs: 2_000, heartbeatMs: 400, pollMs: 300, lateWaitMs: 30_000 });
    console.log(`[partition] ${JSON.stringify({ cutToRunCompletedMs: figures.cutToRunCompletedMs, healToRefusedCompletionMs: figures.healToRefusedCompletionMs, healToRefusedWriteMs: figures.healToRefusedWriteMs, takeover: { extract: figures.steps.extract, compute: figures.steps.compute } })}`);

    for (const name of ['extract', 'compute'] as const) {
      const step = figures.steps[name];
      expect(step?.attempts.map(({ worker, outcome }) => ({ worker, outcome }))).toEqual([
        { worker: 'cut-off', outcome: 'lost' },
        { worker: 'survivor', outcome: 'completed' },
      ]);
      expect(step?.completions).toBe(1);
      // Taken over within a few recovery polls of the lease's expiry, and only after it.
      expect(step?.leaseExpiryToTakeoverMs).toBeGreaterThanOrEqual(0);
      expect(step?.leaseExpiryToTakeoverMs).toBeLessThan(3_000);
      expect(figures.stepCompletedEvents[name]).toBe(1);
    }
    expect(figures.steps.report?.completions).toBe(1);
    expect(figures.healToRefusedCompletionMs).toBeGreaterThanOrEqual(0);
    expect(figures.healToRefusedWriteMs).toBeGreaterThanOrEqual(0);
    expect(figures.outputRows).toEqual([{ attempt: 2 }]);
    expect(figures.runStatus).toBe('completed');
    expect(figures.resultsAfter).toEqual(figures.resultsBeforeHeal);
  }, 90_000);

  it('a cut inside a fenced transaction holds no one up for long: the server ends the silent session, the step is taken over', async () => {
    // The cut outlasts the server's keepalive probes (about 11 s, db/client.ts) and then the lease.
    const figures = await runHeldFenceScenario({ cutMs: 15_000, leaseMs: 2_000, heartbeatMs: 400, pollMs: 300, lateWaitMs: 30_000 });
    console.log(`[partition, fence held] ${JSON.stringify({ cutToSessionEndedMs: figures.cutToSessionEndedMs, cutToOtherTaskCompletedMs: figures.cutToOtherTaskCompletedMs, hold: figures.hold })}`);

    expect(figures.cutToSessionEndedMs).not.toBeNull();
    expect(figures.cutToSessionEndedMs).toBeLessThan(13_000);
    // A task launched while recovery waits for the fence holder runs once the session is gone, before the heal.
    expect(figures.cutToOtherTaskCompletedMs).not.toBeNull();
    expect(figures.hold?.attempts.map(({ worker, outcome }) => ({ worker, outcome }))).toEqual([
      { worker: 'cut-off', outcome: 'lost' },
      { worker: 'survivor', outcome: 'completed' },
    ]);
    expect(figures.hold?.cutToTakeoverMs).toBeLessThan(15_000);
    expect(figures.stepCompletedEvents.hold).toBe(1);
    // The cut-off attempt's row died with its session's transaction.
    expect(figures.outputRows).toEqual([{ attempt: 2 }]);
    expect(figures.runStatus).toBe('completed');
  }, 90_000);
});
