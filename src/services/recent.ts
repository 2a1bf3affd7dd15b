/**
 * A customer's latest orders and interactions, kept as `_id` lists on the customer document.
 *
 * Why: the profile card, `orders` and a customer's "my orders" must cost the same with 10 or
 * 100,000 orders in the shop. FerretDB's SQLite backend only uses an index for an exact `_id`
 * filter, so "the newest five orders of C12" as a query reads the whole orders collection; as
 * five `findById`s from this list it reads five rows. MongoDB is fast either way.
 *
 * The lists grow with `$push` (atomic per document) and are trimmed with `$pop` when the write
 * that pushed saw them longer than {@link RECENT_LIMIT} (FerretDB ignores `$slice` in `$push`).
 * Concurrent pushes can briefly leave a list one or two longer; never shorter than the limit.
 * Merges, unmerges, the id migration and `totals rebuild` recompute them with {@link rebuildRecent}.
 *
 * @example
 *   await pushRecent('C12', 'recentOrderIds', 'O7');
 *   const orders = await latestOrders(customer, 5);
 */
import type { Types, UpdateQuery } from 'mongoose';
import { Customer, type CustomerDoc } from '../../models/customer.js';
import { Interaction, type InteractionDoc } from '../../models/interaction.js';
import { Order, type OrderDoc } from '../../models/order.js';

/** How many of each a customer document keeps. */
export const RECENT_LIMIT = 10;

type RecentField = 'recentOrderIds' | 'recentInteractionIds';

/**
 * Appends `id` to a customer's recent list, in the same write as `also` (e.g. the totals'
 * `$inc`), then trims the list if that write saw it too long. Two `_id` writes at most.
 */
export async function pushRecent(customerId: string, field: RecentField, id: string | Types.ObjectId, also: UpdateQuery<CustomerDoc> = {}): Promise<void> {
  const after = await Customer.findOneAndUpdate(
    { _id: customerId },
    { ...also, $push: { [field]: id } },
    { returnDocument: 'after' }, // no projection: FerretDB v1 does not implement findAndModify's `fields`
  ).lean<Pick<CustomerDoc, RecentField>>();
  const length = after?.[field]?.length ?? 0;
  if (length > RECENT_LIMIT) await Customer.updateOne({ _id: customerId }, { $pop: { [field]: -1 } });
}

/** The customer's latest orders, newest first: one `findById` each. */
export async function latestOrders(c: Pick<CustomerDoc, 'recentOrderIds'>, limit = 5): Promise<OrderDoc[]> {
  const ids = (c.recentOrderIds ?? []).slice(-limit).reverse();
  const docs = await Promise.all(ids.map((id) => Order.findById(id).lean<OrderDoc>()));
  return docs.filter((d): d is OrderDoc => d !== null);
}

/** The customer's latest interactions, newest first: one `findById` each. */
export async function latestInteractions(c: Pick<CustomerDoc, 'recentInteractionIds'>, limit = 5): Promise<InteractionDoc[]> {
  const ids = (c.recentInteractionIds ?? []).slice(-limit).reverse();
  const docs = await Promise.all(ids.map((id) => Interaction.findById(id).lean<InteractionDoc>()));
  return docs.filter((d): d is InteractionDoc => d !== null);
}

/**
 * Recomputes the recent lists of some customers (or all) from the orders and interactions
 * collections: two streaming cursors with projections, then batched `_id` writes. For the repair
 * and bulk paths (merge, unmerge, migration, `totals rebuild`), never for a message.
 */
export async function rebuildRecent(customerIds?: string[]): Promise<void> {
  const filter = customerIds ? { customerId: { $in: customerIds } } : {};
  const orders = new Map<string, { id: string; at: number }[]>();
  for await (const o of Order.find(filter, { customerId: 1, createdAt: 1 }).lean().cursor({ batchSize: 1000 })) {
    keepNewest(orders, o.customerId, { id: o._id, at: new Date(o.createdAt).getTime() });
  }
  const interactions = new Map<string, { id: Types.ObjectId; at: number }[]>();
  for await (const i of Interaction.find(filter, { customerId: 1, at: 1 }).lean().cursor({ batchSize: 1000 })) {
    keepNewest(interactions, i.customerId, { id: i._id, at: new Date(i.at).getTime() });
  }
  const ids = customerIds ?? [...new Set([...orders.keys(), ...interactions.keys()])];
  for (let i = 0; i < ids.length; i += 50) {
    // Small batches: FerretDB v1 hangs on update commands of 100 or more statements.
    await Customer.bulkWrite(
      ids.slice(i, i + 50).map((id) => ({
        updateOne: {
          filter: { _id: id },
          update: {
            $set: {
              recentOrderIds: (orders.get(id) ?? []).map((x) => x.id),
              recentInteractionIds: (interactions.get(id) ?? []).map((x) => x.id),
            },
          },
        },
      })),
      { ordered: false },
    );
  }
}

/** Keeps the RECENT_LIMIT newest entries per customer, oldest first. */
function keepNewest<T extends { at: number }>(map: Map<string, T[]>, customerId: string, entry: T): void {
  const list = map.get(customerId) ?? [];
  map.set(customerId, list);
  list.push(entry);
  list.sort((a, b) => a.at - b.at);
  if (list.length > RECENT_LIMIT) list.shift();
}
