/**
 * Storage for button actions too long to travel with the button (Telegram's
 * 64-byte `callback_data`): a key → action map with idempotent writes, so
 * adapters keep no database code of their own.
 *
 * @example
 *   await storeButtonAction('~3fa9…', 'order status O7 delivered');
 *   await storedButtonAction('~3fa9…'); // → 'order status O7 delivered'
 */
import { TelegramCallback } from '../../models/telegram-callback.js';
import { isDuplicateKey } from '../db/writes.js';

/** Stores `action` under `key` once; storing the same key again is a no-op. */
export async function storeButtonAction(key: string, action: string): Promise<void> {
  try {
    await TelegramCallback.updateOne({ _id: key }, { $setOnInsert: { action, at: new Date() } }, { upsert: true });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error; // a racing process stored the same action first
  }
}

/** The action stored under `key`, or `undefined` when it was never stored or has been cleaned up. */
export async function storedButtonAction(key: string): Promise<string | undefined> {
  const found = await TelegramCallback.findById(key, { action: 1 }).lean<{ action: string }>();
  return found?.action;
}
