/**
 * Each customer's RFM segment, as of the last recompute (services/segments/segments.ts).
 *
 * A small collection of its own, keyed by the customer, rather than fields on
 * Customer, because:
 * - the recompute writes only states that changed, and these documents are a
 *   few hundred bytes: FerretDB rewrites the whole document on every update,
 *   and a customer document (contact data, tags, monthly buckets) is larger;
 * - segment lists and movements read this collection alone (a scan of small
 *   documents on FerretDB, an index on MongoDB) and never touch the customers'
 *   hot documents, which order recording updates with `$inc`;
 * - the Customer schema stays the contacts' and orders' business.
 *
 * `_id` is the customer number as a string ("12"): FerretDB v1 pushes an
 * `_id` filter down to SQLite only for strings and ObjectIds, so numeric ids
 * would make every single-document update a collection scan. `customerId`
 * holds the number for joins and sorting.
 *
 * Leads (customers without orders) have a state too (segment `Lead`, no
 * scores), so "Lead → New" is a movement like any other.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

/** How many segment changes a state keeps. */
export const SEGMENT_HISTORY_LIMIT = 24;

const movementSchema = new Schema(
  {
    segment: { type: String, required: true },
    /** The previous segment; absent on a customer's first assignment. */
    from: { type: String },
    at: { type: Date, required: true },
  },
  { _id: false },
);

const segmentStateSchema = new Schema(
  {
    _id: { type: String, required: true },
    customerId: { type: String, required: true },
    /** One of SEGMENTS in src/services/segments/rfm.ts. */
    segment: { type: String, required: true },
    /** RFM scores 1–5; absent for leads. */
    r: { type: Number },
    f: { type: Number },
    m: { type: Number },
    /**
     * Lifetime orders and revenue (minor units, base currency only) from the running totals:
     * the "value" sort. Lifetime rather than 12-month figures because they change only when
     * the customer orders, so a month rolling over rewrites only states whose scores moved
     * (and a win-back list of At risk customers is best read by what they once spent).
     */
    orders: { type: Number, default: 0 },
    value: { type: Number, default: 0 },
    lastOrderAt: { type: Date },
    /** When the customer entered the current segment. */
    segmentSince: { type: Date, required: true },
    /** The recompute that last wrote this state (unchanged states are not rewritten). */
    computedAt: { type: Date, required: true },
    /** Segment changes, oldest first, at most {@link SEGMENT_HISTORY_LIMIT}. */
    history: { type: [movementSchema], default: [] },
  },
  { versionKey: false },
);
segmentStateSchema.index({ segment: 1, value: -1 });
segmentStateSchema.index({ segment: 1, lastOrderAt: -1 });
segmentStateSchema.index({ segmentSince: 1 });

export type SegmentStateDoc = InferSchemaType<typeof segmentStateSchema> & { _id: string };
export const SegmentState = mongoose.model('SegmentState', segmentStateSchema);

/** The `_id` of a customer's state. */
export function segmentStateId(customerId: string): string {
  return customerId;
}

/**
 * Recompute bookkeeping: `_id: "latest"` describes the last finished run
 * (when, how many, the quintile edges); `_id: "lock"` is a lease so that two
 * recomputes (the nightly job and a manager's refresh) never run at once;
 * `_id: "pending"` is the redo log of a batch being replaced (see
 * services/segments/segments.ts), present only while that batch is written.
 */
const segmentRunSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** Lock: held until (wall clock). */
    until: { type: Date },
    owner: { type: String },
    /** Latest: the clock the run used, and what it found. */
    at: { type: Date },
    /** The customer counter when the run read the customers: newer numbers are not in its figures. */
    customerSeq: { type: Number },
    baseCurrency: { type: String },
    customers: { type: Number },
    buyers: { type: Number },
    leads: { type: Number },
    inserted: { type: Number },
    updated: { type: Number },
    moved: { type: Number },
    removed: { type: Number },
    durationMs: { type: Number },
    edges: { type: Schema.Types.Mixed },
    /** Pending: the states of one batch, whole, as they are to be written. */
    states: { type: [Schema.Types.Mixed], default: undefined },
  },
  { versionKey: false },
);

export type SegmentRunDoc = InferSchemaType<typeof segmentRunSchema> & { _id: string };
export const SegmentRun = mongoose.model('SegmentRun', segmentRunSchema);
