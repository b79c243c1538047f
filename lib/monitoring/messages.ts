/**
 * The bodies of outgoing messages, in the real services' formats: Slack incoming-webhook JSON (`text` as
 * the notification fallback plus Block Kit `blocks`) and PagerDuty Events API v2 (`event_action`, `dedup_key`,
 * `payload.summary/source/severity`). The routing key is not part of a stored body; delivery adds it.
 */
import type { AlertSeverity } from '@/db/schema';
import { groupingStepName, type JsonValue } from '@/lib/engine';
import { failureGroupPath } from '@/lib/http/console-links';

/** What message builders need of an alert. */
export interface AlertForMessage {
  id: number;
  kind: string;
  dedupKey: string;
  severity: AlertSeverity;
  taskId: string | null;
  stepName: string | null;
  title: string;
  details: Record<string, JsonValue | undefined>;
  createdAt: Date;
}

export interface SlackPayload {
  channel: string;
  text: string;
  blocks: Array<Record<string, JsonValue>>;
  [key: string]: JsonValue;
}

export interface PagerDutyEvent {
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: 'critical' | 'error' | 'warning' | 'info';
    timestamp: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details: Record<string, JsonValue | undefined>;
  };
  client?: string;
  client_url?: string;
  links?: Array<{ href: string; text: string }>;
  [key: string]: JsonValue | undefined;
}

const PAGERDUTY_SEVERITY: Record<AlertSeverity, 'critical' | 'error' | 'warning'> = { critical: 'critical', high: 'error', medium: 'warning' };
/** PagerDuty rejects a summary over 1024 characters. */
const SUMMARY_LIMIT = 1024;

export function taskLink(linkBaseUrl: string, taskId: string | null): string | undefined {
  return taskId ? `${linkBaseUrl.replace(/\/+$/, '')}/runs/${taskId}` : undefined;
}

/**
 * A failed step's group on /failures: the first place a step_failed alert sends its reader, since the same failure
 * in other runs is retried or resolved there at once. A mapped step's child is grouped under its mapped step, as
 * the page groups it; without a recorded error class the link narrows by pipeline and step only.
 */
export function failureGroupLink(linkBaseUrl: string, alert: AlertForMessage): string | undefined {
  const { namespace, taskName } = alert.details;
  if (alert.kind !== 'step_failed' || !alert.stepName || typeof namespace !== 'string' || typeof taskName !== 'string') return undefined;
  const path = failureGroupPath({ pipeline: `${namespace}/${taskName}`, step: groupingStepName(alert.stepName), errorClass: errorClassOf(alert) });
  return `${linkBaseUrl.replace(/\/+$/, '')}${path}`;
}

/** Slack's mrkdwn treats &, < and > as control characters, inside a link's address too; it decodes the entities. */
const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function failureGroupLabel(alert: AlertForMessage): string {
  const errorClass = errorClassOf(alert);
  return `every run where ${groupingStepName(alert.stepName ?? '')} failed${errorClass ? ` with ${errorClass}` : ''}`;
}

function pipelineLabel(alert: AlertForMessage): string {
  const name = typeof alert.details.taskName === 'string' ? alert.details.taskName : 'the data pipeline';
  return name.replace(/_/g, ' ').replace(/^./, (first) => first.toUpperCase());
}

/** The class the engine recorded for the failure (step.failed's payload), when it recorded one. */
function errorClassOf(alert: AlertForMessage): string | undefined {
  const error = alert.details.error;
  return error && typeof error === 'object' && !Array.isArray(error) && typeof error.class === 'string' ? error.class : undefined;
}

function errorLine(alert: AlertForMessage): string | undefined {
  const error = alert.details.error;
  if (!error || typeof error !== 'object' || Array.isArray(error)) return undefined;
  const errorClass = errorClassOf(alert) ?? 'Error';
  const message = typeof error.message === 'string' ? error.message : '';
  return `${errorClass}: ${message}`.slice(0, 500);
}

