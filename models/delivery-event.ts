/**
 * What happened to a {@link Delivery}, one unique insert per fact:
 * `_id: "<deliveryId>:<kind>"`, e.g. `P7:C1042:attempt`, `P7:C1042:result`.
 *
 * - `attempt` — the claim (`lease: true`): a drain takes a group of deliveries
 *   to work on, in one insert. Its unique `_id` splits the work between
 *   workers. It says nothing about the platform: a claimed delivery whose
 *   `sending` mark does not exist never reached a platform call, so after a
 *   crash the next drain simply sends it (nobody got it). An opt-out writes
 *   it too (`by: 'opt-out'`), so no drain claims that delivery afterwards.
 *   (Claims written before `sending` marks existed have no `lease`: they were
 *   made just before the call, so they count as marks.)
 * - `sending` — the mark, written for this one delivery just before its own
 *   platform call (never ahead of it in a batch). Its unique `_id` is what
 *   makes a delivery sent at most once, ever: whoever inserts it calls the
 *   platform, nobody else. A mark without a result is a send whose fate we do
 *   not know — in flight on a live worker, or caught by a crash — and after
 *   15 minutes it is recorded `failed: interrupted` (the *uncertain* sends).
 * - `result` — how it ended: `sent` (with `at` = sentAt), `failed` (with the
 *   platform's reason, or `interrupted` when the worker died mid-send), or
 *   `skipped` (opted out before their turn).
 * - `resend` / `resent` — a person's resend of an uncertain send
 *   (`promo resend-uncertain P7`): the mark (`by` = the person) just before
 *   the call, then its outcome (`status`, `reason`). At most one per delivery;
 *   never written by a drain.
 * - `response` — the first message or tap in the same chat after the send
 *   (respondedAt); `optout` — an opt-out attributed to this promotion.
 *
 * Inserting them in batches is one transaction per batch on FerretDB, where an
 * update is one per document; see models/delivery.ts.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const DELIVERY_EVENT_KINDS = ['attempt', 'sending', 'result', 'resend', 'resent', 'response', 'optout'] as const;
export type DeliveryEventKind = (typeof DELIVERY_EVENT_KINDS)[number];

export const DELIVERY_RESULTS = ['sent', 'failed', 'skipped'] as const;
export type DeliveryResult = (typeof DELIVERY_RESULTS)[number];

const deliveryEventSchema = new Schema(
  {
    _id: { type: String, required: true },
    deliveryId: { type: String, required: true },
    campaignId: { type: String, required: true },
    customerId: { type: String, required: true },
    kind: { type: String, enum: DELIVERY_EVENT_KINDS, required: true },
    at: { type: Date, required: true },
    /** attempt, sending: the worker's token (or `opt-out`); resend: the person (`staff:s_1`). */
    by: { type: String },
    /** attempt: a claim whose platform call is marked apart (`sending`); absent on claims written before marks existed. */
    lease: { type: Boolean },
    /** result, resent: how the delivery (or its resend) ended. */
    status: { type: String, enum: DELIVERY_RESULTS },
    /** result, resent: why it failed or was skipped. */
    reason: { type: String },
  },
  { versionKey: false },
);
deliveryEventSchema.index({ campaignId: 1, kind: 1 });

export type DeliveryEventDoc = InferSchemaType<typeof deliveryEventSchema> & { _id: string };
export const DeliveryEvent = mongoose.model('DeliveryEvent', deliveryEventSchema);

/** The `_id` of a delivery's event of a kind. */
export function deliveryEventId(deliveryId: string, kind: DeliveryEventKind): string {
  return `${deliveryId}:${kind}`;
}
