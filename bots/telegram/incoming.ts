/**
 * A Telegram update → the core's platform-neutral {@link Incoming}. Nothing of
 * the raw update reaches the core: ids become strings, names are joined, files
 * become lazy `download()`s, a button press becomes its action's text.
 *
 * - `deliveryId` is `tg:<botId>:<update_id>`: Telegram re-sends the same
 *   `update_id` when a webhook answer is slow or fails, and the core runs each
 *   delivery id once (also across processes).
 * - `text` is passed through (`/lead@shop_bot …` included; the core's registry
 *   tolerates the `/` and the `@botname`). A document's or photo's caption is its text.
 * - A shared contact card keeps the card's own Telegram user id. Telegram
 *   omits `user_id` for a card of someone without a Telegram account; that is
 *   never the sender, so it becomes `''` ("nobody here") rather than "unknown",
 *   which lets the core link records only on a card of the sender's own account.
 * - A forwarded message names its origin (a user, a hidden user, a chat or channel).
 *
 * @example
 *   const incoming = await toIncoming(update, { botId: 123456, decodeAction, download });
 *   // → { platform: 'telegram', chatId: '42', userId: '42', displayName: 'Anna Nguyen', text: '/start', deliveryId: 'tg:123456:17', locale: 'vi' }
 */
import type { Message, MessageOrigin, Update, User } from 'grammy/types';
import type { Attachment, Incoming } from '../../src/core/types.js';

export interface IncomingContext {
  botId: number;
  /** `callback_data` → the button's action (`undefined`: a stored action that is gone). */
  decodeAction: (data: string) => Promise<string | undefined>;
  /** Downloads a file by its `file_id`. */
  download: (fileId: string) => Promise<Buffer>;
}

/** What became of an update: a message for the core, an expired button, or nothing we handle. */
export type Translation =
  | { kind: 'incoming'; incoming: Incoming }
  | { kind: 'expired-button'; chatId: string }
  | { kind: 'ignored' };

/**
 * Translates one update. Messages (text, caption, contact, document, photo)
 * and button presses are translated; everything else (edits, stickers alone,
 * membership changes) is `ignored`.
 */
export async function translateUpdate(update: Update, ctx: IncomingContext): Promise<Translation> {
  const deliveryId = `tg:${ctx.botId}:${update.update_id}`;
  const query = update.callback_query;
  if (query) {
    if (query.data === undefined) return { kind: 'ignored' };
    const chatId = String(query.message?.chat.id ?? query.from.id);
    const action = await ctx.decodeAction(query.data);
    if (action === undefined) return { kind: 'expired-button', chatId };
    return { kind: 'incoming', incoming: { ...who(query.from, chatId), text: action, deliveryId, fromButton: true } };
  }
  const message = update.message;
  if (!message?.from) return { kind: 'ignored' };
  const incoming: Incoming = { ...who(message.from, String(message.chat.id)), text: message.text ?? message.caption ?? '', deliveryId };
  if (message.contact) {
    const c = message.contact;
    incoming.contact = { phone: c.phone_number, firstName: c.first_name, userId: c.user_id === undefined ? '' : String(c.user_id) };
    if (c.last_name) incoming.contact.lastName = c.last_name;
  }
  const origin = message.forward_origin && originOf(message.forward_origin);
  if (origin) incoming.forwardedFrom = origin;
  const attachments = attachmentsOf(message, ctx);
  if (attachments.length > 0) incoming.attachments = attachments;
  if (incoming.text === '' && !incoming.contact && !incoming.attachments) return { kind: 'ignored' };
  return { kind: 'incoming', incoming };
}

function who(from: User, chatId: string): Omit<Incoming, 'text' | 'deliveryId'> {
  const base: Omit<Incoming, 'text' | 'deliveryId'> = {
    platform: 'telegram',
    chatId,
    userId: String(from.id),
    displayName: displayName(from),
  };
  if (from.language_code) base.locale = from.language_code;
  return base;
}

/** `Anna Nguyen`, or the username, or `User 42` — never empty. */
export function displayName(user: Pick<User, 'id' | 'first_name' | 'last_name' | 'username'>): string {
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ').trim();
  return name || user.username || `User ${user.id}`;
}

/** Who a forwarded message came from; `undefined` for an origin type newer than this code. */
function originOf(origin: MessageOrigin): { name: string; userId?: string } | undefined {
  switch (origin.type) {
    case 'user':
      return { name: displayName(origin.sender_user), userId: String(origin.sender_user.id) };
    case 'hidden_user':
      return { name: origin.sender_user_name };
    case 'chat':
      return { name: origin.author_signature || ('title' in origin.sender_chat ? origin.sender_chat.title : undefined) || 'a chat' };
    case 'channel':
      return { name: origin.author_signature || origin.chat.title || 'a channel' };
    default:
      return undefined;
  }
}

function attachmentsOf(message: Message, ctx: IncomingContext): Attachment[] {
  const out: Attachment[] = [];
  const doc = message.document;
  if (doc) {
    const a: Attachment = { kind: 'file', download: () => ctx.download(doc.file_id) };
    if (doc.file_name) a.fileName = doc.file_name;
    if (doc.mime_type) a.mimeType = doc.mime_type;
    if (doc.file_size !== undefined) a.size = doc.file_size;
    out.push(a);
  }
  // Telegram sends each photo in several sizes; the last is the largest.
  const photo = message.photo?.[message.photo.length - 1];
  if (photo) {
    const a: Attachment = { kind: 'image', mimeType: 'image/jpeg', download: () => ctx.download(photo.file_id) };
    if (photo.file_size !== undefined) a.size = photo.file_size;
    out.push(a);
  }
  return out;
}
