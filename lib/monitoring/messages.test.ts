/**
 * The links in alert messages: a step_failed alert sends its reader to the failure group on /failures first (a
 * mapped step's child grouped under its mapped step, the error class when the engine recorded one), the run second;
 * other alerts link to the run only. Pure functions over an alert row, so no database.
 */
import { describe, expect, it } from 'vitest';
import { failureGroupLink, pagerDutyTrigger, slackAlertMessage, type AlertForMessage } from './messages';

const BASE = 'https://nightshift.example/';
const TASK = '0193ab12-0000-7000-8000-000000000001';

function stepFailed(overrides: Partial<AlertForMessage> = {}): AlertForMessage {
  return {
    id: 7,
    kind: 'step_failed',
    dedupKey: `step_failed:${TASK}:extract_users`,
    severity: 'critical',
    taskId: TASK,
    stepName: 'extract_users',
    title: 'Data pipeline failure: extract_users of data_pipeline/customer_analytics failed after 6 attempts',
    details: { namespace: 'data_pipeline', taskName: 'customer_analytics', attempt: 6, error: { class: 'RetryableError', message: 'CRM answered 503' } },
    createdAt: new Date('2026-12-07T06:00:00Z'),
    ...overrides,
  };
}

const GROUP = 'https://nightshift.example/failures?pipeline=data_pipeline%2Fcustomer_analytics&step=extract_users&error_class=RetryableError';

describe('failureGroupLink', () => {
  it('names the pipeline, step and error class as /failures reads them', () => {
    expect(failureGroupLink(BASE, stepFailed())).toBe(GROUP);
    const params = new URL(GROUP).searchParams;
    expect(Object.fromEntries(params)).toEqual({ pipeline: 'data_pipeline/customer_analytics', step: 'extract_users', error_class: 'RetryableError' });
  });

  it('groups a mapped child under its mapped step', () => {
    expect(failureGroupLink(BASE, stepFailed({ stepName: 'score_segment[3]' }))).toBe(
      'https://nightshift.example/failures?pipeline=data_pipeline%2Fcustomer_analytics&step=score_segment&error_class=RetryableError',
    );
  });

  it('narrows by pipeline and step only when no error class was recorded', () => {
    const alert = stepFailed({ details: { namespace: 'data_pipeline', taskName: 'customer_analytics', attempt: 1 } });
    expect(failureGroupLink(BASE, alert)).toBe('https://nightshift.example/failures?pipeline=data_pipeline%2Fcustomer_analytics&step=extract_users');
  });

  it('is absent for alerts that are not a failed step', () => {
    expect(failureGroupLink(BASE, stepFailed({ kind: 'deadline_missed' }))).toBeUndefined();
    expect(failureGroupLink(BASE, stepFailed({ stepName: null }))).toBeUndefined();
    expect(failureGroupLink(BASE, stepFailed({ details: {} }))).toBeUndefined();
  });
});

describe('alert messages link to the failure group first', () => {
  it('Slack (engineers): the failure group line, then the run, with mrkdwn-escaped ampersands', () => {
    const lines = slackAlertMessage(stepFailed(), '#data-team', 'engineers', BASE).text.split('\n');
    expect(lines.slice(1, 3)).toEqual([
      `• Failures: <${GROUP.replaceAll('&', '&amp;')}|every run where extract_users failed with RetryableError>`,
      `• Task: <https://nightshift.example/runs/${TASK}|${TASK}>`,
    ]);
  });

  it('Slack (stakeholders): no console links at all', () => {
    expect(slackAlertMessage(stepFailed(), '#executive-alerts', 'stakeholders', BASE).text).not.toContain('https://');
  });

  it('PagerDuty: client_url is the failure group; links hold it and the run', () => {
    const event = pagerDutyTrigger(stepFailed(), BASE);
    expect(event.client_url).toBe(GROUP);
    expect(event.links).toEqual([
      { href: GROUP, text: 'Open the failure group in Nightshift' },
      { href: `https://nightshift.example/runs/${TASK}`, text: 'Open the run in Nightshift' },
    ]);
  });

  it('PagerDuty for another kind of alert links to its run only', () => {
    const event = pagerDutyTrigger(stepFailed({ kind: 'deadline_missed' }), BASE);
    expect(event.links).toEqual([{ href: `https://nightshift.example/runs/${TASK}`, text: 'Open the run in Nightshift' }]);
    expect(event.client_url).toBe(`https://nightshift.example/runs/${TASK}`);
  });
});
