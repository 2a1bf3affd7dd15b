/**
 * Button actions too long for Telegram's 64-byte `callback_data`: the button
 * carries `~<hash>` and this collection maps the hash back to the action.
 * `_id` is the hash, so storing is an idempotent upsert and resolving a press
 * is one `_id` lookup (fast on MongoDB and FerretDB alike). The hash is a
 * content hash, so every process computes the same one for the same action;
 * a cleanup job may drop records older than a few weeks (their buttons then
 * answer "expired").
 */
import mongoose, { Schema } from 'mongoose';

const telegramCallbackSchema = new Schema(
  {
    _id: { type: String, required: true },
    action: { type: String, required: true },
    at: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);
export const TelegramCallback = mongoose.model('TelegramCallback', telegramCallbackSchema);
