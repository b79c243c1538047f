/**
 * A small, hand-built dataset for the customer_analytics tests. The expected metrics are in the test files,
 * computed by hand from these rows — never by the code under test.
 * Window: 2026-03-01 … 2026-03-31 (31 days).
 */
export const FIXTURE_WINDOW = { start_date: '2026-03-01', end_date: '2026-03-31' } as const;

export interface FixtureOrder {
  id: number;
  customerId: number;
  createdAt: string;
  items: { productId: number; quantity: number; price: string }[];
}

const march = (day: number, time = '12:00:00') => `2026-03-${String(day).padStart(2, '0')}T${time}Z`;

let nextOrderId = 1;
function order(customerId: number, createdAt: string, items: FixtureOrder['items']): FixtureOrder {
  return { id: nextOrderId++, customerId, createdAt, items };
}

export const FIXTURE_USERS = [1, 2, 3, 4, 5, 6, 7, 8].map((id) => ({
  user_id: id,
  email: `c${id}@example.com`,
  name: `Customer ${id}`,
  country: 'NL',
  created_at: `2025-0${(id % 9) + 1}-15T08:00:00.000Z`,
}));

export const FIXTURE_PRODUCTS = [
  { product_id: 101, sku: 'SKU-101', name: 'Tea', category: 'Pantry', price: '10.00', stock_on_hand: 31 },
  { product_id: 102, sku: 'SKU-102', name: 'Kettle', category: 'Kitchen', price: '50.00', stock_on_hand: 0 },
  { product_id: 103, sku: 'SKU-103', name: 'Lamp', category: 'Home', price: '99.99', stock_on_hand: 2 },
  { product_id: 104, sku: 'SKU-104', name: 'Chair', category: 'Home', price: '125.00', stock_on_hand: 5 },
  { product_id: 105, sku: 'SKU-105', name: 'Unsold rug', category: 'Home', price: '80.00', stock_on_hand: 9 },
];

export const FIXTURE_ORDERS: FixtureOrder[] = [
  // Customer 1: exactly 1000.00 over exactly 10 orders (VIP boundary), one a day from Mar 1 to Mar 10.
  ...Array.from({ length: 10 }, (_, i) => order(1, march(1 + i), [{ productId: 102, quantity: 2, price: '50.00' }])),
  // Customer 2: 999.99 over 10 orders (just below VIP), Mar 2 to Mar 11.
  ...Array.from({ length: 9 }, (_, i) => order(2, march(2 + i), [{ productId: 102, quantity: 2, price: '50.00' }])),
  order(2, march(11), [{ productId: 103, quantity: 1, price: '99.99' }]),
  // Customer 3: one order of exactly 500.00 (Regular by amount).
  order(3, march(15), [{ productId: 102, quantity: 5, price: '100.00' }]),
  // Customer 4: exactly 5 small orders (Regular by count).
  ...[1, 5, 9, 13, 17].map((day) => order(4, march(day), [{ productId: 101, quantity: 1, price: '10.00' }])),
  // Customer 5: one order of exactly 100.00 (Occasional by amount).
  order(5, march(20), [{ productId: 103, quantity: 1, price: '100.00' }]),
  // Customer 6: two orders on the same day (Occasional by count; frequency 0).
  order(6, march(25, '09:00:00'), [{ productId: 101, quantity: 3, price: '10.00' }]),
  order(6, march(25, '18:30:00'), [{ productId: 101, quantity: 2, price: '10.00' }]),
  // Customer 7: a single 99.99 order in the last second of the window (New).
  order(7, march(31, '23:59:59'), [{ productId: 103, quantity: 1, price: '99.99' }]),
  // Customer 8: 499.99 over 4 orders (below Regular on both counts; Occasional).
  ...[1, 11, 21].map((day) => order(8, march(day), [{ productId: 104, quantity: 1, price: '125.00' }])),
  order(8, march(31), [{ productId: 104, quantity: 1, price: '124.99' }]),
  // Customer 99 is unknown to the CRM; product 106 is unknown to the inventory.
  order(99, march(3), [
    { productId: 101, quantity: 5, price: '10.00' },
    { productId: 106, quantity: 1, price: '20.00' },
  ]),
  // Outside the window: one second before it starts and the first second after it ends.
  order(1, '2026-02-28T23:59:59Z', [{ productId: 101, quantity: 1, price: '10.00' }]),
  order(1, '2026-04-01T00:00:00Z', [{ productId: 101, quantity: 1, price: '10.00' }]),
];

export function orderTotal(order: FixtureOrder): string {
  const cents = order.items.reduce((sum, item) => sum + item.quantity * Math.round(Number(item.price) * 100), 0);
  return (cents / 100).toFixed(2);
}

/** [id, ltv, aov, orders, frequency, days since last order, segment] — worked out by hand from the rows above. */
export const EXPECTED_CUSTOMER_METRICS: [number, string, string, number, number, number, string][] = [
  [1, '1000.00', '100.00', 10, 30, 21, 'VIP'], // 10 orders Mar 1–10: 9 / (9/30)
  [2, '999.99', '100.00', 10, 30, 20, 'Regular'], // 99.999 rounds to 100.00; Mar 2–11
  [3, '500.00', '500.00', 1, 0, 16, 'Regular'],
  [4, '50.00', '10.00', 5, 7.5, 14, 'Regular'], // Mar 1–17: 4 / (16/30)
  [5, '100.00', '100.00', 1, 0, 11, 'Occasional'],
  [6, '50.00', '25.00', 2, 0, 6, 'Occasional'], // both orders on Mar 25
  [7, '99.99', '99.99', 1, 0, 0, 'New'], // 23:59:59 on the last day is inside the window
  [8, '499.99', '125.00', 4, 3, 0, 'Occasional'], // Mar 1–31: 3 / (30/30); 124.9975 rounds up
];

/** [id, category, units, revenue, orders, customers, avg price, stock, days of cover] — by hand; 105 has no sales. */
export const EXPECTED_PRODUCT_METRICS: [number, string | null, number, string, number, number, string, number | null, number | null][] = [
  [101, 'Pantry', 15, '150.00', 8, 3, '10.00', 31, (31 * 31) / 15], // customers 4, 6, 99
  [102, 'Kitchen', 43, '2400.00', 20, 3, '55.81', 0, 0], // 2400 / 43 = 55.8139…
  [103, 'Home', 3, '299.98', 3, 3, '99.99', 2, (2 * 31) / 3],
  [104, 'Home', 4, '499.99', 4, 1, '125.00', 5, (5 * 31) / 4],
  [106, null, 1, '20.00', 1, 1, '20.00', null, null], // unknown to the inventory
];
