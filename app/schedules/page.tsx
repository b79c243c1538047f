/** `/schedules` (viewer): every schedule with its cron, zone, input, deadline, next and last firing; operators pause and resume. */
import type { Metadata } from 'next';
import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ListTable } from '@/components/ui/list-table';
import { getDb } from '@/lib/database';
import { requirePageRole } from '@/lib/auth/guards';
import { hasRole } from '@/lib/auth/roles';
import { formatTimestamp } from '@/lib/time/format';
import { listSchedules } from '@/lib/scheduling';
import { PauseScheduleForm } from './schedule-forms';

export const metadata: Metadata = { title: 'Schedules' };
export const dynamic = 'force-dynamic';

export default async function SchedulesPage() {
  const principal = await requirePageRole('viewer');
  const schedules = await listSchedules(getDb().pool);
  const canOperate = hasRole(principal.role, 'operator');
  return (
    <div className="flex flex-col gap-6">
      <h1 className="text-2xl font-semibold tracking-tight">Schedules</h1>
      <Card>
        <CardHeader>
          <CardTitle>Schedules</CardTitle>
          <CardDescription>
            Each firing launches one run whatever the number of processes (idempotency key: schedule + firing time). After downtime, missed
            firings of the last few days run oldest first. A run should finish by its deadline; the ETA watch warns before it passes.
          </CardDescription>
        </CardHeader>
        <CardContent>
          <ListTable
            testId="schedules-table"
            rows={schedules}
            rowKey={(schedule) => schedule.id}
            empty="No schedules yet (the default one is created when the scheduler first starts)."
            columns={[
              { header: 'Name', className: 'font-medium', cell: (schedule) => schedule.name },
              { header: 'Pipeline', className: 'font-mono text-xs', cell: (schedule) => `${schedule.namespace}/${schedule.pipelineName}` },
              {
                header: 'When',
                cell: (schedule) => (
                  <>
                    <code className="font-mono text-xs">{schedule.cronExpression}</code> <span className="text-foreground-muted">({schedule.timeZone})</span>
                  </>
                ),
              },
              { header: 'Input', cell: (schedule) => <code className="font-mono text-xs break-all">{JSON.stringify(schedule.inputTemplate)}</code> },
              { header: 'Deadline', cell: (schedule) => (schedule.deadlineLocalTime ? `${schedule.deadlineLocalTime} local` : 'none') },
              {
                header: 'Next firing',
                className: 'whitespace-nowrap text-foreground-muted',
                cell: (schedule) => (schedule.paused ? 'paused' : formatTimestamp(schedule.nextFiringAt)),
              },
              {
                header: 'Last run',
                className: 'whitespace-nowrap',
                cell: (schedule) =>
                  schedule.lastFiring ? (
                    <Link href={`/runs/${schedule.lastFiring.taskId}`} className="underline">
                      {formatTimestamp(schedule.lastFiring.scheduledFor)} · {schedule.lastFiring.taskStatus}
                    </Link>
                  ) : (
                    'never'
                  ),
              },
              {
                header: 'State',
                cell: (schedule) => (
                  <div className="flex items-center gap-2">
                    <Badge tone={schedule.paused ? 'outline' : 'neutral'}>{schedule.paused ? 'Paused' : 'Active'}</Badge>
                    {canOperate && <PauseScheduleForm scheduleId={schedule.id} name={schedule.name} paused={schedule.paused} />}
                  </div>
                ),
              },
            ]}
          />
        </CardContent>
      </Card>
    </div>
  );
}
