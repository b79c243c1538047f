/**
 * Tables of the customer_analytics pipeline (schema `analytics`).
 *
 * Staging tables hold one task's extracted CRM users and inventory products, keyed by task id so concurrent runs
 * never mix and a retried extract can clear exactly its own partial rows. Orders are not staged here: the
 * transforms read them in place, or from a run's own copy tables when they live in another database
 * (lib/pipelines/customer-analytics/order-copy.ts). Metrics and insights are kept per task as history; a snapshot
 * row points the dashboard at one task's complete output, and `is_current` moves in a single transaction.
 */
import { sql } from 'drizzle-orm';
import {
  bigint, boolean, check, date, doublePrecision, index, integer, jsonb, numeric, pgSchema, primaryKey, serial, text, timestamp, uniqueIndex, uuid,
} from 'drizzle-orm/pg-core';

export const analytics = pgSchema('analytics');

export const stagingUsers = analytics.table(
  'staging_users',
  {
    taskId: uuid('task_id').notNull(),
    userId: bigint('user_id', { mode: 'number' }).notNull(),
    email: text('email').notNull(),
    name: text('name').notNull(),
    country: text('country').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.userId] })],
);

export const stagingProducts = analytics.table(
  'staging_products',
  {
    taskId: uuid('task_id').notNull(),
    productId: bigint('product_id', { mode: 'number' }).notNull(),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    category: text('category').notNull(),
    price: numeric('price', { precision: 12, scale: 2 }).notNull(),
    stockOnHand: integer('stock_on_hand').notNull(),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.productId] })],
);

/** One row per customer with orders in the window who exists in the CRM; the seed's columns. */
export const customerMetrics = analytics.table(
  'customer_metrics',
  {
    taskId: uuid('task_id').notNull(),
    customerId: bigint('customer_id', { mode: 'number' }).notNull(),
    customerEmail: text('customer_email').notNull(),
    totalLifetimeValue: numeric('total_lifetime_value', { precision: 14, scale: 2 }).notNull(),
    averageOrderValue: numeric('average_order_value', { precision: 14, scale: 2 }).notNull(),
    totalOrders: integer('total_orders').notNull(),
    /** Orders per month between first and last order in the window; 0 with < 2 orders or a single day. */
    orderFrequency: doublePrecision('order_frequency').notNull(),
    /** Days from the last order date to the window's end date, so a rerun reproduces it. */
    daysSinceLastOrder: integer('days_since_last_order').notNull(),
    customerSegment: text('customer_segment').notNull(),
    acquisitionDate: timestamp('acquisition_date', { withTimezone: true }).notNull(),
    calculatedAt: timestamp('calculated_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.taskId, table.customerId] }),
    index('customer_metrics_task_segment_idx').on(table.taskId, table.customerSegment),
    // The dashboard's top-customers table sorts by these and pages with a customer_id tie-break (lib/dashboard); the
    // value one also serves the LTV histogram (index-only) and the insights' ranking by value. Each index costs the
    // customer transform's INSERT a quarter of a second per million orders, so there is no second one on value.
    index('customer_metrics_task_value_id_idx').on(table.taskId, table.totalLifetimeValue, table.customerId),
    index('customer_metrics_task_orders_idx').on(table.taskId, table.totalOrders, table.customerId),
    index('customer_metrics_task_recency_idx').on(table.taskId, table.daysSinceLastOrder, table.customerId),
  ],
);

export const productMetrics = analytics.table(
  'product_metrics',
  {
    taskId: uuid('task_id').notNull(),
    productId: bigint('product_id', { mode: 'number' }).notNull(),
    sku: text('sku'),
    name: text('name'),
    /** Null when the inventory system does not know the product. */
    category: text('category'),
    unitsSold: integer('units_sold').notNull(),
    revenue: numeric('revenue', { precision: 14, scale: 2 }).notNull(),
    ordersCount: integer('orders_count').notNull(),
    uniqueCustomers: integer('unique_customers').notNull(),
    averageSellingPrice: numeric('average_selling_price', { precision: 14, scale: 2 }).notNull(),
    stockOnHand: integer('stock_on_hand'),
    /** stock ÷ average daily units over the window; null without sales or without a stock figure. */
    daysOfCover: doublePrecision('days_of_cover'),
    calculatedAt: timestamp('calculated_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.taskId, table.productId] }),
    index('product_metrics_task_revenue_idx').on(table.taskId, table.revenue.desc()),
    // The dashboard's low-stock table: products under a days-of-cover threshold, lowest first.
    index('product_metrics_task_cover_idx').on(table.taskId, table.daysOfCover),
  ],
);

/** Revenue and orders per day of the window, computed with the metrics so the dashboard never reads staging. */
export const dailyRevenue = analytics.table(
  'daily_revenue',
  {
    taskId: uuid('task_id').notNull(),
    day: date('day').notNull(),
    orders: integer('orders').notNull(),
    revenue: numeric('revenue', { precision: 14, scale: 2 }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.day] })],
);

