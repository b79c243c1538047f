'use client';
/**
 * The operator's schedule forms: pause / resume, add, edit and delete. Field errors come from the server's checks
 * (lib/scheduling/schedule-form.ts) and are announced; a refused submit keeps what was typed.
 */
import { useState } from 'react';
import { FormField, FormMessage } from '@/components/auth/form-field';
import { useActionForm } from '@/components/forms/use-action-form';
import { Button } from '@/components/ui/button';
import { idleState } from '@/lib/auth/action-state';
import { SCHEDULE_FORM_LABELS, type ScheduleFormValues, type SchedulePipelineOption } from '@/lib/scheduling/schedule-form-labels';
import { createScheduleAction, deleteScheduleAction, setSchedulePausedAction, updateScheduleAction } from './actions';

export function PauseScheduleForm({ scheduleId, name, paused }: { scheduleId: string; name: string; paused: boolean }) {
  const { state, pending, formProps } = useActionForm(setSchedulePausedAction, idleState());
  return (
    <form {...formProps} className="flex items-center gap-2">
      <input type="hidden" name="scheduleId" value={scheduleId} />
      <input type="hidden" name="paused" value={paused ? 'false' : 'true'} />
      <Button type="submit" size="sm" variant="secondary" disabled={pending} aria-label={`${paused ? 'Resume' : 'Pause'} schedule ${name}`}>
        {paused ? 'Resume' : 'Pause'}
      </Button>
      <span aria-live="polite" className="text-xs">
        {state.status === 'error' ? state.message : ''}
      </span>
    </form>
  );
}

const controlClass =
  'rounded-control border border-border-strong bg-surface px-3 text-sm text-foreground focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-focus aria-invalid:border-danger';

type Errors = Partial<Record<string, string[]>>;

function FieldErrors({ id, errors }: { id: string; errors: string[] | undefined }) {
  return (
    <div id={id} aria-live="polite" className="text-sm text-danger">
      {errors?.map((message) => <p key={message}>{message}</p>)}
    </div>
  );
}

