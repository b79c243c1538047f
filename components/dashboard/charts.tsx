'use client';
/**
 * The dashboard's charts (recharts, client-side). Each chart is paired with a table of the same figures on the
 * page (SegmentTable) or in a <details> below it, so the numbers are readable without seeing the chart.
 * Every item carries its label: charts of many named items (products, categories, value ranges) are horizontal
 * bars, whose labels have a line each instead of competing for room under the axis, where recharts drops the
 * ones that collide.
 */
import { useSyncExternalStore, type ReactNode } from 'react';
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ReferenceDot,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import type { DashboardData } from '@/lib/dashboard/read-model';
import { formatCompactMoney, formatCount, formatMoney, formatWholeMoney } from './format';

const ACCENT = 'var(--color-accent)';
const SECOND = 'var(--color-status-completed)';
const AXIS = { stroke: 'var(--color-foreground-muted)', fontSize: 12 };
const TOOLTIP_STYLE = { backgroundColor: 'var(--color-surface)', borderColor: 'var(--color-border-strong)', color: 'var(--color-foreground)' };

const noSubscription = () => () => {};

/**
 * False during server rendering and hydration, true after: recharts measures the DOM and generates ids that the
 * server cannot reproduce, so drawing charts only on the client keeps hydration exact (a mismatch would make
 * React re-render the whole document, theme attribute included).
 */
function useHydrated(): boolean {
  return useSyncExternalStore(noSubscription, () => true, () => false);
}

