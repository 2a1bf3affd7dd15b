/**
 * Numbers, money and dates the way a reader of a language writes them. Vietnamese:
 * `350.000 ₫`, `19,99 €`, `1.234`, `01/12/2026 10:05`, `Thứ 3, 01/12/2026 10:05`, `Thứ Hai`
 * (Intl `vi-VN`, luxon's `vi` locale). English: exactly what the CRM has always written
 * (`₫350,000`, `€19.99`, `2026-12-01 10:05`, `Tue 2026-12-01 10:05`, `Monday`) — this module
 * never changes an English text.
 *
 * Each catalogue carries the formats of its language (`msg.format`, src/core/messages.ts), so a
 * view or command that has the reader's `msg` formats for them: `msg.format.money(o.amountMinor, o.currency)`.
 * Call sites that still format the English way pass their strings through a translation, which
 * re-formats them with {@link Formats.localise} (`'₫350,000'` → `'350.000 ₫'`): a whole value is
 * re-read only when it is exactly one of the English shapes above, so a name or a message body is
 * never touched.
 *
 * @example
 *   formatsFor('vi').money(35_000_000, 'VND')                          // → '35.000.000 ₫'
 *   formatsFor('en').money(35_000_000, 'VND')                          // → '₫35,000,000'
 *   formatsFor('vi').dateTime(new Date('2026-12-01T03:05:00Z'), 'Asia/Ho_Chi_Minh') // → '01/12/2026 10:05'
 *   formatsFor('vi').localise('Tue 2026-12-01 10:05')                 // → 'Thứ 3, 01/12/2026 10:05'
 *   languageOf('vi-VN') // → 'vi'; languageOf('de') // → undefined
 *
 * Vietnamese amounts keep Intl's no-break space before the symbol (`350.000\u00a0₫`), so a chat
 * never wraps a line between a number and its currency.
 */
import { DateTime } from 'luxon';
import { formatMoney, minorDigits } from './money.js';

