'use client';
/**
 * When each day's delivery landed against its deadline: one bar per delivered day, minutes after the deadline
 * (below the line: early), and the deadline itself as the zero line. Missed days have no bar; the table below the
 * chart and the page's list of late and missed days name them.
 */
import { Bar, BarChart, CartesianGrid, Cell, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartCard } from '@/components/dashboard/charts';
import { minutesLabel } from '@/lib/reliability/format';
import type { ReliabilityDay } from '@/lib/reliability/slo';
import { formatDay } from '@/lib/time/format';

const AXIS = { stroke: 'var(--color-foreground-muted)', fontSize: 12 };
const TOOLTIP_STYLE = { backgroundColor: 'var(--color-surface)', borderColor: 'var(--color-border-strong)', color: 'var(--color-foreground)' };

const OUTCOME_WORDS: Record<ReliabilityDay['outcome'], string> = {
  on_time: 'on time', late: 'late', failed: 'missed (failed)', no_run: 'missed (no run)', pending: 'not due yet', not_tracked: 'not tracked',
};

export function FinishChart({ days, deadline }: { days: readonly ReliabilityDay[]; deadline: string }) {
  const data = days.map((day) => ({ date: day.date, label: day.date.slice(5), minutes: day.minutes_vs_deadline }));
  return (
    <ChartCard
      title="Finish time against the deadline"
      description={`Minutes after the ${deadline} deadline each day's delivery was published (below the line: early). Days without a bar were missed.`}
      rows={days.map((day) => [formatDay(day.date), day.minutes_vs_deadline === null ? OUTCOME_WORDS[day.outcome] : `${minutesLabel(day.minutes_vs_deadline)} (${OUTCOME_WORDS[day.outcome]})`])}
    >
      <BarChart data={data} margin={{ left: 4, right: 16, top: 16 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--color-border)" />
        <XAxis dataKey="label" tick={AXIS} minTickGap={12} />
        <YAxis tick={AXIS} width={48} tickFormatter={(value: number) => `${value}`} label={{ value: 'min', angle: -90, position: 'insideLeft', fill: 'var(--color-foreground-muted)', fontSize: 12 }} />
        <Tooltip contentStyle={TOOLTIP_STYLE} formatter={(value) => minutesLabel(Number(value))} labelFormatter={(label) => String(label)} />
        <ReferenceLine y={0} ifOverflow="extendDomain" stroke="var(--color-status-failed)" strokeDasharray="4 2" label={{ value: `Deadline ${deadline}`, position: 'insideTopRight', fill: 'var(--color-foreground)', fontSize: 12 }} />
        <Bar dataKey="minutes" name="Minutes after the deadline">
          {data.map((entry) => (
            <Cell key={entry.date} fill={entry.minutes !== null && entry.minutes > 0 ? 'var(--color-status-failed)' : 'var(--color-status-completed)'} />
          ))}
        </Bar>
      </BarChart>
    </ChartCard>
  );
}
