'use client';
/** The Events tab: the run's event log in order, each with a one-line summary of its payload. */
import { Table, TableBody, TableCaption, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import { formatDuration, formatTimestamp } from '@/lib/time/format';
import type { EventView } from '@/lib/console/views';

export function describeEvent(event: EventView): string {
  const { payload } = event;
  const parts: string[] = [];
  if (typeof payload.attempt === 'number') parts.push(`attempt ${payload.attempt}`);
  if (typeof payload.durationMs === 'number') parts.push(formatDuration(payload.durationMs));
  if (typeof payload.message === 'string') parts.push(payload.message);
  const error = payload.error;
  if (typeof error === 'object' && error !== null && 'class' in error && 'message' in error) parts.push(`${String(error.class)}: ${String(error.message)}`);
  if (typeof payload.operation === 'string') parts.push(`${payload.operation} by ${String(payload.actor)}${payload.reason ? ` (“${String(payload.reason)}”)` : ''}`);
  if (Array.isArray(payload.steps) && payload.steps.length > 0) parts.push(`steps: ${payload.steps.join(', ')}`);
  if (typeof payload.note === 'string') parts.push(`note: ${payload.note}`);
  // A completion whose result an operator supplied (complete manually), not one a handler returned.
  if (payload.manual === true && typeof payload.operation !== 'string') parts.push(`result supplied by ${String(payload.actor)}${payload.reason ? ` (“${String(payload.reason)}”)` : ''}`);
  return parts.join(' · ');
}

export function RunEvents({ events }: { events: EventView[] }) {
  return (
    <Table data-testid="run-events">
      <TableCaption>{events.length === 0 ? 'No events yet.' : `${events.length} events, oldest first.`}</TableCaption>
      <TableHeader>
        <TableRow>
          <TableHead>Time (UTC)</TableHead>
          <TableHead>Event</TableHead>
          <TableHead>Step</TableHead>
          <TableHead>Details</TableHead>
        </TableRow>
      </TableHeader>
      <TableBody>
        {events.map((event) => (
          <TableRow key={event.id}>
            <TableCell className="whitespace-nowrap text-xs tabular-nums">{formatTimestamp(event.createdAt).slice(0, 19)}</TableCell>
            <TableCell className="font-mono text-xs">{event.name}</TableCell>
            <TableCell className="font-mono text-xs">{event.stepName ?? '—'}</TableCell>
            <TableCell className="text-xs text-foreground-muted">{describeEvent(event)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
