/**
 * Money is integer minor units plus an ISO 4217 code. Parsing reads what
 * salespeople in Vietnam type — and refuses, with a coded reason, what could be
 * read two ways, so that an amount is read right or not at all:
 *
 * - multipliers: `500k`, `500 nghìn`/`ngàn`, `2 triệu`/`2tr`/`2 củ`, `1 tỷ`, `1.2m`;
 *   compact forms `1tr2` (1,200,000), `2tr5`, `1k5`; a half: `2 triệu rưỡi`;
 *   compounds from large to small: `2 triệu 500 nghìn`, `1tr 200k`;
 * - separators: one or more groups of exactly three digits after `.`, `,` or a
 *   space are thousands (`350.000`, `350,000`, `350 000`, `1.200.000`); `1,5tr`
 *   and `19.99 EUR` are decimals. One separator followed by three digits in a
 *   currency with decimals (`1.005 USD`) is refused: which did they mean?
 * - currencies: `đ`/`₫`/`vnd`/`vnđ`/`đồng`, `$ € £ ¥`, any ISO code (`19.99 EUR`,
 *   `EUR 19.99`); an unknown code (`19.99 BTC`) is refused, never dropped;
 * - refused: decimals finer than the currency (`350.5` VND, `0.5 JPY`), zero and
 *   negative amounts, more than {@link MAX_AMOUNT_MINOR} minor units.
 *
 * @example
 *   parseMoney('350k', 'VND')      // → { minor: 350000, currency: 'VND' }
 *   parseMoney('1tr2', 'VND')      // → { minor: 1200000, currency: 'VND' }
 *   parseMoney('19.99 EUR', 'VND') // → { minor: 1999, currency: 'EUR' }
 *   tryParseMoney('1.005 USD', 'VND') // → { ok: false, problem: { code: 'AMOUNT_AMBIGUOUS_DECIMALS', … } }
 *   formatMoney(1999, 'EUR')       // → '€19.99'
 */
import { ValidationError, type ErrorCase } from '../errors.js';
import { foldName } from './names.js';

export interface Money {
  minor: number;
  currency: string;
}

/** The largest amount accepted, in minor units of any currency (₫1,000,000,000,000; $10,000,000,000). */
export const MAX_AMOUNT_MINOR = 1_000_000_000_000;

/** Why an amount was refused: a coded case of src/errors.ts. */
export type MoneyProblem = ErrorCase<'VALIDATION'>;

export type MoneyAttempt = { ok: true; money: Money } | { ok: false; problem: MoneyProblem };

const SYMBOLS: Record<string, string> = { '₫': 'VND', $: 'USD', '€': 'EUR', '£': 'GBP', '¥': 'JPY' };
/** Currency words, folded (`đ`, `vnđ` and `đồng` fold to `d`, `vnd`, `dong`). */
const CURRENCY_WORDS: Record<string, string> = { d: 'VND', vnd: 'VND', dong: 'VND' };
/** Multiplier words, folded, as powers of ten. */
const MULTIPLIERS: Record<string, number> = {
  k: 3, nghin: 3, ngan: 3,
  m: 6, tr: 6, trieu: 6, cu: 6,
  ty: 9, ti: 9,
};
const HALF = 'ruoi'; // rưỡi: "2 triệu rưỡi" is 2,500,000

/** Number of minor-unit digits for a currency (VND and JPY have none). */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Parses an amount; returns `undefined` when it is not one, or is refused (see {@link tryParseMoney} for why). */
export function parseMoney(raw: string, defaultCurrency: string): Money | undefined {
  const attempt = tryParseMoney(raw, defaultCurrency);
  return attempt.ok ? attempt.money : undefined;
}

/**
 * Reads a whole text as an amount.
 * @throws ValidationError (field `amount`) with the coded reason it was refused
 */
