/**
 * A button's action ↔ Telegram `callback_data`, which is limited to 64 bytes.
 *
 * Short actions (`customer C12`, `order status O7 paid`) travel as they are:
 * no storage, nothing to expire. A longer one (`find <a long query> page 2`)
 * travels as `~` plus a content hash and is stored in the TelegramCallback collection (through src/services/button-actions.ts)
 * under that hash. Content hashing makes the mapping the same in every process
 * and storing it an idempotent upsert; an action that itself starts with `~`
 * is always hashed, so decoding is never ambiguous.
 *
 * Pressing a button is no more powerful than typing its action: the core checks
 * permissions on every command, so forged callback data gains nothing.
 *
 * @example
 *   await encodeAction('customer C12')            // → 'customer C12'
 *   await encodeAction(`find ${'x'.repeat(80)}`)  // → '~Jm2…' (stored)
 *   await decodeCallbackData('~Jm2…')            // → 'find xxx…'
 */
import { createHash } from 'node:crypto';
import { storeButtonAction, storedButtonAction } from '../../src/services/button-actions.js';

/** Telegram's limit for `callback_data`, in bytes. */
export const CALLBACK_DATA_LIMIT = 64;
const HASH_PREFIX = '~';

/**
 * The `callback_data` for an action, and whether the action must be stored
 * for it (pure: the storing is done by {@link encodeAction}).
 *
 * @example
 *   callbackDataFor('consent yes') // → { data: 'consent yes', stored: false }
 */
export function callbackDataFor(action: string): { data: string; stored: boolean } {
  if (action.length > 0 && !action.startsWith(HASH_PREFIX) && Buffer.byteLength(action, 'utf8') <= CALLBACK_DATA_LIMIT) {
    return { data: action, stored: false };
  }
  const hash = createHash('sha256').update(action, 'utf8').digest('base64url').slice(0, 24);
  return { data: `${HASH_PREFIX}${hash}`, stored: true };
}

/** Encodes an action as `callback_data`, storing long ones (see the module comment). */
export async function encodeAction(action: string): Promise<string> {
  const { data, stored } = callbackDataFor(action);
  if (stored) await storeButtonAction(data, action);
  return data;
}

/** The action behind pressed `callback_data`, or `undefined` when a stored one is gone. */
export async function decodeCallbackData(data: string): Promise<string | undefined> {
  if (!data.startsWith(HASH_PREFIX)) return data;
  return storedButtonAction(data);
}
