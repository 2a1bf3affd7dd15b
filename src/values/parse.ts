/**
 * The tolerant argument parser behind `lead`, `find` and friends. People type
 * contact details in any order; we pick out what is unambiguous (e-mails,
 * phone numbers, #tags) and read the plain words as a name followed by a note.
 *
 * Rules, in order:
 * - `"quoted words"` stay together; a quoted run first in the line is the name;
 * - tokens with an `@` and a dotted domain are e-mails; `x@y` tokens that are not valid ones are reported;
 * - runs of digit tokens (with + ( ) - .) that make a phone number are phones (see `normalisePhoneDetailed`:
 *   old 11-digit mobile numbers are converted; Vietnamese numbers of an unknown prefix are kept and
 *   listed in `unverifiedPhones`);
 * - `#word` is a tag;
 * - `,` `;` `|` (and `/` next to a phone or e-mail) separate details, glued or spaced: they never
 *   glue a phone or an e-mail into the name (`Quang +84913111777, quang@x.vn, #vip`), and one after
 *   the name ends it (`Anna Nguyen, met at the expo`); inside the note they stay as typed;
 * - the first run of plain words is the name, every other plain word is the note;
 *   `--` ends the name explicitly (`lead Anna -- met at the expo`), and `note:` starts the note.
 *
 * @example
 *   parseContactArgs('Anna Nguyen +84 912 345 678 anna@shop.vn #vip met at the expo', 'VN')
 *   // → { name: 'Anna Nguyen', phones: ['+84912345678'], emails: ['anna@shop.vn'],
 *   //     tags: ['vip'], note: 'met at the expo', invalid: [] }
 */
import { looksLikeEmail, normaliseEmail } from './email.js';
import { normaliseTag } from './names.js';
import { normalisePhoneDetailed } from './phone.js';

export interface ContactArgs {
  name?: string;
  phones: string[];
  emails: string[];
  tags: string[];
  note?: string;
  /** Tokens that looked like a phone, e-mail or tag but were not valid ones. */
  invalid: { kind: 'phone' | 'email' | 'tag'; text: string }[];
  /**
   * Phones (also in `phones`) kept although the numbering metadata does not know their prefix
   * (see `normalisePhoneDetailed`): worth a review. Absent when there are none.
   */
  unverifiedPhones?: string[];
}

interface Token {
  text: string;
  quoted: boolean;
}

/** Splits a line into tokens, keeping "double" or “curly” quoted runs together. */
export function tokenize(line: string): Token[] {
  const tokens: Token[] = [];
  const re = /"([^"]*)"|“([^”]*)”|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const quoted = m[1] ?? m[2];
    if (quoted !== undefined) tokens.push({ text: quoted.trim(), quoted: true });
    else if (m[3]) tokens.push({ text: m[3], quoted: false });
  }
  return tokens;
}

