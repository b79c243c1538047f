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

export const KPI_KEYS = ['revenue', 'orders', 'average_order_value', 'active_customers', 'first_time_buyers', 'vip_revenue_share'] as const;
export type KpiKey = (typeof KPI_KEYS)[number];

export const KPI_DEFINITIONS: Record<KpiKey, { label: string; definition: string }> = {
  revenue: { label: 'Revenue', definition: 'Sum of the totals of all orders placed in the window.' },
  orders: { label: 'Orders', definition: 'Orders placed in the window.' },
  average_order_value: { label: 'Average order value', definition: 'Revenue divided by orders; no figure for a window without orders.' },
  active_customers: { label: 'Customers who ordered', definition: 'Distinct customers with at least one order in the window.' },
  first_time_buyers: { label: 'First-time buyers', definition: 'Customers whose first order ever was placed in the window.' },
  vip_revenue_share: {
    label: 'VIP revenue share',
    definition: 'Share of the revenue of CRM-known customers that came from the VIP segment; current window only.',
  },
};

export type KpiValue = {
  current: number;
  previous: number | null;
  /** Relative change in percent; null when the previous value is 0 or unknown. */
  change_percent: number | null;
};

export type Kpis = Record<KpiKey, KpiValue>;

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
 * Totals of [startDate, endDate] and of the `windowDays` days before it, from the orders source. First orders are
 * found with one pass over the orders up to the window's end (grouped by customer), not a lookup per customer.
 */
export async function readWindowTotals(
  ordersPool: pg.Pool,
  window: { startDate: string; endDate: string; windowDays: number },
): Promise<{ current: WindowTotals; previous: WindowTotals }> {
  const previousStart = addDays(window.startDate, -window.windowDays);
  const { rows } = await ordersPool.query<{ period: 'current' | 'previous'; revenue: string; orders: number; active_customers: number; first_time_buyers: number }>(
    `WITH bounds AS (
       SELECT ($1::date)::timestamp AT TIME ZONE 'UTC' AS previous_start,
              ($2::date)::timestamp AT TIME ZONE 'UTC' AS current_start,
              ($3::date + 1)::timestamp AT TIME ZONE 'UTC' AS current_end),
     periods AS (
       SELECT 'previous' AS period, previous_start AS from_at, current_start AS to_at FROM bounds
       UNION ALL SELECT 'current', current_start, current_end FROM bounds),
     firsts AS (
       SELECT min(o.created_at) AS first_at FROM shop.orders o, bounds b WHERE o.created_at < b.current_end GROUP BY o.customer_id)
     SELECT p.period,
            coalesce((SELECT sum(o.total_amount) FROM shop.orders o WHERE o.created_at >= p.from_at AND o.created_at < p.to_at), 0)::text AS revenue,
            (SELECT count(*) FROM shop.orders o WHERE o.created_at >= p.from_at AND o.created_at < p.to_at)::int AS orders,
            (SELECT count(DISTINCT o.customer_id) FROM shop.orders o WHERE o.created_at >= p.from_at AND o.created_at < p.to_at)::int AS active_customers,
            (SELECT count(*) FROM firsts f WHERE f.first_at >= p.from_at AND f.first_at < p.to_at)::int AS first_time_buyers
       FROM periods p`,
    [previousStart, window.startDate, window.endDate],
  );
  const totals = (period: 'current' | 'previous'): WindowTotals => {
    const row = rows.find((candidate) => candidate.period === period);
    return {
      revenue: Number(row?.revenue ?? 0),
      orders: row?.orders ?? 0,
      activeCustomers: row?.active_customers ?? 0,
      firstTimeBuyers: row?.first_time_buyers ?? 0,
    };
  };
  return { current: totals('current'), previous: totals('previous') };
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
