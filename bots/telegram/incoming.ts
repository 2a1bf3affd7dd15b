/**
 * A Telegram update → the core's platform-neutral {@link Incoming}. Nothing of
 * the raw update reaches the core: ids become strings, names are joined, files
 * become lazy `download()`s, a button press becomes its action's text.
 *
 * - `deliveryId` is `tg:<botId>:<update_id>`: Telegram re-sends the same
 *   `update_id` when a webhook answer is slow or fails, and the core runs each
 *   delivery id once (also across processes).
 * - `text` is passed through (`/lead@shop_bot …` included; the core's registry
 *   tolerates the `/` and the `@botname`). A command addressed to another bot
 *   (`/lead@other_bot …`) is not for us and is ignored. A document's caption is its text.
 * - Every kind of message a customer sends arrives: a photo, voice note, audio, video,
 *   document, sticker or location has a one-line summary as its text when it has no caption
 *   (`[photo]`, `[location] https://maps.google.com/?q=…`; ../shared/summary.ts), its files as
 *   attachments (with their `file_id`), and `source` — the chat and message id a `forward`
 *   reply copies it from.
 * - An edited message (`edited_message`, private chats) arrives as `✏️ edited: <new text>` with
 *   `edit.messageId`; Telegram does not send the old text (the earlier message is stored already).
 * - Groups: only commands for us are taken (`/cmd`, `/cmd@<this bot>`); chatter, media and edits
 *   in a group are ignored. A group command comes with `conversation: 'group'` and the sender's
 *   private chat as `chatId` — the adapter answers there (staff) or hints to write privately.
 * - `my_chat_member` in a private chat: `kicked` (the person blocked the bot) or `member`
 *   (unblocked) → a membership change for the adapter to record.
 * - A shared contact card keeps the card's own Telegram user id. Telegram
 *   omits `user_id` for a card of someone without a Telegram account; that is
 *   never the sender, so it becomes `''` ("nobody here") rather than "unknown",
 *   which lets the core link records only on a card of the sender's own account.
 * - A forwarded message names its origin (a user, a hidden user, a chat or channel).
 * - A reply to a message carries `replyTo`, that message's key (`tg:<chat>:<message_id>`): a
 *   staff member answering a customer's notification answers the customer.
 *
 * @example
 *   const t = await translateUpdate(update, { botId: 123456, botUsername: 'shop_bot', decodeAction, isLiveAction, download });
 *   // → { kind: 'incoming', incoming: { platform: 'telegram', chatId: '42', userId: '42', displayName: 'Anna Nguyen', text: '/start', deliveryId: 'tg:123456:17', locale: 'vi' } }
 */
import type { Message, MessageOrigin, Update, User } from 'grammy/types';
import { messagesFor } from '../../src/core/messages.js';
import type { Attachment, Incoming, SharedLocation } from '../../src/core/types.js';
import { platformMessageKey } from '../../src/services/conversations.js';
import { editSummary, summarise } from '../shared/summary.js';

export interface IncomingContext {
  botId: number;
  /** The bot's username (`getMe`): commands addressed to another bot are ignored. */
  botUsername?: string;
  /** `callback_data` → the button's action (`undefined`: a stored action that is gone). */
  decodeAction: (data: string) => Promise<string | undefined>;
  /** Whether a decoded action still runs something (../shared/buttons.ts); default: any action. */
  isLiveAction?: (action: string) => boolean;
  /** Downloads a file by its `file_id`. */
  download: (fileId: string) => Promise<Buffer>;
}

/** What became of an update: a message for the core, an expired button, a block/unblock, or nothing we handle. */
export type Translation =
  | { kind: 'incoming'; incoming: Incoming; /** The group it was written in (the answer goes privately). */ groupChatId?: string }
  | { kind: 'expired-button'; chatId: string }
  | { kind: 'membership'; userId: string; reachable: boolean }
  | { kind: 'ignored'; reason: string };

const GROUP_TYPES = new Set(['group', 'supergroup', 'channel']);

