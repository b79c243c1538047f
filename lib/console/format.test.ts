/** A step's clock stops when the step can no longer run, whatever its final state. */
import { describe, expect, it } from 'vitest';
import { childrenDuration, stepDuration } from './format';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds)).toISOString();
const now = Date.parse(at(600));

describe('stepDuration', () => {
  it('counts on while a step runs or waits for a retry', () => {
    expect(stepDuration({ status: 'running', startedAt: at(0), completedAt: null, attempts: [{ finishedAt: null }] }, now)).toEqual({ ms: 600_000, stopped: false });
    expect(stepDuration({ status: 'retrying', startedAt: at(0), completedAt: null, attempts: [{ finishedAt: at(5) }] }, now)).toEqual({ ms: 600_000, stopped: false });
  });

  it('stops at completion, and for a failed or cancelled step at the end of its last attempt', () => {
    expect(stepDuration({ status: 'completed', startedAt: at(0), completedAt: at(7), attempts: [{ finishedAt: at(7) }] }, now)).toEqual({ ms: 7_000, stopped: true });
    const attempts = [{ finishedAt: at(3) }, { finishedAt: at(31) }, { finishedAt: at(12) }];
    expect(stepDuration({ status: 'failed', startedAt: at(0), completedAt: null, attempts }, now)).toEqual({ ms: 31_000, stopped: true });
    expect(stepDuration({ status: 'cancelled', startedAt: at(0), completedAt: null, attempts: [{ finishedAt: null }] }, now)).toEqual({ ms: null, stopped: true });
  });

  it('is null before the step started', () => {
    expect(stepDuration({ status: 'pending', startedAt: null, completedAt: null, attempts: [] }, now)).toBeNull();
  });
});

describe('childrenDuration', () => {
  const done = (start: number, end: number) => ({ status: 'completed', startedAt: at(start), completedAt: at(end), attempts: [{ finishedAt: at(end) }] });

  it('spans the first start to the last end once every child stopped', () => {
    const failed = { status: 'failed', startedAt: at(2), completedAt: null, attempts: [{ finishedAt: at(40) }] };
    expect(childrenDuration([done(5, 9), done(1, 3), failed], now)).toEqual({ ms: 39_000, stopped: true });
  });

  it('counts on while a child runs or has not started yet', () => {
    expect(childrenDuration([done(1, 3), { status: 'pending', startedAt: null, completedAt: null, attempts: [] }], now)).toEqual({ ms: 599_000, stopped: false });
  });

  it('is null for no children or none started', () => {
    expect(childrenDuration([], now)).toBeNull();
    expect(childrenDuration([{ status: 'pending', startedAt: null, completedAt: null, attempts: [] }], now)).toBeNull();
  });
});
