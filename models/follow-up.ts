/**
 * A follow-up: a staff member (`assigneeId`) should get back to a customer at
 * `dueAt`. `_id` is a short code people type (`F7K2QM`) or, for automatic
 * ones, a deterministic key (`auto:lead:12`) so they are created once.
 *
 * Status: `open` → `done` (doneAt) or `cancelled`; `snoozed` is open with a
 * later `dueAt`. `remindedAt` is set once the reminder for the current
 * `dueAt` went out; snoozing clears it.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const FOLLOW_UP_STATUSES = ['open', 'done', 'snoozed', 'cancelled'] as const;
export type FollowUpStatus = (typeof FOLLOW_UP_STATUSES)[number];

const followUpSchema = new Schema(
  {
    _id: { type: String, required: true },
    customerId: { type: String, required: true },
    /** Staff id of the person to remind. */
    assigneeId: { type: String, required: true },
    dueAt: { type: Date, required: true },
    text: { type: String, default: '' },
    status: { type: String, enum: FOLLOW_UP_STATUSES, default: 'open' },
    doneAt: { type: Date },
    /** When the reminder for the current `dueAt` was sent (cleared by snooze). */
    remindedAt: { type: Date },
    /** `staff:<id>` or `auto` (created by a job). */
    createdBy: { type: String, required: true },
    /** `manual`, `auto-lead`, `lapsed` (from the digest button). */
    source: { type: String, default: 'manual' },
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);
followUpSchema.index({ assigneeId: 1, status: 1, dueAt: 1 });
followUpSchema.index({ status: 1, dueAt: 1 });

export type FollowUpDoc = InferSchemaType<typeof followUpSchema> & { _id: string };
export const FollowUp = mongoose.model('FollowUp', followUpSchema);
