/**
 * Who may use which entry point — the table the access-control test (lib/auth/access-control.test.ts) checks
 * every discovered page, route handler and server action against. An entry point that no rule classifies
 * fails that test, so anything added later is either classified here or the build is red.
 *
 * This table is the specification; enforcement lives in each entry point (requirePageRole / withRole /
 * authorizedAction), and the test proves the two agree. proxy.ts also reads the page rules to send anonymous
 * visitors to /login early, which is a convenience, not the protection.
 *
 * Patterns are route paths as in app/ (route groups removed): `*` is one segment, `**` any number (at the end).
 */
import type { Role } from './roles';

export type Access = 'public' | Role;
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

interface PathRule {
  pattern: string;
  access: Access;
}
interface RouteRule extends PathRule {
  /** Omitted: every method the route exports. */
  methods?: readonly HttpMethod[];
}

export const PAGE_RULES: readonly PathRule[] = [
  { pattern: '/login', access: 'public' },
  { pattern: '/status', access: 'public' },
  { pattern: '/', access: 'viewer' },
  { pattern: '/retention', access: 'viewer' },
  { pattern: '/runs', access: 'viewer' },
  { pattern: '/runs/new', access: 'operator' },
  { pattern: '/runs/backfill', access: 'operator' },
  { pattern: '/runs/**', access: 'viewer' },
  { pattern: '/alerts', access: 'viewer' },
  { pattern: '/reliability', access: 'viewer' },
  { pattern: '/failures', access: 'viewer' },
  { pattern: '/schedules', access: 'viewer' },
  { pattern: '/chaos', access: 'operator' },
  { pattern: '/messages', access: 'viewer' },
  { pattern: '/admin', access: 'admin' },
  { pattern: '/admin/**', access: 'admin' },
];

export const ROUTE_RULES: readonly RouteRule[] = [
  { pattern: '/api/health/*', access: 'public' },
  { pattern: '/status.json', access: 'public' },
  // What the demo Slack sink received are the pipeline's real run summaries and alerts: viewers only.
  { pattern: '/demo/slack/messages', methods: ['GET'], access: 'viewer' },
  // The other demo source systems: public while DEMO_SOURCES is on (404 otherwise); they only touch demo data.
  { pattern: '/demo/**', access: 'public' },
  { pattern: '/api/chaos', methods: ['GET', 'PUT'], access: 'operator' },
  // Every registered pipeline (lib/platform/pipelines-api.ts): reading views, starting a run operates.
  { pattern: '/api/pipelines', methods: ['GET'], access: 'viewer' },
  { pattern: '/api/pipelines/[name]/runs', methods: ['POST'], access: 'operator' },
  { pattern: '/api/runs/[id]', methods: ['GET'], access: 'viewer' },
  { pattern: '/api/runs/[id]/results', methods: ['GET'], access: 'viewer' },
  { pattern: '/api/runs/[id]/operations', methods: ['POST'], access: 'operator' },
  { pattern: '/api/runs/[id]/operations/preview', methods: ['GET'], access: 'operator' },
  // Failure triage: reading the groups views; previewing and acting on a whole group operates.
  { pattern: '/api/failures', methods: ['GET'], access: 'viewer' },
  { pattern: '/api/failures/operations', methods: ['POST'], access: 'operator' },
  { pattern: '/api/failures/operations/preview', methods: ['GET'], access: 'operator' },
  // Live updates for the engineer console: server-sent events and the JSON the pages refetch.
  { pattern: '/api/live', methods: ['GET'], access: 'viewer' },
  { pattern: '/api/live/**', methods: ['GET'], access: 'viewer' },
  // The executive dashboard's data.
  { pattern: '/api/dashboard', methods: ['GET'], access: 'viewer' },
  { pattern: '/api/dashboard/**', methods: ['GET'], access: 'viewer' },
  // Backfills: starting, cancelling and retrying operate; reading views. The delivery calendar views.
  { pattern: '/api/backfills', methods: ['POST'], access: 'operator' },
  { pattern: '/api/backfills', methods: ['GET'], access: 'viewer' },
  { pattern: '/api/backfills/*/operations', methods: ['POST'], access: 'operator' },
  { pattern: '/api/backfills/*', methods: ['GET'], access: 'viewer' },
  { pattern: '/api/calendar', methods: ['GET'], access: 'viewer' },
  // Delivery and recovery figures (lib/reliability), for engineers and executives alike.
  { pattern: '/api/slo', methods: ['GET'], access: 'viewer' },
  // Prometheus metrics: any viewer, or a scraper holding METRICS_TOKEN.
  { pattern: '/api/metrics', methods: ['GET'], access: 'viewer' },
  // The seed's analytics API (lib/analytics): starting a run operates; reading status and results views.
  { pattern: '/analytics/start', methods: ['POST'], access: 'operator' },
  { pattern: '/analytics/status/*', methods: ['GET'], access: 'viewer' },
  { pattern: '/analytics/results/**', methods: ['GET'], access: 'viewer' },
];

