/**
 * The seed's CustomerAnalyticsHandler on Nightshift's engine: same graph, retry limits, timeouts and
 * severity policy; each handler is a thin call into its step module.
 */
import type { DbHandle } from '@/db/client';
import type pg from 'pg';
import { assertCurrentAttempt, definePipeline, type PipelineDefinition, type StepContext } from '@/lib/engine';
import { CUSTOMER_ANALYTICS } from './identity';
import { env } from '@/lib/env';
import { customerAnalyticsInput, windowDays, type CustomerAnalyticsInput } from './input';
import type { CustomerAnalyticsSources } from './sources';
import { assertCopyPresent, boundaryFromResult } from './orders-boundary';
import { assertStagingPresent, purgeStaleStaging } from './staging';
import { extractOrders, extractResultSchema, type ExtractOrdersResult, type ExtractResult } from './steps/extract-orders';
import { channelDeliveriesSchema } from '@/lib/sources/slack-delivery';
import { extractProducts, extractUsers } from './steps/extract-paged';
import { readRunWindowTotals } from './kpis';
import { generateInsights, type InsightsSummary } from './steps/generate-insights';
import { sendNotifications, type NotificationsResult } from './steps/send-notifications';
import { computeCustomerMetrics, type CustomerMetricsSummary } from './steps/transform-customer-metrics';
import { computeProductMetrics, ensureDailyRevenue, type ProductMetricsSummary } from './steps/transform-product-metrics';
import { publishDashboard, type PublishResult } from './steps/update-dashboard';

export { CUSTOMER_ANALYTICS };

const minutes = (n: number) => n * 60_000;

/** What each step returns; its dependents read it from `ctx.results` with these types. */
export type CustomerAnalyticsResults = {
  extract_orders: ExtractOrdersResult;
  extract_users: ExtractResult;
  extract_products: ExtractResult;
  transform_customer_metrics: CustomerMetricsSummary;
  transform_product_metrics: ProductMetricsSummary;
  generate_insights: InsightsSummary;
  update_dashboard: PublishResult & { staging_purged_for_tasks: number };
  send_notifications: NotificationsResult;
};

/** The seed's graph: each step's direct dependencies. Handlers may read any ancestor's result, and only those. */
export type CustomerAnalyticsGraph = {
  extract_orders: never;
  extract_users: never;
  extract_products: never;
  transform_customer_metrics: 'extract_orders' | 'extract_users';
  transform_product_metrics: 'extract_orders' | 'extract_products';
  generate_insights: 'transform_customer_metrics' | 'transform_product_metrics';
  update_dashboard: 'generate_insights';
  send_notifications: 'update_dashboard';
};

/**
 * `sourcesFor` gives the sources for the database handle a worker runs with (handlers call it per attempt), so
 * the definition itself needs no connection and every process can register the same one.
 */
