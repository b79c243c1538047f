/**
 * The retention matrix as a heatmap that is still a real table: one row per cohort (row header), one column per
 * month since the first order (column headers), the share written in every cell and the colour only repeating it.
 * The colour stays under 60% of the accent so the text keeps its contrast in both themes. On a phone the table
 * scrolls sideways inside its own focusable region with the cohort column pinned.
 */
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { formatShare, type RetentionMatrix } from '@/lib/retention/matrix';
import { formatMonth } from '@/lib/time/format';

const MAX_TINT_PERCENT = 60;

const tint = (share: number) => `color-mix(in srgb, var(--color-accent) ${Math.round(share * MAX_TINT_PERCENT)}%, transparent)`;

export function RetentionHeatmap({ matrix, throughMonth }: { matrix: RetentionMatrix; throughMonth: string }) {
  const columns = Math.max(0, ...matrix.cohorts.map((cohort) => cohort.retention.length));
  const pinned = 'sticky left-0 z-10 bg-surface';
  return (
    <Table label="Retention by cohort (scrolls sideways)" className="tabular-nums" data-testid="retention-heatmap">
      <TableCaption>
        Share of each cohort (customers by the month of their first order) who ordered again in each later calendar month, up to{' '}
        {formatMonth(throughMonth)}. Month 0 is the first month itself.
      </TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead className={`${pinned} whitespace-nowrap`}>Cohort</TableHead>
          <TableHead>Customers</TableHead>
          {Array.from({ length: columns }, (_, k) => (
            <TableHead key={k} className="whitespace-nowrap">
              Month {k}
            </TableHead>
          ))}
        </TableRow>
      </TableHeader>
      <TableBody>
        {matrix.cohorts.map((cohort) => (
          <TableRow key={cohort.cohort}>
            <th scope="row" className={`${pinned} whitespace-nowrap px-3 py-2.5 text-left font-medium`}>
              {formatMonth(cohort.cohort, 'short')}
            </th>
            <TableCell>{cohort.customers.toLocaleString('en-US')}</TableCell>
            {Array.from({ length: columns }, (_, k) => {
              const share = cohort.retention[k];
              return share === undefined ? (
                <TableCell key={k}>
                  <span className="sr-only">not yet measured</span>
                </TableCell>
              ) : (
                <TableCell key={k} className="font-medium" style={{ backgroundColor: tint(share) }}>
                  {formatShare(share)}
                </TableCell>
              );
            })}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
