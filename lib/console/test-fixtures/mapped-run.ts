/**
 * Synthetic runs with a mapped step, shaped like the engine stores them: `list_images` returns the list,
 * `resize` maps over it (expanded into children `resize[0]`, `resize[1]`, … appended after the declared steps, their
 * names appended to the parent's depends_on), then `publish` waits for `resize`.
 */
import type { StepStatus } from '@/lib/engine';
import type { AttemptView, StepView } from '../views';

export const T0 = Date.UTC(2026, 11, 7, 6, 0, 0);
export const at = (ms: number) => new Date(T0 + ms).toISOString();

export function stepView(step: Partial<StepView> & Pick<StepView, 'name'>): StepView {
  return {
    description: null,
    dependsOn: [],
    status: 'pending',
    retryable: true,
    retryLimit: 3,
    attemptCount: step.attempts?.length ?? 0,
    budgetAttempts: step.attempts?.length ?? 0,
    runAfter: null,
    result: null,
    lastError: null,
    progressMessage: null,
    progressPercent: null,
    resolvedNote: null,
    resolvedBy: null,
    startedAt: step.attempts?.[0]?.startedAt ?? null,
    completedAt: null,
    attempts: [],
    map: null,
    mapChild: null,
    ...step,
  };
}

const attempt = (number: number, start: number, end: number | null, outcome: string | null): AttemptView => ({
  number,
  workerId: 'worker-1',
  startedAt: at(start),
  finishedAt: end === null ? null : at(end),
  outcome,
  errorClass: outcome === 'failed' ? 'HttpError' : null,
  errorMessage: outcome === 'failed' ? 'image server answered 503' : null,
  errorStack: null,
});

/** A child in the given state: done ones took 200 ms, a failed one failed twice, a running one runs still. */
function child(index: number, status: StepStatus): StepView {
  const start = 1_000 + index * 10;
  const item = { url: `https://img.example/photos/${String(index).padStart(4, '0')}.jpg`, width: 1200 + index };
  const base = { name: `resize[${index}]`, status, mapChild: { parent: 'resize', index, item }, dependsOn: ['list_images'] };
  switch (status) {
    case 'completed':
      return stepView({ ...base, attempts: [attempt(1, start, start + 200, 'completed')], completedAt: at(start + 200), result: { width: 320 } });
    case 'failed':
      return stepView({
        ...base,
        attempts: [attempt(1, start, start + 50, 'failed'), attempt(2, start + 550, start + 600, 'failed')],
        lastError: { class: 'HttpError', message: `image server answered 503 for ${item.url}` },
      });
    case 'running':
      return stepView({ ...base, attempts: [attempt(1, start, null, null)], progressMessage: 'resizing', progressPercent: 40 });
    case 'retrying':
      return stepView({ ...base, attempts: [attempt(1, start, start + 50, 'failed')], runAfter: at(start + 5_000) });
    default:
      return stepView(base);
  }
}

/**
 * The run, children in the states `statusOf` gives by index (default: all done). `expanded: false` gives the mapped
 * step before its list arrived (no children, mapItems null).
 */
export function mappedRun(childCount: number, statusOf: (index: number) => StepStatus = () => 'completed', expanded = true): StepView[] {
  const children = expanded ? Array.from({ length: childCount }, (_, index) => child(index, statusOf(index))) : [];
  const counted = children.filter((step) => step.status === 'completed').length;
  const allDone = expanded && counted === childCount;
  return [
    stepView({ name: 'list_images', status: 'completed', attempts: [attempt(1, 0, 900, 'completed')], completedAt: at(900), result: [] }),
    stepView({
      name: 'resize',
      status: allDone ? 'completed' : 'pending',
      dependsOn: ['list_images', ...children.map((step) => step.name)],
      map: { over: 'list_images', items: expanded ? childCount : null, maxItems: 1_000 },
      completedAt: allDone ? at(1_000 + childCount * 10 + 200) : null,
    }),
    stepView({ name: 'publish', status: 'pending', dependsOn: ['resize'] }),
    ...children,
  ];
}
