/**
 * The dashboard's key figures, each with ONE definition, computed by ONE query for the window and for the equally
 * long window just before it — same source (the orders database), same rules — so a figure and its comparison
 * can never disagree about what they count. Windows are whole UTC days, both ends included, like the pipeline's.
 *
 * "First-time buyers" (customers whose first order ever falls in the window) replaces "New customers", which read
 * like the "New" customer segment but counted CRM sign-ups. VIP revenue share depends on the segments of this run,
 * which exist for the current window only, so it has no previous-window figure.
 */
import type pg from 'pg';
import type { Kpis, KpiValue } from '@/lib/dashboard/kpi-definitions';

export type { Kpis, KpiValue };

export interface WindowTotals {
  revenue: number;
  orders: number;
  activeCustomers: number;
  firstTimeBuyers: number;
}

const round2 = (value: number) => Math.round(value * 100) / 100;

function kpi(current: number, previous: number | null): KpiValue {
  const change = previous === null || previous === 0 ? null : round2(((current - previous) / previous) * 100);
  return { current: round2(current), previous: previous === null ? null : round2(previous), change_percent: change };
}

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * The first-time-buyer rule, in SQL, for every query that counts them: the customer has no order before the
 * period's start. One index probe per customer (shop.orders (customer_id, created_at)), so the cost follows the
 * period's customers, not the whole order history.
 */
export const noEarlierOrderSql = (customerId: string, periodStart: string) =>
  `NOT EXISTS (SELECT 1 FROM shop.orders earlier WHERE earlier.customer_id = ${customerId} AND earlier.created_at < ${periodStart})`;

/** Which of the two windows a read covers: both, or only the previous one (when the run has the current one). */
export type WindowTotalsScope = 'both' | 'previous';

const ZERO_TOTALS: WindowTotals = { revenue: 0, orders: 0, activeCustomers: 0, firstTimeBuyers: 0 };

/**
 * Totals of [startDate, endDate] and of the `windowDays` days before it, from the orders source, in one pass over
 * the windows' orders grouped by (window, customer). The previous version grouped every order up to the window's
 * end and scanned the windows four more times: 1.4–2.9 s of the 1M-order pipeline's critical path, against a
 * fraction of that now. With scope 'previous' only the previous window is read (current comes back as zeros):
 * the pipeline has the current window's figures from its own pinned orders (./steps/transform-customer-metrics.ts).
 */
export async function readWindowTotals(
  ordersPool: pg.Pool,
  window: { startDate: string; endDate: string; windowDays: number },
  scope: WindowTotalsScope = 'both',
): Promise<{ current: WindowTotals; previous: WindowTotals }> {
  // Whole UTC days, both ends included: [previous start, current start) and [current start, the day after the end).
  const instant = (date: string) => `${date}T00:00:00Z`;
  const previousStart = instant(addDays(window.startDate, -window.windowDays));
  const currentStart = instant(window.startDate);
  const scanEnd = scope === 'previous' ? currentStart : instant(addDays(window.endDate, 1));
  const { rows } = await ordersPool.query<{ period: 'current' | 'previous'; revenue: string; orders: number; active_customers: number; first_time_buyers: number }>(
    `WITH per_customer AS (
       SELECT o.created_at >= $2::timestamptz AS in_current, o.customer_id, count(*) AS orders, sum(o.total_amount) AS revenue
         FROM shop.orders o
        WHERE o.created_at >= $1::timestamptz AND o.created_at < $3::timestamptz
        GROUP BY 2, 1)
     SELECT CASE WHEN p.in_current THEN 'current' ELSE 'previous' END AS period,
            coalesce(sum(p.revenue), 0)::text AS revenue,
            coalesce(sum(p.orders), 0)::int AS orders,
            count(*)::int AS active_customers,
            count(*) FILTER (WHERE ${noEarlierOrderSql('p.customer_id', 'CASE WHEN p.in_current THEN $2::timestamptz ELSE $1::timestamptz END')})::int
              AS first_time_buyers
       FROM per_customer p
      GROUP BY p.in_current`,
    [previousStart, currentStart, scanEnd],
  );
  const totals = (period: 'current' | 'previous'): WindowTotals => {
    const row = rows.find((candidate) => candidate.period === period);
    if (!row) return ZERO_TOTALS;
    return { revenue: Number(row.revenue), orders: row.orders, activeCustomers: row.active_customers, firstTimeBuyers: row.first_time_buyers };
  };
  return { current: totals('current'), previous: totals('previous') };
}

/** The current window's customer figures a run computed from its own pinned orders. */
export type PinnedCustomerFigures = {
  active_customers: number;
  first_time_buyers: number;
};

/**
 * Both windows' totals for a run. When the run pinned its orders in the app's database (a `source` boundary), the
 * current window comes from what the run itself computed over exactly those orders — the boundary's count and
 * revenue and the customer transform's figures — so the KPIs agree with every other number of the snapshot and the
 * window is not scanned again; only the previous window is read. A copied window (SOURCE_DATABASE_URL) has no
 * history beside it, so both windows are read from the orders database.
 */
export async function readRunWindowTotals(
  ordersPool: pg.Pool,
  window: { startDate: string; endDate: string; windowDays: number },
  pinned: { orders: number; revenue: string; customers: PinnedCustomerFigures } | null,
): Promise<{ current: WindowTotals; previous: WindowTotals }> {
  if (!pinned) return readWindowTotals(ordersPool, window);
  const { previous } = await readWindowTotals(ordersPool, window, 'previous');
  return {
    current: {
      revenue: Number(pinned.revenue),
      orders: pinned.orders,
      activeCustomers: pinned.customers.active_customers,
      firstTimeBuyers: pinned.customers.first_time_buyers,
    },
    previous,
  };
}

/** The KPIs from both windows' totals; `vipRevenueSharePercent` is the current window's. */
export function buildKpis(current: WindowTotals, previous: WindowTotals, vipRevenueSharePercent: number): Kpis {
  const aov = (totals: WindowTotals) => (totals.orders > 0 ? totals.revenue / totals.orders : null);
  return {
    revenue: kpi(current.revenue, previous.revenue),
    orders: kpi(current.orders, previous.orders),
    average_order_value: kpi(aov(current) ?? 0, aov(previous)),
    active_customers: kpi(current.activeCustomers, previous.activeCustomers),
    first_time_buyers: kpi(current.firstTimeBuyers, previous.firstTimeBuyers),
    vip_revenue_share: kpi(vipRevenueSharePercent, null),
  };
}
