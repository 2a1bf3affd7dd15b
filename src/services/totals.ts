/**
 * Rebuilds customers' running totals from their orders — the repair pass for
 * a crash between writing an order and bumping the totals, and the proof that
 * the totals are derived data. One streaming cursor over orders with a
 * projection, then batched writes; never a query per customer.
 *
 * @example
 *   await rebuildTotals();      // every customer
 *   await rebuildTotals([12]);  // just C12
 */
import { Customer } from '../../models/customer.js';
import { Order } from '../../models/order.js';

interface Totals {
  orders: number;
  revenue: Record<string, number>;
  firstOrderAt?: Date;
  lastOrderAt?: Date;
}

export async function rebuildTotals(customerIds?: number[]): Promise<{ customers: number; changed: number }> {
  const filter = customerIds ? { customerId: { $in: customerIds } } : {};
  const totals = new Map<number, Totals>();
  const cursor = Order.find(filter, { customerId: 1, amountMinor: 1, currency: 1, status: 1, createdAt: 1 }).lean().cursor({ batchSize: 1000 });
  for await (const o of cursor) {
    const t = totals.get(o.customerId) ?? { orders: 0, revenue: {} };
    totals.set(o.customerId, t);
    if (o.status === 'cancelled') continue;
    t.orders++;
    t.revenue[o.currency] = (t.revenue[o.currency] ?? 0) + o.amountMinor;
    const at = o.createdAt as Date;
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
    const res = await Customer.bulkWrite(batch, { ordered: false });
    changed += res.modifiedCount;
    batch = [];
  };
  const customerFilter = customerIds ? { _id: { $in: customerIds } } : {};
  const customers = Customer.find(customerFilter, { _id: 1 }).lean().cursor({ batchSize: 1000 });
  for await (const c of customers) {
    seen++;
    const t = totals.get(c._id as number) ?? { orders: 0, revenue: {} };
    const set: Record<string, unknown> = { 'totals.orders': t.orders, 'totals.revenue': t.revenue };
    const unset: Record<string, ''> = {};
    if (t.firstOrderAt) set['totals.firstOrderAt'] = t.firstOrderAt;
    else unset['totals.firstOrderAt'] = '';
    if (t.lastOrderAt) set['totals.lastOrderAt'] = t.lastOrderAt;
    else unset['totals.lastOrderAt'] = '';
    const update: Record<string, unknown> = { $set: set };
    if (Object.keys(unset).length) update.$unset = unset;
    batch.push({ updateOne: { filter: { _id: c._id }, update } });
    if (batch.length >= 500) await flush();
  }
  await flush();
  return { customers: seen, changed };
}