/** Server actions by `<file>#<export>`, listed one by one so a new export is never covered by accident. */
export const ACTION_RULES: Readonly<Record<string, Access>> = {
  'app/login/actions.ts#signInAction': 'public',
  'app/login/actions.ts#signOutAction': 'public',
  'app/admin/users/actions.ts#createUserAction': 'admin',
  'app/admin/users/actions.ts#changeUserRoleAction': 'admin',
  'app/admin/users/actions.ts#setUserDisabledAction': 'admin',
  'app/admin/tokens/actions.ts#createApiTokenAction': 'admin',
  'app/admin/tokens/actions.ts#revokeApiTokenAction': 'admin',
  // Engineer console: everything that changes a run, and the fault-injection panel, is an operator's.
  'app/runs/new/actions.ts#startPipelineRunAction': 'operator',
  'app/runs/[id]/actions.ts#previewOperationAction': 'operator',
  'app/runs/[id]/actions.ts#retryStepAction': 'operator',
  'app/runs/[id]/actions.ts#retryFailedStepsAction': 'operator',
  'app/runs/[id]/actions.ts#rerunFromStepAction': 'operator',
  'app/runs/[id]/actions.ts#resolveStepAction': 'operator',
  'app/runs/[id]/actions.ts#completeStepAction': 'operator',
  'app/runs/[id]/actions.ts#resultTemplateAction': 'operator',
  'app/runs/[id]/actions.ts#cancelTaskAction': 'operator',
  'app/chaos/actions.ts#updateChaosAction': 'operator',
  // Failure triage: previewing and retrying or resolving a whole failure group.
  'app/failures/actions.ts#previewGroupOperationAction': 'operator',
  'app/failures/actions.ts#runGroupOperationAction': 'operator',
  // Backfills: starting one, and cancelling or retrying a whole backfill.
  'app/runs/backfill/actions.ts#createBackfillAction': 'operator',
  'app/runs/backfills/[id]/actions.ts#cancelBackfillAction': 'operator',
  'app/runs/backfills/[id]/actions.ts#retryBackfillAction': 'operator',
  // Alerts and message delivery: acknowledging and resending are an operator's.
  'app/alerts/actions.ts#acknowledgeAlertAction': 'operator',
  'app/alerts/actions.ts#resendMessageAction': 'operator',
  'app/alerts/actions.ts#resendEventAction': 'operator',
  // Schedules: adding, editing, deleting, pausing and resuming are an operator's.
  'app/schedules/actions.ts#setSchedulePausedAction': 'operator',
  'app/schedules/actions.ts#createScheduleAction': 'operator',
  'app/schedules/actions.ts#updateScheduleAction': 'operator',
  'app/schedules/actions.ts#deleteScheduleAction': 'operator',
  // Review decisions on dashboard snapshots (lib/delivery/publish.ts).
  'app/delivery/actions.ts#publishAnywayAction': 'operator',
  'app/delivery/actions.ts#discardSnapshotAction': 'operator',
  'app/delivery/actions.ts#makeDefaultViewAction': 'operator',
};

export function matchesPattern(pattern: string, path: string): boolean {
  const patternSegments = pattern.split('/').filter(Boolean);
  const pathSegments = path.split('/').filter(Boolean);
  for (let index = 0; index < patternSegments.length; index += 1) {
    const segment = patternSegments[index];
    if (segment === '**') return true;
    const actual = pathSegments[index];
    if (actual === undefined) return false;
    if (segment !== '*' && segment !== actual) return false;
  }
  return patternSegments.length === pathSegments.length;
}

export function pageAccess(path: string): Access | undefined {
  return PAGE_RULES.find((rule) => matchesPattern(rule.pattern, path))?.access;
}

export function routeAccess(path: string, method: HttpMethod): Access | undefined {
  return ROUTE_RULES.find((rule) => matchesPattern(rule.pattern, path) && (!rule.methods || rule.methods.includes(method)))?.access;
}

export function actionAccess(file: string, exportName: string): Access | undefined {
  return ACTION_RULES[`${file}#${exportName}`];
}
