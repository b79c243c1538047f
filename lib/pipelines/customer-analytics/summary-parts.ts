/**
 * The executive summary's sums over orders, split in two parts that add up: the run's window (its pinned orders,
 * which the transforms scan anyway and sum here in the same pass, into the analytics.summary_*_parts tables) and
 * everything the summary needs outside the window (read by the summary itself from the orders source). Both parts
 * use the SAME column expressions below, so a sum over their union is the sum over every order the definition
 * names, whatever the split: the window is cut at UTC midnights, the summary's periods at DELIVERY_TIMEZONE
 * midnights, and an order between the two lands in exactly one part with the right period.
 *
 * Every fragment reads an orders relation aliased `o` (id, customer_id, total_amount, created_at) and, for products,
 * its items aliased `i`; the boundaries are parameters (see `summaryBounds`).
 */

/** Days of sales the reorder rule's velocity is measured over. */
export const VELOCITY_DAYS = 28;
/** Same weekdays before a day that make its anomaly baseline. */
export const ANOMALY_BASELINE_WEEKS = 8;

/** The window and time zone the summary's days are counted in. */
export interface SummaryPeriods {
  startDate: string;
  endDate: string;
  windowDays: number;
  timeZone: string;
}

/** Turns a value into SQL text: a placeholder of a statement's parameters, or an escaped literal. */
export type Binder = (value: string | number) => string;

/**
 * The summary's instants as SQL. Each is the local midnight that starts a day (`(date)::timestamp AT TIME ZONE zone`),
 * so every period cuts the orders at the same local midnights. Given an array, a value becomes a parameter of it the
 * first time a statement's text uses it — PostgreSQL refuses a statement with a parameter it never mentions — so
 * build the statement's text first, then send it with the array. Given a Binder (COPY (query) takes no parameters),
 * the binder writes the value into the text.
 */
export function summaryBounds(periods: SummaryPeriods, params: unknown[] | Binder) {
  const toSql: Binder =
    typeof params === 'function'
      ? params
      : (value) => {
          params.push(value);
          return `$${params.length}`;
        };
  const refs = new Map<keyof SummaryPeriods, string>();
  const bind = (key: keyof SummaryPeriods) => {
    let ref = refs.get(key);
    if (!ref) {
      ref = toSql(periods[key]);
      refs.set(key, ref);
    }
    return ref;
  };
  const zone = () => `${bind('timeZone')}::text`;
  const midnight = (date: string) => `((${date})::timestamp AT TIME ZONE ${zone()})`;
  return {
    get zone() {
      return zone();
    },
    get startDate() {
      return `${bind('startDate')}::date`;
    },
    get endDate() {
      return `${bind('endDate')}::date`;
    },
    /** The end of E: nothing after it counts anywhere in the summary. */
    get end() {
      return midnight(`${bind('endDate')}::date + 1`);
    },
    get start() {
      return midnight(`${bind('startDate')}::date`);
    },
    get previousStart() {
      return midnight(`${bind('startDate')}::date - ${bind('windowDays')}::int`);
    },
    get velocityStart() {
      return midnight(`${bind('endDate')}::date - ${VELOCITY_DAYS - 1}`);
    },
    get baselineStart() {
      return midnight(`${bind('startDate')}::date - ${ANOMALY_BASELINE_WEEKS * 7}`);
    },
    /** The run's window in UTC days, as the transforms cut it: the outside part is every order not in it. */
    get windowFrom() {
      return `((${bind('startDate')}::date)::timestamp AT TIME ZONE 'UTC')`;
    },
    get windowTo() {
      return `((${bind('endDate')}::date + 1)::timestamp AT TIME ZONE 'UTC')`;
    },
    /** An order's calendar day in the delivery time zone. */
    localDay: (createdAt: string) => `(${createdAt} AT TIME ZONE ${zone()})::date`,
  };
}

export type SummaryBounds = ReturnType<typeof summaryBounds>;

/**
 * Per customer: orders dated ≤ E (count, total, first and last instant) and both periods' orders and revenue.
 * Columns (each name after `prefix`): orders, total, first_order_at, last_order_at, current_orders, current_revenue, previous_orders, previous_revenue.
 */
