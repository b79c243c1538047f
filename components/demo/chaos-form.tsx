'use client';
/** The fault-injection form: one fieldset per demo source, rates in percent, latency in milliseconds. */
import { FormField, FormMessage } from '@/components/auth/form-field';
import { useActionForm } from '@/components/forms/use-action-form';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { idleState, type ActionState } from '@/lib/auth/action-state';
import { chaosFieldName, HTTP_SETTINGS, SOURCE_LABELS } from '@/lib/demo/chaos-console';

type ChaosState = ActionState<string>;
const HTTP_SOURCE_LIST = ['crm', 'inventory', 'slack'] as const;

export function ChaosForm({ action, values }: { action: (state: ChaosState, payload: FormData) => Promise<ChaosState>; values: Record<string, number> }) {
  const { state, pending, formProps } = useActionForm(action, idleState<string>());
  return (
    <form {...formProps} noValidate aria-label="Fault-injection settings" className="flex flex-col gap-5">
      <div className="grid gap-4 lg:grid-cols-2">
        {HTTP_SOURCE_LIST.map((source) => (
          <Card key={source}>
            <CardHeader>
              <CardTitle as="h2" id={`chaos-${source}`}>
                {SOURCE_LABELS[source]}
              </CardTitle>
            </CardHeader>
            <CardContent>
              <fieldset aria-labelledby={`chaos-${source}`} className="grid gap-3 sm:grid-cols-2">
                {HTTP_SETTINGS.map((setting) => {
                  const name = chaosFieldName(source, setting.key);
                  return (
                    <FormField
                      key={name}
                      id={`field-${name}`}
                      label={`${setting.label} (${setting.unit})`}
                      name={name}
                      type="number"
                      inputMode="decimal"
                      min={0}
                      max={setting.unit === '%' ? 100 : 60_000}
                      step={setting.unit === '%' ? 'any' : 1}
                      defaultValue={values[name] ?? 0}
                      hint={setting.hint}
                      errors={state.errors[name]}
                      aria-label={`${SOURCE_LABELS[source]}: ${setting.label} (${setting.unit})`}
                    />
                  );
                })}
              </fieldset>
            </CardContent>
          </Card>
        ))}
        <Card>
          <CardHeader>
            <CardTitle as="h2" id="chaos-orders_db">
              {SOURCE_LABELS.orders_db}
            </CardTitle>
          </CardHeader>
          <CardContent>
            <fieldset aria-labelledby="chaos-orders_db">
              <FormField
                id="field-orders_db_failure_rate"
                label="Failure (%)"
                name="orders_db_failure_rate"
                type="number"
                min={0}
                max={100}
                step="any"
                defaultValue={values.orders_db_failure_rate ?? 0}
                hint="Share of extraction batches whose connection the server terminates."
                errors={state.errors.orders_db_failure_rate}
                aria-label={`${SOURCE_LABELS.orders_db}: Failure (%)`}
              />
            </fieldset>
          </CardContent>
        </Card>
      </div>
      <FormMessage status={state.status} message={state.message} />
      <div>
        <Button type="submit" disabled={pending} aria-busy={pending}>
          {pending ? 'Saving…' : 'Save settings'}
        </Button>
      </div>
    </form>
  );
}