export const insights = analytics.table(
  'insights',
  {
    taskId: uuid('task_id').notNull(),
    position: integer('position').notNull(),
    kind: text('kind').notNull(),
    sentence: text('sentence').notNull(),
    /** The numbers behind the sentence. */
    data: jsonb('data').notNull(),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.position] })],
);

/**
 * A dashboard snapshot: one complete task's output for a window. At most one row is the default view
 * (`is_current`); it moves in a single transaction, so readers see either the old snapshot or the new one, never
 * a mix. Which snapshot that is follows the delivery definition in lib/delivery.
 */
export const dashboardSnapshots = analytics.table(
  'dashboard_snapshots',
  {
    id: serial('id').primaryKey(),
    taskId: uuid('task_id').notNull(),
    windowStart: date('window_start').notNull(),
    windowEnd: date('window_end').notNull(),
    /** When it was published; null while held for review or after being discarded unpublished. */
    publishedAt: timestamp('published_at', { withTimezone: true }).defaultNow(),
    isCurrent: boolean('is_current').notNull().default(false),
    /** KPIs and segment summary, so the dashboard header needs no aggregation. */
    summary: jsonb('summary').notNull(),
    /** 'delivery' | 'backfill' | 'ad_hoc', fixed when the snapshot is published; null for rows published before kinds existed. */
    kind: text('kind'),
    /** 'published', 'held' (the data-quality gate stopped it) or 'discarded' (an operator rejected a held one). */
    state: text('state').notNull().default('published'),
    /** Why the gate held it: [{ code, message }]. */
    holdReasons: jsonb('hold_reasons').notNull().default([]),
    heldAt: timestamp('held_at', { withTimezone: true }),
    /** Who published a held snapshot anyway or discarded it, when, and why. */
    reviewedBy: text('reviewed_by'),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    reviewReason: text('review_reason'),
  },
  (table) => [
    uniqueIndex('dashboard_snapshots_task_idx').on(table.taskId),
    uniqueIndex('dashboard_snapshots_one_current_idx').on(table.isCurrent).where(sql`${table.isCurrent}`),
    index('dashboard_snapshots_window_idx').on(table.windowStart, table.windowEnd, table.publishedAt.desc()),
    // The status page reads publications by time (lib/status).
    index('dashboard_snapshots_published_idx').on(table.publishedAt),
    check('dashboard_snapshots_state_check', sql`${table.state} IN ('published', 'held', 'discarded')`),
    check('dashboard_snapshots_kind_check', sql`${table.kind} IN ('delivery', 'backfill', 'ad_hoc')`),
  ],
);

/** Channels already notified for a task, so a retried send_notifications never posts twice. */
export const notificationDeliveries = analytics.table(
  'notification_deliveries',
  {
    taskId: uuid('task_id').notNull(),
    channel: text('channel').notNull(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.channel] })],
);

/**
 * How far an extract step got: committed together with the rows it staged, so a retried attempt resumes
 * after the last staged page or batch instead of starting over. Deleted when the extract finishes, so a
 * later rerun of the step starts from a clean slate.
 */
