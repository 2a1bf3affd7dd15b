/**
 * Splitting long texts for Telegram, which refuses messages over 4,096
 * characters ("Bad Request: message is too long"). Pure functions, no grammY.
 *
 * Why line boundaries: a customer card or an order list is made of lines;
 * cutting between lines keeps every part readable on its own. A single line
 * longer than the limit is cut at its last space before the limit, and only
 * a line without spaces is cut mid-word. A surrogate pair (an emoji) is never
 * cut in half. Lengths are counted in UTF-16 code units, as Telegram does.
 */

/** Telegram's limit for a text message. */
export const TELEGRAM_TEXT_LIMIT = 4096;

/** Telegram's limit for a photo or document caption. */
export const TELEGRAM_CAPTION_LIMIT = 1024;

/**
 * Splits `text` into parts of at most `limit` UTF-16 units, preferring line
 * boundaries, then spaces; parts that would be blank are dropped (Telegram
 * refuses empty messages). Joining the parts with the separators they were
 * cut at gives back the text.
 *
 * @example
 *   splitText('a\nb\nc', 3) // → ['a\nb', 'c']
 *   splitText('one two three', 8) // → ['one two', 'three']
 */
export function splitText(text: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  if (!Number.isInteger(limit) || limit < 2) throw new RangeError('limit must be an integer of at least 2');
  if (text.length <= limit) return text.trim() === '' ? [] : [text];
  const parts: string[] = [];
  let current = '';
  const flush = () => {
    if (current.trim() !== '') parts.push(current);
    current = '';
  };
  for (const line of text.split('\n')) {
    const joined = current === '' ? line : `${current}\n${line}`;
    if (joined.length <= limit) {
      current = joined;
      continue;
    }
    flush();
    if (line.length <= limit) {
      current = line;
      continue;
    }
    const pieces = splitLine(line, limit);
    current = pieces.pop() ?? '';
    for (const piece of pieces) if (piece.trim() !== '') parts.push(piece);
  }
  flush();
  return parts;
}

/** Cuts one over-long line: at the last space before the limit, else at the limit (never inside a surrogate pair). */
function splitLine(line: string, limit: number): string[] {
  const pieces: string[] = [];
  let rest = line;
  while (rest.length > limit) {
    let cut = rest.lastIndexOf(' ', limit);
    if (cut <= 0) {
      cut = limit;
      if (isHighSurrogate(rest.charCodeAt(cut - 1))) cut -= 1;
      pieces.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    } else {
      pieces.push(rest.slice(0, cut));
      rest = rest.slice(cut + 1); // the space we cut at is the separator
    }
  }
  pieces.push(rest);
  return pieces;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

