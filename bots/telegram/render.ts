/**
 * The core's `Reply[]` → the Telegram messages that show it, one outbound
 * function per kind (text, file, image) in a dispatch table.
 *
 * Texts go out as plain text (no `parse_mode`), so a customer's `*`, `_` or
 * `<b>` can never break formatting or inject markup, and nothing needs
 * escaping. Long texts are split on line boundaries ({@link splitText}) with
 * the buttons on the last part. Buttons become an inline keyboard whose
 * `callback_data` is the button's action ({@link encodeAction} shortens long
 * ones); `requestContact` becomes a one-time reply keyboard with a "share my
 * phone" button. A caption over Telegram's 1,024 limit follows the file as text.
 *
 * @example
 *   const messages = await renderReplies([text('Saved.', [[{ label: 'Open', action: 'customer C1' }]])], encodeAction);
 *   // → [{ method: 'sendMessage', text: 'Saved.', replyMarkup: { inline_keyboard: [[{ text: 'Open', callback_data: 'customer C1' }]] } }]
 */
import { InlineKeyboard, Keyboard } from 'grammy';
import type { InlineKeyboardMarkup, ReplyKeyboardMarkup } from 'grammy/types';
import type { Button, Reply } from '../../src/core/types.js';
import { splitText } from './split.js';

/** Telegram's limit for a photo or document caption. */
export const CAPTION_LIMIT = 1024;

/** One Bot API call that shows (part of) a reply. */
export type Outbound =
  | { method: 'sendMessage'; text: string; replyMarkup?: InlineKeyboardMarkup | ReplyKeyboardMarkup }
  | { method: 'sendDocument'; data: Buffer; fileName: string; caption?: string }
  | { method: 'sendPhoto'; data: Buffer; fileName: string; caption?: string };

/** Turns a button action into `callback_data`. */
export type ActionEncoder = (action: string) => Promise<string>;

type Renderer<K extends Reply['kind']> = (reply: Extract<Reply, { kind: K }>, encode: ActionEncoder) => Promise<Outbound[]>;

const renderers: { [K in Reply['kind']]: Renderer<K> } = {
  async text(reply, encode) {
    const parts = splitText(reply.text);
    const out: Outbound[] = parts.map((part) => ({ method: 'sendMessage', text: part }));
    const keyboard = reply.buttons?.length ? await inlineKeyboard(reply.buttons, encode) : undefined;
    const last = out[out.length - 1];
    if (keyboard) {
      // Buttons go on the last part (or on a marker, should the text be blank).
      if (last?.method === 'sendMessage') last.replyMarkup = keyboard;
      else out.push({ method: 'sendMessage', text: '⬇️', replyMarkup: keyboard });
    }
    if (reply.requestContact) {
      // One keyboard per message: the contact button gets its own when the text already has buttons.
      const contact = contactKeyboard(reply.requestContact);
      if (last?.method === 'sendMessage' && !last.replyMarkup) last.replyMarkup = contact;
      else out.push({ method: 'sendMessage', text: reply.requestContact, replyMarkup: contact });
    }
    return out;
  },
  async file(reply) {
    return withCaption({ method: 'sendDocument', data: reply.data, fileName: reply.fileName }, reply.caption);
  },
  async image(reply) {
    return withCaption({ method: 'sendPhoto', data: reply.data, fileName: reply.fileName }, reply.caption);
  },
  // A forward is not rendered ahead: it copies or downloads, so the sender runs it (./sender.ts).
  async forward() {
    return [];
  },
};

/**
 * The Telegram messages for a list of replies, in order.
 *
 * @example
 *   await renderReplies([{ kind: 'text', text: 'Share your phone', requestContact: 'Share' }], encodeAction)
 *   // → [{ method: 'sendMessage', text: 'Share your phone', replyMarkup: { keyboard: [[{ text: 'Share', request_contact: true }]], one_time_keyboard: true, resize_keyboard: true } }]
 */
export async function renderReplies(replies: readonly Reply[], encode: ActionEncoder): Promise<Outbound[]> {
  const out: Outbound[] = [];
  for (const reply of replies) out.push(...(await renderOne(reply, encode)));
  return out;
}

function renderOne(reply: Reply, encode: ActionEncoder): Promise<Outbound[]> {
  switch (reply.kind) {
    case 'text':
      return renderers.text(reply, encode);
    case 'file':
      return renderers.file(reply, encode);
    case 'image':
      return renderers.image(reply, encode);
    case 'forward':
      return renderers.forward(reply, encode);
  }
}

async function inlineKeyboard(rows: Button[][], encode: ActionEncoder): Promise<InlineKeyboardMarkup> {
  const built: Parameters<typeof InlineKeyboard.from>[0] = [];
  for (const row of rows) {
    if (row.length === 0) continue;
    const buttons = [];
    for (const b of row) buttons.push(InlineKeyboard.text(b.label, await encode(b.action)));
    built.push(buttons);
  }
  return { inline_keyboard: InlineKeyboard.from(built).inline_keyboard };
}

function contactKeyboard(label: string): ReplyKeyboardMarkup {
  const kb = new Keyboard().requestContact(label).oneTime().resized();
  return { keyboard: kb.build(), one_time_keyboard: true, resize_keyboard: true };
}

/**
 * A file with its caption: on the file when it fits Telegram's 1,024 characters, else as text after it.
 *
 * @example
 *   withCaption({ method: 'sendPhoto', data, fileName: 'a.jpg' }, 'blue dress?') // → [{ method: 'sendPhoto', …, caption: 'blue dress?' }]
 */
export function withCaption(file: Exclude<Outbound, { method: 'sendMessage' }>, caption: string | undefined): Outbound[] {
  if (caption === undefined || caption.trim() === '') return [file];
  if (caption.length <= CAPTION_LIMIT) return [{ ...file, caption }];
  return [file, ...splitText(caption).map((part): Outbound => ({ method: 'sendMessage', text: part }))];
}
