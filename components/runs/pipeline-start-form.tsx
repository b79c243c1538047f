'use client';
/**
 * The start form of any pipeline, drawn from the field description lib/console/input-form.ts derives from its
 * input schema. Values are uncontrolled and survive a refused submit (useActionForm); each field's errors are
 * announced (aria-live) and tied to it by aria-describedby. A start the pipeline's policy answered with an existing
 * run (reused, already running) is explained with a link to that run.
 */
import Link from 'next/link';
import { FormField, FormMessage } from '@/components/auth/form-field';
import { useActionForm } from '@/components/forms/use-action-form';
import { Button } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { idleState, type ActionState } from '@/lib/auth/action-state';
import type { InputFormDescription, InputFormField } from '@/lib/console/input-form';
import type { StartNotice } from '@/lib/console/pipeline-start';

type StartState = ActionState<string, StartNotice>;

const idOf = (name: string) => `field-${name.replace(/\./g, '-')}`;

const controlClass =
  'h-10 rounded-control border border-border-strong bg-surface px-3 text-sm text-foreground focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-focus aria-invalid:border-danger';
const boxClass = 'size-4 accent-accent focus-visible:outline-2 focus-visible:outline-focus';

function Errors({ id, errors }: { id: string; errors: string[] | undefined }) {
  return (
    <div id={id} aria-live="polite" className="text-sm text-danger">
      {errors?.map((message) => <p key={message}>{message}</p>)}
    </div>
  );
}

function Hint({ id, hint }: { id: string; hint: string | null }) {
  return hint ? (
    <p id={id} className="text-xs text-foreground-muted">
      {hint}
    </p>
  ) : null;
}

