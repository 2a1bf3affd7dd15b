/**
 * Input and output limits, applied once at the edge of the core (src/core/handle.ts) so no
 * command has to think about them:
 *
 * - what comes in is cleaned: NUL and other control characters removed (a NUL reaching the
 *   database fails as "BSONError … must not contain null bytes"), line ends made `\n`, broken
 *   UTF-16 replaced; names the platform sends are capped;
 * - a text longer than {@link MAX_TEXT_CHARS} is refused before any routing (the reason is a
 *   coded error, `MESSAGE_TOO_LONG`);
 * - what a reply quotes back of what the person typed is cut to {@link MAX_ECHO_CHARS}: the
 *   catalogue's quoting texts and every error text get bounded arguments ({@link boundedMessages});
 * - every reply fits a chat message: texts over {@link MAX_REPLY_CHARS} are split at line
 *   boundaries into several replies, captions cut ({@link fitReplies}).
 *
 * Limits that need the database's view (search length, tags per command) are the services':
 * `SEARCH_MAX_CHARS` and `TAGS_PER_COMMAND` in src/services/contacts.ts.
 *
 * @example
 *   const incoming = cleanIncoming(raw);             // 'find An\u0000na' → 'find Anna'
 *   if (tooLong(incoming.text)) …                    // 4,001 characters or more
 *   const replies = fitReplies(await route(incoming)); // none longer than 4,096
 */
import type { Messages } from './messages.js';
import type { Incoming, Reply } from './types.js';

/** The longest text the core accepts (Telegram allows 4,096 per message; Slack far more). */
export const MAX_TEXT_CHARS = 4_000;
/** The longest text reply (Telegram's limit for one message). */
export const MAX_REPLY_CHARS = 4_096;
/** The longest caption of a file or image reply (Telegram's limit). */
export const MAX_CAPTION_CHARS = 1_024;
/** How much of one typed value a reply quotes back. */
export const MAX_ECHO_CHARS = 120;
/** How many items of a list an error text shows (the columns of a file, say). */
export const MAX_ECHO_ITEMS = 20;
/** Names the platform sends (display names, a shared contact's, a forwarder's, file names). */
export const MAX_NAME_CHARS = 120;

/** C0 controls but tab and line feed, DEL, and C1 controls. Carriage returns are turned into line feeds first. */
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's purpose
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
/** A high surrogate without its low half, or a low one without its high half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A text with control characters removed: NUL and the rest of C0 and C1 go, tab and line feed
 * stay, `\r\n` and `\r` become `\n`, unpaired UTF-16 surrogates become U+FFFD. Printable text —
 * Vietnamese, emoji with their joiners — is untouched.
 *
 * @example
 *   cleanText('find An\u0000na\r\nnext') // → 'find Anna\nnext'
 */
export function cleanText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(CONTROL, '').replace(LONE_SURROGATE, '\uFFFD');
}

/** A cleaned name, on one line, at most {@link MAX_NAME_CHARS}. */
function cleanName(name: string): string {
  return cutAt(cleanText(name).replace(/\s+/g, ' ').trim(), MAX_NAME_CHARS);
}

/**
 * The incoming message with every free text cleaned ({@link cleanText}) and names capped. Ids
 * (chat, user, delivery) are the adapter's and pass as they are; the text's length is checked
 * separately ({@link tooLong}) so the refusal can say how long it was.
 *
 * @example
 *   cleanIncoming({ …, text: 'customer C1\u0000', displayName: 'A'.repeat(500) }) // → text 'customer C1', name of 120
 */
export function cleanIncoming(incoming: Incoming): Incoming {
  const clean: Incoming = { ...incoming, text: cleanText(incoming.text ?? ''), displayName: cleanName(incoming.displayName ?? '') };
  if (incoming.forwardedFrom) clean.forwardedFrom = { ...incoming.forwardedFrom, name: cleanName(incoming.forwardedFrom.name) };
  if (incoming.contact) {
    const { phone, firstName, lastName } = incoming.contact;
    clean.contact = {
      ...incoming.contact,
      phone: cleanName(phone),
      ...(firstName !== undefined ? { firstName: cleanName(firstName) } : {}),
      ...(lastName !== undefined ? { lastName: cleanName(lastName) } : {}),
    };
  }
  if (incoming.attachments) {
    clean.attachments = incoming.attachments.map((a) => (a.fileName === undefined ? a : { ...a, fileName: cleanName(a.fileName) }));
  }
  return clean;
}

/** Whether a (cleaned) text is over {@link MAX_TEXT_CHARS}. */
export function tooLong(text: string): boolean {
  return text.length > MAX_TEXT_CHARS;
}

/**
 * A quoted value cut to `max` characters with "…" (never between the halves of an emoji).
 *
 * @example
 *   truncateEcho('x'.repeat(500)).length // → 120
 */
