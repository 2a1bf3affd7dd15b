/**
 * Merging two customers into one, and undoing it. A merge moves the merged
 * customer's contact keys, orders, interactions and identities to the kept
 * customer, records exactly what moved in a {@link MergeRecord}, and marks
 * the merged customer `merged` (pointing at the kept one) — it is never
 * deleted, so `unmerge` can put everything back.
 *
 * Order of writes (no multi-document transactions): the record first, then
 * the moves, then the status flip, then totals rebuilt from orders. A crash
 * part-way leaves a record whose moves can be replayed (`merge` again is
 * idempotent: moving what already moved changes nothing).
 *
 * @example
 *   const record = await mergeCustomers('C12', 'C15', 'staff:s_1'); // C15 folds into C12
 *   await unmergeCustomer('C15', 'staff:s_1');
 */
import { ContactKey, contactKey } from '../../models/contact-key.js';
import { Customer, type CustomerDoc } from '../../models/customer.js';
import { Identity } from '../../models/identity.js';
import { Interaction } from '../../models/interaction.js';
import { MergeRecord } from '../../models/merge-record.js';
import { Order } from '../../models/order.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { audit } from './audit.js';

import { moveCustomerIdentities } from './identities.js';
import { rebuildTotals } from './totals.js';

export async function mergeCustomers(keptId: string, mergedId: string, by: string): Promise<{ orders: number; interactions: number; identities: number; keys: number }> {
  if (keptId === mergedId) throw new ValidationError('customers', { code: 'MERGE_SAME_CUSTOMER' });
  const [kept, merged] = await Promise.all([
    Customer.findById(keptId).lean<CustomerDoc>(),
    Customer.findById(mergedId).lean<CustomerDoc>(),
  ]);
  if (!kept) throw new NotFoundError({ code: 'CUSTOMER_NOT_FOUND', params: { ref: keptId } });
  if (!merged) throw new NotFoundError({ code: 'CUSTOMER_NOT_FOUND', params: { ref: mergedId } });
  for (const c of [kept, merged]) {
    if (c.status !== 'active') throw new ConflictError({ code: 'MERGE_CUSTOMER_INACTIVE', params: { ref: c._id, status: c.status } });
  }

  const [keys, orders, interactions, identities] = await Promise.all([
    ContactKey.find({ customerId: mergedId }, { _id: 1 }).lean(),
    Order.find({ customerId: mergedId }, { _id: 1 }).lean(),
    Interaction.find({ customerId: mergedId }, { _id: 1 }).lean(),
    Identity.find({ kind: 'customer', refId: mergedId }, { _id: 1 }).lean(),
  ]);
  const record = await MergeRecord.create({
    keptId,
    mergedId,
    by,
    keys: keys.map((k) => k._id),
    orderIds: orders.map((o) => o._id),
    interactionIds: interactions.map((i) => i._id),
    identityIds: identities.map((i) => i._id),
    keptBefore: { phones: kept.phones, emails: kept.emails, tags: kept.tags, aliases: kept.aliases ?? [], name: kept.name, nameKey: kept.nameKey, ownerId: kept.ownerId, consent: kept.consent },
  });

  await ContactKey.updateMany({ _id: { $in: record.keys } }, { $set: { customerId: keptId } });
  await Order.updateMany({ _id: { $in: record.orderIds } }, { $set: { customerId: keptId } });
  await Interaction.updateMany({ _id: { $in: record.interactionIds } }, { $set: { customerId: keptId } });
  await moveCustomerIdentities(record.identityIds, mergedId, keptId);
  const set: Record<string, unknown> = {};
  if (!kept.name && merged.name) Object.assign(set, { name: merged.name, nameKey: merged.nameKey });
  if (!kept.ownerId && merged.ownerId) set.ownerId = merged.ownerId;
  // The customer's most recent answer about promotions wins, whichever record it was given on.
  const keptAt = kept.consent?.changedAt?.getTime() ?? -1;
  const mergedAt = merged.consent?.changedAt?.getTime() ?? -1;
  if (mergedAt > keptAt) set.consent = merged.consent;
  // A different name the merged record had is kept as another name of the person ("Mai" merged into "Lan").
  const alias = merged.name && kept.name && merged.nameKey !== kept.nameKey ? [merged.name] : [];
  await Customer.updateOne(
    { _id: keptId },
    {
      $addToSet: {
        phones: { $each: merged.phones },
        emails: { $each: merged.emails },
        tags: { $each: merged.tags },
        aliases: { $each: [...alias, ...(merged.aliases ?? [])] },
      },
      ...(Object.keys(set).length ? { $set: set } : {}),
    },
  );
  await Customer.updateOne({ _id: mergedId }, { $set: { status: 'merged', mergedInto: keptId } });
  await moveSharedPhones(kept, merged);
  await rebuildTotals([keptId, mergedId]);
  await audit(by, 'customer.merge', `customer:${keptId}`, { mergedId, recordId: String(record._id) });
  return { orders: orders.length, interactions: interactions.length, identities: identities.length, keys: keys.length };
}

