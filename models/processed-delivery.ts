/**
 * Processed inbound deliveries: `_id` is the platform's delivery id
 * (`tg:<bot>:<update_id>`, `slack:<event_id>`). Insert-or-skip makes each
 * update run once, also across processes. Old records are swept by a job.
 */
import mongoose, { Schema } from 'mongoose';

const processedDeliverySchema = new Schema(
  { _id: { type: String, required: true }, at: { type: Date, default: () => new Date() } },
  { versionKey: false },
);
export const ProcessedDelivery = mongoose.model('ProcessedDelivery', processedDeliverySchema);