export function customerPartColumns(b: SummaryBounds, prefix = ''): string {
  const upToE = `o.created_at < ${b.end}`;
  const current = `o.created_at >= ${b.start} AND o.created_at < ${b.end}`;
  const previous = `o.created_at >= ${b.previousStart} AND o.created_at < ${b.start}`;
  return `count(*) FILTER (WHERE ${upToE})::int AS ${prefix}orders,
          coalesce(sum(o.total_amount) FILTER (WHERE ${upToE}), 0) AS ${prefix}total,
          min(o.created_at) FILTER (WHERE ${upToE}) AS ${prefix}first_order_at,
          max(o.created_at) FILTER (WHERE ${upToE}) AS ${prefix}last_order_at,
          count(*) FILTER (WHERE ${current})::int AS ${prefix}current_orders,
          coalesce(sum(o.total_amount) FILTER (WHERE ${current}), 0) AS ${prefix}current_revenue,
          count(*) FILTER (WHERE ${previous})::int AS ${prefix}previous_orders,
          coalesce(sum(o.total_amount) FILTER (WHERE ${previous}), 0) AS ${prefix}previous_revenue`;
}

/** Per product: units in the 28 days ending E, and item revenue (quantity × price) in both periods. */
export function productPartColumns(b: SummaryBounds): string {
  return `coalesce(sum(i.quantity) FILTER (WHERE o.created_at >= ${b.velocityStart} AND o.created_at < ${b.end}), 0)::int AS velocity_units,
          coalesce(sum(i.quantity * i.price) FILTER (WHERE o.created_at >= ${b.start} AND o.created_at < ${b.end}), 0) AS current_revenue,
          coalesce(sum(i.quantity * i.price) FILTER (WHERE o.created_at >= ${b.previousStart} AND o.created_at < ${b.start}), 0) AS previous_revenue`;
}

/**
 * The orders outside the run's window that the summary still needs, as a relation to alias `o`: before the window,
 * and — in a zone west of UTC, where E ends after the window's last UTC midnight — the hours of E after it.
 * `lowerBound` limits how far back. Both ranges are ranges of shop.orders (created_at), read through its index.
 */
export function outsideWindowOrders(b: SummaryBounds, lowerBound?: string): string {
  return `(SELECT w.id, w.customer_id, w.total_amount, w.created_at FROM shop.orders w
            WHERE (w.created_at < ${b.windowFrom} OR w.created_at >= ${b.windowTo}) AND w.created_at < ${b.end}
              ${lowerBound ? `AND w.created_at >= ${lowerBound}` : ''})`;
}

/**
 * The outside part's three sums — per customer (customerPartColumns), per product (productPartColumns, the items of
 * orders from the earlier of the velocity days and the previous period), per delivery-time-zone day from the anomaly
 * baseline's first day (day, orders, revenue) — as queries over the orders database's shop.orders and items.
 */
export const outsideCustomerPartsSql = (b: SummaryBounds) =>
  `SELECT o.customer_id, ${customerPartColumns(b)} FROM ${outsideWindowOrders(b)} o GROUP BY o.customer_id`;
export const outsideProductPartsSql = (b: SummaryBounds) =>
  `SELECT i.product_id, ${productPartColumns(b)}
     FROM ${outsideWindowOrders(b, `least(${b.velocityStart}, ${b.previousStart})`)} o JOIN shop.order_items i ON i.order_id = o.id
    GROUP BY i.product_id`;
export const outsideDailyPartsSql = (b: SummaryBounds) =>
  `SELECT ${b.localDay('o.created_at')} AS day, count(*)::int AS orders, sum(o.total_amount) AS revenue
     FROM ${outsideWindowOrders(b, b.baselineStart)} o GROUP BY 1`;

/** Where the summary reads the outside part from: relations with the columns of the three queries above. */
export interface OutsideParts {
  customers(b: SummaryBounds): string;
  products(b: SummaryBounds): string;
  days(b: SummaryBounds): string;
}

/** Orders in the app's database: the three queries inline, in the summary's own statements. */
export const OUTSIDE_IN_PLACE: OutsideParts = {
  customers: (b) => `(${outsideCustomerPartsSql(b)})`,
  products: (b) => `(${outsideProductPartsSql(b)})`,
  days: (b) => `(${outsideDailyPartsSql(b)})`,
};
