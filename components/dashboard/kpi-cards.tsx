/**
 * The six KPI cards with their change against the previous window of the same length. Labels and definitions
 * come from the KPIs' one definition (lib/dashboard/kpi-definitions.ts); each card states its definition.
 */
import { Card } from '@/components/ui/card';
import { cn } from '@/components/ui/cn';
import { KPI_DEFINITIONS, KPI_KEYS, type KpiKey, type SnapshotKpis } from '@/lib/dashboard/snapshots';
import { formatChange, formatCount, formatMoney, formatPercent } from './format';

const KPI_FORMATS: Record<KpiKey, (value: number) => string> = {
  revenue: formatMoney,
  orders: formatCount,
  average_order_value: formatMoney,
  active_customers: formatCount,
  first_time_buyers: formatCount,
  vip_revenue_share: formatPercent,
};

export function KpiCards({ kpis }: { kpis: SnapshotKpis | null }) {
  if (!kpis) return <p className="text-foreground-muted">This snapshot has no KPI figures.</p>;
  return (
    <ul aria-label="Key figures" className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
      {KPI_KEYS.map((key) => {
        const value = kpis[key];
        const { label, definition } = KPI_DEFINITIONS[key];
        const format = KPI_FORMATS[key];
        if (!value) {
          return (
            <li key={key}>
              <Card className="flex flex-col gap-1 p-4" data-testid={`kpi-${key}`} aria-label={label}>
                <h3 className="text-sm font-medium text-foreground-muted">{label}</h3>
                <p className="text-2xl font-semibold">—</p>
                <p className="text-sm text-foreground-muted">Not computed for this snapshot.</p>
              </Card>
            </li>
          );
        }
        const change = value.change_percent;
        return (
          <li key={key}>
            <Card className="flex flex-col gap-1 p-4" data-testid={`kpi-${key}`} data-value={value.current} aria-label={label} title={definition}>
              <h3 className="text-sm font-medium text-foreground-muted">{label}</h3>
              <p className="text-2xl font-semibold tabular-nums">{format(value.current)}</p>
              <p
                className={cn(
                  'text-sm tabular-nums',
                  change === null || change === 0 ? 'text-foreground-muted' : change > 0 ? 'text-status-completed' : 'text-status-failed',
                )}
                data-testid={`kpi-${key}-change`}
              >
                {formatChange(change)}
                {value.previous !== null && <span className="text-foreground-muted"> vs {format(value.previous)} in the previous window</span>}
              </p>
            </Card>
          </li>
        );
      })}
    </ul>
  );
}
