/**
 * The mapped-step views rendered on the server (no browser): the graph node, the Gantt and the children list stay one
 * entry with counts in words for 500 children, draw what they promise, and never crash on 0 or 1 child.
 */
import { ReactFlowProvider } from '@xyflow/react';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { MapNode, type MapNodeType } from '@/components/dag/map-node';
import { expandedMapHeight, MAP_LIST_LIMIT, NODE_HEIGHT } from '@/lib/console/dag';
import { groupMappedSteps } from '@/lib/console/mapped-steps';
import { mappedRun, T0 } from '@/lib/console/test-fixtures/mapped-run';
import type { StepView } from '@/lib/console/views';
import type { StepStatus } from '@/lib/engine';
import type { NodeProps } from '@xyflow/react';
import { MapChildren } from './map-children';
import { RunTimeline } from './run-timeline';

const mixed = (index: number): StepStatus => (index % 50 === 3 ? 'failed' : index % 7 === 0 ? 'running' : index >= 400 ? 'pending' : 'completed');
const now = T0 + 60_000;
const noop = () => undefined;
const count = (html: string, needle: string) => html.split(needle).length - 1;

function renderNode(steps: StepView[], expanded: boolean): string {
  const group = groupMappedSteps(steps).maps.get('resize');
  if (!group) throw new Error('no mapped step');
  const height = expanded ? expandedMapHeight(group.children.length) : NODE_HEIGHT;
  const props: NodeProps<MapNodeType> = {
    id: 'resize',
    type: 'map',
    data: { group, now, blockedBy: undefined, expanded, height, onOpen: noop, onToggle: noop, onShowChildren: noop },
    dragging: false,
    zIndex: 0,
    selectable: false,
    deletable: false,
    selected: false,
    draggable: false,
    isConnectable: false,
    positionAbsoluteX: 0,
    positionAbsoluteY: 0,
  };
  return renderToStaticMarkup(createElement(ReactFlowProvider, null, createElement(MapNode, props)));
}

describe('MapNode', () => {
  it('shows 500 children as counts in words, with a keyboard toggle, and no child until expanded', () => {
    const html = renderNode(mappedRun(500, mixed), false);
    expect(html).toContain('335 done');
    expect(html).toContain('71 running');
    expect(html).toContain('10 failed');
    expect(html).toContain('84 waiting');
    expect(html).toContain('aria-expanded="false"');
    expect(html).toContain('Show children');
    expect(html).not.toContain('resize[');
  });

  it('expanded, draws a cell per child and lists the failed ones first', () => {
    const html = renderNode(mappedRun(500, mixed), true);
    // One cell per child (plus the card's own state), and the short list made of failed children only.
    expect(count(html, 'data-status=')).toBe(1 + 500);
    expect(count(html, 'data-status="failed"')).toBe(10);
    expect(html.match(/aria-label="resize\[\d+\]: Failed/g)).toHaveLength(MAP_LIST_LIMIT);
    expect(html).toContain('aria-expanded="true"');
    expect(html).toContain('All 500 children, with search');
    expect(html).toContain('aria-label="resize[3]: Failed');
  });

  it('says when the list was empty, and before the step expands', () => {
    expect(renderNode(mappedRun(0), false)).toContain('returned an empty list: nothing to run');
    expect(renderNode(mappedRun(0), false)).not.toContain('Show children');
    expect(renderNode(mappedRun(3, undefined, false), false)).toContain('once it is done');
    expect(renderNode(mappedRun(1), true)).toContain('All 1 children, with search');
  });
});

describe('RunTimeline', () => {
  it('draws a mapped step as one row with a span, its 500 children folded', () => {
    const html = renderToStaticMarkup(createElement(RunTimeline, { steps: mappedRun(500, mixed), operations: [], now }));
    expect(count(html, 'data-testid="timeline-map"')).toBe(1);
    expect(count(html, 'data-testid="timeline-map-span"')).toBe(1);
    expect(html).toContain('335/500 done, 10 failed');
    expect(html).not.toContain('title="resize[0]"');
  });
});

describe('MapChildren', () => {
  it('lists the first 50 of 500 children with state, attempts, duration and last error', () => {
    const group = groupMappedSteps(mappedRun(500, mixed)).maps.get('resize');
    if (!group) throw new Error('no mapped step');
    const html = renderToStaticMarkup(createElement(MapChildren, { group, now, onOpenStep: noop }));
    expect(count(html, 'data-testid="map-child"')).toBe(50);
    expect(html).toContain('The first 50 of 500 children are shown.');
    expect(html).toContain('Attempts 2/4');
    expect(html).toContain('image server answered 503 for https://img.example/photos/0003.jpg');
    expect(html).toContain('Show 50 more');
    expect(html).toContain('Failed (10)');
  });
});
