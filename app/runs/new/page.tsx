/**
 * `/runs/new?pipeline=<name>` (operator): start a run of a registered pipeline from a form generated from its input
 * schema. customer_analytics — the default without `?pipeline=` — keeps its own form (window bounds and the
 * reuse / already-running explanations of its start policy).
 */
import type { Metadata } from 'next';
import Link from 'next/link';
import { PipelineStartForm } from '@/components/runs/pipeline-start-form';
import { StartRunForm } from '@/components/runs/start-run-form';
import { Card, CardContent } from '@/components/ui/card';
import { requirePageRole } from '@/lib/auth/guards';
import { findPipeline, PIPELINE_FIELD, pipelineChoices, startFormFor, unknownPipelineMessage, type PipelineChoice } from '@/lib/console/pipeline-start';
import { startFormDefaults } from '@/lib/console/start-run-form';
import { CUSTOMER_ANALYTICS } from '@/lib/delivery/pipeline-identity';
import { appRegistry } from '@/lib/runtime/registry';
import { startPipelineRunAction, startRunAction } from './actions';

export const metadata: Metadata = { title: 'Start a run' };
export const dynamic = 'force-dynamic';

const CUSTOMER_ANALYTICS_REF = `${CUSTOMER_ANALYTICS.namespace}.${CUSTOMER_ANALYTICS.name}`;

function PipelinePicker({ choices, current }: { choices: PipelineChoice[]; current: string | undefined }) {
  return (
    <nav aria-label="Pipelines">
      <ul className="flex flex-wrap gap-2">
        {choices.map((choice) => {
          const selected = choice.ref === current || `${choice.namespace}.${choice.name}` === current;
          return (
            <li key={choice.ref}>
              <Link
                href={`/runs/new?pipeline=${encodeURIComponent(choice.ref)}`}
                aria-current={selected ? 'page' : undefined}
                className="rounded-control border border-border px-3 py-1.5 text-sm aria-[current=page]:border-accent aria-[current=page]:font-semibold"
              >
                {choice.name}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function Heading({ pipeline }: { pipeline: PipelineChoice | undefined }) {
  return (
    <div className="flex flex-col gap-1">
      <h1 className="text-2xl font-semibold tracking-tight">Start a run</h1>
      {pipeline && (
        <p className="text-sm text-foreground-muted">
          {pipeline.namespace}.{pipeline.name} v{pipeline.version} — {pipeline.description}
        </p>
      )}
    </div>
  );
}

export default async function NewRunPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requirePageRole('operator');
  const { pipeline: rawRef } = await searchParams;
  const requested = (Array.isArray(rawRef) ? rawRef[0] : rawRef)?.trim() || undefined;
  const definitions = appRegistry().list();
  const choices = pipelineChoices(definitions);
  // Without a choice: customer_analytics, as before there were others (or the first one, in a deployment without it).
  const chosen = requested ? findPipeline(definitions, requested) : (findPipeline(definitions, CUSTOMER_ANALYTICS_REF) ?? findPipeline(definitions, choices[0]?.ref ?? ''));
  const isCustomerAnalytics = chosen?.namespace === CUSTOMER_ANALYTICS.namespace && chosen.name === CUSTOMER_ANALYTICS.name;
  const choice = chosen && choices.find((candidate) => candidate.namespace === chosen.namespace && candidate.name === chosen.name);
  const picker = choices.length > 1 && <PipelinePicker choices={choices} current={choice?.ref} />;

  if (!chosen) {
    return (
      <div className="flex max-w-2xl flex-col gap-6">
        <Heading pipeline={undefined} />
        <Card>
          <CardContent className="flex flex-col gap-3 pt-5">
            <p role="alert" className="text-sm">
              {unknownPipelineMessage(requested ?? '', definitions)}
            </p>
            <PipelinePicker choices={choices} current={undefined} />
          </CardContent>
        </Card>
      </div>
    );
  }
  const generic = isCustomerAnalytics ? undefined : startFormFor(definitions, choice?.ref ?? '');
  return (
    <div className="flex max-w-2xl flex-col gap-6">
      <Heading pipeline={choice} />
      {picker}
      {isCustomerAnalytics ? (
        <StartRunForm action={startRunAction} defaults={startFormDefaults()} />
      ) : (
        generic && (
          <PipelineStartForm key={generic.pipeline.ref} action={startPipelineRunAction} pipelineRef={generic.pipeline.ref} pipelineField={PIPELINE_FIELD} form={generic.form} />
        )
      )}
    </div>
  );
}
