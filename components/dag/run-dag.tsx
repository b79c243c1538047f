'use client';
/**
 * The run's steps as a graph (React Flow), laid out left to right by dagre. Positions depend only on the step
 * names, dependencies and which mapped steps are expanded, so live updates change node contents without moving
 * anything. Edges into steps that a failure blocks are drawn red and dashed, so the blocked path stands out. A
 * mapped step is one node (map-node.tsx); its children are never nodes or edges of their own.
 */
import { Background, Controls, MarkerType, ReactFlow, type Edge, type ReactFlowInstance } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useEffect, useMemo, useRef, useState } from 'react';
import { expandedMapHeight, layoutSteps, NODE_HEIGHT, NODE_WIDTH, runGraph } from '@/lib/console/dag';
import type { StepView } from '@/lib/console/views';
import { MapNode, type MapNodeType } from './map-node';
import { StepNode, type StepNodeType } from './step-node';

const nodeTypes = { step: StepNode, map: MapNode };

export function RunDag({
  steps,
  now,
  onOpenStep,
  onShowChildren,
}: {
  steps: StepView[];
  now: number;
  onOpenStep(name: string): void;
  /** Go to the searchable list of a mapped step's children. */
  onShowChildren(name: string): void;
}) {
  const graph = useMemo(() => runGraph(steps), [steps]);
  const { grouped, blocked, redEdges } = graph;
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const flow = useRef<ReactFlowInstance<StepNodeType | MapNodeType> | null>(null);
  // The mapped step just expanded: once its taller node is laid out, the view moves to show all of it, since its
  // children and its "All … children" link would otherwise hang below the graph's frame, out of reach of a click.
  const [justExpanded, setJustExpanded] = useState<string | null>(null);
  const toggle = (name: string) => {
    setJustExpanded(expanded.has(name) ? null : name);
    setExpanded((current) => {
      const next = new Set(current);
      if (!next.delete(name)) next.add(name);
      return next;
    });
  };
  const heightOf = (name: string) => {
    const group = grouped.maps.get(name);
    return group && expanded.has(name) && (group.parent.map?.items ?? 0) > 0 ? expandedMapHeight(group.children.length) : NODE_HEIGHT;
  };
  const shapeKey = grouped.top.map((step) => `${step.name}<${step.dependsOn.join(',')}:${heightOf(step.name)}`).join('|');
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the layout depends on the graph's shape only (shapeKey), not on step states.
  const layout = useMemo(() => layoutSteps(grouped.top, heightOf), [shapeKey]);
  useEffect(() => {
    if (!justExpanded) return;
    // One frame later React Flow has taken the node's new height.
    const frame = requestAnimationFrame(() => {
      void flow.current?.fitView({ nodes: [{ id: justExpanded }], padding: 0.04, minZoom: 0.3, maxZoom: 1 });
      setJustExpanded(null);
    });
    return () => cancelAnimationFrame(frame);
  }, [justExpanded, layout]);

  const nodes: (StepNodeType | MapNodeType)[] = grouped.top.map((step) => {
    const group = grouped.maps.get(step.name);
    const common = {
      id: step.name,
      position: layout.positions[step.name] ?? { x: 0, y: 0 },
      // Fixed, known dimensions: these node objects are rebuilt on every update and carry no `measured` size, so
      // without them React Flow would hide the nodes again until a resize that never comes.
      width: NODE_WIDTH,
      height: heightOf(step.name),
    };
    if (group) {
      return {
        ...common,
        type: 'map',
        data: {
          group,
          now,
          blockedBy: blocked.get(step.name),
          expanded: expanded.has(step.name),
          height: heightOf(step.name),
          onOpen: onOpenStep,
          onToggle: toggle,
          onShowChildren,
        },
      } satisfies MapNodeType;
    }
    return { ...common, type: 'step', data: { step, now, blockedBy: blocked.get(step.name), onOpen: onOpenStep } } satisfies StepNodeType;
  });
  const active = (name: string) => {
    const group = grouped.maps.get(name);
    return group ? group.counts.running > 0 : grouped.top.find((step) => step.name === name)?.status === 'running';
  };
  const edges: Edge[] = layout.edges.map((edge) => {
    const red = redEdges.has(edge.id);
    return {
      ...edge,
      type: 'smoothstep',
      animated: active(edge.target),
      markerEnd: { type: MarkerType.ArrowClosed, color: red ? 'var(--color-status-failed)' : 'var(--color-border-strong)' },
      style: red ? { stroke: 'var(--color-status-failed)', strokeWidth: 2, strokeDasharray: '6 4' } : { stroke: 'var(--color-border-strong)', strokeWidth: 1.5 },
    };
  });
  const childCount = [...grouped.maps.values()].reduce((sum, group) => sum + group.children.length, 0);

  return (
    <div
      data-testid="run-dag"
      className="h-[420px] w-full overflow-hidden rounded-card border border-border bg-background sm:h-[520px]"
      role="group"
      aria-label={`Step graph: ${grouped.top.length} steps${childCount > 0 ? ` (mapped steps counted once, ${childCount} children in them)` : ''}, dependencies left to right`}
    >
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        // Without a click handler React Flow gives non-selectable nodes `pointer-events: none`. A click among a
        // mapped step's shown children is theirs, not the mapped step's.
        onNodeClick={(event, node) => {
          if (event.target instanceof Element && event.target.closest('[data-map-children]')) return;
          onOpenStep(node.id);
        }}
        onInit={(instance) => {
          flow.current = instance;
        }}
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
