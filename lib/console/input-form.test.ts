/**
 * The generated start form: a retention-like schema and customer_analytics' own input become labelled fields with
 * bounds and defaults; submitted values are checked by the schema and each problem lands on its field in words.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { definePipeline } from '@/lib/engine';
import { customerAnalyticsInput } from '@/lib/pipelines/customer-analytics/input';
import { describeInputForm, humanizeFieldName, parseInputForm, type InputFormField } from './input-form';
import { findPipeline, pipelineChoices, pipelineStartFormSchema, PIPELINE_FIELD, startPageView, unknownPipelineMessage } from './pipeline-start';

const lastCompleteMonth = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString().slice(0, 7);
};

/** The shape customer_retention's input is being written to. */
const retentionInput = z
  .object({
    months: z.number().int().min(1).max(36).default(12).describe('Months of history'),
    end_month: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month like 2026-01')
      .default(lastCompleteMonth)
      .meta({ title: 'Last month', description: 'The last month counted; it must be complete.' }),
  })
  .strict();

const kitchenSink = z.object({
  segment: z.enum(['vip', 'regular', 'new']),
  channels: z.array(z.enum(['email', 'slack', 'sms'])).min(1).default(['slack']),
  notes: z.string().min(3).max(40).optional(),
  dry_run: z.boolean().default(false),
  scope: z.object({ region: z.string(), weight: z.number().min(0).max(1) }),
  extra: z.union([z.number(), z.string()]).optional(),
});

const byName = (fields: readonly InputFormField[]): Record<string, InputFormField> =>
  Object.fromEntries(fields.flatMap((field) => (field.kind === 'group' ? [[field.name, field], ...Object.entries(byName(field.fields))] : [[field.name, field]])));

describe('describeInputForm', () => {
  it('turns the retention input into a bounded number and a month, defaults prefilled', () => {
    const { fields } = describeInputForm(retentionInput);
    expect(fields).toEqual([
      { kind: 'number', name: 'months', label: 'Months of history', required: false, integer: true, min: 1, max: 36, defaultValue: 12, hint: 'From 1 to 36.' },
      {
        kind: 'text',
        name: 'end_month',
        label: 'Last month',
        required: false,
        inputType: 'month',
        pattern: null,
        minLength: null,
        maxLength: null,
        min: null,
        max: null,
        defaultValue: lastCompleteMonth(),
        hint: 'The last month counted; it must be complete. A month, YYYY-MM.',
      },
    ]);
  });

  it('turns customer_analytics input into a date-range fieldset, a checkbox and a channel list', () => {
    const fields = byName(describeInputForm(customerAnalyticsInput).fields);
    expect(fields.date_range).toMatchObject({ kind: 'group', label: 'Date range', required: true });
    expect(fields['date_range.start_date']).toMatchObject({ kind: 'text', inputType: 'date', label: 'Start date', required: true, defaultValue: '' });
    expect(fields['date_range.end_date']).toMatchObject({ kind: 'text', inputType: 'date', label: 'End date' });
    expect(fields.force_refresh).toEqual({
      kind: 'checkbox',
      name: 'force_refresh',
      label: 'Force refresh',
      required: false,
      defaultValue: false,
      hint: 'Without it, a window that a completed run already published is reused instead of computed again.',
    });
    expect(fields.notification_channels).toMatchObject({ kind: 'list', label: 'Notification channels', defaultValue: '#data-team', pattern: '^#[a-z0-9][a-z0-9_-]{0,79}$' });
  });

  it('makes enums selects, enum arrays checkboxes, objects fieldsets and the rest JSON', () => {
    const fields = byName(describeInputForm(kitchenSink).fields);
    expect(fields.segment).toMatchObject({ kind: 'select', options: ['vip', 'regular', 'new'], required: true, defaultValue: '' });
    expect(fields.channels).toMatchObject({ kind: 'checkboxes', options: ['email', 'slack', 'sms'], defaultValue: ['slack'], hint: 'At least 1 items.' });
    expect(fields.notes).toMatchObject({ kind: 'text', inputType: 'text', required: false, minLength: 3, maxLength: 40 });
    expect(fields.scope).toMatchObject({ kind: 'group', label: 'Scope' });
    expect(fields['scope.weight']).toMatchObject({ kind: 'number', integer: false, min: 0, max: 1, required: true });
    expect(fields.extra).toMatchObject({ kind: 'json', required: false });
  });

  it('humanizes field names', () => {
    expect(humanizeFieldName('end_month')).toBe('End month');
    expect(humanizeFieldName('notificationChannels')).toBe('Notification channels');
  });
});

