/**
 * E-mail addresses, lower-cased and checked with a pragmatic pattern (one @,
 * a dot in the domain, no spaces) — the same rule the parser uses to spot them.
 *
 * @example
 *   normaliseEmail(' Anna@Shop.VN ') // → 'anna@shop.vn'
 */
const EMAIL = /^[^\s@<>()[\],;:"]+@[^\s@<>()[\],;:"]+\.[A-Za-z]{2,}$/;

/** Whether a token looks like an e-mail address. */
export function looksLikeEmail(token: string): boolean {
  return EMAIL.test(token);
}

/** Lower-cased address, or `undefined` if it is not a valid one. */
export function normaliseEmail(raw: string): string | undefined {
  const value = raw.trim().toLowerCase();
  return EMAIL.test(value) ? value : undefined;
}
