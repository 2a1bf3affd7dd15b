/**
 * "Forget me": erases a customer's personal data and keeps the business
 * facts. Orders stay (amounts, dates, statuses, items) and keep counting in
 * totals, attached to a customer record that is now an empty shell with
 * status `forgotten`; everything that names or reaches the person goes:
 *
 * - the customer's name, phones, e-mails, tags, consent, time zone, locale;
 * - contact keys (so the phone/e-mail is free, and unknown, again);
 * - the text of every interaction and follow-up (the records stay, empty, for counts);
 * - platform identities, and link codes they created or used;
 * - personal details inside merge records and audit events (their `data`),
 *   and the person's identity in audit `actor` fields;
 * - records merged into this one (the same person) are erased the same way.
 *
 * Order of writes (no transactions): the customer first (status `forgotten`,
 * fields cleared), identities last — until then the person is still
 * recognised and can repeat `forget confirm`, which is idempotent, if
 * anything failed half-way. The audit event ("customer.forget", counts only)
 * is written at the end.
 *
 * @example
 *   const result = await forgetCustomer('C12', 'customer:C12');
 *   // → { customers: ['C12'], keys: 2, interactions: 5, identities: 1, orders: 3 }
 */
import { AuditEvent } from '../../models/audit-event.js';
import { ContactKey, contactKey } from '../../models/contact-key.js';
import { Customer, type CustomerDoc } from '../../models/customer.js';
import { FollowUp } from '../../models/follow-up.js';
import { Identity } from '../../models/identity.js';
import { Interaction } from '../../models/interaction.js';
import { Invite } from '../../models/invite.js';
import { MergeRecord } from '../../models/merge-record.js';
import { Order } from '../../models/order.js';
import { NotFoundError } from '../errors.js';
import { audit } from './audit.js';
import { forgetConversation } from './conversations.js';
import { unindexNames } from './customer-names.js';

export interface ForgetResult {
  /** The customer and the records merged into it. */
  customers: string[];
  keys: number;
  interactions: number;
  identities: number;
  /** Orders kept (anonymised). */
  orders: number;
}

/** Erases the personal data of a customer (and of records merged into it); see the module comment. */
export async function forgetCustomer(customerId: string, by: string, now: Date = new Date()): Promise<ForgetResult> {
  const root = await Customer.findById(customerId).lean<CustomerDoc>();
  if (!root) throw new NotFoundError({ code: 'CUSTOMER_NOT_FOUND', params: { ref: customerId } });
  // The person may have several records: this one and those merged into it (recursively).
  const people: CustomerDoc[] = [root];
  for (let i = 0; i < people.length && i < 100; i++) {
    people.push(...(await Customer.find({ mergedInto: people[i]!._id }).lean<CustomerDoc[]>()));
  }
  const ids = people.map((c) => c._id);
  const identities = await Identity.find({ kind: 'customer', refId: { $in: ids } }, { _id: 1 }).lean();
  const identityIds = identities.map((i) => i._id);

  // 1. The customer records: personal fields cleared, status forgotten (totals untouched).
  await Customer.updateMany(
    { _id: { $in: ids } },
    {
      $set: { name: '', nameKey: '', phones: [], emails: [], tags: [], unreachable: [], identityIds: [], consent: { promotions: false }, status: 'forgotten' },
      $unset: { timeZone: '', locale: '', createdBy: '', aliases: '' },
    },
  );
  // Their names and aliases leave the name index (src/services/customer-names.ts).
  await Promise.all(people.map((c) => unindexNames(c._id, [c.name, ...(c.aliases ?? [])])));
  // 2. Contact keys: by their `_id`s, and any stray key still pointing at these records.
  const keyIds = people.flatMap((c) => [...c.phones.map((p) => contactKey('phone', p)), ...c.emails.map((e) => contactKey('email', e))]);
  let keys = 0;
  if (keyIds.length) keys += (await ContactKey.deleteMany({ _id: { $in: keyIds }, customerId: { $in: ids } })).deletedCount;
  keys += (await ContactKey.deleteMany({ customerId: { $in: ids } })).deletedCount;
  // 3. What was said: records kept for counts, text erased.
  const interactions = await Interaction.updateMany({ customerId: { $in: ids } }, { $set: { text: '' } });
  await FollowUp.updateMany({ customerId: { $in: ids } }, { $set: { text: '' } });
  // 4. Orders stay and keep counting; who placed them in chat is reduced to "customer".
  const orders = await Order.countDocuments({ customerId: { $in: ids } });
  if (identityIds.length) {
    const refs = new Set([...identityIds, ...identityIds.map((id) => `identity:${id}`)]);
    const touched = await Order.find({ customerId: { $in: ids }, $or: [{ createdBy: { $in: [...refs] } }, { 'history.by': { $in: [...refs] } }] }, { createdBy: 1, history: 1 }).lean();
    for (const o of touched) {
      const history = (o.history ?? []).map((h) => ({ status: h.status, at: h.at, by: h.by && refs.has(h.by) ? 'customer' : h.by }));
      await Order.updateOne({ _id: o._id }, { $set: { history, ...(o.createdBy && refs.has(o.createdBy) ? { createdBy: 'customer' } : {}) } });
    }
  }
  // 5. Merge records and audit events: personal details inside them go, and so does the platform id of the person as actor.
  const mergeFilter = { $or: [{ keptId: { $in: ids } }, { mergedId: { $in: ids } }] };
  await MergeRecord.updateMany(mergeFilter, { $set: { keys: [], keptBefore: {}, identityIds: [] } });
  const targets = ids.map((id) => `customer:${id}`);
  await AuditEvent.updateMany({ target: { $in: targets } }, { $unset: { data: '' } });
  if (identityIds.length) {
    const actors = [...identityIds, ...identityIds.map((id) => `identity:${id}`)];
    await AuditEvent.updateMany({ actor: { $in: actors } }, { $set: { actor: `customer:${root._id}` } });
    await MergeRecord.updateMany({ ...mergeFilter, by: { $in: actors } }, { $set: { by: `customer:${root._id}` } });
    await AuditEvent.updateMany({ target: { $in: actors } }, { $set: { target: `customer:${root._id}` }, $unset: { data: '' } });
    await Invite.deleteMany({ kind: 'link', $or: [{ createdBy: { $in: identityIds } }, { usedBy: { $in: identityIds } }] });
  }
  // Their conversations: the last message's preview and the chat it came from go.
  for (const id of ids) await forgetConversation(id);
  // 6. Last: the identities — from now on the person is a stranger to the bot.
  const removed = identityIds.length ? (await Identity.deleteMany({ _id: { $in: identityIds } })).deletedCount : 0;
  const result: ForgetResult = { customers: ids, keys, interactions: interactions.modifiedCount, identities: removed, orders };
  await audit(by.startsWith('identity:') ? `customer:${root._id}` : by, 'customer.forget', `customer:${root._id}`, { ...result, at: now.toISOString() });
  return result;
}
