/** The Gantt's data: bars per attempt, back-off gaps between them, the wait before a scheduled retry. */
import { describe, expect, it } from 'vitest';
import { buildTimeline, placeOnAxis } from './timeline';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds)).toISOString();
const ms = (seconds: number) => Date.parse(at(seconds));

describe('buildTimeline', () => {
  it('shows each attempt as a bar and the back-off between attempts as a gap', () => {
    const timeline = buildTimeline(
      [
        {
          name: 'extract_users',
          status: 'completed',
          runAfter: null,
          attempts: [
            { number: 1, startedAt: at(0), finishedAt: at(1), outcome: 'failed' },
            { number: 2, startedAt: at(3), finishedAt: at(4), outcome: 'failed' },
            { number: 3, startedAt: at(8), finishedAt: at(10), outcome: 'completed' },
          ],
        },
        { name: 'extract_orders', status: 'completed', runAfter: null, attempts: [{ number: 1, startedAt: at(0), finishedAt: at(2), outcome: 'completed' }] },
      ],
      ms(60),
    );
    const users = timeline.rows[0]!;
    expect(users.bars.map((bar) => [bar.attempt, bar.end - bar.start, bar.outcome])).toEqual([
      [1, 1_000, 'failed'],
      [2, 1_000, 'failed'],
      [3, 2_000, 'completed'],
    ]);
    expect(users.gaps).toEqual([
      { kind: 'backoff', start: ms(1), end: ms(3) },
      { kind: 'backoff', start: ms(4), end: ms(8) },
    ]);
    expect(timeline.rows[1]!.gaps).toEqual([]);
    expect([timeline.start, timeline.end]).toEqual([ms(0), ms(10)]);
  });

  it('runs a running attempt to now and shows the wait before a scheduled retry', () => {
    const timeline = buildTimeline(
      [
        { name: 'a', status: 'running', runAfter: null, attempts: [{ number: 1, startedAt: at(0), finishedAt: null, outcome: null }] },
        { name: 'b', status: 'retrying', runAfter: at(9), attempts: [{ number: 1, startedAt: at(0), finishedAt: at(2), outcome: 'failed' }] },
      ],
      ms(5),
    );
    expect(timeline.rows[0]!.bars[0]!.end).toBe(ms(5));
    expect(timeline.rows[1]!.gaps).toEqual([{ kind: 'scheduled', start: ms(2), end: ms(9) }]);
    expect(timeline.end).toBe(ms(9));
  });

  it('tells the wait for an operator from back-off, and a blocked dependent waits for the operator too', () => {
    const failedAttempts = [
      { number: 1, startedAt: at(0), finishedAt: at(1), outcome: 'failed' },
      { number: 2, startedAt: at(3), finishedAt: at(4), outcome: 'failed' },
    ];
    const timeline = buildTimeline(
      [
        { name: 'extract', status: 'completed', runAfter: null, attempts: [...failedAttempts, { number: 1, startedAt: at(60), finishedAt: at(62), outcome: 'completed' }] },
        { name: 'transform', status: 'completed', runAfter: null, dependsOn: ['extract'], attempts: [{ number: 1, startedAt: at(63), finishedAt: at(65), outcome: 'completed' }] },
      ],
      ms(100),
      [{ stepName: 'extract', affectedSteps: ['extract', 'transform'], createdAt: at(59) }],
    );
    expect(timeline.rows[0]!.gaps).toEqual([
      { kind: 'backoff', start: ms(1), end: ms(3) },
      // Then the retry's attempt starts as soon as a worker takes it: no dependency to wait for.
      { kind: 'operator', start: ms(4), end: ms(59) },
    ]);
    expect(timeline.rows[1]!.gaps).toEqual([
      { kind: 'dependency', start: ms(0), end: ms(4) },
      { kind: 'operator', start: ms(4), end: ms(59) },
      { kind: 'dependency', start: ms(59), end: ms(63) },
    ]);
  });

  it('has an empty axis when nothing started', () => {
    const timeline = buildTimeline([{ name: 'a', status: 'pending', runAfter: null, attempts: [] }], 1_000);
    expect(timeline).toEqual({ rows: [{ step: 'a', bars: [], gaps: [] }], start: 1_000, end: 1_000 });
  });
});

describe('placeOnAxis', () => {
  it('converts times to percentages of the axis, keeping tiny bars visible', () => {
    expect(placeOnAxis({ start: 0, end: 1_000 }, 250, 750)).toEqual({ left: 25, width: 50 });
    expect(placeOnAxis({ start: 0, end: 1_000 }, 500, 500).width).toBeGreaterThan(0);
  });
});
