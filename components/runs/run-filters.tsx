/** The /runs filters: a plain GET form, so filters live in the URL (shareable, back button works, no JS needed). */
import Link from 'next/link';
import { Button, buttonClassName } from '@/components/ui/button';
import { stateAppearance } from '@/components/ui/status';
import { TASK_STATUSES } from '@/lib/engine';
import type { PipelineVersions, RunListQuery } from '@/lib/console/run-filters';
import { PipelineVersionFields } from './pipeline-version-fields';

const selectClass =
  'h-9 rounded-control border border-border-strong bg-surface px-2 text-sm text-foreground focus-visible:outline-2 focus-visible:outline-focus';

export function RunFilters({ query, catalog }: { query: RunListQuery; catalog: readonly PipelineVersions[] }) {
  return (
    <form method="get" action="/runs" aria-label="Filter runs" className="flex flex-wrap items-end gap-3">
      <div className="flex flex-col gap-1">
        <label htmlFor="filter-status" className="text-xs font-medium text-foreground-muted">
          Status
        </label>
        <select id="filter-status" name="status" defaultValue={query.status ?? ''} className={selectClass}>
          <option value="">Any status</option>
          {TASK_STATUSES.map((status) => (
            <option key={status} value={status}>
              {stateAppearance[status].label}
            </option>
          ))}
        </select>
      </div>
      <PipelineVersionFields catalog={catalog} pipeline={query.pipeline} version={query.version} selectClassName={selectClass} />
      <div className="flex flex-col gap-1">
        <label htmlFor="filter-created" className="text-xs font-medium text-foreground-muted">
          Created within
        </label>
        <select id="filter-created" name="created" defaultValue={query.created ?? ''} className={selectClass}>
          <option value="">Any time</option>
          <option value="24h">Last 24 hours</option>
          <option value="7d">Last 7 days</option>
          <option value="30d">Last 30 days</option>
        </select>
      </div>
      <TextFilter id="filter-run-id" name="id" label="Run id" value={query.id} placeholder="0193ab12" className="w-40 font-mono" />
      <TextFilter id="filter-error" name="error" label="Error class" value={query.error} placeholder="TimeoutError" className="w-40" />
      <TextFilter id="filter-created-from" name="created_from" label="Created from" type="date" value={query.created_from} />
      <TextFilter id="filter-created-to" name="created_to" label="Created to (UTC)" type="date" value={query.created_to} />
      <Button type="submit" variant="secondary" size="sm" className="h-9">
        Apply
      </Button>
      <Link href="/runs" className={buttonClassName('ghost', 'sm', 'h-9')}>
        Clear
      </Link>
    </form>
  );
}

function TextFilter({
  id,
  name,
  label,
  value,
  type = 'text',
  placeholder,
  className = '',
}: {
  id: string;
  name: string;
  label: string;
  value: string | undefined;
  type?: 'text' | 'date';
  placeholder?: string;
  className?: string;
}) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-xs font-medium text-foreground-muted">
        {label}
      </label>
      <input id={id} name={name} type={type} defaultValue={value ?? ''} placeholder={placeholder} className={`${selectClass} ${className}`} />
    </div>
  );
}
