/**
 * Unique contact keys: `_id: "phone:+84912345678"` or `_id: "email:anna@shop.vn"`
 * → the customer that owns it. Inserting a taken key is the duplicate check
 * (no race, no optional unique index), and merging is moving keys.
 */
import mongoose, { Schema } from 'mongoose';

const contactKeySchema = new Schema(
  {
    _id: { type: String, required: true },
    customerId: { type: String, required: true },
    /**
     * Other customers (`"C9"`) who also use this phone — a second person on a family phone, by a
     * person's explicit answer (services/lead-questions.ts). `customerId` stays the first holder;
     * a lookup by the phone names the holder and lists these.
     */
    sharedWith: { type: [String], default: undefined },
  },
  { versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);
contactKeySchema.index({ customerId: 1 });

export const ContactKey = mongoose.model('ContactKey', contactKeySchema);

/** The key for a normalised phone or e-mail. */
export function contactKey(kind: 'phone' | 'email', value: string): string {
  return `${kind}:${value}`;
}
