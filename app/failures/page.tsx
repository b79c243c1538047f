/**
 * `/failures` (viewer and above): every step failed now — retries exhausted or a permanent error — across runs and
 * pipelines, grouped by pipeline, step and error class (lib/console/failures.ts, the same groups as GET
 * /api/failures). Operators retry or resolve a whole group from here; alerts about a failed step link here first.
 */
import type { Metadata } from 'next';
import Link from 'next/link';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { getDb } from '@/lib/database';
import { requirePageRole } from '@/lib/auth/guards';
import { hasRole } from '@/lib/auth/roles';
import { failureListFilter, listFailureGroups, type FailureListFilter } from '@/lib/console/failures';
import { firstValues } from '@/lib/console/run-filters';
import { FailureGroups } from './failure-groups';

export const metadata: Metadata = { title: 'Failures' };
export const dynamic = 'force-dynamic';

const FILTER_FIELDS = [
  { name: 'pipeline', label: 'Pipeline', placeholder: 'namespace/name' },
  { name: 'step', label: 'Step', placeholder: 'step name' },
  { name: 'error_class', label: 'Error class', placeholder: 'HttpError' },
] as const;

/** A submitted filter form sends every field; a blank one means "any", not "the empty name". */
function filterParams(params: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(firstValues(params)).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1].trim() !== ''));
}

/** Zod names the fields by their keys; the form labels them. */
function problemText(path: PropertyKey | undefined, message: string): string {
  const field = FILTER_FIELDS.find((candidate) => candidate.name === path);
  return field ? `${field.label}: ${message}` : message;
}

export default async function FailuresPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const principal = await requirePageRole('viewer');
  const raw = filterParams(await searchParams);
  const parsed = failureListFilter.safeParse(raw);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => problemText(issue.path[0], issue.message));
  const filter: FailureListFilter = parsed.success ? parsed.data : {};
  const groups = parsed.success ? await listFailureGroups(getDb(), filter) : [];
  const filtered = Object.keys(filter).length > 0;
  const canOperate = hasRole(principal.role, 'operator');

  return (
    <div className="flex flex-col gap-6">
      <div className="flex flex-col gap-2">
        <h1 className="text-2xl font-semibold tracking-tight">Failures</h1>
        <p className="text-sm text-foreground-muted">
          Every step that is failed now — its retries exhausted or its error permanent — in runs that were not cancelled, grouped by pipeline, step
          and error class. {canOperate ? 'Retry or resolve a whole group: each step is its own operation, recorded in its run’s history.' : ''}
        </p>
      </div>
      <form method="get" action="/failures" aria-label="Filter failures" className="flex flex-wrap items-end gap-3">
        {FILTER_FIELDS.map((field) => (
          <div key={field.name} className="flex min-w-0 flex-col gap-1">
            <label htmlFor={`filter-${field.name}`} className="text-sm font-medium">
              {field.label}
            </label>
            <input
              id={`filter-${field.name}`}
              name={field.name}
              defaultValue={raw[field.name] ?? ''}
              placeholder={field.placeholder}
              className="h-10 w-56 max-w-full rounded-control border border-border-strong bg-surface px-3 text-sm text-foreground focus-visible:outline-2 focus-visible:outline-focus"
            />
          </div>
        ))}
        <Button type="submit" variant="secondary">
          Filter
        </Button>
        {(filtered || problems.length > 0) && (
          <Link href="/failures" className="text-sm underline underline-offset-2 hover:text-accent">
            Show all failures
          </Link>
        )}
      </form>
      {problems.length > 0 && (
        <ul role="alert" data-testid="failures-problems" className="text-sm text-status-failed">
          {problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
      <Card>
        <CardHeader>
          <CardTitle as="h2">Failure groups</CardTitle>
          <CardDescription>Newest last failure first. Counts cover every failed step of the group; the run links show its latest runs.</CardDescription>
        </CardHeader>
        <CardContent>
          <FailureGroups
            groups={groups}
            canOperate={canOperate}
            empty={
              problems.length > 0
                ? 'Fix the filter above to see the failures.'
                : filtered
                  ? 'Nothing matching this filter is failed now.'
                  : 'Nothing is failed now: every step that failed for good has been retried or resolved.'
            }
          />
        </CardContent>
      </Card>
    </div>
  );
}