export function readMoney(raw: string, defaultCurrency: string): Money {
  const attempt = tryParseMoney(raw, defaultCurrency);
  if (!attempt.ok) throw new ValidationError('amount', attempt.problem);
  return attempt.money;
}

/** Like {@link readMoney}, with the reason as a value instead of thrown. */
export function tryParseMoney(raw: string, defaultCurrency: string): MoneyAttempt {
  const text = raw.normalize('NFC').trim().replace(/\s+/g, ' ');
  const result = parseLexemes(lex(text), text, defaultCurrency);
  return 'code' in result ? { ok: false, problem: result } : { ok: true, money: result };
}

/**
 * Splits the amount off the start of a command line: the words that belong to it
 * (a number, its multiplier words, three-digit groups, its currency), read as one.
 * A number right after the amount is refused (`1 triệu 2 áo`: 1,200,000, or two áo?),
 * so that amount words never end up in what follows.
 *
 * @example
 *   takeMoney('500 nghìn đầm đỏ', 'VND') // → { money: { minor: 500000, currency: 'VND' }, text: '500 nghìn', rest: 'đầm đỏ' }
 *   takeMoney('19.99 BTC gift', 'VND')   // throws: "BTC" is not a currency I know
 * @throws ValidationError (field `amount`) when the words are not an amount, or are refused
 */
export function takeMoney(line: string, defaultCurrency: string): { money: Money; text: string; rest: string } {
  const words = line.normalize('NFC').trim().split(/\s+/).filter(Boolean);
  const used = amountWords(words);
  const text = words.slice(0, Math.max(used, 1)).join(' ');
  if (used === 0) throw new ValidationError('amount', { code: 'AMOUNT_UNREADABLE', params: { text } });
  const money = readMoney(text, defaultCurrency);
  const next = words[used];
  if (next !== undefined && /^\d+(?:[.,]\d+)*$/.test(next)) {
    throw new ValidationError('amount', { code: 'AMOUNT_THEN_NUMBER', params: { text: `${text} ${next}`, number: next } });
  }
  return { money, text, rest: words.slice(used).join(' ') };
}

/**
 * Amounts in the base currency this small are more likely a forgotten "k" than a price
 * (`order C3 500 đầm`): the smallest plausible amount per currency, in minor units.
 */
const SMALLEST_LIKELY_MINOR: Record<string, number> = { VND: 1_000 };

/** The smallest plausible amount of a currency (minor units), or `undefined` when any amount is plausible. */
export function smallestLikelyMinor(currency: string): number | undefined {
  return SMALLEST_LIKELY_MINOR[currency];
}

/** Formats minor units for people, e.g. "350,000 ₫" or "€19.99". */
export function formatMoney(minor: number, currency: string, locale = 'en'): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minor / 10 ** minorDigits(currency));
}

// ---------------------------------------------------------------------------------------------
// Lexing and reading

type Lexeme =
  | { kind: 'num'; text: string; spaced: boolean }
  | { kind: 'word'; text: string; folded: string; spaced: boolean }
  | { kind: 'sym'; text: string; spaced: boolean }
  | { kind: 'minus'; text: string; spaced: boolean }
  | { kind: 'other'; text: string; spaced: boolean };

function lex(text: string): Lexeme[] {
  const out: Lexeme[] = [];
  const re = /(\d+(?:[.,]\d+)*)|(\p{L}+)|([₫$€£¥])|([-−–])|(\s+)|(.)/gu;
  let spaced = false;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[5]) {
      spaced = true;
      continue;
    }
    if (m[1]) out.push({ kind: 'num', text: m[1], spaced });
    else if (m[2]) out.push({ kind: 'word', text: m[2], folded: foldName(m[2]), spaced });
    else if (m[3]) out.push({ kind: 'sym', text: m[3], spaced });
    else if (m[4]) out.push({ kind: 'minus', text: m[4], spaced });
    else out.push({ kind: 'other', text: m[0], spaced });
    spaced = false;
  }
  return out;
}