export function truncateEcho(value: string, max = MAX_ECHO_CHARS): string {
  return value.length <= max ? value : `${cutAt(value, max - 1)}…`;
}

/** The first `max` UTF-16 units of a text, one fewer when the cut would split a surrogate pair. */
function cutAt(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text.charAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}

/** Catalogue texts that quote what the person typed (beside every `errors` text, which are bounded too). */
const ECHO_KEYS = ['unknownCommand', 'notFound', 'findNone', 'findTitle', 'leadInvalid', 'badAmount', 'segmentUnknown', 'importNotCsv'] as const satisfies readonly (keyof Messages)[];

/** For texts that also list what the shop defined (not typed), only these arguments are typed input. */
const TYPED_ARGS: Partial<Record<(typeof ECHO_KEYS)[number], readonly number[]>> = { segmentUnknown: [0] };

type Text = (...args: never[]) => string;

/**
 * The catalogue with bounded quoting: the texts that echo typed input ({@link ECHO_KEYS}) and every
 * error text get their string arguments cut to {@link MAX_ECHO_CHARS} and their lists to
 * {@link MAX_ECHO_ITEMS}. Texts that carry a body on purpose (a customer's message forwarded to
 * staff, a promotion) are left as they are. One place, so a command cannot forget it.
 *
 * @example
 *   boundedMessages(messagesFor('en')).findNone('x'.repeat(100_000)) // → 'No customer matches "xxxx…".' (120 characters quoted)
 */
export function boundedMessages(msg: Messages): Messages {
  const known = boundedCatalogues.get(msg);
  if (known) return known;
  const errors = Object.fromEntries(Object.entries(msg.errors).map(([key, f]) => [key, bounded(f)])) as Messages['errors'];
  const echoes = Object.fromEntries(ECHO_KEYS.map((key) => [key, bounded(msg[key] as Text, TYPED_ARGS[key])]));
  const result: Messages = { ...msg, ...echoes, errors };
  boundedCatalogues.set(msg, result);
  return result;
}

/** Bounded catalogues already built (English is one object, built once). */
const boundedCatalogues = new WeakMap<Messages, Messages>();

function bounded<F extends Text>(f: F, typed?: readonly number[]): F {
  return ((...args: unknown[]) => f(...(args.map((a, i) => (!typed || typed.includes(i) ? boundValue(a) : a)) as never[]))) as unknown as F;
}

function boundValue(value: unknown): unknown {
  if (typeof value === 'string') return truncateEcho(value);
  if (Array.isArray(value)) {
    const kept = value.slice(0, MAX_ECHO_ITEMS).map(boundValue);
    return value.length > MAX_ECHO_ITEMS && value.every((v) => typeof v === 'string') ? [...kept, '…'] : kept;
  }
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, boundValue(v)]));
  }
  return value;
}

/**
 * Replies that each fit one chat message: a text over `max` becomes several texts, split at line
 * boundaries (a single line longer than `max` at a space, or hard), with its buttons and contact
 * request on the last one; captions are cut to {@link MAX_CAPTION_CHARS}.
 *
 * @example
 *   fitReplies([text(longList)]).every((r) => r.kind !== 'text' || r.text.length <= 4096) // → true
 */
export function fitReplies(replies: readonly Reply[], max = MAX_REPLY_CHARS): Reply[] {
  return replies.flatMap((reply): Reply[] => {
    if (reply.kind !== 'text') {
      return reply.caption !== undefined && reply.caption.length > MAX_CAPTION_CHARS ? [{ ...reply, caption: truncateEcho(reply.caption, MAX_CAPTION_CHARS) }] : [reply];
    }
    if (reply.text.length <= max) return [reply];
    const pieces = splitText(reply.text, max);
    const { buttons, requestContact } = reply;
    return pieces.map((piece, i): Reply => {
      if (i < pieces.length - 1) return { kind: 'text', text: piece };
      return { kind: 'text', text: piece, ...(buttons ? { buttons } : {}), ...(requestContact !== undefined ? { requestContact } : {}) };
    });
  });
}

/**
 * A text as pieces of at most `max` characters, cut at the last line break that fits, else at
 * the last space in the second half, else hard (never inside a surrogate pair). Empty pieces are dropped.
 *
 * @example
 *   splitText('a\nb\nc', 3) // → ['a\nb', 'c']
 */
export function splitText(text: string, max = MAX_REPLY_CHARS): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let cut = rest.lastIndexOf('\n', max);
    let skip = 1;
    if (cut <= 0) {
      cut = rest.lastIndexOf(' ', max);
      if (cut < max / 2) {
        cut = cutAt(rest, max).length;
        skip = 0;
      }
    }
    pieces.push(rest.slice(0, cut));
    rest = rest.slice(cut + skip);
  }
  pieces.push(rest);
  const kept = pieces.filter((p) => p.trim() !== '');
  return kept.length > 0 ? kept : [cutAt(text, max)];
}
