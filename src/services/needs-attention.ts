/**
 * Customers nobody got back to, for the hourly safety nets (jobs/auto-follow-ups.ts):
 * new leads with an owner and no interaction for days, and complaints no reply
 * reached the customer after (a note is not a response: it never leaves the shop). Both read with one streaming pass plus one
 * batched query per batch, never a query per customer, and hand their results
 * over a batch at a time so the caller can extend its lock in between.
 *
 * @example
 *   for await (const leads of quietNewLeads({ createdSince, quietSince })) {
 *     for (const lead of leads) await createFollowUp({ … assigneeId: lead.ownerId … }, now);
 *     await job.touch();
 *   }
 */
import type { Types } from 'mongoose';
import { Customer } from '../../models/customer.js';
import { Interaction } from '../../models/interaction.js';
import { customersById } from './contacts.js';
import { RECEIVED_DELIVERY } from './interactions.js';

const BATCH = 500;

/** A new lead that nobody has talked to. */
export interface QuietLead {
  _id: string;
  ownerId: string;
}

/** A complaint that no reply reaching the customer followed. */
export interface UnansweredComplaint {
  /** The interaction's id, as a string. */
  id: string;
  customerId: string;
  /** The customer's name (`''` when they have none). */
  customerName: string;
  at: Date;
  text: string;
}

/**
 * Active customers without orders created between `createdSince` and
 * `quietSince` that have an owner and no interaction after `quietSince`, in
 * batches of up to `batchSize` (a batch may come out empty when everyone in it spoke).
 *
 * @example
 *   quietNewLeads({ createdSince: thirtyDaysAgo, quietSince: threeDaysAgo }) // yields [{ _id: 'C7', ownerId: 's_lan' }], …
 */
export async function* quietNewLeads(window: { createdSince: Date; quietSince: Date }, batchSize = BATCH): AsyncGenerator<QuietLead[]> {
  const cursor = Customer.find({ status: 'active', 'totals.orders': 0, createdAt: { $gte: window.createdSince, $lte: window.quietSince } }, { ownerId: 1 })
    .lean<{ _id: string; ownerId?: string }[]>()
    .cursor({ batchSize });
  let batch: QuietLead[] = [];
  for await (const c of cursor) {
    if (!c.ownerId) continue;
    batch.push({ _id: c._id, ownerId: c.ownerId });
    if (batch.length >= batchSize) {
      yield await withoutInteractionSince(batch, window.quietSince);
      batch = [];
    }
  }
  if (batch.length > 0) yield await withoutInteractionSince(batch, window.quietSince);
}

async function withoutInteractionSince(leads: QuietLead[], since: Date): Promise<QuietLead[]> {
  const recent = await Interaction.find({ customerId: { $in: leads.map((c) => c._id) }, at: { $gt: since } }, { customerId: 1 }).lean<{ customerId: string }[]>();
  const spoke = new Set(recent.map((i) => i.customerId));
  return leads.filter((c) => !spoke.has(c._id));
}

/**
 * Complaints made between `from` and `to` that no received reply followed (notes and failed
 * sends do not count), in
 * batches of up to `batchSize` complaints read (a batch may come out empty when all were answered).
 *
 * @example
 *   unansweredComplaints({ from: twoWeeksAgo, to: fourHoursAgo }) // yields [{ id, customerId: 'C3', customerName: 'Anna', at, text }], …
 */
export async function* unansweredComplaints(window: { from: Date; to: Date }, batchSize = BATCH): AsyncGenerator<UnansweredComplaint[]> {
  const complaints = await Interaction.find({ kind: 'complaint', at: { $gte: window.from, $lte: window.to } }, { customerId: 1, at: 1, text: 1 }).lean<
    { _id: Types.ObjectId; customerId: string; at: Date; text: string }[]
  >();
  for (let i = 0; i < complaints.length; i += batchSize) {
    const slice = complaints.slice(i, i + batchSize);
    const ids = [...new Set(slice.map((c) => c.customerId))];
    const earliest = new Date(Math.min(...slice.map((c) => c.at.getTime())));
    const [answers, customers] = await Promise.all([
      Interaction.find({ customerId: { $in: ids }, kind: 'reply', delivery: RECEIVED_DELIVERY, at: { $gte: earliest } }, { customerId: 1, at: 1 }).lean<
        { customerId: string; at: Date }[]
      >(),
      customersById(ids, { name: 1 }),
    ]);
    const lastAnswer = new Map<string, number>();
    for (const a of answers) lastAnswer.set(a.customerId, Math.max(lastAnswer.get(a.customerId) ?? 0, a.at.getTime()));
    yield slice
      .filter((c) => (lastAnswer.get(c.customerId) ?? 0) < c.at.getTime())
      .map((c) => ({ id: String(c._id), customerId: c.customerId, customerName: customers.get(c.customerId)?.name ?? '', at: c.at, text: c.text }));
  }
}
