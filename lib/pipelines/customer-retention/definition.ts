/**
 * customer_retention: monthly acquisition cohorts and the share of each that came back in every later month.
 * list_cohorts finds the cohorts, measure_cohort maps over them (one child and one statement per cohort),
 * build_retention_matrix joins their counts, publish_retention publishes the matrix for the retention view,
 * notify_slack tells Slack. (Not plain "notify": generic code uses that word in its strings, and a step's name must
 * not appear there — tests/architecture/pipeline-boundary.test.ts.)
 */
import type pg from 'pg';
import type { DbHandle } from '@/db/client';
import { assertCurrentAttempt, definePipeline, PermanentError, type PipelineDefinition } from '@/lib/engine';
import type { RetentionMatrix } from '@/lib/retention/matrix';
import { publishRetentionMatrix } from '@/lib/retention/publish';
import type { ChannelDeliveries } from '@/lib/sources/slack-delivery';
import { translatingSourceErrors } from '@/lib/sources/step-errors';
import { toOrdersDbError } from '@/lib/sources/orders-db';
import { customerRetentionInput, firstMonth, type CustomerRetentionInput } from './input';
import type { CustomerRetentionSources } from './sources';
import { buildRetentionMatrix } from './steps/build-retention-matrix';
import { listCohorts } from './steps/list-cohorts';
import { measureCohort, type CohortCounts } from './steps/measure-cohort';
import { notifyRetention } from './steps/notify';

export const CUSTOMER_RETENTION = { namespace: 'data_pipeline', name: 'customer_retention', version: '1.0.0' } as const;

const minutes = (n: number) => n * 60_000;

/** What each step returns; a mapped step's result is the list of its children's. */
export type CustomerRetentionResults = {
  list_cohorts: string[];
  measure_cohort: CohortCounts[];
  build_retention_matrix: RetentionMatrix;
  publish_retention: { snapshot_id: number; published_at: string; published_now: boolean; cohorts: number };
  notify_slack: ChannelDeliveries;
};

/** Each step's direct dependencies: ctx.results offers a step its ancestors only. */
export type CustomerRetentionGraph = {
  list_cohorts: never;
  measure_cohort: 'list_cohorts';
  build_retention_matrix: 'measure_cohort';
  publish_retention: 'build_retention_matrix';
  notify_slack: 'publish_retention';
};

/** An orders-database failure in the engine's terms (a dropped connection is retried, a bad query is not). */
const readingOrders = <T>(work: () => Promise<T>) =>
  translatingSourceErrors(async () => {
    try {
      return await work();
    } catch (error) {
      throw toOrdersDbError(error);
    }
  });

/** `sourcesFor` gives the sources for the database handle a worker runs with, so every process registers the same definition. */
export function createCustomerRetentionPipeline(sourcesFor: (db: DbHandle) => CustomerRetentionSources): PipelineDefinition<CustomerRetentionInput> {
  return definePipeline<typeof customerRetentionInput, CustomerRetentionResults, CustomerRetentionGraph>({
    ...CUSTOMER_RETENTION,
    description: 'Monthly acquisition cohorts and the share of each that ordered again in every later month; publishes the retention view; notifies.',
    input: customerRetentionInput,
    // Its failures reach the analysts who own the cohorts, not the data team's nightly channel.
    stepMetadata: { channels: { engineers: '#customer-insights' } },
    steps: [
      {
        name: 'list_cohorts',
        description: 'List the acquisition months with at least one new customer',
        retryLimit: 3,
        timeoutMs: minutes(10),
        metadata: { severity: 'high' },
        handler: async (ctx) => {
          const { ordersPool, timeZone } = sourcesFor(ctx.db);
          ctx.progress(`Finding cohorts ${firstMonth(ctx.context)} – ${ctx.context.end_month}`);
          const cohorts = await readingOrders(() => listCohorts(ordersPool, { first: firstMonth(ctx.context), last: ctx.context.end_month, timeZone }));
          ctx.progress(`Found ${cohorts.length} cohorts`, 100);
          return cohorts;
        },
      },
      {
        name: 'measure_cohort',
        description: 'Count one cohort and its customers active in each later month',
        dependsOn: 'list_cohorts',
        mapsOver: 'list_cohorts',
        maxItems: 36,
        retryLimit: 3,
        timeoutMs: minutes(10),
        metadata: { severity: 'high' },
        handler: async (ctx) => {
          const { ordersPool, timeZone } = sourcesFor(ctx.db);
          const total = ctx.results.list_cohorts?.length ?? 0;
          ctx.progress(`Measuring cohort ${ctx.item} (${(ctx.mapIndex ?? 0) + 1} of ${total})`, 0);
          const counts = await readingOrders(() => measureCohort(ordersPool, { cohort: ctx.item, last: ctx.context.end_month, timeZone }));
          ctx.progress(`Cohort ${ctx.item}: ${counts.customers} customers over ${counts.active.length} months`, 100);
          return counts;
        },
      },
      {
        name: 'build_retention_matrix',
        description: 'Turn the cohorts\' counts into retention shares',
        dependsOn: 'measure_cohort',
        retryLimit: 1,
        metadata: { severity: 'medium' },
        handler: async (ctx) => {
          const counts = ctx.results.measure_cohort;
          if (!counts) throw new PermanentError('measure_cohort has no result (resolved by hand without one?)');
          return buildRetentionMatrix(counts);
        },
      },
      {
        name: 'publish_retention',
        description: 'Publish the matrix to the retention view',
        dependsOn: 'build_retention_matrix',
        retryLimit: 3,
        metadata: { severity: 'medium' },
        handler: async (ctx) => {
          const matrix = ctx.results.build_retention_matrix;
          if (!matrix) throw new PermanentError('build_retention_matrix has no result (resolved by hand without one?)');
          const published = await publishRetentionMatrix(
            ctx.db.pool,
            { taskId: ctx.taskId, throughMonth: ctx.context.end_month, months: ctx.context.months, matrix },
            (client: pg.ClientBase) => assertCurrentAttempt(client, ctx),
          );
          return {
            snapshot_id: published.snapshotId,
            published_at: published.publishedAt.toISOString(),
            published_now: published.publishedNow,
            cohorts: matrix.cohorts.length,
          };
        },
      },
      {
        name: 'notify_slack',
        description: 'Tell the data team the retention matrix is published',
        dependsOn: 'publish_retention',
        retryLimit: 5,
        metadata: { severity: 'low' },
        handler: async (ctx) => {
          const matrix = ctx.results.build_retention_matrix;
          if (!matrix) throw new PermanentError('build_retention_matrix has no result (resolved by hand without one?)');
          return notifyRetention(ctx.db.pool, sourcesFor(ctx.db).slack, {
            taskId: ctx.taskId,
            first: firstMonth(ctx.context),
            last: ctx.context.end_month,
            matrix,
            signal: ctx.signal,
          });
        },
      },
    ],
  });
}
