/**
 * The shape of the update fields we read, checked before an update goes any further (webhook or
 * polling): a sender whose `message.text` is a number, a chat id that is a string, a photo list
 * that is not a list — none of it may reach the translator or the core. Unknown fields are let
 * through untouched (Telegram adds fields all the time); only the fields ./incoming.ts and the
 * adapter read are checked, with the types the Bot API documents.
 *
 * A malformed update is not an error of ours and not worth a re-send, so the adapter drops it with
 * a warning and Telegram gets its 200.
 *
 * @example
 *   const checked = checkUpdate(JSON.parse(body));
 *   if (!checked.ok) log.warn({ updateId: checked.updateId, problems: checked.problems }, 'telegram: malformed update dropped');
 */
import type { Update } from 'grammy/types';
import { z } from 'zod';

const id = z.number().int();

const user = z.object({
  id,
  first_name: z.string(),
  last_name: z.string().optional(),
  username: z.string().optional(),
  language_code: z.string().optional(),
});

const chat = z.object({ id, title: z.string().optional(), type: z.string().optional() });

/** A file as Telegram describes it (document, voice, audio, video, animation, sticker, a photo size). */
const file = z.object({
  file_id: z.string(),
  file_name: z.string().optional(),
  mime_type: z.string().optional(),
  file_size: z.number().optional(),
  duration: z.number().optional(),
});

const place = z.object({ latitude: z.number(), longitude: z.number() });

/** The origins ./incoming.ts names; an origin type Telegram adds later is let through (and not named). */
const KNOWN_ORIGINS = new Map<string, z.ZodType>([
  ['user', z.object({ sender_user: user })],
  ['hidden_user', z.object({ sender_user_name: z.string() })],
  ['chat', z.object({ sender_chat: chat, author_signature: z.string().optional() })],
  ['channel', z.object({ chat, author_signature: z.string().optional() })],
]);

const origin = z.looseObject({ type: z.string() }).superRefine((value, ctx) => {
  const known = KNOWN_ORIGINS.get(value.type);
  const result = known?.safeParse(value);
  for (const issue of result?.error?.issues ?? []) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
});

const message = z.object({
  message_id: id,
  from: user.optional(),
  chat,
  text: z.string().optional(),
  caption: z.string().optional(),
  contact: z
    .object({ phone_number: z.string(), first_name: z.string(), last_name: z.string().optional(), user_id: id.optional() })
    .optional(),
  forward_origin: origin.optional(),
  document: file.optional(),
  photo: z.array(z.object({ file_id: z.string(), file_size: z.number().optional() })).optional(),
  voice: file.optional(),
  audio: file.extend({ title: z.string().optional() }).optional(),
  video: file.optional(),
  video_note: file.optional(),
  animation: file.optional(),
  sticker: file.extend({ emoji: z.string().optional() }).optional(),
  location: place.optional(),
  venue: z.object({ location: place, title: z.string(), address: z.string() }).optional(),
  reply_to_message: z.object({ message_id: id }).optional(),
});

/** `my_chat_member`: someone blocked (`kicked`) or unblocked (`member`) the bot, or it joined or left a group. */
const chatMember = z.object({
  chat,
  from: user,
  new_chat_member: z.object({ status: z.string() }),
});

const callbackQuery = z.object({
  id: z.string(),
  from: user,
  data: z.string().optional(),
  // A message too old to edit comes as an "inaccessible message": still a chat and a message id.
  message: z.object({ message_id: id, chat }).optional(),
});

const updateShape = z.object({
  update_id: id.nonnegative(),
  message: message.optional(),
  edited_message: message.optional(),
  callback_query: callbackQuery.optional(),
  my_chat_member: chatMember.optional(),
});

/** An update whose fields we read have the documented types, or what is wrong (paths only, never values). */
export type CheckedUpdate = { ok: true; update: Update } | { ok: false; updateId: number | undefined; problems: string[] };

/**
 * Checks the fields we read; see the module comment. The update itself is returned as it came
 * (unknown fields kept), typed.
 *
 * @example
 *   checkUpdate({ update_id: 7, message: { message_id: 1, chat: { id: 42 }, text: 5 } })
 *   // → { ok: false, updateId: 7, problems: ['message.text: Invalid input: expected string, received number'] }
 */
export function checkUpdate(value: unknown): CheckedUpdate {
  const result = updateShape.safeParse(value);
  if (result.success) return { ok: true, update: value as Update };
  const rawId = (value as { update_id?: unknown } | null)?.update_id;
  return {
    ok: false,
    updateId: typeof rawId === 'number' && Number.isSafeInteger(rawId) ? rawId : undefined,
    problems: result.error.issues.slice(0, 10).map((issue) => `${issue.path.join('.') || '(update)'}: ${issue.message}`),
  };
}
