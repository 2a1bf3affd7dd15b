/**
 * A question a `lead` asked and is waiting for a person to answer with a button: "is Mai the same
 * person as C1 Nguyễn Thị Lan (same phone)?" or "is Hoa one of the customers already called Hoa?".
 * Nothing of the lead is written until the answer; the lead's details wait here.
 *
 * `_id` is a random string (`Q3fa9c1d2`) the buttons carry (`lead-answer Q3fa9c1d2 same`), so the
 * answer is one `_id` read, works from any platform's button after a restart, and is taken once:
 * `answer` is set by a conditional update, and a second press (or a re-delivered one) reads the
 * stored outcome instead of writing again.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const leadQuestionSchema = new Schema(
  {
    _id: { type: String, required: true },
    /** `shared-phone`: a known phone with another name; `same-name`: a name-only lead matching known names. */
    kind: { type: String, enum: ['shared-phone', 'same-name'], required: true },
    /** The lead as typed and parsed (services/contacts.ts `LeadInput`). */
    input: { type: Schema.Types.Mixed, required: true },
    /** The customers it may be (`C1`), the phone's holder first. */
    candidates: { type: [String], default: [] },
    /** Who asked (`staff:s_1`): only staff answer, and the answer is audited as theirs. */
    by: { type: String, required: true },
    /** `same:C1` or `new`, once answered; what the answer made or changed. */
    answer: { type: String },
    customerId: { type: String },
    /** The lead's name, kept as another name of `customerId` ("same person"). */
    alias: { type: String },
    /** A claim while the answer is being carried out (a crash mid-way lets the next press finish it). */
    answering: { type: String },
    createdAt: { type: Date, default: () => new Date() },
    answeredAt: { type: Date },
  },
  { versionKey: false, minimize: false },
);

export type LeadQuestionDoc = InferSchemaType<typeof leadQuestionSchema> & { _id: string };
export const LeadQuestion = mongoose.model('LeadQuestion', leadQuestionSchema);
