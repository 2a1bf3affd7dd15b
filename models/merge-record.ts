/**
 * What a merge moved, so `unmerge` can put it back exactly: the keys, orders,
 * interactions and identities that went from the merged customer to the kept one.
 */
import mongoose, { Schema } from 'mongoose';

const mergeRecordSchema = new Schema(
  {
    keptId: { type: String, required: true },
    mergedId: { type: String, required: true },
    by: { type: String, required: true },
    keys: { type: [String], default: [] },
    orderIds: { type: [String], default: [] },
    interactionIds: { type: [Schema.Types.ObjectId], default: [] },
    identityIds: { type: [String], default: [] },
    /** The kept customer's fields before the merge. */
    keptBefore: { type: Schema.Types.Mixed },
    undoneAt: { type: Date },
  },
  { versionKey: false, timestamps: true },
);
mergeRecordSchema.index({ mergedId: 1 });
export const MergeRecord = mongoose.model('MergeRecord', mergeRecordSchema);
