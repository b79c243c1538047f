/**
 * The dashboard's key figures: which there are and what each means, in the words the dashboard shows. The pipeline
 * that publishes them (customer_analytics' generate_insights) computes them to these definitions.
 */

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
