/**
 * One record per message a job sends, keyed by what makes it unique:
 * `_id: "reminder:F7K2QM:1764061200000"`, `"digest:s_1a2b:2026-11-30T08:00:00.000Z"`,
 * `"complaint-alert:<interactionId>:<staffId>"`.
 *
 * Why an insert and not a flag on the source document: on FerretDB v1 (SQLite)
 * a conditional update (`updateOne({_id, sentAt: null}, …)`) is not atomic
 * across connections — two workers can both "win" it — while inserting a taken
 * `_id` always fails with E11000. The insert is the claim; the state says how
 * the send ended. See src/services/outbox.ts for the guarantee.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const OUTBOX_STATES = ['sending', 'sent', 'failed'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

const outboxSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** What kind of message: `follow-up-reminder`, `complaint-alert`, `digest`, … */
    kind: { type: String, required: true },
    /** `staff:<id>` or `customer:<id>`. */
    to: { type: String, required: true },
    state: { type: String, enum: OUTBOX_STATES, required: true },
    /** Which worker claimed it (Agenda instance name, or `command`). */
    claimedBy: { type: String },
    claimedAt: { type: Date, required: true },
    finishedAt: { type: Date },
    platform: { type: String },
    /** Why it failed (the platform's words), when it did. */
    reason: { type: String },
  },
  { versionKey: false },
);
outboxSchema.index({ state: 1, claimedAt: 1 });

export type OutboxDoc = InferSchemaType<typeof outboxSchema> & { _id: string };
export const Outbox = mongoose.model('Outbox', outboxSchema, 'outbox');
