/** The customer_retention pipeline as the app registers it: its definition wired to the configured sources, and its published results. */
import type { PipelineModule } from '@/lib/platform/pipeline-module';
import { readPublishedMatrix } from '@/lib/retention/read-model';
import { createCustomerRetentionPipeline } from './definition';
import { defaultSourcesFor } from './sources';

export { CUSTOMER_RETENTION, createCustomerRetentionPipeline } from './definition';
export { customerRetentionInput, type CustomerRetentionInput } from './input';

export const customerRetentionPipeline = createCustomerRetentionPipeline(defaultSourcesFor);

export const customerRetentionModule: PipelineModule = {
  definitions: [customerRetentionPipeline],
  readResults: (db, taskId) => readPublishedMatrix(db.pool, taskId),
  // Cohorts are calendar months: once a month, after the month closed, over the schema's default 12 months.
  schedules: [{ name: 'customer_retention_monthly', cronExpression: '0 3 2 * *', inputTemplate: {} }],
};
