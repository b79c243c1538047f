'use client';
/** The backfill form (operator): a range of days, how many run at once, force refresh and a reason; errors announced. */
import { FormField, FormMessage } from '@/components/auth/form-field';
import { useActionForm } from '@/components/forms/use-action-form';
import { Button } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { idleState, type ActionState } from '@/lib/auth/action-state';
import { BACKFILL_FORM_LABELS, type BackfillFormDefaults, type BackfillFormField } from '@/lib/backfills/form-labels';

type BackfillState = ActionState<BackfillFormField>;

export function BackfillForm({
  action,
  defaults,
}: {
  action: (state: BackfillState, payload: FormData) => Promise<BackfillState>;
  defaults: BackfillFormDefaults;
}) {
  const { state, pending, formProps } = useActionForm(action, idleState<BackfillFormField>());
  return (
    <Card>
      <CardContent className="pt-5">
        <form {...formProps} noValidate aria-label="Backfill a range of days" className="flex flex-col gap-5">
          <fieldset className="grid gap-4 sm:grid-cols-2">
            <legend className="mb-2 text-sm font-semibold">Days to rebuild (data days, both included)</legend>
            <FormField
              label={BACKFILL_FORM_LABELS.start_date}
              name="start_date"
              type="date"
              defaultValue={defaults.start_date}
              max={defaults.max_date}
              required
              errors={state.errors.start_date}
            />
            <FormField
              label={BACKFILL_FORM_LABELS.end_date}
              name="end_date"
              type="date"
              defaultValue={defaults.end_date}
              max={defaults.max_date}
              required
              hint="One run per day, oldest first; at most 366 days."
              errors={state.errors.end_date}
            />
          </fieldset>
          <FormField
            label={BACKFILL_FORM_LABELS.max_parallel}
            name="max_parallel"
            type="number"
            inputMode="numeric"
            min={1}
            max={defaults.max_parallel_limit}
            defaultValue={defaults.max_parallel}
            hint={`How many of the backfill's runs may run at the same time (1–${defaults.max_parallel_limit}); the others wait without taking a worker.`}
            errors={state.errors.max_parallel}
          />
          <div className="flex flex-col gap-1">
            <div className="flex items-center gap-2">
              <input
                id="field-rebuild_published"
                type="checkbox"
                name="rebuild_published"
                aria-describedby="field-rebuild_published-hint"
                className="size-4 accent-accent focus-visible:outline-2 focus-visible:outline-focus"
              />
              <label htmlFor="field-rebuild_published" className="text-sm font-medium">
                {BACKFILL_FORM_LABELS.rebuild_published}
              </label>
            </div>
            <p id="field-rebuild_published-hint" className="text-xs text-foreground-muted">
              Without it, days that already have a published snapshot are skipped.
            </p>
          </div>
          <FormField
            label={BACKFILL_FORM_LABELS.reason}
            name="reason"
            required
            hint="Kept with the backfill and in the audit log, e.g. “rebuild after the revenue formula fix”."
            errors={state.errors.reason}
          />
          {state.status === 'error' && <FormMessage status={state.status} message={state.message} />}
          <div>
            <Button type="submit" disabled={pending} aria-busy={pending}>
              {pending ? 'Starting…' : 'Start backfill'}
            </Button>
          </div>
        </form>
      </CardContent>
    </Card>
  );
}
