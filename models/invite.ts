/**
 * One-time codes: staff invites (`kind: 'invite'`, with a role) and
 * cross-platform link codes (`kind: 'link'`). `_id` is the code itself.
 * Expiry is checked on use and swept by a cleanup job (no TTL index on FerretDB).
 */
import mongoose, { Schema } from 'mongoose';

const inviteSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** `start`: a customer's one-time chat link (`t.me/<bot>?start=<code>`, src/services/start-links.ts). */
    kind: { type: String, enum: ['invite', 'link', 'start'], required: true },
    role: { type: String },
    /** For link codes: the identity kind and ref that the new identity should point at. */
    targetKind: { type: String },
    targetRef: { type: String },
    createdBy: { type: String, required: true },
    expiresAt: { type: Date, required: true },
    usedBy: { type: String },
    usedAt: { type: Date },
  },
  { versionKey: false, timestamps: true },
);
export const Invite = mongoose.model('Invite', inviteSchema);