/** The currency a lexeme names: an ISO code, `undefined` for none, or `{ unknown }` for a three-letter word we do not know. */
function currencyOf(lexeme: Lexeme | undefined): string | { unknown: string } | undefined {
  if (!lexeme) return undefined;
  if (lexeme.kind === 'sym') return SYMBOLS[lexeme.text];
  if (lexeme.kind !== 'word') return undefined;
  const named = CURRENCY_WORDS[lexeme.folded];
  if (named) return named;
  if (/^[a-z]{3}$/i.test(lexeme.text)) {
    const code = lexeme.text.toUpperCase();
    return isCurrency(code) ? code : { unknown: lexeme.text };
  }
  return undefined;
}

/** A value `n × 10^-scale`, exact. */
interface Decimal {
  n: bigint;
  scale: number;
}

function parseLexemes(lexemes: Lexeme[], text: string, defaultCurrency: string): Money | MoneyProblem {
  const unreadable: MoneyProblem = { code: 'AMOUNT_UNREADABLE', params: { text } };
  let start = 0;
  let end = lexemes.length;
  const negative = lexemes[0]?.kind === 'minus';
  if (negative) start++;

  // The currency: before the number (`$5`, `EUR 19.99`) and/or after it (`350000đ`, `19.99 EUR`).
  const currencies: string[] = [];
  const before = currencyOf(lexemes[start]);
  if (before !== undefined && lexemes[start + 1]?.kind === 'num') {
    if (typeof before !== 'string') return { code: 'AMOUNT_CURRENCY_UNKNOWN', params: { text, code: before.unknown } };
    currencies.push(before);
    start++;
  }
  const after = currencyOf(lexemes[end - 1]);
  if (after !== undefined && end - 1 > start) {
    if (typeof after !== 'string') return { code: 'AMOUNT_CURRENCY_UNKNOWN', params: { text, code: after.unknown } };
    currencies.push(after);
    end--;
  }
  if (new Set(currencies).size > 1) return { code: 'AMOUNT_TWO_CURRENCIES', params: { text } };
  const currency = currencies[0] ?? defaultCurrency;
  const digits = minorDigits(currency);

  const body = lexemes.slice(start, end);
  if (body.length === 0 || body[0]!.kind !== 'num') return unreadable;

  // Terms: a number with an optional multiplier, compact digits (1tr2) and half (rưỡi); large to small.
  let total = 0n;
  let previousPower: number | undefined;
  let i = 0;
  while (i < body.length) {
    const num = body[i]!;
    if (num.kind !== 'num') return unreadable;
    if (previousPower === 0) return { code: 'AMOUNT_THEN_NUMBER', params: { text, number: num.text } };
    const mult = body[i + 1];
    const power = mult?.kind === 'word' ? MULTIPLIERS[mult.folded] : undefined;

    if (power === undefined) {
      if (previousPower !== undefined) {
        // "1 triệu 2": 1,200,000, or 1,000,000 and a stray 2?
        return { code: 'AMOUNT_THEN_NUMBER', params: { text, number: num.text } };
      }
      // A plain number, possibly grouped by spaces: `350 000`, `1 200 000`.
      let digitsText = num.text;
      let j = i + 1;
      if (/^\d{1,3}$/.test(num.text)) {
        while (body[j]?.kind === 'num' && body[j]!.spaced && /^\d{3}$/.test(body[j]!.text)) {
          digitsText += body[j]!.text;
          j++;
        }
      }
      if (j > i + 1) {
        const following = body[j];
        if (following?.kind === 'word' && MULTIPLIERS[following.folded] !== undefined) return { code: 'AMOUNT_AMBIGUOUS_GROUPS', params: { text } };
        if (following !== undefined) return unreadable;
        total += BigInt(digitsText) * 10n ** BigInt(digits);
        i = j;
        previousPower = 0;
        continue;
      }
      const value = readNumber(num.text, false, currency, digits, text);
      if ('code' in value) return value;
      const minor = toMinor(value, 0, digits);
      if (minor === undefined) return { code: 'AMOUNT_TOO_PRECISE', params: { text, currency, digits } };
      total += minor;
      i++;
      previousPower = 0;
      continue;
    }

    if (previousPower !== undefined && power >= previousPower) return unreadable;
    let value = readNumber(num.text, true, currency, digits, text);
    if ('code' in value) return value;
    let j = i + 2;
    // Compact digits glued to the multiplier: 1tr2 = 1.2 tr, 2tr50 = 2.50 tr, 1k5 = 1.5 k.
    const compact = body[j];
    if (compact?.kind === 'num' && !compact.spaced) {
      if (value.scale !== 0 || !/^\d{1,3}$/.test(compact.text)) return unreadable;
      value = { n: value.n * 10n ** BigInt(compact.text.length) + BigInt(compact.text), scale: compact.text.length };
      j++;
    }
    const half = body[j];
    if (half?.kind === 'word' && half.folded === HALF) {
      if (value.scale !== 0) return unreadable;
      value = { n: value.n * 10n + 5n, scale: 1 };
      j++;
    }
    if (previousPower !== undefined && value.n >= 10n ** BigInt(previousPower - power + value.scale)) {
      return { code: 'AMOUNT_AMBIGUOUS_GROUPS', params: { text } };
    }
    const minor = toMinor(value, power, digits);
    if (minor === undefined) return { code: 'AMOUNT_TOO_PRECISE', params: { text, currency, digits } };
    total += minor;
    previousPower = power;
    i = j;
  }

  if (negative || total <= 0n) return { code: 'AMOUNT_NOT_POSITIVE', params: { text } };
  if (total > BigInt(MAX_AMOUNT_MINOR)) return { code: 'AMOUNT_TOO_LARGE', params: { text, max: formatMoney(MAX_AMOUNT_MINOR, currency) } };
  return { minor: Number(total), currency };
}

