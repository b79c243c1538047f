/**
 * A deterministic orders fixture for the customer_retention tests, and the expected matrix computed from its raw
 * rows in plain TypeScript — local months with Intl directly, never with the code under test.
 */
export interface FixtureOrder {
  id: number;
  customerId: number;
  createdAt: string;
}

/** mulberry32: a small seeded PRNG, so the fixture is the same on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const monthIndex = (month: string) => Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
const monthOfIndex = (index: number) => `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
const daysIn = (index: number) => new Date(Date.UTC(Math.floor(index / 12), (index % 12) + 1, 0)).getUTCDate();

/**
 * `customers` customers acquired between `from` and `to` (UTC months; some before the tested range), each ordering
 * in a later month with a probability that falls with age, and lapsing for good after a random number of months.
 * Every fifth order is placed at 23:30 UTC on the last day of its month, where the local month differs east of UTC.
 */
export function generateOrders(options: { customers: number; from: string; to: string; seed: number }): FixtureOrder[] {
  const next = random(options.seed);
  const first = monthIndex(options.from);
  const last = monthIndex(options.to);
  const orders: FixtureOrder[] = [];
  const place = (customerId: number, index: number) => {
    const boundary = orders.length % 5 === 0;
    const day = boundary ? daysIn(index) : 1 + Math.floor(next() * daysIn(index));
    const minutes = boundary ? 23 * 60 + 30 : Math.floor(next() * 1440);
    const at = new Date(Date.UTC(Math.floor(index / 12), index % 12, day, 0, minutes));
    orders.push({ id: orders.length + 1, customerId, createdAt: at.toISOString() });
  };
  for (let customerId = 1; customerId <= options.customers; customerId += 1) {
    const acquired = first + Math.floor(next() * (last - first + 1));
    const lapsesAfter = 1 + Math.floor(next() * 14);
    place(customerId, acquired);
    if (next() < 0.3) place(customerId, acquired);
    for (let index = acquired + 1; index <= last + 1 && index - acquired <= lapsesAfter; index += 1) {
      if (next() < 0.55 - (index - acquired) * 0.02) place(customerId, index);
    }
  }
  return orders;
}

function localMonth(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit' }).formatToParts(new Date(iso));
  const year = parts.find((part) => part.type === 'year')?.value ?? '';
  const month = parts.find((part) => part.type === 'month')?.value ?? '';
  return `${year}-${month}`;
}

/** The matrix straight from the rows: cohorts with a first order in [end − months + 1, end], shares to 4 decimals. */
export function expectedMatrix(orders: readonly FixtureOrder[], input: { months: number; endMonth: string; timeZone: string }) {
  const firstMonthOf = new Map<number, string>();
  const activeMonths = new Map<number, Set<string>>();
  for (const order of [...orders].sort((a, b) => a.createdAt.localeCompare(b.createdAt))) {
    const month = localMonth(order.createdAt, input.timeZone);
    if (!firstMonthOf.has(order.customerId)) firstMonthOf.set(order.customerId, month);
    const months = activeMonths.get(order.customerId) ?? new Set<string>();
    months.add(month);
    activeMonths.set(order.customerId, months);
  }
  const end = monthIndex(input.endMonth);
  const start = end - input.months + 1;
  const cohorts: { cohort: string; customers: number; retention: number[] }[] = [];
  for (let index = start; index <= end; index += 1) {
    const cohort = monthOfIndex(index);
    const members = [...firstMonthOf].filter(([, month]) => month === cohort).map(([customerId]) => customerId);
    if (members.length === 0) continue;
    const retention = [];
    for (let k = 0; index + k <= end; k += 1) {
      const month = monthOfIndex(index + k);
      const active = members.filter((customerId) => activeMonths.get(customerId)?.has(month)).length;
      retention.push(Math.round((active / members.length) * 10_000) / 10_000);
    }
    cohorts.push({ cohort, customers: members.length, retention });
  }
  return { cohorts };
}
