/**
 * Processed inbound deliveries and the operations they ran, in one collection (so the housekeeping
 * sweep on `at` removes both together: an operation key matters exactly as long as its delivery's).
 *
 * - A delivery claim: `_id` is the platform's delivery id (`tg:<bot>:<update_id>`,
 *   `slack:<event_id>`). Insert-or-skip makes each update run once, also across processes. `state`
 *   says how its run ended: `running` (claimed; also what a crash leaves), `done`, or `failed`
 *   (an internal error after a keyed write: a re-delivery resumes it). `created` lists what the run
 *   wrote, e.g. `['O7']`. Records from before `state` existed count as done.
 * - An operation key: `_id` is `op:<deliveryId>#<n>` (the n-th keyed write of that delivery) or an
 *   explicit operation id, reserved by a unique insert before the write, with what it creates
 *   (`orderId: 'O7'`); a step of it that must happen once (the totals) is claimed the same way, as
 *   `<operation id>/<step>`.
 *
 * Every read and write here is by exact `_id`: the only filter FerretDB's SQLite backend pushes down.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const DELIVERY_STATES = ['running', 'done', 'failed'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

const processedDeliverySchema = new Schema(
  {
    _id: { type: String, required: true },
    /** When it was claimed (or last resumed): what the sweep and the staleness check read. */
    at: { type: Date, default: () => new Date() },
    state: { type: String, enum: DELIVERY_STATES },
    /** Ids of what the run wrote through keyed operations (`O7`). */
    created: { type: [String], default: undefined },
    /** Resumptions after a failure: the next one claims `retry:<deliveryId>#<attempt + 1>`. */
    attempt: { type: Number },
    /** For an operation key: the order it creates. */
    orderId: { type: String },
  },
  { versionKey: false },
);

export type ProcessedDeliveryDoc = InferSchemaType<typeof processedDeliverySchema> & { _id: string };
export const ProcessedDelivery = mongoose.model('ProcessedDelivery', processedDeliverySchema);
