/**
 * Splitting "which customer" from the rest of a command line, the way people
 * type it: `note C12 called back`, `note +84 912 345 678 called back`,
 * `note "Anna Nguyen" called back`, `note anna@shop.vn called back`.
 *
 * @example
 *   takeCustomerRef('C12 called back', 'VN') // → { ref: 'C12', rest: 'called back' }
 *   takeCustomerRef('C12 she said "Friday"\nthen hung up', 'VN') // → rest kept exactly as typed
 */
import { normalisePhone } from '../values/phone.js';

export function takeCustomerRef(args: string, region: string): { ref: string; rest: string } {
  const trimmed = args.trim();
  // Where each word ends, so that `rest` is the remainder exactly as typed (new lines and quotes kept).
  const spans = [...trimmed.matchAll(/"([^"]*)"|“([^”]*)”|(\S+)/g)].map((m) => ({ text: (m[1] ?? m[2] ?? m[3] ?? '').trim(), quoted: m[3] === undefined, end: m.index + m[0].length }));
  const after = (n: number) => trimmed.slice(spans[n - 1]?.end ?? 0).trim();
  if (spans[0]?.quoted) return { ref: spans[0].text, rest: after(1) };
  // A phone number written with spaces: take the longest run of digit words that is valid.
  for (let n = Math.min(5, spans.length); n >= 2; n--) {
    const candidate = spans.slice(0, n).map((t) => t.text);
    if (spans.slice(0, n).every((t) => !t.quoted && /^[+(]?[\d().-]+$/.test(t.text)) && normalisePhone(candidate.join(' '), region)) {
      return { ref: candidate.join(' '), rest: after(n) };
    }
  }
  return { ref: spans[0]?.text ?? '', rest: after(1) };
}

/** A trailing `page N` (pagination buttons send it). */
export function takePage(args: string): { rest: string; page: number } {
  const m = /\s*\bpage\s+(\d{1,4})\s*$/i.exec(args);
  if (!m) return { rest: args.trim(), page: 1 };
  return { rest: args.slice(0, m.index).trim(), page: Number(m[1]) };
}
