/**
 * Phone numbers, normalised to E.164 with libphonenumber-js so that
 * "+84 912 345 678", "0912-345-678" and "(+84) 912345678" are one customer.
 *
 * @example
 *   normalisePhone('0912 345 678', 'VN') // → '+84912345678'
 *   normalisePhone('12345', 'VN')        // → undefined
 */
import { getCountries, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

const regions = new Set<string>(getCountries());

/** Whether `code` is a region libphonenumber knows (used by the config schema). */
export function isSupportedRegion(code: string): boolean {
  return regions.has(code);
}

/** E.164 form of a valid phone number, or `undefined` if it is not one. */
export function normalisePhone(raw: string, defaultRegion: string): string | undefined {
  const cleaned = raw.trim();
  if (!/\d/.test(cleaned)) return undefined;
  const parsed = parsePhoneNumberFromString(cleaned, defaultRegion as CountryCode);
  if (!parsed || !parsed.isValid()) return undefined;
  return parsed.number;
}

/** Human form for display: international format, e.g. "+84 91 234 56 78". */
export function formatPhone(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}