/** See the module comment. */
export async function translateUpdate(update: Update, ctx: IncomingContext): Promise<Translation> {
  const deliveryId = `tg:${ctx.botId}:${update.update_id}`;
  const query = update.callback_query;
  if (query) {
    if (query.data === undefined) return { kind: 'ignored', reason: 'callback without data' };
    const chat = query.message?.chat;
    const inGroup = chat !== undefined && GROUP_TYPES.has(chat.type);
    const chatId = String(inGroup || !chat ? query.from.id : chat.id);
    const action = await ctx.decodeAction(query.data);
    if (action === undefined || !(ctx.isLiveAction?.(action) ?? true)) return { kind: 'expired-button', chatId: String(chat?.id ?? query.from.id) };
    const incoming: Incoming = { ...who(query.from, chatId), text: action, deliveryId, fromButton: true };
    if (inGroup) incoming.conversation = 'group';
    return inGroup ? { kind: 'incoming', incoming, groupChatId: String(chat.id) } : { kind: 'incoming', incoming };
  }
  const member = update.my_chat_member;
  if (member) {
    if (member.chat.type !== 'private') return { kind: 'ignored', reason: 'membership in a group' };
    const status = member.new_chat_member.status;
    if (status === 'kicked') return { kind: 'membership', userId: String(member.from.id), reachable: false };
    if (status === 'member') return { kind: 'membership', userId: String(member.from.id), reachable: true };
    return { kind: 'ignored', reason: `membership ${status}` };
  }
  const edited = update.edited_message;
  const message = update.message ?? edited;
  if (!message) return { kind: 'ignored', reason: `update ${Object.keys(update).find((k) => k !== 'update_id') ?? 'empty'}` };
  if (!message.from || message.from.is_bot) return { kind: 'ignored', reason: 'no human sender' };
  const words = message.text ?? message.caption ?? '';
  const addressee = /^\/[A-Za-z0-9_]+@([A-Za-z0-9_]+)/.exec(words)?.[1];
  if (addressee && ctx.botUsername && addressee.toLowerCase() !== ctx.botUsername.toLowerCase()) {
    return { kind: 'ignored', reason: 'command for another bot' };
  }
  const inGroup = GROUP_TYPES.has(message.chat.type);
  if (inGroup) {
    if (edited || message.text === undefined || !message.text.startsWith('/')) return { kind: 'ignored', reason: 'group chatter' };
    const incoming: Incoming = { ...who(message.from, String(message.from.id)), text: message.text, deliveryId, conversation: 'group' };
    return { kind: 'incoming', incoming, groupChatId: String(message.chat.id) };
  }
  const msg = messagesFor(message.from.language_code);
  const attachments = attachmentsOf(message, ctx);
  const location = locationOf(message);
  const text = summarise(msg, { attachment: attachments[0], location, caption: message.text ?? message.caption });
  const incoming: Incoming = { ...who(message.from, String(message.chat.id)), text, deliveryId };
  if (message.contact) {
    const c = message.contact;
    incoming.contact = { phone: c.phone_number, firstName: c.first_name, userId: c.user_id === undefined ? '' : String(c.user_id) };
    if (c.last_name) incoming.contact.lastName = c.last_name;
  }
  const origin = message.forward_origin && originOf(message.forward_origin);
  if (origin) incoming.forwardedFrom = origin;
  if (attachments.length > 0) incoming.attachments = attachments;
  if (location) incoming.location = location;
  if (incoming.text === '' && !incoming.contact) return { kind: 'ignored', reason: 'nothing we read (a service message?)' };
  incoming.source = { platform: 'telegram', chatId: String(message.chat.id), messageId: String(message.message_id) };
  // A reply to one of the bot's messages (a staff member answering a customer's notification).
  const repliedTo = message.reply_to_message?.message_id;
  if (repliedTo !== undefined) incoming.replyTo = platformMessageKey('telegram', String(message.chat.id), String(repliedTo));
  if (edited) {
    if (incoming.contact) return { kind: 'ignored', reason: 'edited contact' };
    incoming.text = editSummary(msg, incoming.text);
    incoming.edit = { messageId: String(message.message_id) };
  }
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

/** The place of a location or venue message. */
function locationOf(message: Message): SharedLocation | undefined {
  const venue = message.venue;
  if (venue) return { latitude: venue.location.latitude, longitude: venue.location.longitude, title: venue.title, address: venue.address };
  const location = message.location;
  return location ? { latitude: location.latitude, longitude: location.longitude } : undefined;
}

interface TelegramFile {
  file_id: string;
  file_size?: number;
  file_name?: string;
  mime_type?: string;
  duration?: number;
}

/** One attachment per message (Telegram sends one file per message; an album is several messages). */
function attachmentsOf(message: Message, ctx: IncomingContext): Attachment[] {
  const caption = message.caption;
  const make = (kind: Attachment['kind'], file: TelegramFile, extra: Partial<Attachment> = {}): Attachment[] => {
    const a: Attachment = { kind, fileRef: file.file_id, download: () => ctx.download(file.file_id), ...extra };
    if (file.file_name) a.fileName = file.file_name;
    if (file.mime_type) a.mimeType = file.mime_type;
    if (file.file_size !== undefined) a.size = file.file_size;
    if (file.duration !== undefined) a.durationSec = file.duration;
    if (caption) a.caption = caption;
    return [a];
  };
  // An animation (GIF) also comes as `document`, for old clients: the animation is what it is.
  if (message.animation) return make('video', message.animation);
  if (message.document) return make('file', message.document);
  // Telegram sends each photo in several sizes; the last is the largest.
  const photo = message.photo?.[message.photo.length - 1];
  if (photo) return make('image', photo, { mimeType: 'image/jpeg' });
  if (message.voice) return make('voice', message.voice);
  if (message.audio) return make('audio', message.audio, message.audio.title ? { fileName: message.audio.file_name ?? message.audio.title } : {});
  if (message.video) return make('video', message.video);
  if (message.video_note) return make('video', message.video_note);
  if (message.sticker) return make('sticker', message.sticker, message.sticker.emoji ? { emoji: message.sticker.emoji } : {});
  return [];
}
