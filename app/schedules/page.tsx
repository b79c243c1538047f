/**
 * `/schedules` (viewer): every schedule with its cron, zone, input, deadline, next and last firing; operators add,
 * edit, delete, pause and resume them.
 */
import type { Metadata } from 'next';
import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { ListTable } from '@/components/ui/list-table';
import { getDb } from '@/lib/database';
import { requirePageRole } from '@/lib/auth/guards';
import { hasRole } from '@/lib/auth/roles';
import { formatTimestamp } from '@/lib/time/format';
import { env } from '@/lib/env';
import { listSchedules, type Schedule } from '@/lib/scheduling';
import { schedulePipelineOptions } from '@/lib/scheduling/schedule-form';
import type { ScheduleFormValues } from '@/lib/scheduling/schedule-form-labels';
import { appRegistry } from '@/lib/runtime/registry';
import { DeleteScheduleForm, EditScheduleForm, NewScheduleForm, PauseScheduleForm } from './schedule-forms';

export const metadata: Metadata = { title: 'Schedules' };
export const dynamic = 'force-dynamic';

function formValuesOf(schedule: Schedule): ScheduleFormValues {
  return {
    name: schedule.name,
    pipeline: `${schedule.namespace}/${schedule.pipelineName}`,
    cronExpression: schedule.cronExpression,
    timeZone: schedule.timeZone,
    inputTemplate: JSON.stringify(schedule.inputTemplate),
    deadlineLocalTime: schedule.deadlineLocalTime ?? '',
    enabled: !schedule.paused,
  };
}

export default async function SchedulesPage() {
  const principal = await requirePageRole('viewer');
  const schedules = await listSchedules(getDb().pool);
  const canOperate = hasRole(principal.role, 'operator');
  const pipelines = schedulePipelineOptions(appRegistry().list());
  const suggested: ScheduleFormValues = {
    name: '',
    pipeline: pipelines[0]?.value ?? '',
    cronExpression: '0 1 * * *',
    timeZone: env().DELIVERY_TIMEZONE,
    inputTemplate: '{}',
    deadlineLocalTime: '',
    enabled: true,
  };
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
            empty="No schedules (the default one is created when the scheduler first starts on a new database)."
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
      {canOperate && (
        <>
          {schedules.length > 0 && (
            <Card>
              <CardHeader>
                <CardTitle>Edit schedules</CardTitle>
                <CardDescription>A saved schedule fires on its new settings from its next slot; nothing it would have fired earlier is caught up.</CardDescription>
              </CardHeader>
              <CardContent className="flex flex-col gap-3">
                {schedules.map((schedule) => (
                  <details key={schedule.id} className="rounded-control border border-border p-3" data-testid={`schedule-edit-${schedule.name}`}>
                    <summary className="cursor-pointer text-sm font-medium">{schedule.name}</summary>
                    <div className="mt-4 flex flex-col gap-4">
                      <EditScheduleForm scheduleId={schedule.id} values={formValuesOf(schedule)} pipelines={pipelines} />
                      <DeleteScheduleForm scheduleId={schedule.id} name={schedule.name} />
                    </div>
                  </details>
                ))}
              </CardContent>
            </Card>
          )}
          <Card>
            <CardHeader>
              <CardTitle>New schedule</CardTitle>
              <CardDescription>It fires from its first slot after now; earlier slots are not caught up.</CardDescription>
            </CardHeader>
            <CardContent>
              <NewScheduleForm pipelines={pipelines} suggested={suggested} />
            </CardContent>
          </Card>
        </>
      )}
    </div>
  );
}
