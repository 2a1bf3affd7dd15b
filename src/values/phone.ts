/**
 * Phone numbers, normalised to E.164 with libphonenumber-js so that
 * "+84 912 345 678", "0912-345-678" and "(+84) 912345678" are one customer.
 *
 * Two Vietnamese rules on top of the numbering metadata:
 * - old 11-digit mobile numbers (renumbered in 2018, the last seven digits kept)
 *   are converted to today's 10-digit ones on entry: `0162 345 6789` → `+84323456789`
 *   (0162–0169 → 032–039, 0120 → 070, 0121 → 079, 0122 → 077, 0126 → 076,
 *   0128 → 078, 0123 → 083, 0124 → 084, 0125 → 085, 0127 → 081, 0129 → 082,
 *   0186 → 056, 0188 → 058, 0199 → 059);
 * - a number written as Vietnamese (`0…`, `+84…`, `84…`) with the shape of a
 *   subscriber number — nine digits after the 0 starting 3, 5, 7, 8 or 9 (mobile),
 *   or ten starting 2 (landline) — is kept even when the metadata does not know
 *   its prefix yet (a newly opened range), flagged `unverified` so it can be
 *   listed for review instead of being lost.
 *
 * @example
 *   normalisePhone('0912 345 678', 'VN')            // → '+84912345678'
 *   normalisePhone('0168 123 4567', 'VN')           // → '+84381234567'
 *   normalisePhoneDetailed('0551 234 567', 'VN')    // → { e164: '+84551234567', unverified: true }
 *   normalisePhone('12345', 'VN')                   // → undefined
 */
import { getCountries, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

const regions = new Set<string>(getCountries());

/** Old 11-digit mobile prefixes (after the trunk 0) → today's, per the 2018 renumbering. */
export const RENUMBERED_PREFIXES: Readonly<Record<string, string>> = {
  '162': '32', '163': '33', '164': '34', '165': '35', '166': '36', '167': '37', '168': '38', '169': '39',
  '120': '70', '121': '79', '122': '77', '126': '76', '128': '78',
  '123': '83', '124': '84', '125': '85', '127': '81', '129': '82',
  '186': '56', '188': '58',
  '199': '59',
};

export interface NormalisedPhone {
  /** E.164, e.g. `+84912345678`. */
  e164: string;
  /** The numbering metadata does not know this number's prefix; it has the shape of a Vietnamese one. */
  unverified: boolean;
  /** It was typed as an old 11-digit mobile number and converted (`01681234567` → `+84381234567`). */
  renumbered?: true;
}

/** Whether `code` is a region libphonenumber knows (used by the config schema). */
export function isSupportedRegion(code: string): boolean {
  return regions.has(code);
}

/** E.164 form of a phone number, or `undefined` if it is not one (see {@link normalisePhoneDetailed}). */
export function normalisePhone(raw: string, defaultRegion: string): string | undefined {
  return normalisePhoneDetailed(raw, defaultRegion)?.e164;
}

/**
 * A phone number in E.164 with what is known about it: valid by the metadata, or kept
 * `unverified` (a Vietnamese number of a possible shape whose prefix the metadata does
 * not know), and whether it was converted from an old 11-digit mobile number.
 */
export function normalisePhoneDetailed(raw: string, defaultRegion: string): NormalisedPhone | undefined {
  const cleaned = raw.trim();
  if (!/\d/.test(cleaned)) return undefined;
  const renumbered = renumber(cleaned, defaultRegion);
  const text = renumbered ?? cleaned;
  const extra = renumbered ? { renumbered: true as const } : {};
  const parsed = parsePhoneNumberFromString(text, defaultRegion as CountryCode);
  if (parsed?.isValid()) return { e164: parsed.number, unverified: false, ...extra };
  // Not in the metadata: keep it if it is written as Vietnamese and has a subscriber number's shape.
  const national = vietnameseNational(text, defaultRegion);
  if (national !== undefined && /^(?:[35789]\d{8}|2\d{9})$/.test(national)) {
    return { e164: `+84${national}`, unverified: true, ...extra };
  }
  return undefined;
}

/** Human form for display: international format, e.g. "+84 912 345 678". */
export function formatPhone(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

/** Digits, with a leading `+` kept: `(+84) 912-345 678` → `+84912345678`. */
function compactOf(text: string): string {
  return text.replace(/[\s().\-/]/g, '');
}

/**
 * An old 11-digit Vietnamese mobile number, rewritten with today's prefix (`+84 162…` → `+8432…`,
 * `0162…` → `032…`), or `undefined` when it is not one.
 */
function renumber(text: string, defaultRegion: string): string | undefined {
  const national = vietnameseNational(text, defaultRegion);
  const m = national === undefined ? null : /^(1\d{2})(\d{7})$/.exec(national);
  const next = m ? RENUMBERED_PREFIXES[m[1]!] : undefined;
  if (!m || !next) return undefined;
  return `+84${next}${m[2]!}`;
}

/**
 * The national number (digits after the trunk 0 or the country code 84) of a number typed
 * the Vietnamese way — `0…` or `84…` where Vietnam is the default region, `+84…`/`0084…`
 * anywhere — or `undefined` when it is not typed that way or holds anything but digits.
 */
function vietnameseNational(text: string, defaultRegion: string): string | undefined {
  const compact = compactOf(text);
  if (!/^\+?\d+$/.test(compact)) return undefined;
  const international = /^(?:\+|00)84(\d+)$/.exec(compact);
  if (international) return international[1]!.replace(/^0/, ''); // "+84 0912…" is written too
  if (defaultRegion !== 'VN') return undefined;
  const local = /^0([1-9]\d+)$/.exec(compact);
  if (local) return local[1]!;
  const bare = /^84(\d{9,10})$/.exec(compact);
  return bare ? bare[1]! : undefined;
}
