/**
 * Whether a name in an imported row can be the person a customer card already names — the
 * question a shared phone raises (issue 12: family members share phones in Vietnam, so a row
 * "Mai, 0912…" on Lan's phone is most likely Lan's daughter, not Lan).
 *
 * Only a clearly different name splits: names are compared folded (case and diacritics
 * ignored), with leading forms of address dropped ("chị Lan", "Mr Tan"), and a shorter way of
 * writing the same name still matches ("Lan" or "Nguyen T. Lan" for "Nguyễn Thị Lan", "Anna N."
 * for "Anna Nguyen"). Pure functions; ./customers.ts decides what to do with the answer.
 */
import { foldName } from '../../values/names.js';

/** Forms of address a spreadsheet puts before a name, folded. */
const ADDRESS_WORDS = new Set(['anh', 'chi', 'em', 'co', 'chu', 'bac', 'ong', 'ba', 'mr', 'mrs', 'ms', 'miss', 'dr']);

/** A name's words, folded, without punctuation and without leading forms of address. */
function words(name: string): string[] {
  const all = foldName(name)
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .filter(Boolean);
  let start = 0;
  while (start < all.length - 1 && ADDRESS_WORDS.has(all[start]!)) start++;
  return all.slice(start);
}

/**
 * Whether two names can name the same person: every word of the shorter one is a word of the
 * longer, in order, or the initial of one ("N." for "Nguyễn").
 *
 * @example
 *   sameName('Anna N.', 'Anna Nguyen')        // → true
 *   sameName('chị Lan', 'Nguyễn Thị Lan')     // → true
 *   sameName('Mai', 'Nguyễn Thị Lan')         // → false
 *   sameName('Nguyễn Thị Mai', 'Nguyễn Thị Lan') // → false
 */
export function sameName(a: string, b: string): boolean {
  const wa = words(a);
  const wb = words(b);
  if (wa.length === 0 || wb.length === 0) return true;
  const [short, long] = wa.length <= wb.length ? [wa, wb] : [wb, wa];
  let j = 0;
  for (const w of short) {
    while (j < long.length && !(long[j] === w || (w.length === 1 && long[j]!.startsWith(w)) || (long[j]!.length === 1 && w.startsWith(long[j]!)))) j++;
    if (j === long.length) return false;
    j++;
  }
  return true;
}

/**
 * Whether a row's name clearly names someone else than a customer known by `names` (their name,
 * then their aliases). No name on either side is no evidence: the row merges.
 *
 * @example
 *   differentPerson('Mai', ['Nguyễn Thị Lan'])          // → true
 *   differentPerson('Mai', ['Nguyễn Thị Lan', 'Mai'])   // → false (an alias)
 *   differentPerson(undefined, ['Nguyễn Thị Lan'])      // → false
 */
export function differentPerson(rowName: string | undefined, names: readonly string[]): boolean {
  if (!rowName || words(rowName).length === 0) return false;
  const known = names.filter((n) => words(n).length > 0);
  if (known.length === 0) return false;
  return !known.some((n) => sameName(rowName, n));
}
