/** `/`: a welcome until the executive dashboard arrives (a later issue). */
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { StatusBadge } from '@/components/ui/status-badge';
import { stateAppearance, stepStates } from '@/components/ui/status';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { requirePageRole } from '@/lib/auth/guards';

export default async function HomePage() {
  await requirePageRole('viewer');
  return (
    <div className="flex flex-col gap-6">
      <Card>
        <CardHeader>
          <CardTitle as="h1" className="text-2xl">
            Welcome to Nightshift
          </CardTitle>
          <CardDescription>Resilient data pipelines and the executive dashboard they feed.</CardDescription>
        </CardHeader>
        <CardContent className="flex max-w-3xl flex-col gap-3 leading-relaxed">
          <p>
            Every night Nightshift extracts orders, customers and products from their source systems, turns them into
            customer and product metrics, and has yesterday&rsquo;s insights on the dashboard before the morning
            meeting.
          </p>
          <p>
            Each pipeline is a set of steps with explicit dependencies. Steps that fail are retried with back-off,
            independent extractions run in parallel, and a failure reruns only the step that failed, never the whole
            night&rsquo;s work. Every attempt is recorded, so you can see where a run is and why.
          </p>
          <p className="text-foreground-muted">The dashboard, run history and system status pages are on their way.</p>
        </CardContent>
      </Card>

      <Card aria-labelledby="run-states-heading">
        <CardHeader>
          <CardTitle id="run-states-heading">Run states</CardTitle>
          <CardDescription>What the badges on runs and steps mean.</CardDescription>
        </CardHeader>
        <CardContent>
          <Table>
            <TableHeader>
              <TableRow>
                <TableHead>State</TableHead>
                <TableHead>Meaning</TableHead>
              </TableRow>
            </TableHeader>
            <TableBody>
              {stepStates.map((state) => (
                <TableRow key={state}>
                  <TableCell>
                    <StatusBadge state={state} />
                  </TableCell>
                  <TableCell className="text-foreground-muted">{stateAppearance[state].description}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </CardContent>
      </Card>
    </div>
  );
}