/**
 * One number literal: `350000`, `350.000`, `1,200,000`, `1,234.56`, `19.99`, `1,5`.
 * Groups of exactly three digits are thousands; one separator followed by three
 * digits is a decimal point only where that cannot be a thousands separator.
 */
function readNumber(literal: string, multiplied: boolean, currency: string, digits: number, text: string): Decimal | MoneyProblem {
  const unreadable: MoneyProblem = { code: 'AMOUNT_UNREADABLE', params: { text } };
  const separators = literal.match(/[.,]/g) ?? [];
  const parts = literal.split(/[.,]/);
  if (separators.length === 0) return { n: BigInt(literal), scale: 0 };
  const grouped = (groups: string[]) => /^[1-9]\d{0,2}$/.test(groups[0]!) && groups.slice(1).every((g) => /^\d{3}$/.test(g));

  if (separators.length >= 2) {
    const last = separators[separators.length - 1]!;
    const sameBefore = separators.slice(0, -1).every((s) => s === separators[0]);
    if (!sameBefore) return unreadable;
    if (multiplied) return { code: 'AMOUNT_AMBIGUOUS_GROUPS', params: { text } };
    if (last === separators[0]) {
      // 1.200.000 / 1,200,000
      return grouped(parts) ? { n: BigInt(parts.join('')), scale: 0 } : unreadable;
    }
    // 1,234.56 / 1.234,56: the last separator is the decimal point.
    const whole = parts.slice(0, -1);
    const fraction = parts[parts.length - 1]!;
    if (!grouped(whole)) return unreadable;
    return { n: BigInt(whole.join('') + fraction), scale: fraction.length };
  }

  const [whole, fraction] = parts as [string, string];
  if (fraction.length === 3) {
    if (multiplied) return { code: 'AMOUNT_AMBIGUOUS_GROUPS', params: { text } }; // 1.500k: 1,500k or 1.5k?
    const groupable = /^[1-9]\d{0,2}$/.test(whole); // 0.005 is no thousands group
    if (digits === 0 && groupable) return { n: BigInt(whole + fraction), scale: 0 }; // 350.000 VND
    if (groupable) {
      return { code: 'AMOUNT_AMBIGUOUS_DECIMALS', params: { text, currency, digits, whole: `${whole}${fraction}`.replace(/^0+(?=\d)/, '') } };
    }
  }
  return { n: BigInt(whole + fraction), scale: fraction.length };
}

