/**
 * Rebuilds customers' running totals from their orders — the repair pass for
 * a crash between writing an order and bumping the totals, and the proof that
 * the totals are derived data. One streaming cursor over orders with a
 * projection, then batched writes; never a query per customer. The customers' recent
 * order and interaction lists (src/services/recent.ts) are rebuilt with them.
 *
 * @example
 *   await rebuildTotals();      // every customer
 *   await rebuildTotals(['C12']); // just C12
 */
import { Customer } from '../../models/customer.js';
import { Order } from '../../models/order.js';
import { monthKey, type MonthBucket } from './order-months.js';
import { rebuildRecent } from './recent.js';

interface Totals {
  orders: number;
  revenue: Record<string, number>;
  firstOrderAt?: Date;
  lastOrderAt?: Date;
  /** Monthly buckets for the segments' 12-month window (src/services/order-months.ts). */
  months: Record<string, MonthBucket>;
}

export async function rebuildTotals(customerIds?: string[]): Promise<{ customers: number; changed: number }> {
  const filter = customerIds ? { customerId: { $in: customerIds } } : {};
  const totals = new Map<string, Totals>();
  const cursor = Order.find(filter, { customerId: 1, amountMinor: 1, currency: 1, status: 1, createdAt: 1 }).lean().cursor({ batchSize: 1000 });
  for await (const o of cursor) {
    const t = totals.get(o.customerId) ?? { orders: 0, revenue: {}, months: {} };
    totals.set(o.customerId, t);
    if (o.status === 'cancelled') continue;
    t.orders++;
    t.revenue[o.currency] = (t.revenue[o.currency] ?? 0) + o.amountMinor;
    const at = o.createdAt;
    const bucket = t.months[monthKey(at)] ?? { orders: 0, revenue: {} };
    const bucketRevenue = bucket.revenue ?? {};
    t.months[monthKey(at)] = { orders: (bucket.orders ?? 0) + 1, revenue: { ...bucketRevenue, [o.currency]: (bucketRevenue[o.currency] ?? 0) + o.amountMinor } };
    if (!t.firstOrderAt || at < t.firstOrderAt) t.firstOrderAt = at;
    if (!t.lastOrderAt || at > t.lastOrderAt) t.lastOrderAt = at;
  }
  // Cancelled orders must stop counting: mark them so later cancels do not double-subtract.
  await Order.updateMany({ ...filter, status: 'cancelled', counted: true }, { $set: { counted: false } });
  await Order.updateMany({ ...filter, status: { $ne: 'cancelled' }, counted: { $ne: true } }, { $set: { counted: true } });

  let changed = 0;
  let seen = 0;
  let batch: Parameters<typeof Customer.bulkWrite>[0] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await Customer.bulkWrite(batch, { ordered: false });
    batch = [];
  };
  const customerFilter = customerIds ? { _id: { $in: customerIds } } : {};
  const customers = Customer.find(customerFilter, { _id: 1, totals: 1 }).lean().cursor({ batchSize: 1000 });
  for await (const c of customers) {
    seen++;
    const t = totals.get(c._id) ?? { orders: 0, revenue: {}, months: {} };
    // Compared here rather than trusting modifiedCount: FerretDB counts a $set of equal values as a change.
    if (sameTotals(c.totals as Partial<Totals> | undefined, t)) continue;
    changed++;
    const set: Record<string, unknown> = { 'totals.orders': t.orders, 'totals.revenue': t.revenue, 'totals.months': t.months };
    const unset: Record<string, ''> = {};
    if (t.firstOrderAt) set['totals.firstOrderAt'] = t.firstOrderAt;
    else unset['totals.firstOrderAt'] = '';
    if (t.lastOrderAt) set['totals.lastOrderAt'] = t.lastOrderAt;
    else unset['totals.lastOrderAt'] = '';
    const update: Record<string, unknown> = { $set: set };
    if (Object.keys(unset).length) update.$unset = unset;
    batch.push({ updateOne: { filter: { _id: c._id }, update } });
    // FerretDB v1 (SQLite) holds a connection per statement of an update command until the
    // command ends; 100 or more statements exhaust its pool of 100 and hang. Keep batches small.
    if (batch.length >= 50) await flush();
  }
  await flush();
  await rebuildRecent(customerIds);
  return { customers: seen, changed };
}

/** Whether stored totals already equal the rebuilt ones (zero revenue entries count as absent). */
function sameTotals(stored: Partial<Totals> | undefined, t: Totals): boolean {
  if (!stored || stored.orders !== t.orders) return false;
  const revenue = (r: Record<string, number> | undefined) =>
    JSON.stringify(Object.entries(r ?? {}).filter(([, v]) => v !== 0).sort(([a], [b]) => a.localeCompare(b)));
  if (revenue(stored.revenue) !== revenue(t.revenue)) return false;
  const time = (d: Date | undefined) => (d ? new Date(d).getTime() : undefined);
  if (canonicalMonths(stored.months) !== canonicalMonths(t.months)) return false;
  return time(stored.firstOrderAt) === time(t.firstOrderAt) && time(stored.lastOrderAt) === time(t.lastOrderAt);
}

/** Monthly buckets as comparable text: empty buckets and zero amounts count as absent. */
function canonicalMonths(months: Record<string, MonthBucket> | undefined): string {
  const entries = Object.entries(months ?? {})
    .map(([key, b]) => [key, b.orders ?? 0, Object.entries(b.revenue ?? {}).filter(([, v]) => v !== 0).sort(([x], [y]) => x.localeCompare(y))] as const)
    .filter(([, orders, revenue]) => orders !== 0 || revenue.length > 0)
    .sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(entries);
}
