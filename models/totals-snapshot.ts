/**
 * The sum of every customer's running totals at the start of a day in the
 * shop's time zone (`_id: "day:2026-11-30"`), taken by jobs/totals-snapshot.ts.
 * Differences between snapshots give orders and revenue per day and per week
 * without reading the orders collection — the weekly digest's numbers.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const totalsSnapshotSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** When the pass that produced it started. */
    at: { type: Date, required: true },
    /** Non-cancelled orders, summed over customers' `totals.orders`. */
    orders: { type: Number, required: true },
    /** Revenue in minor units per currency, summed over customers' `totals.revenue`. */
    revenue: { type: Schema.Types.Mixed, default: () => ({}) },
    customers: { type: Number, required: true },
    /** Customers without orders. */
    leads: { type: Number, required: true },
    /** Customers per lifecycle stage (lead, new, active, lapsed) at that moment. */
    stages: { type: Schema.Types.Mixed, default: () => ({}) },
  },
  { versionKey: false, minimize: false },
);

export type TotalsSnapshotDoc = InferSchemaType<typeof totalsSnapshotSchema> & { _id: string; revenue: Record<string, number>; stages: Record<string, number> };
export const TotalsSnapshot = mongoose.model('TotalsSnapshot', totalsSnapshotSchema);

/** The `_id` of the snapshot for a local day, e.g. `day:2026-11-30`. */
export function snapshotId(isoDate: string): string {
  return `day:${isoDate}`;
}
