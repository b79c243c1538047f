/**
 * The seed's `/analytics/*` HTTP adapter is customer_analytics' own (its start policy lives in its folder); the
 * routes under app/analytics reach it here, through the composition root, like every other use of a pipeline.
 */
export { readResultsOfTask } from '@/lib/pipelines/customer-analytics/results';
export { startCustomerAnalyticsRun } from '@/lib/pipelines/customer-analytics/start-run';
