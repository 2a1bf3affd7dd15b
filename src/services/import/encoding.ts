/**
 * Which text encoding an imported file is in, and its text as a UTF-8 stream.
 * Shops in Vietnam send what Excel saved: "CSV UTF-8" (with a BOM), "Unicode
 * Text" (UTF-16 LE, BOM optional, tab-separated) or plain "CSV" in the PC's
 * ANSI code page — Windows-1258 on Vietnamese Windows, which writes tone marks
 * as combining characters ("o" + U+0323 for "ọ").
 *
 * The rule, on the first 64 KiB. It is a rule, not a statistical detector's guess:
 * chardet (2.2, tried on these files) names TCVN3 and VNI text Windows-1258 too
 * (TCVN3 with more confidence than real Windows-1258), and calls a short
 * Windows-1258 file ISO-8859-1, whose letters differ exactly where Vietnamese ones are:
 * 1. A BOM decides: UTF-8, UTF-16 LE or UTF-16 BE.
 * 2. NUL bytes in every other position (ASCII in UTF-16) mean BOM-less UTF-16, LE or BE by
 *    their side; NUL bytes without that pattern mean a binary file (an .xlsx workbook).
 * 3. Bytes that are valid UTF-8 are UTF-8 (plain ASCII is too).
 * 4. Anything else is Windows-1258 (iconv-lite decodes it), unless it does not read as text
 *    in that code page (bytes it leaves undefined, words of almost only non-ASCII letters, as
 *    GBK or Shift_JIS give): then it is some other encoding, and refused.
 * Then, whatever the encoding, text written with the old Vietnamese font encodings (TCVN3 /
 * ABC, read as "Hä vµ tªn", or VNI, read as "Hoï vaø teân") is refused with how to convert
 * it: those files decode without error, into letters no Vietnamese word has.
 *
 * Decoding streams (iconv-lite's `decodeStream`, after the first chunk was sniffed), so a
 * large file is never held in memory. Text is not normalised here: ./csv-records.ts returns
 * its cells in NFC, which composes Windows-1258's combining marks ("o" + U+0323 → "ọ").
 *
 * @example
 *   const { encoding, utf8 } = await decodeCsvText(createReadStream('khach-hang.csv'));
 *   // encoding: 'windows-1258'; utf8: a Readable of UTF-8 text
 */
import { pipeline, Readable, type Transform } from 'node:stream';
import iconv from 'iconv-lite';
import { ValidationError } from '../../errors.js';
import { peekStream } from './peek.js';

/** The encodings an import reads. */
export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1258';

/** How much of the file the rule looks at. */
const SNIFF_BYTES = 64 * 1024;

/** What the first bytes say: the encoding, and whether a byte-order mark starts the file. */
export interface Sniffed {
  encoding: TextEncodingName;
  bom: boolean;
}

/**
 * The encoding of a file from its first bytes (see the module comment for the rule), with the
 * checks on their text: legacy font encodings and other encodings are refused here.
 * `complete` says the bytes are the whole file (a multi-byte character cut at the end of a
 * partial head is then not an error).
 *
 * @throws ValidationError `IMPORT_ENCODING_LEGACY_FONT` for TCVN3/VNI text, `IMPORT_ENCODING_UNKNOWN`
 *   for a binary file or an encoding other than these
 * @example
 *   sniffEncoding(Buffer.from([0xff, 0xfe, 0x48, 0x00]), true) // → { encoding: 'utf-16le', bom: true }
 */
export function sniffEncoding(head: Buffer, complete: boolean): Sniffed {
  const sniffed = byBytes(head, complete);
  const text = (sniffed.encoding === 'utf-8' ? head.toString('utf8') : iconv.decode(head, sniffed.encoding)).normalize('NFC');
  const legacy = legacyFontEncoding(text);
  if (legacy) {
    const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
    throw new ValidationError('file', { code: 'IMPORT_ENCODING_LEGACY_FONT', params: { encoding: legacy, sample: shortened(firstLine) } });
  }
  if (sniffed.encoding === 'windows-1258' && !looksLikeWindows1258(text)) throw unknownEncoding();
  return sniffed;
}

/** Rules 1–4 of the module comment: what the bytes alone say. */
function byBytes(head: Buffer, complete: boolean): Sniffed {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: true };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: true };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: true };
  const utf16 = utf16ByNuls(head);
  if (utf16) return { encoding: utf16, bom: false };
  if (head.includes(0)) throw unknownEncoding();
  if (isUtf8(head, complete)) return { encoding: 'utf-8', bom: false };
  return { encoding: 'windows-1258', bom: false };
}

const shortened = (text: string) => (text.length > 40 ? `${text.slice(0, 40)}…` : text);

/**
 * UTF-16 without a BOM, told by its NUL bytes: the high byte of every ASCII character (the
 * digits, commas and e-mails of a contact list) is 0, on the odd side for little-endian and
 * the even side for big-endian. Undefined when there is no such pattern.
 */
function utf16ByNuls(head: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  const pairs = Math.floor(head.length / 2);
  let even = 0;
  let odd = 0;
  for (let i = 0; i + 1 < head.length; i += 2) {
    if (head[i] === 0) even++;
    if (head[i + 1] === 0) odd++;
  }
  if (pairs === 0 || even + odd === 0) return undefined;
  if (odd >= pairs * 0.1 && even <= odd * 0.1) return 'utf-16le';
  if (even >= pairs * 0.1 && odd <= even * 0.1) return 'utf-16be';
  return undefined;
}

