/**
 * What happened to a {@link Delivery}, one unique insert per fact:
 * `_id: "<deliveryId>:<kind>"`, e.g. `P7:C1042:attempt`, `P7:C1042:result`.
 *
 * - `attempt` — the claim, written *before* the platform call. Its unique `_id`
 *   is what makes two workers unable to send the same delivery (an insert of a
 *   taken `_id` fails on MongoDB and FerretDB alike), and what makes a
 *   delivery attempted at most once, ever. An opt-out writes it too (`by:
 *   'opt-out'`), so nobody can send to that customer afterwards.
 * - `result` — how it ended: `sent` (with `at` = sentAt), `failed` (with the
 *   platform's reason, or `interrupted` when a worker died mid-send), or
 *   `skipped` (opted out before their turn).
 * - `response` — the first message or tap in the same chat after the send
 *   (respondedAt); `optout` — an opt-out attributed to this promotion.
 *
 * Inserting them in batches is one transaction per batch on FerretDB, where an
 * update is one per document; see models/delivery.ts.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const DELIVERY_EVENT_KINDS = ['attempt', 'result', 'response', 'optout'] as const;
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
    /** attempt: the claiming worker's token (or `opt-out`). */
    by: { type: String },
    /** result: how the delivery ended. */
    status: { type: String, enum: DELIVERY_RESULTS },
    /** result: why it failed or was skipped. */
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
