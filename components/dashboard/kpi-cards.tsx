/** The six KPI cards with their change against the previous window of the same length. */
import { Card } from '@/components/ui/card';
import { cn } from '@/components/ui/cn';
import { KPI_KEYS, type KpiKey, type KpiValue } from '@/lib/dashboard/snapshots';
import { formatChange, formatCount, formatMoney, formatPercent } from './format';

const KPI_LABELS: Record<KpiKey, { label: string; format: (value: number) => string }> = {
  revenue: { label: 'Revenue', format: formatMoney },
  orders: { label: 'Orders', format: formatCount },
  average_order_value: { label: 'Average order value', format: formatMoney },
  active_customers: { label: 'Active customers', format: formatCount },
  new_customers: { label: 'New customers', format: formatCount },
  vip_revenue_share: { label: 'VIP revenue share', format: formatPercent },
};

export function KpiCards({ kpis }: { kpis: Record<KpiKey, KpiValue> | null }) {
  if (!kpis) return <p className="text-foreground-muted">This snapshot has no KPI figures.</p>;
  return (
    <ul aria-label="Key figures" className="grid grid-cols-1 gap-4 sm:grid-cols-2 lg:grid-cols-3">
      {KPI_KEYS.map((key) => {
        const value = kpis[key];
        const { label, format } = KPI_LABELS[key];
        const change = value.change_percent;
        return (
          <li key={key}>
            <Card className="flex flex-col gap-1 p-4" data-testid={`kpi-${key}`} data-value={value.current} aria-label={label}>
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
