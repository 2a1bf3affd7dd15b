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
    /**
     * A reply to the customer (`kind: 'reply'`, `staffId` its author): how its send ended —
     * `sending` until the platform answered, then `sent` or `failed`. Only a `sent` reply (or one
     * from before this field) counts as a response; notes never leave the shop.
     */
    delivery: { type: String, enum: ['sending', 'sent', 'failed'] },
    /** A reply: the outbox claim that sends it once (`reply:<deliveryId>`). */
    outboxKey: { type: String },
    /** A failed reply: the platform's words. */
    failure: { type: String },
    /**
     * What a customer sent besides words (adapters: real traffic): the kind (`image`, `voice`,
     * `file`, `location`…), its caption, and the platform's own reference to the file (Telegram
     * `file_id`, Slack file id) — enough to fetch or re-send it later. `text` holds its summary.
     */
    media: {
      type: new Schema(
        {
          kind: { type: String },
          caption: { type: String },
          fileRef: { type: String },
          fileName: { type: String },
          mimeType: { type: String },
          latitude: { type: Number },
          longitude: { type: Number },
        },
        { _id: false },
      ),
    },
    /** Where the message is on its platform (`telegram:<chat>:<message_id>`, `slack:<channel>:<ts>`). */
    sourceRef: { type: String },
    /** An edit of an earlier message: that message's platform id, and its old text when the platform told it. */
    editOf: { type: String },
    previousText: { type: String },
  },
  { versionKey: false },
);
interactionSchema.index({ customerId: 1, at: -1 });

export type InteractionDoc = InferSchemaType<typeof interactionSchema>;
export const Interaction = mongoose.model('Interaction', interactionSchema);
