/**
 * The seed's alert policy as data: a step's `metadata.severity` (set by each pipeline) picks a row of the
 * routing table, and the row says who hears about a final failure — "page immediately" versus "review tomorrow".
 * Every alert is also stored (lib/monitoring/alert-store.ts), so the medium row's "review queue" is /alerts itself.
 */
import type { AlertSeverity } from '@/db/schema';

export const SEVERITIES = ['critical', 'high', 'medium'] as const satisfies readonly AlertSeverity[];
export type Severity = AlertSeverity;

export type Route =
  /** PagerDuty Events API v2 trigger (resolve when the alert resolves); dedup_key = the alert's key. */
  | { kind: 'page' }
  /** A Slack message; `audience` picks the wording (stakeholders get impact, the data team gets the error). */
  | { kind: 'slack'; channel: string; audience: 'stakeholders' | 'engineers' }
  /** Nothing is sent: the alert waits on /alerts for someone to review it. */
  | { kind: 'review' };

export const ROUTING_TABLE: Readonly<Record<Severity, readonly Route[]>> = {
  critical: [{ kind: 'page' }, { kind: 'slack', channel: '#executive-alerts', audience: 'stakeholders' }],
  high: [{ kind: 'slack', channel: '#data-team', audience: 'engineers' }],
  medium: [{ kind: 'review' }],
};

/** Opt-in step started / completed notices (ALERT_STEP_NOTICES) go here, as in the seed. */
export const STATUS_CHANNEL = '#data-pipeline-status';

/** A step without a (valid) severity is reviewed in-app rather than waking anyone. */
export const DEFAULT_SEVERITY: Severity = 'medium';

export function severityOf(metadata: unknown): Severity {
  const value = metadata && typeof metadata === 'object' && 'severity' in metadata ? metadata.severity : undefined;
  return SEVERITIES.find((severity) => severity === value) ?? DEFAULT_SEVERITY;
}