export function createCustomerAnalyticsPipeline(
  sourcesFor: (db: DbHandle) => CustomerAnalyticsSources,
): PipelineDefinition<CustomerAnalyticsInput> {
  const window = (context: CustomerAnalyticsInput) => ({
    startDate: context.date_range.start_date,
    endDate: context.date_range.end_date,
  });
  /** The window with its length and the zone the executive summary counts days in (its window parts too). */
  const summaryPeriods = (context: CustomerAnalyticsInput) => ({ ...window(context), windowDays: windowDays(context), timeZone: env().DELIVERY_TIMEZONE });
  /** What an extract needs from its step context; `fence` guards every batch it writes (see assertCurrentAttempt). */
  function extractInput(ctx: StepContext<CustomerAnalyticsInput, CustomerAnalyticsResults>) {
    return {
      taskId: ctx.taskId,
      ...window(ctx.context),
      progress: ctx.progress,
      signal: ctx.signal,
      fence: (client: pg.ClientBase) => assertCurrentAttempt(client, ctx),
    };
  }

  return definePipeline<typeof customerAnalyticsInput, CustomerAnalyticsResults, CustomerAnalyticsGraph>({
    ...CUSTOMER_ANALYTICS,
    description: 'Extract orders, users and products; compute customer and product metrics and insights; publish the executive dashboard; notify.',
    input: customerAnalyticsInput,
    steps: [
      {
        name: 'extract_orders',
        description: 'Extract order data from transactional database',
        retryLimit: 3,
        timeoutMs: minutes(30),
        metadata: { severity: 'critical' },
        handler: (ctx) => extractOrders(ctx.db.pool, sourcesFor(ctx.db), extractInput(ctx)),
      },
      {
        name: 'extract_users',
        description: 'Extract user data from CRM system',
        retryLimit: 5,
        timeoutMs: minutes(20),
        metadata: { severity: 'critical' },
        result: extractResultSchema,
        handler: (ctx) => extractUsers(ctx.db.pool, sourcesFor(ctx.db).crm, extractInput(ctx)),
      },
      {
        name: 'extract_products',
        description: 'Extract product data from inventory system',
        retryLimit: 3,
        timeoutMs: minutes(15),
        metadata: { severity: 'medium' },
        result: extractResultSchema,
        handler: (ctx) => extractProducts(ctx.db.pool, sourcesFor(ctx.db).inventory, extractInput(ctx)),
      },
      {
        name: 'transform_customer_metrics',
        description: 'Calculate customer behavior metrics',
        dependsOn: ['extract_orders', 'extract_users'],
        retryLimit: 2,
        timeoutMs: minutes(45),
        metadata: { severity: 'high' },
        handler: async (ctx) => {
          const boundary = boundaryFromResult(ctx.results.extract_orders);
          await assertCopyPresent(ctx.db.pool, boundary);
          await assertStagingPresent(ctx.db.pool, ctx.taskId, [
            { table: 'analytics.staging_users', expected: ctx.results.extract_users?.total_count },
          ]);
          return computeCustomerMetrics(ctx.db.pool, ctx.taskId, summaryPeriods(ctx.context), boundary);
        },
      },
      {
        name: 'transform_product_metrics',
        description: 'Calculate product performance metrics',
        dependsOn: ['extract_orders', 'extract_products'],
        retryLimit: 2,
        timeoutMs: minutes(30),
        metadata: { severity: 'high' },
        handler: async (ctx) => {
          const boundary = boundaryFromResult(ctx.results.extract_orders);
          await assertCopyPresent(ctx.db.pool, boundary);
          await assertStagingPresent(ctx.db.pool, ctx.taskId, [
            { table: 'analytics.staging_products', expected: ctx.results.extract_products?.total_count },
          ]);
          return computeProductMetrics(ctx.db.pool, ctx.taskId, summaryPeriods(ctx.context), boundary);
        },
      },
      {
        name: 'generate_insights',
        description: 'Generate business insights and recommendations',
        // Reads extract_orders' boundary (the run's orders, for revenue per day) as an ancestor, through the transforms.
        dependsOn: ['transform_customer_metrics', 'transform_product_metrics'],
        timeoutMs: minutes(20),
        metadata: { severity: 'medium' },
        handler: async (ctx) => {
          const customers = ctx.results.transform_customer_metrics;
          const products = ctx.results.transform_product_metrics;
          const days = windowDays(ctx.context);
          const boundary = boundaryFromResult(ctx.results.extract_orders);
          const pinned =
            boundary.kind === 'source' && customers?.window_customers
              ? { orders: boundary.orders, revenue: boundary.revenue, customers: customers.window_customers }
              : null;
          await ensureDailyRevenue(ctx.db.pool, ctx.taskId, summaryPeriods(ctx.context), boundary);
          // The summary's window parts, which the transforms wrote: without them (purged, or transforms that ran
          // before the parts existed) its figures would silently miss the window.
          await assertStagingPresent(ctx.db.pool, ctx.taskId, [
            { table: 'analytics.summary_customer_parts', expected: customers ? customers.total_customers + customers.skipped_customers : undefined },
            { table: 'analytics.summary_product_parts', expected: products?.total_products },
          ]);
          const totals = await readRunWindowTotals(sourcesFor(ctx.db).ordersPool, { ...window(ctx.context), windowDays: days }, pinned);
          return generateInsights(
            ctx.db.pool,
            {
              taskId: ctx.taskId,
              ...window(ctx.context),
              windowDays: days,
              skippedCustomers: customers?.skipped_customers ?? 0,
              productsWithoutInventory: products?.products_without_inventory ?? 0,
              summary: {
                timeZone: env().DELIVERY_TIMEZONE,
                reorder: { coverDays: env().REORDER_COVER_DAYS, targetDays: env().REORDER_TARGET_DAYS },
                ordersDatabase: boundary.kind === 'copy' ? sourcesFor(ctx.db).ordersPool : null,
              },
            },
            totals,
          );
        },
      },
      {
        name: 'update_dashboard',
        description: 'Update executive dashboard with new metrics',
        dependsOn: 'generate_insights',
        retryLimit: 3,
        metadata: { severity: 'medium' },
        handler: async (ctx) => {
          const published = await publishDashboard(ctx.db.pool, { taskId: ctx.taskId, ...window(ctx.context) });
          const purged = await purgeStaleStaging(ctx.db.pool, ctx.taskId);
          return { ...published, staging_purged_for_tasks: purged };
        },
      },
      {
        name: 'send_notifications',
        description: 'Send completion notifications to stakeholders',
        dependsOn: 'update_dashboard',
        retryLimit: 5,
        metadata: { severity: 'medium' },
        result: channelDeliveriesSchema,
        handler: (ctx) =>
          sendNotifications(ctx.db.pool, sourcesFor(ctx.db).slack, {
            taskId: ctx.taskId,
            ...window(ctx.context),
            channels: ctx.context.notification_channels,
            signal: ctx.signal,
          }),
      },
    ],
  });
}
