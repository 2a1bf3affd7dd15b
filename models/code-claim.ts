/**
 * The redemption of a one-time code ({@link Invite}): `_id` is the code itself. Inserting it
 * is what makes a code single-use — of twenty accounts sending `join <CODE>` at the same moment,
 * exactly one insert succeeds, on MongoDB with several processes and on FerretDB alike (a
 * conditional "mark as used" update is not atomic across FerretDB connections). A redemption that
 * is refused afterwards (already staff, linking the same account) deletes its claim again.
 * `expiresAt` copies the code's, so the cleanup job sweeps both by the same rule.
 */
import mongoose, { Schema } from 'mongoose';

const codeClaimSchema = new Schema(
  {
    _id: { type: String, required: true },
    by: { type: String, required: true },
    at: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
  },
  { versionKey: false },
);
export const CodeClaim = mongoose.model('CodeClaim', codeClaimSchema);
