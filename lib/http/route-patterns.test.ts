/** Route patterns read from the real app/ folder: pages and route handlers, dynamic segments, precedence. */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRoutePatterns, routeResolver } from './route-patterns';

const routeOf = routeResolver(readRoutePatterns(path.join(import.meta.dirname, '../../app')));

describe('route patterns of the app', () => {
  it('names pages and route handlers by their pattern', () => {
    expect(routeOf('/')).toBe('/');
    expect(routeOf('/runs')).toBe('/runs');
    expect(routeOf('/runs/3f2a0c1e-7b9d-4e6f-8a5b-1c2d3e4f5a6b')).toBe('/runs/[id]');
    expect(routeOf('/api/metrics')).toBe('/api/metrics');
    expect(routeOf('/api/live/runs/abc/events')).toBe('/api/live/runs/[id]/events');
    expect(routeOf('/analytics/results/abc/customers.csv')).toBe('/analytics/results/[task_id]/[file]');
  });

  it('prefers a static segment to a dynamic one, and folds the rest', () => {
    expect(routeOf('/runs/new')).toBe('/runs/new');
    expect(routeOf('/runs/new/')).toBe('/runs/new');
    expect(routeOf('/_next/static/chunks/app.js')).toBe('/_next');
    expect(routeOf('/no/such/page')).toBe('other');
  });
});
