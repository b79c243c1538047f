/**
 * `/runs/new?pipeline=<name>` (operator): start a run of a registered pipeline from a form generated from its input
 * schema, prefilled and bounded by the pipeline's start form hints. Without `?pipeline=` it opens on the delivered
 * pipeline.
 */
import type { Metadata } from 'next';
import Link from 'next/link';
import { PipelineStartForm } from '@/components/runs/pipeline-start-form';
import { Card, CardContent } from '@/components/ui/card';
import { requirePageRole } from '@/lib/auth/guards';
import { PIPELINE_FIELD, startPageView, type PipelineChoice } from '@/lib/console/pipeline-start';
import { moduleOfRun } from '@/lib/platform/pipeline-module';
import { appRegistry, deliveredPipeline, pipelineModules } from '@/lib/runtime/registry';
import { startPipelineRunAction } from './actions';

export const metadata: Metadata = { title: 'Start a run' };
export const dynamic = 'force-dynamic';

function PipelinePicker({ choices, current }: { choices: PipelineChoice[]; current: string | undefined }) {
  return (
    <nav aria-label="Pipelines">
      <ul className="flex flex-wrap gap-2">
        {choices.map((choice) => {
          const selected = choice.ref === current;
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
  const modules = pipelineModules();
  const now = new Date();
  const view = startPageView(appRegistry().list(), requested, {
    preferred: deliveredPipeline(modules),
    hintsFor: (definition) => moduleOfRun(modules, definition)?.startForm?.(now) ?? {},
  });

  if (view.kind === 'unknown') {
    return (
      <div className="flex max-w-2xl flex-col gap-6">
        <Heading pipeline={undefined} />
        <Card>
          <CardContent className="flex flex-col gap-3 pt-5">
            <p role="alert" className="text-sm">
              {view.message}
            </p>
            <PipelinePicker choices={view.choices} current={undefined} />
          </CardContent>
        </Card>
      </div>
    );
  }
  return (
    <div className="flex max-w-2xl flex-col gap-6">
      <Heading pipeline={view.pipeline} />
      {view.choices.length > 1 && <PipelinePicker choices={view.choices} current={view.pipeline.ref} />}
      <PipelineStartForm key={view.pipeline.ref} action={startPipelineRunAction} pipelineRef={view.pipeline.ref} pipelineField={PIPELINE_FIELD} form={view.form} />
    </div>
  );
}