function Field({ field, errors }: { field: InputFormField; errors: StartState['errors'] }) {
  const id = idOf(field.name);
  const own = errors[field.name];
  const invalid = own && own.length > 0 ? true : undefined;
  const describedBy = [field.hint ? `${id}-hint` : null, `${id}-errors`].filter(Boolean).join(' ');
  switch (field.kind) {
    case 'group':
      return (
        <fieldset className="flex flex-col gap-4 rounded-control border border-border p-4" aria-describedby={describedBy}>
          <legend className="px-1 text-sm font-semibold">{field.label}</legend>
          <Hint id={`${id}-hint`} hint={field.hint} />
          <div className="grid gap-4 sm:grid-cols-2">
            {field.fields.map((child) => (
              <Field key={child.name} field={child} errors={errors} />
            ))}
          </div>
          <Errors id={`${id}-errors`} errors={own} />
        </fieldset>
      );
    case 'number':
      return (
        <FormField
          id={id}
          label={field.label}
          name={field.name}
          type="number"
          inputMode={field.integer ? 'numeric' : 'decimal'}
          step={field.integer ? 1 : 'any'}
          min={field.min ?? undefined}
          max={field.max ?? undefined}
          defaultValue={field.defaultValue ?? ''}
          required={field.required}
          hint={field.hint ?? undefined}
          errors={own}
        />
      );
    case 'text':
      return (
        <FormField
          id={id}
          label={field.label}
          name={field.name}
          type={field.inputType}
          min={field.min ?? undefined}
          max={field.max ?? undefined}
          pattern={field.pattern ?? undefined}
          minLength={field.minLength ?? undefined}
          maxLength={field.maxLength ?? undefined}
          placeholder={field.inputType === 'month' ? 'YYYY-MM' : undefined}
          defaultValue={field.defaultValue}
          required={field.required}
          hint={field.hint ?? undefined}
          errors={own}
        />
      );
    case 'list':
      return <FormField id={id} label={field.label} name={field.name} defaultValue={field.defaultValue} required={field.required} hint={field.hint ?? undefined} errors={own} />;
    case 'checkbox':
      return (
        <div className="flex flex-col gap-1">
          <div className="flex items-center gap-2">
            <input id={id} type="checkbox" name={field.name} defaultChecked={field.defaultValue} aria-invalid={invalid} aria-describedby={describedBy} className={boxClass} />
            <label htmlFor={id} className="text-sm font-medium">
              {field.label}
            </label>
          </div>
          <Hint id={`${id}-hint`} hint={field.hint} />
          <Errors id={`${id}-errors`} errors={own} />
        </div>
      );
    case 'checkboxes':
      return (
        <fieldset className="flex flex-col gap-1.5" aria-describedby={describedBy}>
          <legend className="text-sm font-medium">{field.label}</legend>
          <div className="flex flex-wrap gap-4">
            {field.options.map((option) => (
              <label key={option} className="flex items-center gap-2 text-sm">
                <input type="checkbox" name={field.name} value={option} defaultChecked={field.defaultValue.includes(option)} aria-invalid={invalid} className={boxClass} />
                {option}
              </label>
            ))}
          </div>
          <Hint id={`${id}-hint`} hint={field.hint} />
          <Errors id={`${id}-errors`} errors={own} />
        </fieldset>
      );
    case 'select':
      return (
        <div className="flex flex-col gap-1.5">
          <label htmlFor={id} className="text-sm font-medium">
            {field.label}
          </label>
          <select id={id} name={field.name} defaultValue={field.defaultValue} required={field.required} aria-invalid={invalid} aria-describedby={describedBy} className={controlClass}>
            {(field.defaultValue === '' || !field.required) && <option value="">{field.required ? 'Choose…' : 'Default'}</option>}
            {field.options.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
          <Hint id={`${id}-hint`} hint={field.hint} />
          <Errors id={`${id}-errors`} errors={own} />
        </div>
      );
    case 'json':
      return (
        <div className="flex flex-col gap-1.5">
          <label htmlFor={id} className="text-sm font-medium">
            {field.label}
          </label>
          <textarea
            id={id}
            name={field.name}
            defaultValue={field.defaultValue}
            required={field.required}
            rows={3}
            aria-invalid={invalid}
            aria-describedby={describedBy}
            className="rounded-control border border-border-strong bg-surface px-3 py-2 font-mono text-sm text-foreground focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-focus aria-invalid:border-danger"
          />
          <Hint id={`${id}-hint`} hint={field.hint} />
          <Errors id={`${id}-errors`} errors={own} />
        </div>
      );
  }
}

export function PipelineStartForm({
  action,
  pipelineRef,
  pipelineField,
  form,
}: {
  action: (state: StartState, payload: FormData) => Promise<StartState>;
  pipelineRef: string;
  /** The hidden field's name (lib/console/pipeline-start.ts PIPELINE_FIELD). */
  pipelineField: string;
  form: InputFormDescription;
}) {
  const { state, pending, formProps } = useActionForm(action, idleState<string, StartNotice>());
  const notice = state.status === 'success' ? state.result : undefined;
  return (
    <Card>
      <CardContent className="pt-5">
        <form {...formProps} noValidate aria-label="Start a run" className="flex flex-col gap-5">
          <input type="hidden" name={pipelineField} value={pipelineRef} />
          {form.fields.map((field) => (
            <Field key={field.name} field={field} errors={state.errors} />
          ))}
          <div aria-live="polite" role="status" data-testid="start-outcome">
            {notice && (
              <p className="rounded-control bg-status-retrying-tint px-3 py-2 text-sm text-status-retrying">
                {state.message}{' '}
                <Link href={`/runs/${notice.taskId}`} className="font-semibold underline underline-offset-4">
                  {notice.kind === 'reused' ? 'Open the run whose results are reused' : 'Open the run in progress'}
                </Link>
              </p>
            )}
          </div>
          {state.status === 'error' && <FormMessage status={state.status} message={state.message} />}
          <div>
            <Button type="submit" disabled={pending} aria-busy={pending}>
              {pending ? 'Starting…' : 'Start run'}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
