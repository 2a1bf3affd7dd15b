/**
 * Parameter decoding and validation helpers for the {@link TelegramEmulator}.
 *
 * Why: Telegram accepts every parameter as JSON, query string, form or multipart and converts by
 * its schema; these helpers reproduce the bits the emulator needs (numbers, booleans, JSON fields,
 * command lists, MIME types) and define the error type answered as `{ ok: false, ... }`.
 *
 * @example
 * coerceParams({ chat_id: '42', reply_markup: '{"inline_keyboard":[]}' })
 * // { chat_id: 42, reply_markup: { inline_keyboard: [] } }
 */
import type { BotCommand, InlineKeyboardMarkup } from 'grammy/types';
import { isRecord, maybeJson } from './http-util.js';

/** Request parameters after decoding (JSON, form or multipart) and light type coercion. */
export type TelegramParams = Record<string, unknown>;

/**
 * An API error answered as `{ ok: false, error_code, description, parameters? }`.
 *
 * @example
 * throw new TelegramApiError(403, 'Forbidden: bot was blocked by the user');
 */
export class TelegramApiError extends Error {
  constructor(
    readonly code: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number },
  ) {
    super(description);
  }
}

const NUMERIC_PARAMS = ['message_id', 'offset', 'limit', 'timeout', 'max_connections', 'cache_time', 'message_thread_id', 'reply_to_message_id'];
const BOOLEAN_PARAMS = ['drop_pending_updates', 'show_alert', 'disable_notification', 'protect_content', 'disable_web_page_preview'];
const JSON_PARAMS = ['reply_markup', 'entities', 'caption_entities', 'commands', 'scope', 'allowed_updates', 'link_preview_options', 'reply_parameters'];

/** Key of a command list by scope and language (`setMyCommands`/`getMyCommands`). */
export function commandKey(scope: unknown, languageCode: unknown): string {
  const scopeType = isRecord(scope) && typeof scope['type'] === 'string' ? JSON.stringify(scope) : 'default';
  return `${scopeType}|${typeof languageCode === 'string' ? languageCode : ''}`;
}

/** Validates a `setMyCommands` list like Telegram (1-32 chars `[a-z0-9_]`, non-empty description). */
export function validateCommands(value: unknown): BotCommand[] {
  if (!Array.isArray(value)) throw new TelegramApiError(400, 'Bad Request: parameter "commands" is required');
  if (value.length > 100) throw new TelegramApiError(400, 'Bad Request: too many commands specified');
  return value.map((item: unknown) => {
    if (!isRecord(item) || typeof item['command'] !== 'string' || !/^[a-z0-9_]{1,32}$/.test(item['command'])) {
      throw new TelegramApiError(400, 'Bad Request: BOT_COMMAND_INVALID');
    }
    const description = item['description'];
    if (typeof description !== 'string' || description.trim() === '' || description.length > 256) {
      throw new TelegramApiError(400, 'Bad Request: BOT_COMMAND_DESCRIPTION_INVALID');
    }
    return { command: item['command'], description };
  });
}

/** `message_id` or 400 "message identifier is not specified". */
export function requireMessageId(p: TelegramParams): number {
  const id = numberParam(p['message_id']);
  if (id === undefined) throw new TelegramApiError(400, 'Bad Request: message identifier is not specified');
  return id;
}

/** A finite number, else `undefined`. */
export function numberParam(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** The markup if it is an inline keyboard (the only kind echoed back in `Message.reply_markup`). */
export function inlineMarkup(value: unknown): InlineKeyboardMarkup | undefined {
  return isRecord(value) && Array.isArray(value['inline_keyboard']) ? (value as unknown as InlineKeyboardMarkup) : undefined;
}

/**
 * Telegram accepts every parameter as a string (query/form/multipart) and converts by schema;
 * this does the same for the parameters the emulator reads.
 */
export function coerceParams(input: Record<string, unknown>): TelegramParams {
  const out: TelegramParams = { ...input };
  for (const [key, value] of Object.entries(out)) {
    if (typeof value !== 'string') continue;
    if (key === 'chat_id' || NUMERIC_PARAMS.includes(key)) {
      if (/^-?\d+$/.test(value.trim())) out[key] = Number(value.trim());
    } else if (BOOLEAN_PARAMS.includes(key)) {
      if (value === 'true' || value === 'false') out[key] = value === 'true';
    } else if (JSON_PARAMS.includes(key)) {
      out[key] = maybeJson(value);
    }
  }
  return out;
}

/** Lower-case file extension with the dot, or `''`. */
export function extensionOf(fileName: string): string {
  const match = /\.[A-Za-z0-9]{1,8}$/.exec(fileName);
  return match ? match[0].toLowerCase() : '';
}

const MIME_TYPES: Record<string, string> = {
  '.csv': 'text/csv',
  '.txt': 'text/plain',
  '.json': 'application/json',
  '.pdf': 'application/pdf',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.vcf': 'text/vcard',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
};

/** MIME type guessed from a file name (`report.csv` → `text/csv`). */
export function mimeTypeFor(fileName: string): string {
  return MIME_TYPES[extensionOf(fileName)] ?? 'application/octet-stream';
}