/** The languages the CRM speaks: every catalogue of src/core/messages.ts is one of these. */
export const LANGUAGES = ['vi', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

/**
 * The language of a locale tag, if the CRM speaks it: `vi`, `vi-VN`, `VI_vn` → `vi`;
 * `en-US` → `en`; `de`, `''`, `undefined` → `undefined`.
 */
export function languageOf(tag: string | null | undefined): Language | undefined {
  const primary = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return (LANGUAGES as readonly string[]).includes(primary) ? (primary as Language) : undefined;
}

/** How one language writes numbers, money and dates. */
export interface Formats {
  readonly lang: Language;
  /** An amount in minor units: `₫350,000` / `350.000 ₫`. */
  readonly money: (minor: number, currency: string) => string;
  /** A count or measure: `1,234.5` / `1.234,5`. */
  readonly number: (n: number) => string;
  /** A day in a zone: `2026-12-01` / `01/12/2026`. */
  readonly date: (at: Date, zone: string) => string;
  /** A day and a time in a zone: `2026-12-01 10:05` / `01/12/2026 10:05`. */
  readonly dateTime: (at: Date, zone: string) => string;
  /** A weekday, a day and a time in a zone (due times): `Tue 2026-12-01 10:05` / `Thứ 3, 01/12/2026 10:05`. */
  readonly due: (at: Date, zone: string) => string;
  /** A day of the year, short: `Dec 1` / `01/12`. */
  readonly dayMonth: (at: Date, zone: string) => string;
  /** A weekday by its ISO number (1 = Monday … 7 = Sunday): `Monday` / `Thứ Hai`. */
  readonly weekday: (isoDay: number) => string;
  /**
   * A value a call site formatted the English way, re-formatted for this language: money
   * (`₫350,000`, `₫350,000 + €19.99`), dates (`2026-12-01`, `2026-12-01 10:05`,
   * `Tue 2026-12-01 10:05`, `2026-12-01 10:05 GMT+7`), weekdays (`Monday`), grouped or decimal
   * numbers and percentages (`1,234`, `12.5%`, `+2.5`). Anything else comes back as it was.
   */
  readonly localise: (text: string) => string;
}

const ENGLISH: Formats = {
  lang: 'en',
  money: (minor, currency) => formatMoney(minor, currency),
  number: (n) => n.toLocaleString('en'),
  date: (at, zone) => DateTime.fromJSDate(at).setZone(zone).toFormat('yyyy-LL-dd'),
  dateTime: (at, zone) => DateTime.fromJSDate(at).setZone(zone).toFormat('yyyy-LL-dd HH:mm'),
  due: (at, zone) => DateTime.fromJSDate(at).setZone(zone).toFormat('ccc yyyy-LL-dd HH:mm'),
  dayMonth: (at, zone) => DateTime.fromJSDate(at).setZone(zone).toFormat('LLL d'),
  weekday: (isoDay) => DateTime.fromObject({ year: 2024, month: 1, day: isoDay }).toFormat('cccc'), // 2024-01-01 was a Monday
  localise: (text) => text,
};

const VI_LOCALE = 'vi-VN';
const vi = (at: Date, zone: string) => DateTime.fromJSDate(at).setZone(zone).setLocale('vi');

const VIETNAMESE: Formats = {
  lang: 'vi',
  money: (minor, currency) => formatMoney(minor, currency, VI_LOCALE),
  number: (n) => n.toLocaleString(VI_LOCALE),
  date: (at, zone) => vi(at, zone).toFormat('dd/LL/yyyy'),
  dateTime: (at, zone) => vi(at, zone).toFormat('dd/LL/yyyy HH:mm'),
  due: (at, zone) => vi(at, zone).toFormat('ccc, dd/LL/yyyy HH:mm'),
  dayMonth: (at, zone) => vi(at, zone).toFormat('dd/LL'),
  weekday: (isoDay) => DateTime.fromObject({ year: 2024, month: 1, day: isoDay }, { locale: 'vi' }).toFormat('cccc'),
  localise: (text) => localiseMoney(text) ?? localiseDate(text) ?? localiseWeekday(text) ?? localiseNumber(text) ?? text,
};

/** The formats of a language. */
export function formatsFor(lang: Language): Formats {
  return lang === 'vi' ? VIETNAMESE : ENGLISH;
}

// ---------------------------------------------------------------------------------------------
// Reading values formatted the English way (Intl 'en', the luxon patterns of ENGLISH above)

/** Currency symbols as Intl 'en' writes them (`₫`, `$`, `€`, `CHF`, `CA$`), each naming one currency. */
let symbolCurrencies: Map<string, string> | undefined;

function currencyOfSymbol(symbol: string): string | undefined {
  if (!symbolCurrencies) {
    const found = new Map<string, string>();
    const shared = new Set<string>();
    for (const code of Intl.supportedValuesOf('currency')) {
      const part = new Intl.NumberFormat('en', { style: 'currency', currency: code }).formatToParts(1).find((p) => p.type === 'currency');
      if (!part) continue;
      if (found.has(part.value) && found.get(part.value) !== code) shared.add(part.value);
      else found.set(part.value, code);
    }
    for (const symbol of shared) found.delete(symbol);
    symbolCurrencies = found;
  }
  return symbolCurrencies.get(symbol);
}

/** `-₫1,234,568`, `€19.99`, `CHF 19.99`: sign, symbol, grouped whole part, decimals. */
const ENGLISH_MONEY = /^(-?)([^\d\s.,+-][^\d\s]*?)[\s\u00a0]?(\d{1,3}(?:,\d{3})*)(?:\.(\d+))?$/u;

function localiseAmount(text: string): string | undefined {
  const m = ENGLISH_MONEY.exec(text);
  if (!m) return undefined;
  const [, sign = '', symbol = '', whole = '', fraction = ''] = m;
  const currency = currencyOfSymbol(symbol);
  if (!currency) return undefined;
  const digits = minorDigits(currency);
  if (fraction.length !== digits) return undefined;
  const minor = Number(whole.replace(/,/g, '') + fraction);
  if (!Number.isSafeInteger(minor)) return undefined;
  return formatMoney(sign ? -minor : minor, currency, VI_LOCALE);
}

/** An amount, or several joined by ` + ` (revenue in more than one currency). */
function localiseMoney(text: string): string | undefined {
  const parts = text.split(' + ').map(localiseAmount);
  return parts.every((p) => p !== undefined) ? parts.join(' + ') : undefined;
}

const ENGLISH_DATE = /^(?:(Mon|Tue|Wed|Thu|Fri|Sat|Sun) )?(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}))?( (?:GMT|UTC)(?:[+-]\d{1,2}(?::\d{2})?)?)?$/;

function localiseDate(text: string): string | undefined {
  const m = ENGLISH_DATE.exec(text);
  if (!m) return undefined;
  const [, weekday, year, month, day, hour, minute, zone = ''] = m;
  const at = DateTime.fromObject(
    { year: Number(year), month: Number(month), day: Number(day), hour: Number(hour ?? 0), minute: Number(minute ?? 0) },
    { locale: 'vi', zone: 'utc' },
  );
  if (!at.isValid) return undefined;
  const pattern = `${weekday ? 'ccc, ' : ''}dd/LL/yyyy${hour === undefined ? '' : ' HH:mm'}`;
  return `${at.toFormat(pattern)}${zone}`;
}

const ENGLISH_WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

function localiseWeekday(text: string): string | undefined {
  const index = ENGLISH_WEEKDAYS.indexOf(text);
  return index < 0 ? undefined : VIETNAMESE.weekday(index + 1);
}

/** `1,234`, `12.5`, `12.5%`, `+2.5`: grouping commas become dots, the decimal point a comma. */
const ENGLISH_NUMBER = /^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(%?)$/;

function localiseNumber(text: string): string | undefined {
  const m = ENGLISH_NUMBER.exec(text);
  if (!m) return undefined;
  const [, sign = '', whole = '', fraction, percent = ''] = m;
  if (fraction === undefined && !whole.includes(',')) return undefined;
  return `${sign}${whole.replace(/,/g, '.')}${fraction === undefined ? '' : `,${fraction}`}${percent}`;
}
