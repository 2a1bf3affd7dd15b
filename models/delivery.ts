/**
 * One campaign × customer, frozen when the campaign starts sending:
 * `_id: "<campaignId>:<customerId>"` (e.g. `P7:C1042`), unique by construction,
 * so freezing twice (a crash, two workers) inserts nothing twice.
 *
 * Everything the drain needs is frozen in: the variant (or hold-out), the
 * platform and chat id of the identity to use, the customer's time zone (quiet
 * hours) and language (`lang`, the unsubscribe button's). Draining reads
 * deliveries alone — no per-recipient customer or identity lookup.
 *
 * What happened to a delivery afterwards is not written here: on FerretDB v1
 * an update costs a transaction per document (tens of ms) and a conditional
 * update is not atomic across connections, so per-recipient state changes are
 * unique inserts in {@link DeliveryEvent} (`<deliveryId>:attempt`,
 * `:result`, `:response`, `:optout`), batched many to one insert. The stored
 * `status` is therefore `pending` (to send) or `skipped` (hold-out); the live
 * status — `pending`, `sending`, `sent`, `failed`, `skipped` — is the fold of
 * the events (services/campaign-deliveries.ts `deliveryView`).
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const DELIVERY_VARIANTS = ['A', 'B', 'holdout'] as const;
export type DeliveryVariant = (typeof DELIVERY_VARIANTS)[number];

/** Statuses a delivery can be in (stored: `pending`, `skipped`; the rest come from its events). */
export const DELIVERY_STATUSES = ['pending', 'sending', 'sent', 'failed', 'skipped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const deliverySchema = new Schema(
  {
    _id: { type: String, required: true },
    campaignId: { type: String, required: true },
    customerId: { type: String, required: true },
    variant: { type: String, enum: DELIVERY_VARIANTS, required: true },
    /** Platform and chat of the identity frozen at audience time. */
    platform: { type: String },
    chatId: { type: String },
    /** The customer's IANA zone (or the default) for quiet hours. */
    timeZone: { type: String, required: true },
    /** The language the customer reads (`vi`, `en`): their `lang`, else their chat app's, else the shop's. */
    lang: { type: String },
    /** Deliveries frozen before `lang` carry the customer's chat-app locale instead (read by {@link deliveryLanguage}). */
    locale: { type: String },
    status: { type: String, enum: ['pending', 'skipped'], required: true },
    /** Why it is skipped (`holdout`). */
    reason: { type: String },
    /** Quiet hours at freeze time: not before this moment (next 08:00 local). */
    notBefore: { type: Date },
    frozenAt: { type: Date, required: true },
  },
  { versionKey: false },
);
deliverySchema.index({ campaignId: 1, status: 1 });

export type DeliveryDoc = InferSchemaType<typeof deliverySchema> & { _id: string };
export const Delivery = mongoose.model('Delivery', deliverySchema);

/** The `_id` of a campaign × customer delivery. */
export function deliveryId(campaignId: string, customerId: string): string {
  return `${campaignId}:${customerId}`;
}

/**
 * The language a delivery is written in: its `lang`, or, for one frozen before deliveries carried
 * it, its `locale` — both read by the catalogue (`messagesFor`), which falls back to English.
 *
 * @example
 *   deliveryLanguage({ lang: 'vi' })       // → 'vi'
 *   deliveryLanguage({ locale: 'vi-VN' })  // → 'vi-VN' (an old delivery)
 */
export function deliveryLanguage(d: { lang?: string | null; locale?: string | null }): string | undefined {
  return d.lang ?? d.locale ?? undefined;
}
