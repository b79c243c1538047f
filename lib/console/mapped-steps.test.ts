/** Mapped steps grouped for the console: one entry per mapped step with its children's counts, and the children search. */
import { describe, expect, it } from 'vitest';
import type { StepStatus } from '@/lib/engine';
import { childrenNeedingAttention, countChildren, describeCounts, groupMappedSteps, itemText, searchChildren } from './mapped-steps';
import { mappedRun } from './test-fixtures/mapped-run';

/** 500 children: every 50th failed, every 7th still running, the 100 last not started. */
const mixed = (index: number): StepStatus => (index % 50 === 3 ? 'failed' : index % 7 === 0 ? 'running' : index >= 400 ? 'pending' : 'completed');

describe('groupMappedSteps', () => {
  it('keeps 500 children out of the steps to draw, counted under their mapped step', () => {
    const steps = mappedRun(500, mixed);
    const grouped = groupMappedSteps(steps);
    expect(grouped.top.map((step) => step.name)).toEqual(['list_images', 'resize', 'publish']);
    const resize = grouped.maps.get('resize');
    expect(resize?.children).toHaveLength(500);
    expect(resize?.children.map((child) => child.mapChild?.index)).toEqual([...Array(500).keys()]);
    // 10 failed; 71 running (203 failed instead); 84 of the last 100 not started (2 failed, 14 running).
    expect(resize?.counts).toEqual({ done: 335, running: 71, failed: 10, waiting: 84, cancelled: 0, total: 500 });
    expect(grouped.parentOf.get('resize[499]')).toBe('resize');
  });

  it('drops the appended children from the mapped step’s dependencies and nothing else', () => {
    const grouped = groupMappedSteps(mappedRun(500));
    expect(grouped.top.find((step) => step.name === 'resize')?.dependsOn).toEqual(['list_images']);
    expect(grouped.top.find((step) => step.name === 'publish')?.dependsOn).toEqual(['resize']);
  });

  it('groups the same whatever order the rows arrive in', () => {
    const steps = mappedRun(20, mixed);
    const shuffled = [...steps.slice(3).reverse(), ...steps.slice(0, 3)];
    const grouped = groupMappedSteps(shuffled);
    expect(grouped.maps.get('resize')?.children.map((child) => child.name)).toEqual(steps.slice(3).map((step) => step.name));
    expect(grouped.top.map((step) => step.name)).toEqual(['list_images', 'resize', 'publish']);
  });

  it('has one child for a one-item list, and an empty group for an empty list or a step not expanded yet', () => {
    const one = groupMappedSteps(mappedRun(1));
    expect(one.maps.get('resize')).toMatchObject({ counts: { done: 1, total: 1 }, children: [{ name: 'resize[0]' }] });
    const empty = groupMappedSteps(mappedRun(0));
    expect(empty.maps.get('resize')).toMatchObject({ children: [], counts: { total: 0 }, parent: { map: { items: 0 } } });
    const waiting = groupMappedSteps(mappedRun(3, undefined, false));
    expect(waiting.maps.get('resize')).toMatchObject({ children: [], parent: { map: { items: null } } });
    expect(waiting.top).toHaveLength(3);
  });

  it('leaves a run without mapped steps as it is', () => {
    const steps = mappedRun(0).filter((step) => step.name !== 'resize');
    const grouped = groupMappedSteps(steps);
    expect(grouped.top).toEqual(steps);
    expect(grouped.maps.size).toBe(0);
  });
});

describe('describeCounts', () => {
  it('says the counts in words, cancelled only when there are any', () => {
    expect(describeCounts(countChildren([{ status: 'completed' }, { status: 'retrying' }, { status: 'blocked' }, { status: 'failed' }]))).toBe(
      '1 done · 0 running · 1 failed · 2 waiting',
    );
    expect(describeCounts(countChildren([{ status: 'cancelled' }]))).toBe('0 done · 0 running · 0 failed · 0 waiting · 1 cancelled');
  });
});

describe('searchChildren', () => {
  const children = groupMappedSteps(mappedRun(500, mixed)).maps.get('resize')?.children ?? [];

  it('finds a child by its index, written plainly, with # or in brackets, ahead of items that contain the number', () => {
    for (const text of ['42', '#42', '[42]', ' 42 ']) {
      expect(searchChildren(children, { text, bucket: 'any' }).map((child) => child.name)[0], text).toBe('resize[42]');
    }
    // Item 20 is 1220 wide, so it matches "220" too, but child 220 comes first.
    expect(searchChildren(children, { text: '220', bucket: 'any' }).map((child) => child.name)).toEqual(['resize[220]', 'resize[20]']);
  });

  it('finds children by text in their item, case-insensitively', () => {
    expect(searchChildren(children, { text: 'PHOTOS/0042.JPG', bucket: 'any' }).map((child) => child.name)).toEqual(['resize[42]']);
    // "1242" is the width of item 42 only.
    expect(searchChildren(children, { text: '"width":1242', bucket: 'any' }).map((child) => child.name)).toEqual(['resize[42]']);
    expect(searchChildren(children, { text: 'no such image', bucket: 'any' })).toEqual([]);
  });

  it('narrows by status bucket, alone or with text, in item order', () => {
    const failed = searchChildren(children, { text: '', bucket: 'failed' });
    expect(failed.map((child) => child.mapChild?.index)).toEqual([3, 53, 103, 153, 203, 253, 303, 353, 403, 453]);
    expect(searchChildren(children, { text: '/04', bucket: 'failed' }).map((child) => child.mapChild?.index)).toEqual([403, 453]);
    expect(searchChildren(children, { text: '', bucket: 'any' })).toHaveLength(500);
    expect(searchChildren([], { text: '3', bucket: 'failed' })).toEqual([]);
  });
});

describe('childrenNeedingAttention', () => {
  it('puts failed, then running children first, then the rest by index', () => {
    const children = groupMappedSteps(mappedRun(500, mixed)).maps.get('resize')?.children ?? [];
    const first = childrenNeedingAttention(children, 12).map((child) => [child.mapChild?.index, child.status]);
    expect(first.slice(0, 10).every(([, status]) => status === 'failed')).toBe(true);
    expect(first.slice(10)).toEqual([
      [0, 'running'],
      [7, 'running'],
    ]);
  });
});

describe('itemText', () => {
  it('shows a string item as it is and anything else as JSON', () => {
    expect(itemText('store-42')).toBe('store-42');
    expect(itemText({ id: 7 })).toBe('{"id":7}');
    expect(itemText(null)).toBe('null');
    expect(itemText(undefined)).toBe('');
  });
});