/** The fields both forms share; ids carry the form's prefix, since several forms share the page. */
function ScheduleFields({ prefix, values, pipelines, errors }: { prefix: string; values: ScheduleFormValues; pipelines: SchedulePipelineOption[]; errors: Errors }) {
  const id = (field: string) => `${prefix}-${field}`;
  const invalid = (field: string) => (errors[field]?.length ? true : undefined);
  return (
    <>
      <div className="flex flex-col gap-1.5">
        <label htmlFor={id('pipeline')} className="text-sm font-medium">
          {SCHEDULE_FORM_LABELS.pipeline}
        </label>
        <select
          id={id('pipeline')}
          name="pipeline"
          defaultValue={values.pipeline}
          aria-invalid={invalid('pipeline')}
          aria-describedby={`${id('pipeline')}-errors`}
          className={`h-10 ${controlClass}`}
        >
          {pipelines.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
          {/* A schedule of a pipeline this deployment no longer registers keeps showing what it names. */}
          {values.pipeline !== '' && !pipelines.some((option) => option.value === values.pipeline) && <option value={values.pipeline}>{values.pipeline} (not registered)</option>}
        </select>
        <FieldErrors id={`${id('pipeline')}-errors`} errors={errors.pipeline} />
      </div>
      <FormField
        id={id('cronExpression')}
        label={SCHEDULE_FORM_LABELS.cronExpression}
        name="cronExpression"
        defaultValue={values.cronExpression}
        hint="Minute, hour, day of month, month, day of week — 0 1 * * * is 01:00 every day."
        errors={errors.cronExpression}
      />
      <FormField id={id('timeZone')} label={SCHEDULE_FORM_LABELS.timeZone} name="timeZone" defaultValue={values.timeZone} hint="IANA time zone, such as UTC or Europe/Berlin." errors={errors.timeZone} />
      <FormField
        id={id('deadlineLocalTime')}
        label={SCHEDULE_FORM_LABELS.deadlineLocalTime}
        name="deadlineLocalTime"
        defaultValue={values.deadlineLocalTime}
        placeholder="07:00"
        hint="Local time the run should be finished by; empty for none."
        errors={errors.deadlineLocalTime}
      />
      <div className="flex flex-col gap-1.5 sm:col-span-2">
        <label htmlFor={id('inputTemplate')} className="text-sm font-medium">
          {SCHEDULE_FORM_LABELS.inputTemplate}
        </label>
        <textarea
          id={id('inputTemplate')}
          name="inputTemplate"
          defaultValue={values.inputTemplate}
          rows={3}
          aria-invalid={invalid('inputTemplate')}
          aria-describedby={`${id('inputTemplate')}-hint ${id('inputTemplate')}-errors`}
          className={`py-2 font-mono ${controlClass}`}
        />
        <p id={`${id('inputTemplate')}-hint`} className="text-xs text-foreground-muted">
          The run&apos;s input as JSON. A string that is only {'{{today}}'}, {'{{yesterday}}'} or {'{{days_ago:N}}'} becomes that day, in the schedule&apos;s zone.
        </p>
        <FieldErrors id={`${id('inputTemplate')}-errors`} errors={errors.inputTemplate} />
      </div>
      <div className="flex flex-col gap-1">
        <div className="flex items-center gap-2">
          <input
            id={id('enabled')}
            type="checkbox"
            name="enabled"
            defaultChecked={values.enabled}
            aria-describedby={`${id('enabled')}-errors`}
            className="size-4 accent-accent focus-visible:outline-2 focus-visible:outline-focus"
          />
          <label htmlFor={id('enabled')} className="text-sm font-medium">
            {SCHEDULE_FORM_LABELS.enabled}
          </label>
        </div>
        <FieldErrors id={`${id('enabled')}-errors`} errors={errors.enabled} />
      </div>
    </>
  );
}

export function NewScheduleForm({ pipelines, suggested }: { pipelines: SchedulePipelineOption[]; suggested: ScheduleFormValues }) {
  const { state, pending, formProps } = useActionForm(createScheduleAction, idleState(), { resetOnSuccess: true });
  return (
    <form {...formProps} noValidate aria-label="New schedule" className="grid gap-4 sm:grid-cols-2">
      <FormField
        id="new-schedule-name"
        label={SCHEDULE_FORM_LABELS.name}
        name="name"
        defaultValue={suggested.name}
        hint="Lower-case letters, digits, _ or -; it cannot be changed later."
        errors={state.errors.name}
      />
      <ScheduleFields prefix="new-schedule" values={suggested} pipelines={pipelines} errors={state.errors} />
      <div className="flex flex-col gap-3 sm:col-span-2">
        <FormMessage status={state.status} message={state.message} />
        <div>
          <Button type="submit" disabled={pending} aria-busy={pending}>
            {pending ? 'Adding…' : 'Add schedule'}
          </Button>
        </div>
      </div>
    </form>
  );
}

export function EditScheduleForm({ scheduleId, values, pipelines }: { scheduleId: string; values: ScheduleFormValues; pipelines: SchedulePipelineOption[] }) {
  const { state, pending, formProps } = useActionForm(updateScheduleAction, idleState());
  return (
    <form {...formProps} noValidate aria-label={`Edit schedule ${values.name}`} className="grid gap-4 sm:grid-cols-2">
      <input type="hidden" name="scheduleId" value={scheduleId} />
      <ScheduleFields prefix={`schedule-${scheduleId}`} values={values} pipelines={pipelines} errors={state.errors} />
      <div className="flex flex-col gap-3 sm:col-span-2">
        <FormMessage status={state.status} message={state.message} />
        <div>
          <Button type="submit" disabled={pending} aria-busy={pending}>
            {pending ? 'Saving…' : 'Save schedule'}
          </Button>
        </div>
      </div>
    </form>
  );
}

/** Deleting asks once more in place: the firings' record goes with the schedule. */
export function DeleteScheduleForm({ scheduleId, name }: { scheduleId: string; name: string }) {
  const { state, pending, formProps } = useActionForm(deleteScheduleAction, idleState());
  const [confirming, setConfirming] = useState(false);
  return (
    <form {...formProps} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="scheduleId" value={scheduleId} />
      {confirming ? (
        <>
          <span className="text-sm">Delete {name}? Its record of firings goes with it; the runs stay.</span>
          <Button type="submit" size="sm" variant="danger" disabled={pending} aria-label={`Delete schedule ${name} now`}>
            Delete
          </Button>
          <Button type="button" size="sm" variant="secondary" onClick={() => setConfirming(false)}>
            Keep
          </Button>
        </>
      ) : (
        <Button type="button" size="sm" variant="secondary" onClick={() => setConfirming(true)} aria-label={`Delete schedule ${name}`}>
          Delete…
        </Button>
      )}
      <span aria-live="polite" className="text-sm text-danger">
        {state.status === 'error' ? state.message : ''}
      </span>
    </form>
  );
}
