/**
 * A platform identity → exactly one staff member or customer.
 * `_id` is `"telegram:1001"`, `"slack:T0001:U1001"` or `"console:owner"`,
 * so resolving who is talking is one `_id` lookup.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const identitySchema = new Schema(
  {
    _id: { type: String, required: true },
    platform: { type: String, required: true },
    platformUserId: { type: String, required: true },
    kind: { type: String, enum: ['staff', 'customer'], required: true },
    /** Staff `_id` (`s_1a2b`) or customer `_id` (`C12`). */
    refId: { type: String, required: true },
    /** Where to reach this person (a DM chat/channel id), when known. */
    chatId: { type: String },
    displayName: { type: String },
  },
  { timestamps: true, versionKey: false },
);
identitySchema.index({ kind: 1, refId: 1 });

export type IdentityDoc = InferSchemaType<typeof identitySchema> & { _id: string };
export const Identity = mongoose.model('Identity', identitySchema);

/** The `_id` of an identity. */
export function identityId(platform: string, platformUserId: string): string {
  return `${platform}:${platformUserId}`;
}
