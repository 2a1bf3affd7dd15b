/**
 * A manager's weekly digest subscription; `_id` is the staff id (one each).
 * `nextRunAt` is the next local `day` + `time` in `timeZone`, recomputed with
 * luxon after every run so it stays at 09:00 local across DST changes.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const digestSubscriptionSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** ISO weekday, 1 = Monday … 7 = Sunday. */
    day: { type: Number, required: true, min: 1, max: 7 },
    /** Local time, `HH:mm`. */
    time: { type: String, required: true },
    timeZone: { type: String, required: true },
    active: { type: Boolean, default: true },
    nextRunAt: { type: Date, required: true },
    lastSentAt: { type: Date },
    updatedAt: { type: Date },
  },
  { versionKey: false },
);
digestSubscriptionSchema.index({ active: 1, nextRunAt: 1 });

export type DigestSubscriptionDoc = InferSchemaType<typeof digestSubscriptionSchema> & { _id: string };
export const DigestSubscription = mongoose.model('DigestSubscription', digestSubscriptionSchema);
