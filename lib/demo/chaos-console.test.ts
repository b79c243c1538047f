/** The fault-injection form converts percentages to the rates the sources use, and back, and refuses bad values per field. */
import { describe, expect, it } from 'vitest';
import { chaosFormSchema, chaosFormValues } from './chaos-console';

const zeros = {
  crm_failure_rate: '0', crm_rate_limit_rate: '0', crm_hang_rate: '0', crm_latency_ms: '0',
  inventory_failure_rate: '0', inventory_rate_limit_rate: '0', inventory_hang_rate: '0', inventory_latency_ms: '0',
  slack_failure_rate: '0', slack_rate_limit_rate: '0', slack_hang_rate: '0', slack_latency_ms: '0',
  orders_db_failure_rate: '0',
};

describe('chaosFormSchema', () => {
  it('turns percentages into rates for every source', () => {
    const patch = chaosFormSchema.parse({ ...zeros, crm_failure_rate: '100', inventory_hang_rate: '7', slack_latency_ms: '250', orders_db_failure_rate: '12.5' });
    expect(patch.crm).toEqual({ failure_rate: 1, rate_limit_rate: 0, hang_rate: 0, latency_ms: 0 });
    expect(patch.inventory?.hang_rate).toBe(0.07);
    expect(patch.slack?.latency_ms).toBe(250);
    expect(patch.orders_db).toEqual({ failure_rate: 0.125 });
  });

  it('reports each bad value on its own field', () => {
    const parsed = chaosFormSchema.safeParse({ ...zeros, slack_rate_limit_rate: '150', crm_latency_ms: '1.5', inventory_failure_rate: 'lots' });
    expect(parsed.success).toBe(false);
    const fields = parsed.error?.issues.map((issue) => issue.path[0]).sort();
    expect(fields).toEqual(['crm_latency_ms', 'inventory_failure_rate', 'slack_rate_limit_rate']);
  });
});

describe('chaosFormValues', () => {
  it('shows stored rates as percentages', () => {
    const values = chaosFormValues({
      crm: { failure_rate: 1, rate_limit_rate: 0.25, hang_rate: 0, latency_ms: 40 },
      inventory: { failure_rate: 0, rate_limit_rate: 0, hang_rate: 0.07, latency_ms: 0 },
      slack: { failure_rate: 0, rate_limit_rate: 0, hang_rate: 0, latency_ms: 0 },
      orders_db: { failure_rate: 0.5 },
    });
    expect(values).toMatchObject({ crm_failure_rate: 100, crm_rate_limit_rate: 25, crm_latency_ms: 40, inventory_hang_rate: 7, orders_db_failure_rate: 50 });
  });
});
