/**
 * "When" in the words staff type, read in their own time zone with luxon:
 * `in 3 days`, `in 2 hours`, `tomorrow 10:00`, `fri 9am`, `monday`,
 * `today 17:00`, `17:30`, `2026-12-01 14:30`, `01/12 14:30` (day first unless
 * `monthFirst`). Pure: the clock and the zone are arguments.
 *
 * Rules, so people can predict them:
 * - a date without a time means 09:00 local;
 * - a weekday means its next occurrence after today, or today when a time is
 *   given that is still ahead (`fri 9am` on Friday at 08:00 is today);
 * - a bare time (`17:30`) is today if still ahead, else tomorrow;
 * - `in N days/weeks` keeps the wall-clock time (across a DST change it is
 *   23 or 25 hours per day); `in N hours/minutes` is exact elapsed time;
 * - a local time that does not exist (the DST gap) moves forward by the gap;
 *   an ambiguous one (the repeated hour) is its first occurrence;
 * - the result must be in the future.
 *
 * @example
 *   parseWhen('tomorrow 10:00', { now: new Date('2026-03-28T12:00:00Z'), zone: 'Europe/Berlin' })
 *   // → 2026-03-29T08:00:00.000Z (10:00 CEST, the day clocks go forward)
 */
import { DateTime } from 'luxon';
import { ValidationError } from '../errors.js';

export interface WhenOptions {
  /** The moment "now" (tests drive it). */
  now: Date;
  /** IANA zone of the person typing, e.g. `Europe/Berlin`. */
  zone: string;
  /** Read `12/01` as December 1st (US style); default day first (1 December is `01/12`). */
  monthFirst?: boolean;
}

export const WHEN_EXAMPLES = ['in 3 days', 'in 2 hours', 'tomorrow 10:00', 'fri 9am', 'monday', 'today 17:00', '2026-12-01 14:30'] as const;

type Attempt = { ok: true; at: Date } | { ok: false; reason: 'unreadable' | 'past' | 'invalid' };

const WEEKDAYS: Record<string, number> = {
  mon: 1, monday: 1,
  tue: 2, tues: 2, tuesday: 2,
  wed: 3, weds: 3, wednesday: 3,
  thu: 4, thur: 4, thurs: 4, thursday: 4,
  fri: 5, friday: 5,
  sat: 6, saturday: 6,
  sun: 7, sunday: 7,
};

const UNITS: Record<string, 'minutes' | 'hours' | 'days' | 'weeks'> = {
  m: 'minutes', min: 'minutes', mins: 'minutes', minute: 'minutes', minutes: 'minutes',
  h: 'hours', hr: 'hours', hrs: 'hours', hour: 'hours', hours: 'hours',
  d: 'days', day: 'days', days: 'days',
  w: 'weeks', wk: 'weeks', wks: 'weeks', week: 'weeks', weeks: 'weeks',
};

const DEFAULT_HOUR = 9;
// A time after a date: `10:00`, `9am`, `9:30 pm`, `noon`; a bare hour only after "at".
const TIME = String.raw`(?:(\d{1,2}):(\d{2})\s*(am|pm)?|(\d{1,2})\s*(am|pm)|(noon))`;
const AT_HOUR = String.raw`at\s+(\d{1,2})`;
const TIME_PART = String.raw`(?:\s+(?:at\s+)?${TIME}|\s+${AT_HOUR})?`;

/**
 * Reads a whole phrase as a moment.
 * @throws ValidationError (field `when`) with examples when it cannot be read or is not in the future
 */
export function parseWhen(input: string, options: WhenOptions): Date {
  const attempt = tryParseWhen(input, options);
  if (attempt.ok) return attempt.at;
  throw whenError(input, attempt.reason);
}

/**
 * Splits a leading "when" off a command line: the longest prefix (up to five
 * words) that reads as a time.
 *
 * @example
 *   takeWhen('fri 9am call about the blue dress', opts) // → { at, phrase: 'fri 9am', rest: 'call about the blue dress' }
 * @throws ValidationError when no prefix reads as a time, or the time has passed
 */
