/** Everything said with or about a customer: their messages, complaints, staff notes, our replies. */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

const interactionSchema = new Schema(
  {
    customerId: { type: String, required: true },
    kind: { type: String, enum: ['message', 'complaint', 'note', 'reply'], required: true },
    text: { type: String, default: '' },
    platform: { type: String },
    staffId: { type: String },
    priority: { type: String, enum: ['normal', 'high'], default: 'normal' },
    at: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);
interactionSchema.index({ customerId: 1, at: -1 });

export type InteractionDoc = InferSchemaType<typeof interactionSchema>;
export const Interaction = mongoose.model('Interaction', interactionSchema);
