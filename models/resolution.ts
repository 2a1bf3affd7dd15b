/**
 * What became of each resolved conversation, and the customer's rating of it.
 *
 * - {@link Resolution}: `_id` names the conversation — its customer and when it opened,
 *   `"C12:1772420400000"` — so a conversation resolved twice at the same moment (two staff, a
 *   re-pressed button) is recorded once (a unique `_id` insert). It says who resolved it, who
 *   answered for it (the assignee, else the resolver: the person its rating counts for), and,
 *   once the customer pressed a button, the rating (1–5). `stats` reads these per period.
 * - {@link RatingClaim}: `_id` is the same conversation key. Inserting it is what makes a rating
 *   count once: of two presses at the same moment only one insert succeeds (a conditional
 *   "rating is still empty" update is not atomic across FerretDB connections).
 *
 * The conversation document itself (models/conversation.ts) is one per customer and is reused by
 * their next conversation; these records keep each conversation's outcome.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const resolutionSchema = new Schema(
  {
    /** `"<customerId>:<openedAt ms>"`: see {@link conversationKey} in src/services/ratings.ts. */
    _id: { type: String, required: true },
    customerId: { type: String, required: true },
    openedAt: { type: Date, required: true },
    resolvedAt: { type: Date, required: true },
    /** The staff member who resolved it. */
    resolvedBy: { type: String, required: true },
    /** Whose conversation it was: the assignee when resolved, else the resolver. Ratings count for them. */
    creditedTo: { type: String, required: true },
    /** When the customer was asked to rate it (absent: no chat with the bot, or they sent `stop`). */
    askedAt: { type: Date },
    /** The customer's rating, 1–5, and when they gave it. */
    rating: { type: Number, min: 1, max: 5 },
    ratedAt: { type: Date },
  },
  { versionKey: false },
);

export type ResolutionDoc = InferSchemaType<typeof resolutionSchema> & { _id: string };
export const Resolution = mongoose.model('Resolution', resolutionSchema, 'resolutions');

const ratingClaimSchema = new Schema(
  {
    /** The conversation key, as {@link Resolution}'s. */
    _id: { type: String, required: true },
    value: { type: Number, required: true },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export const RatingClaim = mongoose.model('RatingClaim', ratingClaimSchema, 'ratingclaims');