export const extractCheckpoints = analytics.table(
  'extract_checkpoints',
  {
    taskId: uuid('task_id').notNull(),
    step: text('step').notNull(),
    /** The source's next cursor, or the last order id staged; null once the source has no more pages. */
    position: text('position'),
    rows: integer('rows').notNull(),
    batches: integer('batches').notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.step] })],
);

/*
 * The executive summary's window parts (drizzle/0031): what the transforms summed in their scans for the summary,
 * per customer, product and delivery-time-zone day of the run's window (lib/pipelines/customer-analytics/summary-parts.ts).
 * Purged with the run's staging.
 */
export const summaryCustomerParts = analytics.table(
  'summary_customer_parts',
  {
    taskId: uuid('task_id').notNull(),
    customerId: bigint('customer_id', { mode: 'number' }).notNull(),
    /** Orders dated ≤ E, their total, and the first and last of them. */
    orders: integer('orders').notNull(),
    total: numeric('total', { precision: 14, scale: 2 }).notNull(),
    firstOrderAt: timestamp('first_order_at', { withTimezone: true }),
    lastOrderAt: timestamp('last_order_at', { withTimezone: true }),
    currentOrders: integer('current_orders').notNull(),
    currentRevenue: numeric('current_revenue', { precision: 14, scale: 2 }).notNull(),
    previousOrders: integer('previous_orders').notNull(),
    previousRevenue: numeric('previous_revenue', { precision: 14, scale: 2 }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.customerId] })],
);

export const summaryProductParts = analytics.table(
  'summary_product_parts',
  {
    taskId: uuid('task_id').notNull(),
    productId: bigint('product_id', { mode: 'number' }).notNull(),
    /** Units sold in the 28 days ending E. */
    velocityUnits: integer('velocity_units').notNull(),
    currentRevenue: numeric('current_revenue', { precision: 14, scale: 2 }).notNull(),
    previousRevenue: numeric('previous_revenue', { precision: 14, scale: 2 }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.productId] })],
);

export const summaryDailyParts = analytics.table(
  'summary_daily_parts',
  {
    taskId: uuid('task_id').notNull(),
    /** A calendar day in DELIVERY_TIMEZONE. */
    day: date('day').notNull(),
    orders: integer('orders').notNull(),
    revenue: numeric('revenue', { precision: 14, scale: 2 }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.day] })],
);

/** The churn rule's customers of a run (at-risk-customers.csv), their figures over orders dated ≤ E. */
export const atRiskCustomers = analytics.table(
  'at_risk_customers',
  {
    taskId: uuid('task_id').notNull(),
    customerId: bigint('customer_id', { mode: 'number' }).notNull(),
    customerEmail: text('customer_email').notNull(),
    totalLifetimeValue: numeric('total_lifetime_value', { precision: 14, scale: 2 }).notNull(),
    averageOrderValue: numeric('average_order_value', { precision: 14, scale: 2 }).notNull(),
    totalOrders: integer('total_orders').notNull(),
    orderFrequency: doublePrecision('order_frequency').notNull(),
    daysSinceLastOrder: integer('days_since_last_order').notNull(),
    meanIntervalDays: numeric('mean_interval_days', { precision: 10, scale: 2 }).notNull(),
    customerSegment: text('customer_segment').notNull(),
    acquisitionDate: timestamp('acquisition_date', { withTimezone: true }),
    calculatedAt: timestamp('calculated_at', { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.customerId] })],
);

/** The reorder rule's products of a run (products-to-reorder.csv and the summary's reorder list). */
export const reorderProducts = analytics.table(
  'reorder_products',
  {
    taskId: uuid('task_id').notNull(),
    productId: bigint('product_id', { mode: 'number' }).notNull(),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    category: text('category').notNull(),
    stockOnHand: integer('stock_on_hand').notNull(),
    unitsSold28Days: integer('units_sold_28_days').notNull(),
    dailyVelocity: doublePrecision('daily_velocity').notNull(),
    daysOfCover: doublePrecision('days_of_cover').notNull(),
    reorderQuantity: integer('reorder_quantity').notNull(),
    calculatedAt: timestamp('calculated_at', { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.taskId, table.productId] })],
);
