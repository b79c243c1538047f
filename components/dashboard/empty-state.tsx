/** Shown until the first snapshot is published; operators get the way to start the first run. */
import Link from 'next/link';
import { buttonClassName } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import type { DashboardLoad } from '@/lib/dashboard/read-model';

type EmptyFreshness = Extract<DashboardLoad, { kind: 'empty' }>['freshness'];

export function DashboardEmptyState({ freshness, isOperator }: { freshness: EmptyFreshness; isOperator: boolean }) {
  const message = {
    none: 'No dashboard has been published yet. The first customer analytics run fills it.',
    refreshing: 'The first customer analytics run is in progress; the dashboard appears when it publishes.',
    failed: 'The first customer analytics run failed before publishing anything.',
  }[freshness.state];
  return (
    <Card data-testid="dashboard-empty" data-freshness={freshness.state}>
      <CardHeader>
        <CardTitle as="h2">Nothing published yet</CardTitle>
        <CardDescription>{message}</CardDescription>
      </CardHeader>
      <CardContent className="flex flex-wrap gap-3">
        {isOperator ? (
          <>
            <Link className={buttonClassName('primary')} href="/runs/new">
              Start the first run
            </Link>
            {freshness.taskId && (
              <Link className={buttonClassName('secondary')} href={`/runs/${freshness.taskId}`}>
                Open the run
              </Link>
            )}
          </>
        ) : (
          <p className="text-sm text-foreground-muted">Ask an operator to start the first run.</p>
        )}
      </CardContent>
    </Card>
  );
}
