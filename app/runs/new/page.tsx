/** `/runs/new` (operator): start a customer_analytics run from a form generated from the pipeline's input. */
import type { Metadata } from 'next';
import { StartRunForm } from '@/components/runs/start-run-form';
import { requirePageRole } from '@/lib/auth/guards';
import { startFormDefaults } from '@/lib/console/start-run-form';
import { customerAnalyticsPipeline } from '@/lib/pipelines/customer-analytics';
import { startRunAction } from './actions';

export const metadata: Metadata = { title: 'Start a run' };
export const dynamic = 'force-dynamic';

export default async function NewRunPage() {
  await requirePageRole('operator');
  return (
    <div className="flex max-w-2xl flex-col gap-6">
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-semibold tracking-tight">Start a run</h1>
        <p className="text-sm text-foreground-muted">
          {customerAnalyticsPipeline.namespace}.{customerAnalyticsPipeline.name} v{customerAnalyticsPipeline.version} — {customerAnalyticsPipeline.description}
        </p>
      </div>
      <StartRunForm action={startRunAction} defaults={startFormDefaults()} />
    </div>
  );
}
