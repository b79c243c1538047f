/** The Gantt's data: bars per attempt, back-off gaps between them, the wait before a scheduled retry, mapped steps folded. */
import { describe, expect, it } from 'vitest';
import type { StepStatus } from '@/lib/engine';
import { mappedRun, T0 } from './test-fixtures/mapped-run';
import { buildTimeline, groupTimeline, placeOnAxis } from './timeline';

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

describe('groupTimeline (mapped steps)', () => {
  const mixed = (index: number): StepStatus => (index === 3 ? 'failed' : index % 7 === 0 ? 'running' : index >= 400 ? 'pending' : 'completed');
  const now = T0 + 60_000;

  it('folds 500 children into one row whose span covers every child attempt', () => {
    const steps = mappedRun(500, mixed);
    const entries = groupTimeline(buildTimeline(steps, now), steps);
    expect(entries.map((entry) => [entry.kind, entry.row.step])).toEqual([
      ['step', 'list_images'],
      ['map', 'resize'],
      ['step', 'publish'],
    ]);
    const resize = entries[1];
    if (resize?.kind !== 'map') throw new Error('resize is not a map entry');
    expect(resize.children).toHaveLength(500);
    expect(resize.children.map((row) => row.step).slice(0, 3)).toEqual(['resize[0]', 'resize[1]', 'resize[2]']);
    // Child 0 starts first (at 1 s); running children run on to now.
    expect(resize.span).toEqual({ start: T0 + 1_000, end: now });
    expect(resize.lead).toEqual({ kind: 'dependency', start: T0, end: T0 + 1_000 });
    expect(resize.counts).toMatchObject({ failed: 1, total: 500 });
    // The failed child's waits show on its own row: for list_images, then its back-off.
    expect(resize.children[3]?.gaps).toEqual([
      { kind: 'dependency', start: T0, end: T0 + 1_030 },
      { kind: 'backoff', start: T0 + 1_080, end: T0 + 1_580 },
    ]);
  });

  it('spans the single child of a one-item list, and has no span for an empty list or a step not expanded', () => {
    const one = mappedRun(1);
    const [, map] = groupTimeline(buildTimeline(one, now), one);
    expect(map).toMatchObject({ kind: 'map', span: { start: T0 + 1_000, end: T0 + 1_200 }, counts: { done: 1, total: 1 } });
    for (const steps of [mappedRun(0), mappedRun(4, undefined, false)]) {
      const [, empty] = groupTimeline(buildTimeline(steps, now), steps);
      expect(empty).toMatchObject({ kind: 'map', span: null, lead: null, children: [] });
    }
  });

  it('leaves a run without mapped steps row for row', () => {
    const steps = mappedRun(0).filter((step) => step.name !== 'resize');
    const timeline = buildTimeline(steps, now);
    expect(groupTimeline(timeline, steps)).toEqual(timeline.rows.map((row) => ({ kind: 'step', row })));
  });
});
