/** Insight sentences read as sentences: counts agree with their nouns and no fact is said twice. */
import { describe, expect, it } from 'vitest';
import { counted, previousPeriod, segmentSentence } from './generate-insights';

describe('insight wording', () => {
  it('agrees nouns with their counts', () => {
    expect(counted(1, 'order')).toBe('1 order');
    expect(counted(30_000, 'order')).toBe('30,000 orders');
    expect(counted(1, 'product has', 'products have')).toBe('1 product has');
    expect(counted(3, 'product has', 'products have')).toBe('3 products have');
  });

  it('says "the previous day" for a one-day window', () => {
    expect(previousPeriod(1)).toBe('the previous day');
    expect(previousPeriod(30)).toBe('the previous 30 days');
  });

  it('names the VIP share once, whether or not VIPs lead', () => {
    expect(segmentSentence({ segment: 'VIP', customers: 120, revenue_share_percent: 80.2 }, 80.2)).toBe('VIP customers (120) brought 80.2% of revenue.');
    expect(segmentSentence({ segment: 'Regular', customers: 900, revenue_share_percent: 45 }, 30.5)).toBe(
      'Regular customers (900) brought 45.0% of revenue; VIP customers brought 30.5%.',
    );
    expect(segmentSentence(undefined, 0)).toBe('No customer known to the CRM ordered in this window.');
  });
});