/** `value × 10^power` in minor units, or `undefined` when it is finer than the currency's minor unit. */
function toMinor(value: Decimal, power: number, digits: number): bigint | undefined {
  const exponent = power + digits - value.scale;
  if (exponent >= 0) return value.n * 10n ** BigInt(exponent);
  const divisor = 10n ** BigInt(-exponent);
  return value.n % divisor === 0n ? value.n / divisor : undefined;
}

/**
 * How many of `words` make up the amount at the start of a command line: a number
 * (or a currency then a number), then multiplier words, three-digit groups, compound
 * terms (`2tr 500k`) and a currency. A lower-case three-letter word is a currency only
 * when it is a known code (`20 usd`), so `350k tee shirt` keeps its tee; an upper-case
 * one always is (`19.99 BTC` is then refused, not recorded as ₫20 of "BTC").
 */
function amountWords(words: string[]): number {
  const isCurrencyWord = (w: string | undefined) => {
    if (w === undefined) return false;
    if (SYMBOLS[w] || CURRENCY_WORDS[foldName(w)]) return true;
    if (/^[A-Z]{3}$/.test(w)) return true;
    return /^[a-z]{3}$/i.test(w) && isCurrency(w.toUpperCase());
  };
  const isMultiplier = (w: string | undefined) => w !== undefined && (MULTIPLIERS[foldName(w)] !== undefined || foldName(w) === HALF);
  // A word that starts with a number (or a sign or symbol before one): 350k, 1tr2, $5, 350.000đ, -5.
  const startsNumber = (w: string | undefined) => w !== undefined && /^[-−–]?[₫$€£¥]?\d/u.test(w);
  const endsWithMultiplier = (w: string) => {
    const tail = /(\p{L}+)\d{0,3}$/u.exec(w)?.[1];
    return tail !== undefined && MULTIPLIERS[foldName(tail)] !== undefined;
  };

  let i = 0;
  if (isCurrencyWord(words[0]) && startsNumber(words[1])) i = 1;
  if (!startsNumber(words[i])) return 0;
  let multiplied = endsWithMultiplier(words[i]!);
  const plainGroupStart = /^\d{1,3}$/.test(words[i]!);
  i++;
  let grouping = plainGroupStart;
  while (i < words.length) {
    const w = words[i]!;
    if (isMultiplier(w)) {
      multiplied = true;
      grouping = false;
      i++;
      continue;
    }
    if (grouping && /^\d{3}$/.test(w)) {
      i++;
      continue;
    }
    // A compound term after a multiplier: "2 triệu 500 nghìn", "2tr 500k".
    if (multiplied && /^\d/.test(w) && (endsWithMultiplier(w) || isMultiplier(words[i + 1]))) {
      i++;
      continue;
    }
    if (isCurrencyWord(w)) return i + 1;
    // Another number that is not a quantity (2x): it goes with the amount, to be read or refused with it
    // ("2 500k" is refused; it must not leave "500k" among the items).
    if (/^\d/.test(w) && !/^\d{1,4}\s*[x×*]/i.test(w)) return i + 1;
    break;
  }
  return i;
}

function isCurrency(code: string): boolean {
  try {
    new Intl.NumberFormat('en', { style: 'currency', currency: code });
    return Intl.supportedValuesOf('currency').includes(code);
  } catch {
    return false;
  }
}
