'use client';
/**
 * The start-a-run form. Field errors come from the pipeline's own input schema via the server action and are
 * announced (aria-live); a start that reuses a published window or joins a running one is explained with a link.
 */
import Link from 'next/link';
import { FormField, FormMessage } from '@/components/auth/form-field';
import { useActionForm } from '@/components/forms/use-action-form';
import { Button } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { idleState, type ActionState } from '@/lib/auth/action-state';
import { START_FORM_LABELS, type StartFormField } from '@/lib/console/start-form-labels';
import type { StartFormDefaults, StartRunResult } from '@/lib/console/start-run-form';

type StartState = ActionState<StartFormField, StartRunResult>;

export function StartRunForm({
  action,
  defaults,
}: {
  action: (state: StartState, payload: FormData) => Promise<StartState>;
  defaults: StartFormDefaults;
}) {
  const { state, pending, formProps } = useActionForm(action, idleState<StartFormField, StartRunResult>());
  const outcome = state.status === 'success' ? state.result : undefined;
  return (
    <Card>
      <CardContent className="pt-5">
        <form {...formProps} noValidate aria-label="Start a run" className="flex flex-col gap-5">
          <fieldset className="grid gap-4 sm:grid-cols-2">
            <legend className="mb-2 text-sm font-semibold">Date range (UTC, both days included)</legend>
            <FormField
              label={START_FORM_LABELS.start_date}
              name="start_date"
              type="date"
              defaultValue={defaults.start_date}
              min={defaults.min_date}
              max={defaults.max_date}
              required
              hint={`Not before ${defaults.min_date}, the earliest date with data.`}
              errors={state.errors.start_date}
            />
            <FormField
              label={START_FORM_LABELS.end_date}
              name="end_date"
              type="date"
              defaultValue={defaults.end_date}
              min={defaults.min_date}
              max={defaults.max_date}
              required
              hint="Not after today; at most 366 days after the start."
              errors={state.errors.end_date}
            />
          </fieldset>
          <FormField
            label={START_FORM_LABELS.channels}
            name="channels"
            defaultValue={defaults.channels}
            hint={`Slack channels to notify, separated by commas (default ${defaults.channels}).`}
            errors={state.errors.channels}
          />
          <div className="flex flex-col gap-1">
            <div className="flex items-center gap-2">
              <input
                id="field-force_refresh"
                type="checkbox"
                name="force_refresh"
                defaultChecked={defaults.force_refresh}
                aria-describedby="field-force_refresh-hint field-force_refresh-errors"
                className="size-4 accent-accent focus-visible:outline-2 focus-visible:outline-focus"
              />
              <label htmlFor="field-force_refresh" className="text-sm font-medium">
                {START_FORM_LABELS.force_refresh}
              </label>
            </div>
            <p id="field-force_refresh-hint" className="text-xs text-foreground-muted">
              Without it, a window that a completed run already published is reused instead of computed again.
            </p>
            <div id="field-force_refresh-errors" aria-live="polite" className="text-sm text-danger">
              {state.errors.force_refresh?.map((message) => <p key={message}>{message}</p>)}
            </div>
          </div>
          <div aria-live="polite" role="status" data-testid="start-outcome">
            {outcome && outcome.kind !== 'created' && (
              <p className="rounded-control bg-status-retrying-tint px-3 py-2 text-sm text-status-retrying">
                {state.message}{' '}
                <Link href={`/runs/${outcome.taskId}`} className="font-semibold underline underline-offset-4">
                  {outcome.kind === 'reused' ? 'Open the run whose results are reused' : 'Open the run in progress'}
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