export function takeWhen(args: string, options: WhenOptions): { at: Date; phrase: string; rest: string } {
  const tokens = args.trim().split(/\s+/).filter(Boolean);
  let past = false;
  for (let n = Math.min(5, tokens.length); n >= 1; n--) {
    const phrase = tokens.slice(0, n).join(' ');
    const attempt = tryParseWhen(phrase, options);
    if (attempt.ok) return { at: attempt.at, phrase, rest: tokens.slice(n).join(' ') };
    if (attempt.reason !== 'unreadable') past = true;
  }
  throw whenError(tokens.slice(0, 3).join(' '), past ? 'past' : 'unreadable');
}

/** Like {@link parseWhen} without throwing. */
export function tryParseWhen(input: string, options: WhenOptions): Attempt {
  const text = input.trim().toLowerCase().replace(/\s+/g, ' ').replace(/[.,]$/, '');
  const now = DateTime.fromJSDate(options.now, { zone: options.zone });
  if (!now.isValid) return { ok: false, reason: 'invalid' };
  const result = parseAt(text, now, options.monthFirst ?? false);
  if (result === undefined) return { ok: false, reason: 'unreadable' };
  if (result === null || !result.isValid) return { ok: false, reason: 'invalid' };
  if (result.toMillis() <= now.toMillis()) return { ok: false, reason: 'past' };
  return { ok: true, at: result.toJSDate() };
}

/** `undefined`: not a time phrase; `null`: a time phrase with impossible values. */
function parseAt(text: string, now: DateTime, monthFirst: boolean): DateTime | null | undefined {
  const relative = new RegExp(String.raw`^in\s+(\d{1,4}|an?)\s*([a-z]+)$`).exec(text);
  if (relative) {
    const unit = UNITS[relative[2]!];
    if (!unit) return undefined;
    const n = /^\d/.test(relative[1]!) ? Number(relative[1]) : 1;
    if (n <= 0) return null;
    // Days and weeks are calendar arithmetic in the zone (wall clock kept); hours and minutes are elapsed time.
    return unit === 'days' || unit === 'weeks' ? now.plus({ [unit]: n }) : now.toUTC().plus({ [unit]: n }).setZone(now.zone);
  }

  const day = new RegExp(`^(today|tonight|tomorrow|tmr|tmrw)${TIME_PART}$`).exec(text);
  if (day) {
    const base = day[1] === 'today' || day[1] === 'tonight' ? now : now.plus({ days: 1 });
    const time = timeOf(day.slice(2));
    if (time === null) return null;
    return at(base, time ?? { hour: day[1] === 'tonight' ? 19 : DEFAULT_HOUR, minute: 0 });
  }

  const weekday = new RegExp(`^(?:next\\s+)?([a-z]+)${TIME_PART}$`).exec(text);
  if (weekday && WEEKDAYS[weekday[1]!] !== undefined) {
    const target = WEEKDAYS[weekday[1]!]!;
    const time = timeOf(weekday.slice(2));
    if (time === null) return null;
    const explicitNext = text.startsWith('next ');
    let ahead = (target - now.weekday + 7) % 7;
    if (ahead === 0 && (explicitNext || time === undefined || at(now, time)!.toMillis() <= now.toMillis())) ahead = 7;
    return at(now.plus({ days: ahead }), time ?? { hour: DEFAULT_HOUR, minute: 0 });
  }

  const iso = new RegExp(String.raw`^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ t](?:at\s+)?${TIME}|\s+${AT_HOUR})?$`).exec(text);
  if (iso) {
    const time = timeOf(iso.slice(4));
    if (time === null) return null;
    return atDate(now, Number(iso[1]), Number(iso[2]), Number(iso[3]), time);
  }

  const numeric = new RegExp(String.raw`^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?${TIME_PART}$`).exec(text);
  if (numeric) {
    const a = Number(numeric[1]);
    const b = Number(numeric[2]);
    const [d, m] = monthFirst ? [b, a] : [a, b];
    const time = timeOf(numeric.slice(4));
    if (time === null) return null;
    if (numeric[3]) {
      const y = numeric[3].length === 2 ? 2000 + Number(numeric[3]) : Number(numeric[3]);
      return atDate(now, y, m, d, time);
    }
    const thisYear = atDate(now, now.year, m, d, time);
    if (thisYear && thisYear.toMillis() <= now.toMillis()) return atDate(now, now.year + 1, m, d, time);
    return thisYear;
  }

  const bare = new RegExp(`^(?:(?:at\\s+)?${TIME}|${AT_HOUR})$`).exec(text);
  if (bare) {
    const time = timeOf(bare.slice(1));
    if (!time) return null;
    const today = at(now, time)!;
    return today.toMillis() > now.toMillis() ? today : at(now.plus({ days: 1 }), time);
  }
  return undefined;
}

