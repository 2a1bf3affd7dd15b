/**
 * Splitting "which customer" from the rest of a command line, the way people
 * type it: `note C12 called back`, `note +84 912 345 678 called back`,
 * `note "Anna Nguyen" called back`, `note anna@shop.vn called back`.
 *
 * @example
 *   takeCustomerRef('C12 called back', 'VN') // → { ref: 'C12', rest: 'called back' }
 */
import { normalisePhone } from '../values/phone.js';
import { tokenize } from '../values/parse.js';

export function takeCustomerRef(args: string, region: string): { ref: string; rest: string } {
  const trimmed = args.trim();
  const quoted = /^["“]([^"”]+)["”]\s*(.*)$/s.exec(trimmed);
  if (quoted) return { ref: quoted[1]!.trim(), rest: quoted[2]!.trim() };
  const tokens = tokenize(trimmed).map((t) => t.text);
  // A phone number written with spaces: take the longest run of digit tokens that is valid.
  for (let n = Math.min(5, tokens.length); n >= 2; n--) {
    const candidate = tokens.slice(0, n);
    if (candidate.every((t) => /^[+(]?[\d().-]+$/.test(t)) && normalisePhone(candidate.join(' '), region)) {
      return { ref: candidate.join(' '), rest: tokens.slice(n).join(' ') };
    }
  }
  const [first = '', ...rest] = tokens;
  return { ref: first, rest: rest.join(' ') };
}

/** A trailing `page N` (pagination buttons send it). */
export function takePage(args: string): { rest: string; page: number } {
  const m = /\s*\bpage\s+(\d{1,4})\s*$/i.exec(args);
  if (!m) return { rest: args.trim(), page: 1 };
  return { rest: args.slice(0, m.index).trim(), page: Number(m[1]) };
}
