/** Which pipeline customer_analytics is, apart from its definition, so read models can name it without loading its steps. */
export const CUSTOMER_ANALYTICS = { namespace: 'data_pipeline', name: 'customer_analytics', version: '1.0.0' } as const;
