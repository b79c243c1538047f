/**
 * customer_analytics' name and version apart from its definition, so the pipeline's delivery declaration
 * (./delivery.ts) names it without loading the steps.
 */
export const CUSTOMER_ANALYTICS = { namespace: 'data_pipeline', name: 'customer_analytics', version: '1.0.0' } as const;
