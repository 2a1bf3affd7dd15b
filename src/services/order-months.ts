/**
 * Monthly order buckets on the customer: `totals.months["2026-11"] = { orders, revenue: { VND: … } }`,
 * kept by `$inc` in services/orders.ts (record and cancel) and rebuilt by services/totals.ts.
 * They give a rolling 12-month window (RFM frequency and monetary) from the customer
 * document alone, so a segment recompute never reads the orders collection.
 *
 * Months are calendar months in UTC. The window is the current month and the 11 before
 * it: it never counts an order older than 365 days, and at the start of a month it sees
 * about 335 days (the price of month granularity; see docs/segments.md).
 *
 * @example
 *   monthKey(new Date('2026-11-25T10:00:00Z'))          // → '2026-11'
 *   windowMonthKeys(new Date('2026-02-10T00:00:00Z'))   // → ['2025-03', …, '2026-02']
 */

/** One month's bucket as stored. */
export interface MonthBucket {
  orders?: number;
  revenue?: Record<string, number>;
}

/** The months of the window. */
export const WINDOW_MONTHS = 12;

/** `YYYY-MM` of a date, in UTC. */
export function monthKey(at: Date): string {
  return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The update paths of one order's bucket, for `$inc`. */
export function monthIncrements(at: Date, currency: string, orders: number, minor: number): Record<string, number> {
  const key = monthKey(at);
  return { [`totals.months.${key}.orders`]: orders, [`totals.months.${key}.revenue.${currency}`]: minor };
}

/** The keys of the window ending with the month of `now`, oldest first. */
export function windowMonthKeys(now: Date, months = WINDOW_MONTHS): string[] {
  const keys: string[] = [];
  for (let back = months - 1; back >= 0; back--) {
    keys.push(monthKey(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1))));
  }
  return keys;
}

/** Orders (any currency) and revenue in one currency over the window's buckets. */
export function sumWindow(
  buckets: Record<string, MonthBucket | undefined> | undefined,
  keys: readonly string[],
  currency: string,
): { orders: number; revenue: number } {
  let orders = 0;
  let revenue = 0;
  if (!buckets) return { orders, revenue };
  for (const key of keys) {
    const b = buckets[key];
    if (!b) continue;
    orders += b.orders ?? 0;
    revenue += b.revenue?.[currency] ?? 0;
  }
  return { orders, revenue };
}
