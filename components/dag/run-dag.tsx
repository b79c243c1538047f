'use client';
/**
 * The run's steps as a graph (React Flow), laid out left to right by dagre. Positions depend only on the step
 * names and dependencies, so live updates change node contents without moving anything. Edges into steps that a
 * failure blocks are drawn red and dashed, so the blocked path stands out.
 */
import { Background, Controls, MarkerType, ReactFlow, type Edge } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import { blockedEdgeIds, blockedSteps, layoutSteps, NODE_HEIGHT, NODE_WIDTH } from '@/lib/console/dag';
import type { StepView } from '@/lib/console/views';
import { StepNode, type StepNodeType } from './step-node';

const nodeTypes = { step: StepNode };

export function RunDag({ steps, now, onOpenStep }: { steps: StepView[]; now: number; onOpenStep(name: string): void }) {
  const shapeKey = steps.map((step) => `${step.name}<${step.dependsOn.join(',')}`).join('|');
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the layout depends on the graph's shape only (shapeKey), not on step states.
  const layout = useMemo(() => layoutSteps(steps), [shapeKey]);
  const blocked = useMemo(() => blockedSteps(steps), [steps]);
  const redEdges = useMemo(() => blockedEdgeIds(steps, blocked), [steps, blocked]);

  const nodes: StepNodeType[] = steps.map((step) => ({
    id: step.name,
    type: 'step',
    position: layout.positions[step.name] ?? { x: 0, y: 0 },
    // Fixed, known dimensions: these node objects are rebuilt on every update and carry no `measured` size, so
    // without them React Flow would hide the nodes again until a resize that never comes.
    width: NODE_WIDTH,
    height: NODE_HEIGHT,
    data: { step, now, blockedBy: blocked.get(step.name), onOpen: onOpenStep },
  }));
  const edges: Edge[] = layout.edges.map((edge) => {
    const red = redEdges.has(edge.id);
    return {
      ...edge,
      type: 'smoothstep',
      animated: steps.find((step) => step.name === edge.target)?.status === 'running',
      markerEnd: { type: MarkerType.ArrowClosed, color: red ? 'var(--color-status-failed)' : 'var(--color-border-strong)' },
      style: red ? { stroke: 'var(--color-status-failed)', strokeWidth: 2, strokeDasharray: '6 4' } : { stroke: 'var(--color-border-strong)', strokeWidth: 1.5 },
    };
  });

  return (
    <div
      data-testid="run-dag"
      className="h-[420px] w-full overflow-hidden rounded-card border border-border bg-background sm:h-[520px]"
      role="group"
      aria-label={`Step graph: ${steps.length} steps, dependencies left to right`}
    >
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        // Without a click handler React Flow gives non-selectable nodes `pointer-events: none`.
        onNodeClick={(_event, node) => onOpenStep(node.id)}
        fitView
        // Below this zoom node text is unreadable (a phone): show part of the graph at a legible size and let the reader pan.
        fitViewOptions={{ padding: 0.08, minZoom: 0.6 }}
        minZoom={0.3}
        maxZoom={1.5}
        nodesDraggable={false}
        nodesConnectable={false}
        nodesFocusable={false}
        edgesFocusable={false}
        elementsSelectable={false}
        // The page keeps the wheel for scrolling; zoom with the controls or a pinch, pan by dragging.
        zoomOnScroll={false}
        zoomOnPinch
        panOnDrag
        preventScrolling={false}
        style={{ backgroundColor: 'transparent' }}
      >
        <Background gap={24} size={1} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
