/**
 * Orders and revenue per salesperson, per UTC day and hour: `_id: "2026-11-30"` holds
 * `h07: { s_lan: { o: 2, r: { VND: 950000 } }, "-": { o: 1, r: { … } } }` — the orders recorded in
 * that hour, credited to the customer's owner (`-` for nobody), minus those cancelled since.
 * `_id: "since"` says when counting began (`at`).
 *
 * Why: the weekly digest shows orders and revenue per salesperson for this week so far and last
 * week, and must never read the orders collection (a million rows at a large shop) nor group it.
 * Kept by `$inc` where orders are recorded and cancelled (src/services/digest/sales-counters.ts);
 * a week is read as a handful of exact `_id` reads. Hours rather than days because a week is
 * counted in the shop's zone, whose midnight is not UTC's.
 */
import mongoose, { Schema } from 'mongoose';

const salesDaySchema = new Schema(
  {
    _id: { type: String, required: true },
    /** For `_id: "since"`: when the first order was counted. */
    at: { type: Date },
  },
  { versionKey: false, strict: false, minimize: false },
);

export type SalesHour = Record<string, { o?: number; r?: Record<string, number> }>;
export type SalesDayDoc = { _id: string; at?: Date } & Record<string, unknown>;
export const SalesDay = mongoose.model('SalesDay', salesDaySchema, 'salesdays');

/** The `_id` of the document counting a UTC day, e.g. `2026-11-30`. */
export function salesDayId(at: Date): string {
  return at.toISOString().slice(0, 10);
}
