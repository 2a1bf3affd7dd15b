/**
 * A promotion campaign: who gets it (audience), what they get (one or two
 * variants), a hold-out share that gets nothing (to measure true uplift), and
 * when. `_id` is the human reference `P7` — a string, so every update is an
 * `_id` lookup on FerretDB too (it pushes only string/ObjectId `_id` filters
 * down to SQLite).
 *
 * Life: `scheduled` → `freezing` (audience written into deliveries) →
 * `sending` (drained, possibly over several runs: quiet hours) → `done`;
 * `cancelled` from any state before `done`. (`draft` is reserved for campaigns
 * saved without a time; `promo new` always schedules.)
 *
 * Counters are kept with `$inc` by the writer that made the change, exactly
 * once each because every change they count is a unique insert (a delivery, a
 * send result, a response, an opt-out). `results` is different: conversions
 * and revenue are recomputed from orders by `promo stats` (an order may be
 * cancelled later, a rerun must not add twice), so they are `$set` snapshots.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'freezing', 'sending', 'done', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const AUDIENCE_KINDS = ['all', 'tag', 'segment'] as const;
export type AudienceKind = (typeof AUDIENCE_KINDS)[number];

const countersSchema = new Schema(
  {
    /** Recipients frozen (variants A and B), hold-out excluded. */
    frozen: { type: Number, default: 0 },
    /** Customers frozen into the hold-out group (they get nothing). */
    heldOut: { type: Number, default: 0 },
    /** Deliveries whose platform call was marked (`sending`, the at-most-once mark). */
    attempted: { type: Number, default: 0 },
    sent: { type: Number, default: 0 },
    failed: { type: Number, default: 0 },
    /** Frozen but not sent on purpose: opted out before their turn. */
    skipped: { type: Number, default: 0 },
    /** Recipients who wrote or tapped in the chat after their promotion (counted live). */
    responded: { type: Number, default: 0 },
    /** Recipients who opted out within the attribution window after their promotion. */
    optedOut: { type: Number, default: 0 },
  },
  { _id: false },
);

const resultsSchema = new Schema(
  {
    recipients: { type: Number, default: 0 },
    converted: { type: Number, default: 0 },
    /** Revenue of the converted recipients' orders in the window, minor units per currency. */
    revenue: { type: Schema.Types.Mixed, default: () => ({}) },
    holdout: { type: Number, default: 0 },
    holdoutConverted: { type: Number, default: 0 },
    /** Conversion rate of recipients minus that of the hold-out, in percentage points. */
    upliftPoints: { type: Number },
    computedAt: { type: Date },
  },
  { _id: false, minimize: false },
);

const campaignSchema = new Schema(
  {
    _id: { type: String, required: true },
    audience: {
      kind: { type: String, enum: AUDIENCE_KINDS, required: true },
      /** The tag (normalised, no `#`) or the segment name; absent for `all`. */
      value: { type: String },
    },
    /** Variant texts: A, and optionally B (assigned half and half by a hash). */
    variants: { type: [{ _id: false, key: { type: String, enum: ['A', 'B'] }, text: String }], default: [] },
    /** Share of the audience held out, 0–50 (%). */
    holdoutPercent: { type: Number, default: 0 },
    /** Attribution window in days, fixed at creation (config PROMO_ATTRIBUTION_DAYS). */
    attributionDays: { type: Number, required: true },
    scheduledAt: { type: Date, required: true },
    status: { type: String, enum: CAMPAIGN_STATUSES, default: 'scheduled' },
    /** When the send job should look at it next (the schedule, a quiet-hours window, a stale claim). */
    nextRunAt: { type: Date },
    createdBy: { type: String, required: true },
    freezeStartedAt: { type: Date },
    /** The moment sending started: the hold-out's attribution window starts here. */
    sendingStartedAt: { type: Date },
    finishedAt: { type: Date },
    cancelledAt: { type: Date },
    cancelledBy: { type: String },
    counters: { type: countersSchema, default: () => ({}) },
    results: { type: resultsSchema },
  },
  { timestamps: true, versionKey: false, minimize: false },
);
campaignSchema.index({ status: 1, nextRunAt: 1 });

export type CampaignDoc = InferSchemaType<typeof campaignSchema> & { _id: string };
export const Campaign = mongoose.model('Campaign', campaignSchema);

/** `P7` → 7 (also accepts `7`). */
export function campaignNumber(ref: string): number | undefined {
  const m = /^p?(\d{1,9})$/i.exec(ref.trim());
  return m?.[1] ? Number(m[1]) : undefined;
}

/** 7 → `P7`, the `_id` and the reference people type. */
export const campaignRef = (n: number): string => `P${n}`;
