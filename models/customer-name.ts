/**
 * The name index: `_id` = a folded name (`"nguyen thi lan"`, src/values/names.ts `foldName`) →
 * the customers (`"C1"`) whose name or alias folds to it.
 *
 * Why: a name-only `lead Hoa` asks whether Hoa is someone already known; on FerretDB only an exact
 * string `_id` read is indexed, so the question costs one read, whatever the size of the shop.
 * Kept by services/customer-names.ts on create, rename, alias, merge and forget; an id listed here
 * whose customer is merged, forgotten or renamed is skipped when read (and removed), so a crash
 * between writes never shows a wrong match. `_id: "~built"` marks a database whose existing
 * customers have been indexed.
 */
import mongoose, { Schema } from 'mongoose';

const customerNameSchema = new Schema(
  {
    _id: { type: String, required: true },
    customerIds: { type: [String], default: [] },
  },
  { versionKey: false },
);

export const CustomerName = mongoose.model('CustomerName', customerNameSchema);