const PHONEISH = /^[+(]?[\d().\-/]+$/;
/** A token that is nothing but separators (or a dash) standing between details. */
const SEPARATOR_ONLY = /^(?:[,;|/]+|[-–—·•]|-{3,})$/;
/** Separators and colons left at the end of a name or a note once the details around them are taken. */
const TRAILING_SEPARATORS = /[\s,;|/:\-–—·•]+$/;

interface Piece extends Token {
  /** Whitespace came before it (pieces split out of one token are glued to the one before). */
  spaced: boolean;
}

/**
 * The tokens of a contact line, with the separators between details split off: `Quang,`,
 * `+84913111777,quang@x.vn` and `0913111777/0987654321` become their parts, each separator its
 * own piece. A slash stays inside a token unless a part is an e-mail or a whole phone number
 * (`0912/345/678` is one number).
 */
function pieces(line: string): Piece[] {
  const out: Piece[] = [];
  for (const tok of tokenize(line)) {
    if (tok.quoted || tok.text === '--' || /^note:/i.test(tok.text)) {
      out.push({ ...tok, spaced: true });
      continue;
    }
    const slashParts = tok.text.split('/');
    const splitSlash = slashParts.length > 1 && slashParts.some((p) => p.includes('@') || p.replace(/\D/g, '').length >= 9);
    const parts = tok.text.split(splitSlash ? /([,;|/]+)/ : /([,;|]+)/).filter(Boolean);
    parts.forEach((text, k) => out.push({ text, quoted: false, spaced: k === 0 }));
  }
  return out;
}

/** Parses contact details from free text; see the module comment for the rules. */
export function parseContactArgs(line: string, defaultRegion: string): ContactArgs {
  const tokens = pieces(line);
  const out: ContactArgs = { phones: [], emails: [], tags: [], invalid: [] };
  const unverified: string[] = [];
  const name: Piece[] = [];
  const note: Piece[][] = [];
  let nameClosed = false;
  let noteSegment: Piece[] | undefined;
  /** What came last: plain words, or a detail (phone, e-mail, tag, invalid one). */
  let last = 'none' as 'plain' | 'detail' | 'none';
  let pendingSeparator: Piece | undefined;

  const plain = (piece: Piece) => {
    if (nameClosed && !noteSegment) {
      noteSegment = [];
      note.push(noteSegment);
    }
    const into = noteSegment ?? name;
    if (pendingSeparator) into.push(pendingSeparator);
    pendingSeparator = undefined;
    into.push(piece);
    last = 'plain';
  };
  const closeName = () => {
    if (name.length > 0) nameClosed = true;
  };
  const detail = () => {
    closeName();
    noteSegment = undefined;
    pendingSeparator = undefined;
    last = 'detail';
  };

  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok.quoted) {
      if (name.length === 0 && !nameClosed) {
        name.push({ ...tok, spaced: true });
        nameClosed = true;
      } else {
        plain(tok);
      }
      continue;
    }
    const text = tok.text;
    if (text === '--') {
      nameClosed = true;
      noteSegment = undefined;
      pendingSeparator = undefined;
      continue;
    }
    if (/^note:/i.test(text)) {
      nameClosed = true;
      noteSegment = undefined;
      pendingSeparator = undefined;
      const rest = text.slice(5);
      if (rest) plain({ text: rest, quoted: false, spaced: true });
      continue;
    }
    if (SEPARATOR_ONLY.test(text)) {
      // Between plain words of a note it is kept; after a name or a detail it only separates.
      if (last === 'plain' && nameClosed) pendingSeparator = tok;
      else closeName();
      continue;
    }
    if (text.startsWith('#') && text.length > 1) {
      const tag = normaliseTag(text);
      if (tag) out.tags.push(tag);
      else out.invalid.push({ kind: 'tag', text });
      detail();
      continue;
    }
    const bare = text.replace(/^[<(]+|[>),;.]+$/g, '');
    // Something before an "@" is meant as an e-mail ("@handle" alone is not): a malformed one is reported.
    if (/^[^@]+@/.test(bare)) {
      const email = looksLikeEmail(bare) ? normaliseEmail(bare) : undefined;
      if (email) out.emails.push(email);
      else out.invalid.push({ kind: 'email', text });
      detail();
      continue;
    }
    if (PHONEISH.test(text) && /\d/.test(text)) {
      // Greedily join following phone-ish tokens and take the longest valid number.
      let j = i;
      const run: string[] = [];
      while (j < tokens.length && !tokens[j]!.quoted && PHONEISH.test(tokens[j]!.text)) {
        run.push(tokens[j]!.text);
        j++;
      }
      let taken = 0;
      let phone: ReturnType<typeof normalisePhoneDetailed>;
      for (let len = run.length; len >= 1; len--) {
        phone = normalisePhoneDetailed(run.slice(0, len).join(' '), defaultRegion);
        if (phone) {
          taken = len;
          break;
        }
      }
      const digits = run.join('').replace(/\D/g, '');
      if (phone) {
        out.phones.push(phone.e164);
        if (phone.unverified) unverified.push(phone.e164);
        i += taken - 1;
        detail();
      } else if (digits.length >= 7 || text.startsWith('+')) {
        out.invalid.push({ kind: 'phone', text: run.join(' ') });
        i += run.length - 1;
        detail();
      } else {
        plain(tok);
      }
      continue;
    }
    plain(tok);
  }

  const nameText = joinPieces(name);
  const noteText = note.map(joinPieces).filter(Boolean).join(' ');
  if (nameText) out.name = nameText;
  if (noteText) out.note = noteText;
  out.phones = [...new Set(out.phones)];
  out.emails = [...new Set(out.emails)];
  out.tags = [...new Set(out.tags)];
  if (unverified.length > 0) out.unverifiedPhones = [...new Set(unverified)];
  return out;
}

/** Pieces back to text as typed (glued pieces stay glued), without separators left dangling at either end. */
function joinPieces(list: Piece[]): string {
  return list
    .map((p, k) => (k > 0 && p.spaced ? ` ${p.text}` : p.text))
    .join('')
    .replace(/\s+/g, ' ')
    .replace(TRAILING_SEPARATORS, '')
    .trim();
}

/** First word and the rest, e.g. `splitFirst('status 12 paid')` → ['status', '12 paid']. */
export function splitFirst(text: string): [string, string] {
  const t = text.trim();
  const i = t.search(/\s/);
  return i < 0 ? [t, ''] : [t.slice(0, i), t.slice(i + 1).trim()];
}
