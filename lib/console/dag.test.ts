/** The graph view's pure logic: left-to-right layout, what a failure blocks, the attempts label, and mapped steps as one node. */
import { describe, expect, it } from 'vitest';
import type { StepStatus } from '@/lib/engine';
import {
  attemptsLabel,
  blockedEdgeIds,
  blockedSteps,
  expandedMapHeight,
  layoutSteps,
  MAP_GRID_LIMIT,
  NODE_HEIGHT,
  NODE_WIDTH,
  runGraph,
  type GraphStep,
} from './dag';
import { mappedRun } from './test-fixtures/mapped-run';

// The customer_analytics shape: three extractions, two transforms, then a chain.
const pipeline: GraphStep[] = [
  { name: 'extract_orders', dependsOn: [], status: 'completed' },
  { name: 'extract_users', dependsOn: [], status: 'failed' },
  { name: 'extract_products', dependsOn: [], status: 'completed' },
  { name: 'transform_customer_metrics', dependsOn: ['extract_orders', 'extract_users'], status: 'pending' },
  { name: 'transform_product_metrics', dependsOn: ['extract_orders', 'extract_products'], status: 'completed' },
  { name: 'generate_insights', dependsOn: ['transform_customer_metrics', 'transform_product_metrics'], status: 'pending' },
  { name: 'update_dashboard', dependsOn: ['generate_insights'], status: 'pending' },
];

describe('layoutSteps', () => {
  it('places every dependency to the left of its dependents, without overlaps', () => {
    const { positions, edges } = layoutSteps(pipeline);
    for (const step of pipeline) {
      for (const dependency of step.dependsOn) {
        expect(positions[dependency]!.x + NODE_WIDTH, `${dependency} → ${step.name}`).toBeLessThanOrEqual(positions[step.name]!.x);
      }
    }
    const boxes = Object.values(positions);
    for (const [index, a] of boxes.entries()) {
      for (const b of boxes.slice(index + 1)) {
        const overlap = a.x < b.x + NODE_WIDTH && b.x < a.x + NODE_WIDTH && a.y < b.y + NODE_HEIGHT && b.y < a.y + NODE_HEIGHT;
        expect(overlap).toBe(false);
      }
    }
    expect(edges).toHaveLength(pipeline.reduce((sum, step) => sum + step.dependsOn.length, 0));
  });

  it('depends on the shape only, so the same graph lays out identically', () => {
    expect(layoutSteps(pipeline).positions).toEqual(layoutSteps(pipeline.map((step) => ({ ...step, status: 'running' as const }))).positions);
  });
});

describe('blockedSteps', () => {
  it('marks the not-done steps downstream of a failure, naming the failure', () => {
    const blocked = blockedSteps(pipeline);
    expect([...blocked.keys()].sort()).toEqual(['generate_insights', 'transform_customer_metrics', 'update_dashboard']);
    expect(blocked.get('update_dashboard')).toEqual(['extract_users']);
    expect(blocked.has('transform_product_metrics')).toBe(false);
  });

  it('reports nothing when no step failed', () => {
    expect(blockedSteps(pipeline.map((step) => ({ ...step, status: 'pending' as const })))).toEqual(new Map());
  });

  it('colours only the edges on the blocked path', () => {
    const edges = blockedEdgeIds(pipeline, blockedSteps(pipeline));
    expect([...edges].sort()).toEqual([
      'extract_users->transform_customer_metrics',
      'generate_insights->update_dashboard',
      'transform_customer_metrics->generate_insights',
    ]);
  });
});

describe('attemptsLabel', () => {
  it('counts the current budget against retry_limit + 1', () => {
    expect(attemptsLabel({ budgetAttempts: 2, attemptCount: 2, retryLimit: 5, retryable: true })).toBe('2/6');
    expect(attemptsLabel({ budgetAttempts: 1, attemptCount: 1, retryLimit: 3, retryable: false })).toBe('1/1');
  });

  it('mentions attempts from before an operator retry', () => {
    expect(attemptsLabel({ budgetAttempts: 1, attemptCount: 7, retryLimit: 5, retryable: true })).toBe('1/6 (+6 earlier)');
  });
});

describe('runGraph (mapped steps)', () => {
  const failedEvery50th = (index: number): StepStatus => (index % 50 === 3 ? 'failed' : index >= 400 ? 'pending' : 'completed');

  it('draws a mapped step with 500 children as one node and no edge to a child', () => {
    const steps = mappedRun(500, failedEvery50th);
    const { grouped } = runGraph(steps);
    const { positions, edges } = layoutSteps(grouped.top);
    expect(Object.keys(positions)).toEqual(['list_images', 'resize', 'publish']);
    expect(edges.map((edge) => edge.id)).toEqual(['list_images->resize', 'resize->publish']);
  });

  it('lets failed children block their mapped step (in words) and what follows it (by the mapped step’s name)', () => {
    const { blocked, redEdges } = runGraph(mappedRun(500, failedEvery50th));
    expect(blocked.get('resize')).toEqual(['10 failed children']);
    expect(blocked.get('publish')).toEqual(['resize']);
    expect([...blocked.keys()].some((name) => name.includes('['))).toBe(false);
    expect([...redEdges]).toEqual(['resize->publish']);
    expect(runGraph(mappedRun(1, () => 'failed')).blocked.get('resize')).toEqual(['1 failed child']);
  });

  it('blocks nothing when every child is done, and handles an empty list or a step not expanded yet', () => {
    expect(runGraph(mappedRun(500)).blocked).toEqual(new Map());
    for (const steps of [mappedRun(0), mappedRun(3, undefined, false)]) {
      const { grouped, blocked } = runGraph(steps);
      expect(grouped.top.map((step) => step.name)).toEqual(['list_images', 'resize', 'publish']);
      expect(blocked).toEqual(new Map());
    }
  });

  it('makes room for an expanded mapped step: taller node, and no overlap with its neighbours', () => {
    expect(expandedMapHeight(1)).toBeGreaterThan(NODE_HEIGHT);
    expect(expandedMapHeight(500)).toBeGreaterThan(expandedMapHeight(1));
    // Past the cell limit the grid stops growing; a note says how many are not drawn.
    expect(expandedMapHeight(5_000) - expandedMapHeight(MAP_GRID_LIMIT)).toBeLessThan(30);
    const parallel: GraphStep[] = [
      { name: 'list_images', dependsOn: [], status: 'completed' },
      { name: 'resize', dependsOn: ['list_images'], status: 'pending' },
      { name: 'audit', dependsOn: ['list_images'], status: 'pending' },
    ];
    const tall = expandedMapHeight(500);
    const { positions } = layoutSteps(parallel, (name) => (name === 'resize' ? tall : NODE_HEIGHT));
    const [resize, audit] = [positions.resize!, positions.audit!];
    const apart = resize.y + tall <= audit.y || audit.y + NODE_HEIGHT <= resize.y;
    expect(apart).toBe(true);
  });
});