function isUtf8(head: Buffer, complete: boolean): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: !complete });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether bytes decoded as Windows-1258 look like text in it: Excel never writes the bytes that
 * code page leaves undefined (decoded as U+FFFD), nor a tone mark that composes with nothing;
 * and a Latin-script word has mostly ASCII letters ("Nguyễn": one in six is not), where a word
 * of a multi-byte encoding (GBK, Shift_JIS) read byte by byte has almost none.
 */
function looksLikeWindows1258(text: string): boolean {
  let nonAscii = 0;
  let odd = 0;
  for (const ch of text) {
    if (ch <= '\x7f') continue;
    nonAscii++;
    if (ch === '\uFFFD' || /\p{M}/u.test(ch)) odd++;
  }
  if (odd > Math.max(2, nonAscii * 0.02)) return false;
  let wordChars = 0;
  for (const word of words(text)) if (/[^\p{ASCII}]/u.test(word)) wordChars += [...word].length;
  return wordChars === 0 || nonAscii / wordChars <= 0.6;
}

/** The words of a text: runs between spaces, separators and quotes. */
function words(text: string): string[] {
  return text.match(/[^\s,;\t"'()[\]{}<>|/\\]+/g) ?? [];
}

/** Legacy Vietnamese font encodings, as people know them (Unikey's converter lists them so). */
export type LegacyFontEncoding = 'TCVN3 (ABC)' | 'VNI Windows';

/**
 * A letter a–z beside one of the bytes TCVN3 uses for letters in the range Windows shows as
 * symbols (A1–AE: Ă Â Ê Ô Ơ Ư Đ ă â ê ô ơ ư đ; B5–B9: à ả ã á ạ; BB–BE: ằ ẳ ẵ ắ). Not ° ± ² ³
 * (B0–B4) or º ¿, which real text has beside letters ("25°C", "50m²").
 */
const TCVN3_SIGN = /[A-Za-z][\u00a1-\u00ae\u00b5-\u00b9\u00bb-\u00be]|[\u00a1-\u00ae\u00b5-\u00b9\u00bb-\u00be][A-Za-z]/;

/**
 * Whether decoded text is Vietnamese written in a legacy font encoding rather than Unicode.
 * These texts read as letters and symbols no Vietnamese word has:
 * - TCVN3 (ABC, fonts .VnTime…) puts most accented letters on the bytes Windows reads as
 *   symbols (¡…¾): "Hä vµ tªn", "§iÖn tho¹i" — such a symbol beside a letter a–z;
 * - VNI (fonts VNI-Times…) writes an accent as a second letter after the vowel, and "đ" as
 *   "ñ": "Hoï vaø teân", "Ñieän thoaïi" — a vowel followed by ù, ø, û, õ, ä, å or ö (no
 *   Vietnamese syllable has that), a word starting with ñ. (Vowel + ï, ë or ü is left out:
 *   French and Dutch names have it, "Anaïs", "Zoë".)
 * Such signs in at least two places, and in at least a tenth of the words with non-ASCII
 * letters, name the encoding; a stray "Søren" or "µm" does not.
 *
 * @example
 *   legacyFontEncoding('Hoï vaø teân,Soá ñieän thoaïi') // → 'VNI Windows'
 *   legacyFontEncoding('Họ và tên,Số điện thoại')       // → undefined
 */
export function legacyFontEncoding(text: string): LegacyFontEncoding | undefined {
  let nonAsciiWords = 0;
  let tcvn3 = 0;
  let vni = 0;
  for (const word of words(text)) {
    if (!/[^\p{ASCII}]/u.test(word)) continue;
    nonAsciiWords++;
    if (TCVN3_SIGN.test(word)) tcvn3++;
    if (/[aeiouyAEIOUY][ùøûõäåöÙØÛÕÄÅÖ]|^[ñÑ][aeiouyAEIOUYâêôÂÊÔ]/.test(word)) vni++;
  }
  const enough = (n: number) => n >= 2 && n >= nonAsciiWords * 0.1;
  if (!enough(tcvn3) && !enough(vni)) return undefined;
  return tcvn3 >= vni ? 'TCVN3 (ABC)' : 'VNI Windows';
}

/** A file's text, decoded. */
export interface DecodedText {
  encoding: TextEncodingName;
  /** The text as UTF-8 (Buffers, or strings from the decoder). A UTF-8 BOM is left for the CSV parser. */
  utf8: Readable;
}

/**
 * Sniffs the encoding from the first 64 KiB and returns the whole file's text as a UTF-8
 * stream, decoded as it is read.
 *
 * @throws ValidationError `IMPORT_ENCODING_LEGACY_FONT` for TCVN3/VNI text, `IMPORT_ENCODING_UNKNOWN`
 *   for any other encoding or a binary file
 */
export async function decodeCsvText(input: Readable): Promise<DecodedText> {
  const peeked = await peekStream(input, SNIFF_BYTES);
  const { encoding } = sniffEncoding(peeked.head.subarray(0, SNIFF_BYTES), peeked.ended && peeked.head.length <= SNIFF_BYTES);
  const bytes = () => peeked.chunks();
  const raw = Readable.from(bytes(), { objectMode: false });
  if (encoding === 'utf-8') return { encoding, utf8: raw };
  // A Transform (strings out; a UTF-16 BOM is dropped). pipeline destroys it with the source's
  // error (a file that cannot be read on), so the reader sees that error.
  const decoder = iconv.decodeStream(encoding);
  pipeline(raw, decoder, () => undefined);
  return { encoding, utf8: decoder as Transform };
}

function unknownEncoding(): ValidationError {
  return new ValidationError('file', { code: 'IMPORT_ENCODING_UNKNOWN' });
}
