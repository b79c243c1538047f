/** `/retention`: the latest published customer-retention matrix as a cohort heatmap, with its headline. Viewer and above. */
import type { Metadata } from 'next';
import { RetentionHeatmap } from '@/components/retention/retention-heatmap';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { requirePageRole } from '@/lib/auth/guards';
import { getDb } from '@/lib/database';
import { readRetentionView } from '@/lib/retention/read-model';
import { formatDateTime, formatMonth } from '@/lib/time/format';

export const metadata: Metadata = { title: 'Customer retention' };
export const dynamic = 'force-dynamic';

export default async function RetentionPage() {
  await requirePageRole('viewer');
  const view = await readRetentionView(getDb().pool);
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold tracking-tight">Customer retention</h1>
      {view.kind === 'empty' ? (
        <Card data-testid="retention-empty">
          <CardHeader>
            <CardTitle as="h2">Nothing published yet</CardTitle>
            <CardDescription>No retention matrix has been published yet. The first retention run fills this page.</CardDescription>
          </CardHeader>
        </Card>
      ) : (
        <Card>
          <CardHeader>
            <CardTitle as="h2">
              Cohorts {formatMonth(view.snapshot.matrix.cohorts[0]?.cohort ?? view.snapshot.throughMonth)} – {formatMonth(view.snapshot.throughMonth)}
            </CardTitle>
            {view.headline && <p className="text-base" data-testid="retention-headline">{view.headline}</p>}
            <CardDescription>Published {formatDateTime(view.snapshot.publishedAt)}.</CardDescription>
          </CardHeader>
          <CardContent>
            {view.snapshot.matrix.cohorts.length === 0 ? (
              <p className="text-sm text-foreground-muted">No customer placed a first order in these months.</p>
            ) : (
              <RetentionHeatmap matrix={view.snapshot.matrix} throughMonth={view.snapshot.throughMonth} />
            )}
          </CardContent>
        </Card>
      )}
    </div>
  );
}
