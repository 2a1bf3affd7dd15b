/** A staff member: owner, manager, sales or support, with their own time zone. */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { STAFF_ROLES, type StaffRole } from '../src/core/actor.js';
import { LANGUAGES } from '../src/values/format.js';

export { STAFF_ROLES, type StaffRole };

const staffSchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    role: { type: String, enum: STAFF_ROLES, required: true },
    timeZone: { type: String, required: true },
    /** The language they chose with `lang vi|en`; unset, they read their chat app's language or the shop's (src/core/messages.ts `chooseLanguage`). */
    lang: { type: String, enum: LANGUAGES },
    active: { type: Boolean, default: true },
    /** Their platform identities (`telegram:1001`…): how a notification finds them with `_id` reads only. */
    identityIds: { type: [String], default: [] },
    /** Their open or snoozed follow-ups (`F7K2QM`…): what `followups` lists, read by `_id`. */
    pendingFollowUpIds: { type: [String], default: [] },
  },
  { timestamps: true, versionKey: false },
);
staffSchema.index({ role: 1 });

export type StaffDoc = InferSchemaType<typeof staffSchema> & { _id: string };
export const Staff = mongoose.model('Staff', staffSchema);