type Clock = { hour: number; minute: number };

/** Groups: [hh, mm, ampm, h, ampm2, noon, atHour] → a clock, `undefined` when absent, `null` when impossible. */
function timeOf(groups: (string | undefined)[]): Clock | null | undefined {
  const [hh, mm, ampm, h, ampm2, noon, atHour] = groups;
  if (noon) return { hour: 12, minute: 0 };
  let hour: number;
  let minute = 0;
  let meridiem: string | undefined;
  if (hh !== undefined) {
    hour = Number(hh);
    minute = Number(mm);
    meridiem = ampm;
  } else if (h !== undefined) {
    hour = Number(h);
    meridiem = ampm2;
  } else if (atHour !== undefined) {
    hour = Number(atHour);
  } else {
    return undefined;
  }
  if (minute > 59) return null;
  if (meridiem) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
  }
  if (hour > 23) return null;
  return { hour, minute };
}

/**
 * A local wall-clock time in a zone. A time in the DST gap moves forward by
 * the gap (luxon's rule); a time that occurs twice (clocks going back) is its
 * first occurrence — luxon alone would pick the second.
 */
export function localTime(fields: { year: number; month: number; day: number; hour: number; minute: number }, zone: string): DateTime {
  const dt = DateTime.fromObject(fields, { zone });
  if (!dt.isValid) return dt;
  const hourEarlier = DateTime.fromMillis(dt.toMillis() - 3_600_000, { zone });
  const same = hourEarlier.day === dt.day && hourEarlier.hour === dt.hour && hourEarlier.minute === dt.minute;
  return same ? hourEarlier : dt;
}

/** The given local day of `base` at a clock time, in `base`'s zone. */
function at(base: DateTime, time: Clock): DateTime | null {
  const dt = localTime({ year: base.year, month: base.month, day: base.day, hour: time.hour, minute: time.minute }, base.zoneName ?? 'UTC');
  return dt.isValid ? dt : null;
}

function atDate(now: DateTime, year: number, month: number, day: number, time: Clock | undefined): DateTime | null {
  const dt = localTime({ year, month, day, hour: time?.hour ?? DEFAULT_HOUR, minute: time?.minute ?? 0 }, now.zoneName ?? 'UTC');
  return dt.isValid ? dt : null;
}

function whenError(input: string, reason: 'unreadable' | 'past' | 'invalid'): ValidationError {
  const params = { text: input, examples: WHEN_EXAMPLES };
  if (reason === 'past') return new ValidationError('when', { code: 'WHEN_PASSED', params });
  if (reason === 'invalid') return new ValidationError('when', { code: 'WHEN_NOT_A_DATE', params });
  return new ValidationError('when', { code: 'WHEN_UNREADABLE', params });
}

/** A snooze or interval: `30m`, `1h`, `2 hours`, `1d`, `3 days`, `1w`. */
export interface Span {
  amount: number;
  unit: 'minutes' | 'hours' | 'days' | 'weeks';
}

/**
 * Reads a span like `1h`, `1d`, `90m`, `2 days`.
 * @throws ValidationError (field `duration`) when unreadable
 */
export function parseSpan(input: string): Span {
  const m = /^(\d{1,4})\s*([a-z]+)$/.exec(input.trim().toLowerCase());
  const unit = m ? UNITS[m[2]!] : undefined;
  const amount = m ? Number(m[1]) : 0;
  if (!m || !unit || amount <= 0) {
    throw new ValidationError('duration', { code: 'DURATION_UNREADABLE', params: { text: input } });
  }
  return { amount, unit };
}

/** `at` plus a span in a zone: days and weeks keep the local clock time, hours and minutes are elapsed time. */
export function addSpan(at: Date, span: Span, zone: string): Date {
  const base = DateTime.fromJSDate(at, { zone });
  const moved = span.unit === 'days' || span.unit === 'weeks' ? base.plus({ [span.unit]: span.amount }) : base.toUTC().plus({ [span.unit]: span.amount });
  return moved.toJSDate();
}