describe('parseInputForm', () => {
  const retentionForm = describeInputForm(retentionInput);

  it('accepts good values and lets empty ones take the default', () => {
    expect(parseInputForm(retentionInput, retentionForm, { months: '6', end_month: '2026-03' })).toEqual({ ok: true, input: { months: 6, end_month: '2026-03' } });
    const defaults = parseInputForm(retentionInput, retentionForm, { months: '', end_month: '' });
    expect(defaults).toEqual({ ok: true, input: { months: undefined, end_month: undefined } });
    expect(retentionInput.parse(defaults.ok ? defaults.input : null)).toEqual({ months: 12, end_month: lastCompleteMonth() });
  });

  it('says what is wrong with each field, in words', () => {
    expect(parseInputForm(retentionInput, retentionForm, { months: '40', end_month: '2026-13' })).toEqual({
      ok: false,
      errors: { months: ['Months of history must be at most 36.'], end_month: ['Last month must be a month like 2026-01.'] },
      formErrors: [],
    });
    expect(parseInputForm(retentionInput, retentionForm, { months: '1.5' })).toMatchObject({ errors: { months: ['Months of history must be a whole number.'] } });
    expect(parseInputForm(retentionInput, retentionForm, { months: 'abc' })).toMatchObject({ errors: { months: ['Months of history must be a whole number.'] } });
    expect(parseInputForm(retentionInput, retentionForm, { months: '0' })).toMatchObject({ errors: { months: ['Months of history must be at least 1.'] } });
  });

  it('maps nested, list-item and refinement issues of customer_analytics onto their fields', () => {
    const form = describeInputForm(customerAnalyticsInput);
    const result = parseInputForm(customerAnalyticsInput, form, {
      'date_range.start_date': '2026-01-10',
      'date_range.end_date': '2026-01-05',
      notification_channels: '#ok, Bad',
    });
    expect(result).toEqual({
      ok: false,
      errors: {
        'date_range.end_date': ['End date must be on or after the start date.'],
        notification_channels: ['Notification channels: “Bad” must be a channel name like #data-team.'],
      },
      formErrors: [],
    });
    expect(parseInputForm(customerAnalyticsInput, form, { 'date_range.end_date': '2026-01-05' })).toMatchObject({
      errors: { 'date_range.start_date': ['Enter the start date.'] },
    });
    expect(parseInputForm(customerAnalyticsInput, form, { 'date_range.start_date': '2026-01-01', 'date_range.end_date': '2026-01-02', force_refresh: 'on' })).toEqual({
      ok: true,
      input: { date_range: { start_date: '2026-01-01', end_date: '2026-01-02' }, force_refresh: true },
    });
    expect(parseInputForm(customerAnalyticsInput, form, { 'date_range.start_date': '2026-01-01', 'date_range.end_date': '2026-01-02', notification_channels: ' , ' })).toMatchObject({
      errors: { notification_channels: ['Notification channels must name at least one channel.'] },
    });
  });

  it('reads checkboxes, selects and JSON', () => {
    const form = describeInputForm(kitchenSink);
    const good = parseInputForm(kitchenSink, form, { segment: 'vip', channels: ['email', 'sms'], 'scope.region': 'eu', 'scope.weight': '0.5', extra: '3' });
    expect(good).toEqual({
      ok: true,
      input: { segment: 'vip', channels: ['email', 'sms'], notes: undefined, dry_run: false, scope: { region: 'eu', weight: 0.5 }, extra: 3 },
    });
    const bad = parseInputForm(kitchenSink, form, { segment: 'gold', 'scope.weight': '2', extra: '{oops', notes: 'ab' });
    expect(bad).toEqual({
      ok: false,
      errors: {
        segment: ['Segment must be one of vip, regular, new.'],
        channels: ['Channels must be at least 1 item.'],
        notes: ['Notes must be at least 3 characters.'],
        'scope.region': ['Enter the region.'],
        'scope.weight': ['Weight must be at most 1.'],
        extra: ['Extra must be valid JSON.'],
      },
      formErrors: [],
    });
  });
});

