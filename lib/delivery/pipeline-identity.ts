/**
 * Which pipeline produces the daily delivery (customer_analytics), apart from its definition: the delivery, the
 * dashboard and the status page name it without loading its steps, and the pipeline's definition takes its name
 * from here, so the dependency points from the pipeline down to the delivery and never back.
 */
export const CUSTOMER_ANALYTICS = { namespace: 'data_pipeline', name: 'customer_analytics', version: '1.0.0' } as const;