/** A chart in a card, with its figures in a table below it (also used by the reliability page). */
export function ChartCard({
  title,
  description,
  children,
  rows,
  itemCount,
}: {
  title: string;
  description: string;
  children: ReactNode;
  rows: [string, string][];
  /** Horizontal bar charts grow with their items, so each label keeps a readable line. */
  itemCount?: number;
}) {
  const hydrated = useHydrated();
  const height = itemCount === undefined ? undefined : `${Math.max(8, itemCount * 2 + 3)}rem`;
  return (
    <Card>
      <CardHeader>
        <CardTitle as="h3">{title}</CardTitle>
        <CardDescription>{description}</CardDescription>
      </CardHeader>
      <CardContent>
        <div className="h-64 w-full" style={height ? { height } : undefined} role="img" aria-label={`${title} chart; the figures are in the table below`}>
          {hydrated && (
            <ResponsiveContainer width="100%" height="100%">
              {children}
            </ResponsiveContainer>
          )}
        </div>
        <details className="mt-3 text-sm">
          <summary className="cursor-pointer text-foreground-muted">Show the figures</summary>
          <table className="mt-2 w-full text-left">
            <tbody>
              {rows.map(([label, value]) => (
                <tr key={label} className="border-b border-border">
                  <th scope="row" className="py-1 pr-3 font-normal">{label}</th>
                  <td className="py-1 tabular-nums">{value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </CardContent>
    </Card>
  );
}

const moneyTick = (value: number) => formatCompactMoney(value);

/** Room for a category label left of a horizontal bar: at most this many characters, then an ellipsis. */
const LABEL_CHARS = 22;
const LABEL_WIDTH = 150;

interface CategoryTickProps {
  x?: number | string;
  y?: number | string;
  payload?: { value?: unknown };
}

/** A category axis label cut to fit, with the full name as its SVG <title> (shown on hover, read by screen readers). */
function CategoryTick({ x = 0, y = 0, payload }: CategoryTickProps) {
  const full = String(payload?.value ?? '');
  const shown = full.length > LABEL_CHARS ? `${full.slice(0, LABEL_CHARS - 1).trimEnd()}…` : full;
  return (
    <g transform={`translate(${x},${y})`}>
      <text x={-6} y={0} dy={4} textAnchor="end" fontSize={12} fill="var(--color-foreground-muted)">
        {shown !== full && <title>{full}</title>}
        {shown}
      </text>
    </g>
  );
}

/**
 * The shared shape of the horizontal bar charts: one labelled bar per item, money on the value axis unless told
 * otherwise. A render helper, not a component: ResponsiveContainer sizes the chart element it is given directly.
 */
function horizontalBars<T extends object>({
  data,
  labelKey,
  valueKey,
  name,
  fill,
  tickFormatter = moneyTick,
  tooltip = moneyTooltip,
}: {
  data: T[];
  labelKey: string;
  valueKey: string;
  name: string;
  fill: string;
  tickFormatter?: (value: number) => string;
  tooltip?: (value: unknown) => string;
}) {
  return (
    <BarChart data={data} layout="vertical" margin={{ left: 4, right: 16 }}>
      <CartesianGrid strokeDasharray="3 3" stroke="var(--color-border)" />
      <XAxis type="number" tick={AXIS} tickFormatter={tickFormatter} />
      <YAxis type="category" dataKey={labelKey} tick={<CategoryTick />} width={LABEL_WIDTH} interval={0} />
      <Tooltip contentStyle={TOOLTIP_STYLE} formatter={tooltip} />
      <Bar dataKey={valueKey} name={name} fill={fill} />
    </BarChart>
  );
}
const moneyTooltip = (value: unknown) => formatMoney(Number(value));
const countTooltip = (value: unknown) => formatCount(Number(value));

export function SegmentChart({ segments }: { segments: DashboardData['segments'] }) {
  return (
    <ChartCard
      title="Customers and revenue by segment"
      description="VIP, Regular, Occasional and New customers in the window."
      rows={segments.map((segment) => [segment.segment, `${formatCount(segment.customers)} customers, ${formatMoney(segment.revenue)}`])}
    >
      <BarChart data={segments}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--color-border)" />
        <XAxis dataKey="segment" tick={AXIS} interval={0} />
        <YAxis yAxisId="customers" tick={AXIS} tickFormatter={(value: number) => formatCount(value)} />
        <YAxis yAxisId="revenue" orientation="right" tick={AXIS} tickFormatter={moneyTick} />
        <Tooltip contentStyle={TOOLTIP_STYLE} formatter={(value, name) => (name === 'Revenue' ? moneyTooltip(value) : countTooltip(value))} />
        <Legend />
        <Bar yAxisId="customers" dataKey="customers" name="Customers" fill={ACCENT} />
        <Bar yAxisId="revenue" dataKey="revenue" name="Revenue" fill={SECOND} />
      </BarChart>
    </ChartCard>
  );
}

function bucketLabel(bucket: DashboardData['ltvHistogram'][number]): string {
  // Full notation, not compact: this label is also rendered on the server, and compact output varies between ICU versions.
  return bucket.to === null ? `${formatWholeMoney(bucket.from)}+` : `${formatWholeMoney(bucket.from)}–${formatWholeMoney(bucket.to)}`;
}

export function LtvHistogram({ buckets }: { buckets: DashboardData['ltvHistogram'] }) {
  const data = buckets.map((bucket) => ({ label: bucketLabel(bucket), customers: bucket.customers }));
  return (
    <ChartCard
      title="Lifetime value distribution"
      description="Customers per lifetime-value range (revenue in the window)."
      rows={data.map((bucket) => [bucket.label, `${formatCount(bucket.customers)} customers`])}
      itemCount={data.length}
    >
      {horizontalBars({ data, labelKey: 'label', valueKey: 'customers', name: 'Customers', fill: ACCENT, tickFormatter: formatCount, tooltip: countTooltip })}
    </ChartCard>
  );
}

/** `anomalyDays`: days whose revenue the executive summary found abnormal for their weekday ("Needs attention today" lists them). */
export function DailyRevenueChart({ days, anomalyDays = [] }: { days: DashboardData['dailyRevenue']; anomalyDays?: readonly string[] }) {
  const abnormal = new Set(anomalyDays);
  const marked = days.filter((day) => abnormal.has(day.day));
  return (
    <ChartCard
      title="Revenue per day"
      description={
        marked.length > 0
          ? `Every day of the window, including days without orders; the ${marked.length === 1 ? 'red dot marks the day' : `${marked.length} red dots mark the days`} abnormal for their weekday.`
          : 'Every day of the window, including days without orders.'
      }
      rows={days.map((day) => [day.day, `${formatMoney(day.revenue)} from ${formatCount(day.orders)} orders${abnormal.has(day.day) ? ' (abnormal for its weekday)' : ''}`])}
    >
      <AreaChart data={days}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--color-border)" />
        <XAxis dataKey="day" tick={AXIS} tickFormatter={(day: string) => day.slice(5)} />
        <YAxis tick={AXIS} tickFormatter={moneyTick} />
        <Tooltip contentStyle={TOOLTIP_STYLE} formatter={moneyTooltip} />
        <Area type="monotone" dataKey="revenue" name="Revenue" stroke={ACCENT} fill={ACCENT} fillOpacity={0.2} />
        {marked.map((day) => (
          <ReferenceDot key={day.day} x={day.day} y={day.revenue} r={6} fill="var(--color-status-failed)" stroke="var(--color-surface)" className="revenue-anomaly" />
        ))}
      </AreaChart>
    </ChartCard>
  );
}

export function TopProductsChart({ products }: { products: DashboardData['topProducts'] }) {
  const data = products.map((product) => ({ name: product.name ?? `Product ${product.product_id}`, revenue: product.revenue }));
  return (
    <ChartCard
      title="Top 10 products by revenue"
      description="The best sellers of the window."
      rows={data.map((product) => [product.name, formatMoney(product.revenue)])}
      itemCount={data.length}
    >
      {horizontalBars({ data, labelKey: 'name', valueKey: 'revenue', name: 'Revenue', fill: ACCENT })}
    </ChartCard>
  );
}

export function CategoryRevenueChart({ categories }: { categories: DashboardData['revenueByCategory'] }) {
  return (
    <ChartCard
      title="Revenue by category"
      description="The ten categories with the most revenue."
      rows={categories.map((category) => [category.category, formatMoney(category.revenue)])}
      itemCount={categories.length}
    >
      {horizontalBars({ data: categories, labelKey: 'category', valueKey: 'revenue', name: 'Revenue', fill: SECOND })}
    </ChartCard>
  );
}

export function AovBySegmentChart({ segments }: { segments: DashboardData['segments'] }) {
  const data = segments.map((segment) => ({ segment: segment.segment, aov: segment.average_order_value ?? 0 }));
  return (
    <ChartCard
      title="Average order value by segment"
      description="Revenue ÷ orders for each segment."
      rows={segments.map((segment) => [segment.segment, segment.average_order_value === null ? '—' : formatMoney(segment.average_order_value)])}
    >
      <BarChart data={data}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--color-border)" />
        <XAxis dataKey="segment" tick={AXIS} interval={0} />
        <YAxis tick={AXIS} tickFormatter={moneyTick} />
        <Tooltip contentStyle={TOOLTIP_STYLE} formatter={moneyTooltip} />
        <Bar dataKey="aov" name="Average order value" fill={ACCENT} />
      </BarChart>
    </ChartCard>
  );
}
