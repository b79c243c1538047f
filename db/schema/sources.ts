/**
 * The demo source systems the customer_analytics pipeline extracts from.
 *
 * `shop` is the orders database (a real deployment may keep it elsewhere: SOURCE_DATABASE_URL).
 * `demo` holds the data behind the demo CRM and inventory HTTP APIs, the messages the demo
 * Slack sink received, and the fault-injection settings every process reads.
 */
import { bigint, bigserial, index, integer, jsonb, numeric, pgSchema, real, text, timestamp } from 'drizzle-orm/pg-core';

export const shop = pgSchema('shop');
export const demo = pgSchema('demo');

export const orders = shop.table(
  'orders',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    customerId: bigint('customer_id', { mode: 'number' }).notNull(),
    totalAmount: numeric('total_amount', { precision: 12, scale: 2 }).notNull(),
    status: text('status').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    index('orders_created_at_idx').on(table.createdAt),
    // A customer's earlier orders, for the first-time-buyer KPI (lib/pipelines/customer-analytics/kpis.ts).
    index('orders_customer_created_idx').on(table.customerId, table.createdAt),
  ],
);

export const orderItems = shop.table(
  'order_items',
  {
    orderId: bigint('order_id', { mode: 'number' }).notNull(),
    productId: bigint('product_id', { mode: 'number' }).notNull(),
    quantity: integer('quantity').notNull(),
    price: numeric('price', { precision: 12, scale: 2 }).notNull(),
  },
  (table) => [index('order_items_order_id_idx').on(table.orderId)],
);

export const crmUsers = demo.table('crm_users', {
  userId: bigint('user_id', { mode: 'number' }).primaryKey(),
  email: text('email').notNull(),
  name: text('name').notNull(),
  country: text('country').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

export const inventoryProducts = demo.table('inventory_products', {
  productId: bigint('product_id', { mode: 'number' }).primaryKey(),
  sku: text('sku').notNull(),
  name: text('name').notNull(),
  category: text('category').notNull(),
  price: numeric('price', { precision: 12, scale: 2 }).notNull(),
  stockOnHand: integer('stock_on_hand').notNull(),
});

export const slackMessages = demo.table(
  'slack_messages',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    channel: text('channel'),
    text: text('text').notNull(),
    /** The whole JSON body as posted, so Block Kit payloads can be shown as sent. */
    payload: jsonb('payload').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('slack_messages_received_at_idx').on(table.receivedAt)],
);

/**
 * Fault injection per source (`crm`, `inventory`, `slack`, `orders_db`). Stored in the database so
 * every process (web, standalone workers) sees a change at once, without a restart.
 */
export const chaosSettings = demo.table('chaos_settings', {
  source: text('source').primaryKey(),
  failureRate: real('failure_rate').notNull().default(0),
  rateLimitRate: real('rate_limit_rate').notNull().default(0),
  hangRate: real('hang_rate').notNull().default(0),
  latencyMs: integer('latency_ms').notNull().default(0),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
