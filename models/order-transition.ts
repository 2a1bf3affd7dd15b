/**
 * The claim of one order status change: `_id: "<orderId>#<n>"`, where n is the number of
 * changes the order had when it was read (`O7#1` is its second status). Inserting it is the
 * compare-and-set: of twenty people pressing "Mark paid" and "Cancel" at once, exactly one
 * insert for `O7#1` succeeds — on MongoDB with several processes and on FerretDB, whose
 * conditional updates are not atomic across connections. The winner then applies the change
 * and the totals; the claim records what it decided, so a crash in between is completed by
 * the next attempt instead of being lost or applied twice.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const orderTransitionSchema = new Schema(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    from: { type: String, required: true },
    to: { type: String, required: true },
    at: { type: Date, required: true },
    by: { type: String, required: true },
  },
  { versionKey: false },
);

export type OrderTransitionDoc = InferSchemaType<typeof orderTransitionSchema> & { _id: string };
export const OrderTransition = mongoose.model('OrderTransition', orderTransitionSchema);

/** The claim `_id` of an order's n-th status change (0-based: the first change is `#1`, after `new`). */
export function transitionId(orderId: string, n: number): string {
  return `${orderId}#${n}`;
}
