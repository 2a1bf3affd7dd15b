/**
 * The tolerant argument parser behind `lead`, `find` and friends. People type
 * contact details in any order; we pick out what is unambiguous (e-mails,
 * phone numbers, #tags) and read the plain words as a name followed by a note.
 *
 * Rules, in order:
 * - `"quoted words"` stay together; a quoted run first in the line is the name;
 * - tokens with an `@` and a dotted domain are e-mails; `x@y` tokens that are not valid ones are reported;
 * - runs of digit tokens (with + ( ) - .) that make a valid phone number are phones;
 * - `#word` is a tag;
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
import { normalisePhone } from './phone.js';

export interface ContactArgs {
  name?: string;
  phones: string[];
  emails: string[];
  tags: string[];
  note?: string;
  /** Tokens that looked like a phone, e-mail or tag but were not valid ones. */
  invalid: { kind: 'phone' | 'email' | 'tag'; text: string }[];
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

/** Parses contact details from free text; see the module comment for the rules. */
export function parseContactArgs(line: string, defaultRegion: string): ContactArgs {
  const tokens = tokenize(line);
  const out: ContactArgs = { phones: [], emails: [], tags: [], invalid: [] };
  const nameWords: string[] = [];
  const noteWords: string[] = [];
  let nameClosed = false;

  const plain = (word: string) => {
    if (!nameClosed) nameWords.push(word);
    else noteWords.push(word);
  };
  const structured = () => {
    if (nameWords.length > 0) nameClosed = true;
  };

  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok.quoted) {
      if (out.name === undefined && nameWords.length === 0 && !nameClosed) {
        nameWords.push(tok.text);
        nameClosed = true;
      } else {
        noteWords.push(tok.text);
      }
      continue;
    }
    const text = tok.text;
    if (text === '--') {
      nameClosed = true;
      continue;
    }
    if (/^note:/i.test(text)) {
      nameClosed = true;
      const rest = text.slice(5);
      if (rest) noteWords.push(rest);
      continue;
    }
    if (text.startsWith('#') && text.length > 1) {
      const tag = normaliseTag(text);
      if (tag) out.tags.push(tag);
      else out.invalid.push({ kind: 'tag', text });
      structured();
      continue;
    }
    const bare = text.replace(/^[<(]+|[>),;.]+$/g, '');
    // Something before an "@" is meant as an e-mail ("@handle" alone is not): a malformed one is reported.
    if (/^[^@]+@/.test(bare)) {
      const email = looksLikeEmail(bare) ? normaliseEmail(bare) : undefined;
      if (email) out.emails.push(email);
      else out.invalid.push({ kind: 'email', text });
      structured();
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
      let phone: string | undefined;
      for (let len = run.length; len >= 1; len--) {
        phone = normalisePhone(run.slice(0, len).join(' '), defaultRegion);
        if (phone) {
          taken = len;
          break;
        }
      }
      const digits = run.join('').replace(/\D/g, '');
      if (phone) {
        out.phones.push(phone);
        i += taken - 1;
        structured();
      } else if (digits.length >= 7 || text.startsWith('+')) {
        out.invalid.push({ kind: 'phone', text: run.join(' ') });
        i += run.length - 1;
        structured();
      } else {
        plain(text);
      }
      continue;
    }
    plain(text);
  }

  const name = nameWords.join(' ').replace(/\s+/g, ' ').trim();
  const note = noteWords.join(' ').trim();
  if (name) out.name = name;
  if (note) out.note = note;
  out.phones = [...new Set(out.phones)];
  out.emails = [...new Set(out.emails)];
  out.tags = [...new Set(out.tags)];
  return out;
}

/** First word and the rest, e.g. `splitFirst('status 12 paid')` → ['status', '12 paid']. */
export function splitFirst(text: string): [string, string] {
  const t = text.trim();
  const i = t.search(/\s/);
  return i < 0 ? [t, ''] : [t.slice(0, i), t.slice(i + 1).trim()];
}
