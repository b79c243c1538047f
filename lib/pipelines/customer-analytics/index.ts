/** The customer_analytics pipeline as the app registers it: the seed's graph, wired to the configured sources. */
import { createCustomerAnalyticsPipeline } from './definition';
import { defaultSourcesFor } from './default-sources';

export { CUSTOMER_ANALYTICS } from './definition';
export { customerAnalyticsInput, type CustomerAnalyticsInput } from './input';

export const customerAnalyticsPipeline = createCustomerAnalyticsPipeline(defaultSourcesFor);
export { customerAnalyticsVolume } from './volume';
export { customerAnalyticsDelivery } from './delivery';
