/**
 * Money is integer minor units plus an ISO 4217 code. Parsing accepts what
 * salespeople type: "350k", "1.2m", "350,000", "19.99 EUR", "350000đ".
 *
 * @example
 *   parseMoney('350k', 'VND')      // → { minor: 350000, currency: 'VND' }
 *   parseMoney('19.99 EUR', 'VND') // → { minor: 1999, currency: 'EUR' }
 *   formatMoney(1999, 'EUR')       // → '€19.99'
 */
export interface Money {
  minor: number;
  currency: string;
}

const SYMBOLS: Record<string, string> = { 'đ': 'VND', '₫': 'VND', $: 'USD', '€': 'EUR', '£': 'GBP' };

/** Number of minor-unit digits for a currency (VND and JPY have none). */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Parses an amount; returns `undefined` when it is not one. */
export function parseMoney(raw: string, defaultCurrency: string): Money | undefined {
  let text = raw.trim().replace(/\s+/g, ' ');
  let currency = defaultCurrency;
  const code = /(?:^|\s)([A-Za-z]{3})$/.exec(text) ?? /^([A-Za-z]{3})\s/.exec(text);
  if (code?.[1] && isCurrency(code[1].toUpperCase())) {
    currency = code[1].toUpperCase();
    text = text.replace(code[0], '').trim();
  }
  for (const [symbol, iso] of Object.entries(SYMBOLS)) {
    if (text.startsWith(symbol) || text.endsWith(symbol)) {
      currency = iso;
      text = text.replace(symbol, '').trim();
    }
  }
  const m = /^(\d{1,3}(?:[,.]\d{3})+|\d+)(?:[.,](\d+))?\s*([kKmM])?$/.exec(text);
  if (!m?.[1]) return undefined;
  const whole = m[1].replace(/[,.]/g, '');
  let value = Number(`${whole}.${m[2] ?? '0'}`);
  const suffix = m[3]?.toLowerCase();
  if (suffix === 'k') value *= 1_000;
  if (suffix === 'm') value *= 1_000_000;
  const minor = Math.round(value * 10 ** minorDigits(currency));
  if (!Number.isSafeInteger(minor) || minor <= 0) return undefined;
  return { minor, currency };
}

/** Formats minor units for people, e.g. "350,000 ₫" or "€19.99". */
export function formatMoney(minor: number, currency: string, locale = 'en'): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minor / 10 ** minorDigits(currency));
}

function isCurrency(code: string): boolean {
  try {
    new Intl.NumberFormat('en', { style: 'currency', currency: code });
    return Intl.supportedValuesOf('currency').includes(code);
  } catch {
    return false;
  }
}