function slack(channel: string, lines: string[]): SlackPayload {
  const text = lines.join('\n');
  return { channel, text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
}

export function slackAlertMessage(alert: AlertForMessage, channel: string, audience: 'stakeholders' | 'engineers', linkBaseUrl: string): SlackPayload {
  const link = taskLink(linkBaseUrl, alert.taskId);
  const failures = failureGroupLink(linkBaseUrl, alert);
  if (audience === 'stakeholders') {
    return slack(channel, [
      `⚠️ ${pipelineLabel(alert)} may be delayed due to a pipeline failure${alert.stepName ? ` (${alert.stepName})` : ''}. Engineering team investigating.`,
    ]);
  }
  const error = errorLine(alert);
  return slack(channel, [
    `🚨 [${alert.severity}] ${alert.title}`,
    ...(failures ? [`• Failures: <${slackEscape(failures)}|${failureGroupLabel(alert)}>`] : []),
    ...(link ? [`• Task: <${link}|${alert.taskId}>`] : []),
    ...(alert.stepName ? [`• Step: ${alert.stepName}`] : []),
    ...(error ? [`• Error: ${error}`] : []),
  ]);
}

/**
 * How an alert ended: fixed (a retry succeeded, the run finished), or worked around by an operator who resolved
 * the step by hand — then its data is missing, and stakeholders must hear that rather than "all clear".
 */
export type Resolution = { kind: 'fixed' } | { kind: 'resolved_manually'; missingData: string | null };

export function slackResolvedMessage(
  alert: AlertForMessage,
  channel: string,
  audience: 'stakeholders' | 'engineers',
  reason: string,
  linkBaseUrl: string,
  resolution: Resolution = { kind: 'fixed' },
): SlackPayload {
  if (audience === 'stakeholders') {
    // Never "back on track": whether the figures reach the dashboard is decided later, by its data-quality gate.
    if (resolution.kind === 'resolved_manually') {
      const step = alert.stepName ?? 'a step';
      return slack(channel, [
        `⚠️ Update: ${pipelineLabel(alert)}: ${step} did not recover and was resolved by hand by an operator, so its data` +
          `${resolution.missingData ? ` (${resolution.missingData})` : ''} is missing from this run. ` +
          'Its figures will not replace the dashboard without review.',
      ]);
    }
    return slack(channel, [`✅ Update: ${pipelineLabel(alert)}${alert.stepName ? `: ${alert.stepName} ${reason}` : ` — ${reason}`}; the run continues.`]);
  }
  const link = taskLink(linkBaseUrl, alert.taskId);
  return slack(channel, [`✅ Resolved: ${alert.title} — ${reason}`, ...(link ? [`• Task: <${link}|${alert.taskId}>`] : [])]);
}

export function slackNotice(channel: string, text: string): SlackPayload {
  return slack(channel, [text]);
}

export function pagerDutyTrigger(alert: AlertForMessage, linkBaseUrl: string): PagerDutyEvent {
  const link = taskLink(linkBaseUrl, alert.taskId);
  const failures = failureGroupLink(linkBaseUrl, alert);
  const links = [
    ...(failures ? [{ href: failures, text: 'Open the failure group in Nightshift' }] : []),
    ...(link ? [{ href: link, text: 'Open the run in Nightshift' }] : []),
  ];
  const group = typeof alert.details.namespace === 'string' && typeof alert.details.taskName === 'string'
    ? `${alert.details.namespace}/${alert.details.taskName}`
    : undefined;
  return {
    event_action: 'trigger',
    dedup_key: alert.dedupKey,
    payload: {
      summary: alert.title.slice(0, SUMMARY_LIMIT),
      source: 'nightshift',
      severity: PAGERDUTY_SEVERITY[alert.severity],
      timestamp: alert.createdAt.toISOString(),
      ...(alert.stepName ? { component: alert.stepName } : {}),
      ...(group ? { group } : {}),
      class: alert.kind,
      custom_details: { ...alert.details, task_id: alert.taskId, step: alert.stepName, alert_id: alert.id },
    },
    client: 'Nightshift',
    ...(links[0] ? { client_url: links[0].href, links } : {}),
  };
}

export function pagerDutyResolve(alert: AlertForMessage): PagerDutyEvent {
  return { event_action: 'resolve', dedup_key: alert.dedupKey };
}