/**
 * A phone the merged record used without holding its key (a family phone, listed in the key's
 * `sharedWith`) is now the kept customer's: the key lists the kept customer instead, or nobody
 * when the kept customer holds the key itself. One `_id` read and write per such phone.
 */
async function moveSharedPhones(kept: CustomerDoc, merged: CustomerDoc): Promise<void> {
  for (const phone of merged.phones) {
    const key = contactKey('phone', phone);
    const doc = await ContactKey.findById(key, { customerId: 1, sharedWith: 1 }).lean();
    if (!doc?.sharedWith?.includes(merged._id)) continue;
    const others = doc.sharedWith.filter((id) => id !== merged._id && id !== kept._id);
    const sharedWith = doc.customerId === kept._id ? others : [...others, kept._id];
    await ContactKey.updateOne({ _id: key }, { $set: { sharedWith } });
  }
}

/**
 * Undoes {@link moveSharedPhones}: a phone the merged record uses without holding its key lists it
 * among the sharers again, and no longer the kept customer unless the phone was the kept
 * customer's before the merge.
 */
async function restoreSharedPhones(keptId: string, keptPhonesBefore: string[], merged: CustomerDoc): Promise<void> {
  for (const phone of merged.phones) {
    const key = contactKey('phone', phone);
    const doc = await ContactKey.findById(key, { customerId: 1, sharedWith: 1 }).lean();
    if (!doc || doc.customerId === merged._id) continue;
    const keep = (id: string) => id !== merged._id && (id !== keptId || keptPhonesBefore.includes(phone));
    const sharedWith = [...(doc.sharedWith ?? []).filter(keep), merged._id];
    await ContactKey.updateOne({ _id: key }, { $set: { sharedWith } });
  }
}

/**
 * Undoes the latest merge of `mergedId`: everything that moved goes back,
 * the kept customer's own fields are restored, both totals rebuilt.
 * Records created after the merge (new orders on the kept customer) stay where they are.
 */
export async function unmergeCustomer(mergedId: string, by: string): Promise<{ keptId: string }> {
  const record = await MergeRecord.findOne({ mergedId, undoneAt: { $exists: false } }).sort({ createdAt: -1 }).lean();
  if (!record) throw new NotFoundError({ code: 'MERGE_NOT_FOUND', params: { ref: mergedId } });
  const { keptId } = record;
  await ContactKey.updateMany({ _id: { $in: record.keys } }, { $set: { customerId: mergedId } });
  await Order.updateMany({ _id: { $in: record.orderIds } }, { $set: { customerId: mergedId } });
  await Interaction.updateMany({ _id: { $in: record.interactionIds } }, { $set: { customerId: mergedId } });
  await moveCustomerIdentities(record.identityIds, keptId, mergedId);
  const before = (record.keptBefore ?? {}) as Partial<CustomerDoc>;
  const keptNow = await Customer.findById(keptId).lean<CustomerDoc>();
  const mergedDoc = await Customer.findById(mergedId).lean<CustomerDoc>();
  // Remove from the kept customer what came from the merged one and was not there before.
  const strip = (now: string[] = [], was: string[] = [], came: string[] = []) => now.filter((v) => was.includes(v) || !came.includes(v));
  await Customer.updateOne(
    { _id: keptId },
    {
      $set: {
        phones: strip(keptNow?.phones, before.phones, mergedDoc?.phones),
        emails: strip(keptNow?.emails, before.emails, mergedDoc?.emails),
        tags: strip(keptNow?.tags, before.tags, mergedDoc?.tags),
        aliases: strip(keptNow?.aliases ?? [], before.aliases ?? [], [mergedDoc?.name ?? '', ...(mergedDoc?.aliases ?? [])]),
        name: before.name ?? keptNow?.name ?? '',
        nameKey: before.nameKey ?? keptNow?.nameKey ?? '',
        ownerId: before.ownerId ?? null,
      },
    },
  );
  await Customer.updateOne({ _id: mergedId }, { $set: { status: 'active' }, $unset: { mergedInto: '' } });
  if (mergedDoc) await restoreSharedPhones(keptId, before.phones ?? [], mergedDoc);
  await MergeRecord.updateOne({ _id: record._id }, { $set: { undoneAt: new Date() } });
  await rebuildTotals([keptId, mergedId]);
  await audit(by, 'customer.unmerge', `customer:${keptId}`, { mergedId });
  return { keptId };
}