describe('pipelines offered by the start form', () => {
  const step = { name: 'only', handler: async () => null };
  const retention = (version: string) => definePipeline({ namespace: 'data_pipeline', name: 'customer_retention', version, description: `retention ${version}`, input: retentionInput, steps: [step] });
  const other = definePipeline({ namespace: 'other', name: 'customer_retention', version: '1', description: 'another namespace', input: z.object({}), steps: [step] });
  const definitions = [retention('1.2.0'), retention('1.10.0')];

  it('lists each pipeline once at its newest version, and finds it by name', () => {
    expect(pipelineChoices(definitions)).toEqual([
      { ref: 'customer_retention', namespace: 'data_pipeline', name: 'customer_retention', version: '1.10.0', description: 'retention 1.10.0' },
    ]);
    expect(findPipeline(definitions, 'customer_retention')?.version).toBe('1.10.0');
    expect(findPipeline(definitions, 'nope')).toBeUndefined();
  });

  it('needs the namespace when two namespaces share a name', () => {
    const both = [...definitions, other];
    expect(pipelineChoices(both).map((choice) => choice.ref)).toEqual(['data_pipeline.customer_retention', 'other.customer_retention']);
    expect(findPipeline(both, 'customer_retention')).toBeUndefined();
    expect(findPipeline(both, 'other.customer_retention')?.namespace).toBe('other');
    expect(unknownPipelineMessage('customer_retention', both)).toBe(
      'There is no pipeline “customer_retention”. Known pipelines: data_pipeline.customer_retention, other.customer_retention.',
    );
  });

  it('validates a submission with the chosen pipeline’s schema, keyed by field', () => {
    const schema = pipelineStartFormSchema(definitions);
    expect(schema.parse({ [PIPELINE_FIELD]: 'customer_retention', months: '3', end_month: '2026-02' })).toEqual({
      namespace: 'data_pipeline',
      name: 'customer_retention',
      context: { months: 3, end_month: '2026-02' },
    });
    const refused = schema.safeParse({ [PIPELINE_FIELD]: 'customer_retention', months: '99' });
    expect(refused.success ? [] : refused.error.issues.map((issue) => [issue.path, issue.message])).toEqual([[['months'], 'Months of history must be at most 36.']]);
    const unknown = schema.safeParse({ [PIPELINE_FIELD]: 'payroll' });
    expect(unknown.success ? [] : unknown.error.issues.map((issue) => issue.message)).toEqual(['There is no pipeline “payroll”. Known pipelines: customer_retention.']);
  });

  it('opens on the preferred pipeline’s form by default, another one’s when asked, or lists the known names', () => {
    const analytics = definePipeline({ namespace: 'data_pipeline', name: 'customer_analytics', version: '1.0.0', description: 'analytics', input: customerAnalyticsInput, steps: [step] });
    const preferred = { namespace: 'data_pipeline', name: 'customer_analytics' };
    const both = [analytics, ...definitions];
    expect(startPageView([analytics], undefined, { preferred })).toMatchObject({ kind: 'form', pipeline: { ref: 'customer_analytics' }, choices: [{ ref: 'customer_analytics' }] });
    expect(startPageView(both, undefined, { preferred })).toMatchObject({ kind: 'form', pipeline: { ref: 'customer_analytics' } });
    const retentionView = startPageView(both, 'customer_retention', { preferred });
    expect(retentionView).toMatchObject({ kind: 'form', pipeline: { ref: 'customer_retention', version: '1.10.0' } });
    expect(retentionView.kind === 'form' ? retentionView.form.fields.map((field) => field.name) : []).toEqual(['months', 'end_month']);
    expect(retentionView.choices.map((choice) => choice.ref)).toEqual(['customer_analytics', 'customer_retention']);
    expect(startPageView(both, 'payroll', { preferred })).toMatchObject({
      kind: 'unknown',
      message: 'There is no pipeline “payroll”. Known pipelines: customer_analytics, customer_retention.',
    });
    // A deployment without the preferred pipeline opens on its first one.
    expect(startPageView(definitions, undefined, { preferred })).toMatchObject({ kind: 'form', pipeline: { ref: 'customer_retention' } });
  });

  it('prefills and bounds the form with the pipeline’s hints', () => {
    const view = startPageView([retention('2')], undefined, { hintsFor: () => ({ prefill: { months: 6, end_month: '2026-01' }, bounds: { end_month: { max: '2026-02' } } }) });
    const fields = view.kind === 'form' ? byName(view.form.fields) : {};
    expect(fields.months).toMatchObject({ defaultValue: 6, required: false });
    expect(fields.end_month).toMatchObject({ defaultValue: '2026-01', max: '2026-02', min: null });
    expect(fields.end_month?.hint).toMatch(/Not after 2026-02\.$/);
  });

});
