/**
 * A customer (or lead: a customer with no orders yet). Contact details are
 * stored normalised; their uniqueness lives in {@link ContactKey}, not in an
 * index here, because FerretDB ignores `sparse` and refuses partial indexes.
 * Running totals are kept with `$inc`/`$max`/`$min` as orders change, so
 * segments and digests never scan all orders (see services/totals.ts to rebuild).
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const totalsSchema = new Schema(
  {
    orders: { type: Number, default: 0 },
    /** Revenue in minor units per ISO currency, e.g. `{ VND: 350000 }`. Cancelled orders excluded. */
    revenue: { type: Schema.Types.Mixed, default: () => ({}) },
    firstOrderAt: { type: Date },
    lastOrderAt: { type: Date },
    /**
     * Per calendar month (UTC) `{ "2026-11": { orders, revenue: { VND: … } } }`, kept by the same
     * `$inc` updates: the rolling 12-month window for segments (src/services/order-months.ts).
     */
    months: { type: Schema.Types.Mixed, default: () => ({}) },
  },
  { _id: false },
);

const customerSchema = new Schema(
  {
    /** Sequential number shown to people as C12; also the primary key, so lookups hit `_id`. */
    _id: { type: Number, required: true },
    name: { type: String, default: '' },
    /** Folded name (lower case, no diacritics) for anchored-regex search and duplicate detection. */
    nameKey: { type: String, default: '' },
    phones: { type: [String], default: [] },
    emails: { type: [String], default: [] },
    tags: { type: [String], default: [] },
    /** Staff member responsible (string id), if any. */
    ownerId: { type: String },
    source: { type: String, default: 'chat' },
    timeZone: { type: String },
    locale: { type: String },
    consent: {
      promotions: { type: Boolean, default: false },
      changedAt: { type: Date },
    },
    /** Platforms on which a send failed for good (blocked the bot, chat not found). */
    unreachable: { type: [String], default: [] },
    totals: { type: totalsSchema, default: () => ({}) },
    /** `active`, `merged` (into `mergedInto`) or `forgotten` (personal data erased). */
    status: { type: String, enum: ['active', 'merged', 'forgotten'], default: 'active' },
    mergedInto: { type: Number },
    createdBy: { type: String },
  },
  { timestamps: true, versionKey: false, minimize: false },
);
customerSchema.index({ nameKey: 1 });
customerSchema.index({ tags: 1 });
customerSchema.index({ ownerId: 1 });

export type CustomerDoc = InferSchemaType<typeof customerSchema> & { _id: number };
export const Customer = mongoose.model('Customer', customerSchema);
