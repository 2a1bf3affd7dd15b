/**
 * A customer (or lead: a customer with no orders yet). Contact details are
 * stored normalised; their uniqueness lives in {@link ContactKey}, not in an
 * index here, because FerretDB ignores `sparse` and refuses partial indexes.
 * Running totals are kept with `$inc`/`$max`/`$min` as orders change, so
 * segments and digests never scan all orders (see services/totals.ts to rebuild).
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { LANGUAGES } from '../src/values/format.js';

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
    /**
     * `"C12"`: the short sequential reference people type, and a string primary key, because
     * FerretDB's SQLite backend pushes down (and indexes) only string or ObjectId `_id` filters.
     */
    _id: { type: String, required: true },
    name: { type: String, default: '' },
    /** Folded name (lower case, no diacritics) for anchored-regex search and duplicate detection. */
    nameKey: { type: String, default: '' },
    /**
     * Other names the same person was logged under (kept when someone answered "same person" to
     * `lead <other name> <their phone>`); shown on the card, and found by a name-only `lead` like
     * the name (services/customer-names.ts).
     */
    aliases: { type: [String], default: undefined },
    /** Customers a person explicitly said are different people (set on both records): never suggested as duplicates. */
    distinctFrom: { type: [String], default: undefined },
    phones: { type: [String], default: [] },
    emails: { type: [String], default: [] },
    tags: { type: [String], default: [] },
    /** Staff member responsible (string id), if any. */
    ownerId: { type: String },
    source: { type: String, default: 'chat' },
    timeZone: { type: String },
    locale: { type: String },
    /** The language they chose with `lang vi|en`; unset, they read their chat app's language or the shop's (src/core/messages.ts `chooseLanguage`). */
    lang: { type: String, enum: LANGUAGES },
    consent: {
      promotions: { type: Boolean, default: false },
      changedAt: { type: Date },
    },
    /** Their platform identities (`telegram:1001`…): how a reply or order update finds them with `_id` reads only. */
    identityIds: { type: [String], default: [] },
    /** Platforms on which a send failed for good (blocked the bot, chat not found). */
    unreachable: { type: [String], default: [] },
    totals: { type: totalsSchema, default: () => ({}) },
    /**
     * The latest orders (`"O7"`) and interactions (ObjectIds), oldest first, at most
     * RECENT_LIMIT each (src/services/recent.ts): what the profile card and `orders` show is read
     * by `_id` from here, never by scanning the orders or interactions collections.
     */
    recentOrderIds: { type: [String], default: [] },
    recentInteractionIds: { type: [Schema.Types.ObjectId], default: [] },
    /** `active`, `merged` (into `mergedInto`) or `forgotten` (personal data erased). */
    status: { type: String, enum: ['active', 'merged', 'forgotten'], default: 'active' },
    mergedInto: { type: String },
    createdBy: { type: String },
  },
  { timestamps: true, versionKey: false, minimize: false },
);
customerSchema.index({ nameKey: 1 });
customerSchema.index({ tags: 1 });
customerSchema.index({ ownerId: 1 });

export type CustomerDoc = InferSchemaType<typeof customerSchema> & { _id: string };
export const Customer = mongoose.model('Customer', customerSchema);
