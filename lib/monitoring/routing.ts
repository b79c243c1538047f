/**
 * The seed's alert policy as data: a step's `metadata.severity` (set by each pipeline) picks a row of the
 * routing table, and the row says who hears about a final failure — "page immediately" versus "review tomorrow".
 * Every alert is also stored (lib/monitoring/alert-store.ts), so the medium row's "review queue" is /alerts itself.
 */
import { z } from 'zod';
import type { AlertSeverity } from '@/db/schema';

export const SEVERITIES = ['critical', 'high', 'medium'] as const satisfies readonly AlertSeverity[];
export type Severity = AlertSeverity;

export type Route =
  /** PagerDuty Events API v2 trigger (resolve when the alert resolves); dedup_key = the alert's key. */
  | { kind: 'page' }
  /**
   * A Slack message to the audience's channel (the pipeline's, else the default); `audience` also picks the wording
   * (stakeholders get impact, the data team gets the error).
   */
  | { kind: 'slack'; audience: Audience }
  /** Nothing is sent: the alert waits on /alerts for someone to review it. */
  | { kind: 'review' };

export const ROUTING_TABLE: Readonly<Record<Severity, readonly Route[]>> = {
  critical: [{ kind: 'page' }, { kind: 'slack', audience: 'stakeholders' }],
  high: [{ kind: 'slack', audience: 'engineers' }],
  medium: [{ kind: 'review' }],
};

export type Audience = 'stakeholders' | 'engineers';
export type AudienceChannels = Readonly<Record<Audience, string>>;

/** Where each audience hears about a pipeline that declares no channels of its own (the seed's). */
export const DEFAULT_CHANNELS: AudienceChannels = { stakeholders: '#executive-alerts', engineers: '#data-team' };

const slackChannel = z.string().regex(/^#[a-z0-9][a-z0-9_-]{0,79}$/);
const declaredChannels = z.object({ stakeholders: slackChannel.optional(), engineers: slackChannel.optional() });

/**
 * The channels a pipeline declared for its alerts, read from a step's metadata (`metadata.channels`, which a
 * pipeline sets on every step with `stepMetadata`; pinned with the run like the severity). A channel that is not a
 * channel name falls back to the default rather than sending nowhere.
 */
export function declaredChannelsOf(metadata: unknown): Partial<Record<Audience, string>> {
  const value = metadata && typeof metadata === 'object' && 'channels' in metadata ? metadata.channels : undefined;
  const parsed = declaredChannels.safeParse(value);
  if (!parsed.success) return {};
  return Object.fromEntries(Object.entries(parsed.data).filter((entry): entry is [Audience, string] => entry[1] !== undefined));
}

/** The channel an alert's audience hears on: what the alert was raised with, else the default. */
export function channelFor(alertChannels: unknown, audience: Audience): string {
  return declaredChannelsOf({ channels: alertChannels })[audience] ?? DEFAULT_CHANNELS[audience];
}

/** Opt-in step started / completed notices (ALERT_STEP_NOTICES) go here, as in the seed. */
export const STATUS_CHANNEL = '#data-pipeline-status';

/** A step without a (valid) severity is reviewed in-app rather than waking anyone. */
export const DEFAULT_SEVERITY: Severity = 'medium';

export function severityOf(metadata: unknown): Severity {
  const value = metadata && typeof metadata === 'object' && 'severity' in metadata ? metadata.severity : undefined;
  return SEVERITIES.find((severity) => severity === value) ?? DEFAULT_SEVERITY;
}
