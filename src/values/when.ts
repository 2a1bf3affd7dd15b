/**
 * "When" in the words staff type, in English or Vietnamese (with or without
 * diacritics), read in their own time zone with luxon. Pure: the clock and the
 * zone are arguments.
 *
 * English: `in 3 days`, `in 2 hours`, `2h`, `30m`, `tomorrow 10:00`, `fri 9am`,
 * `monday`, `next mon 8:30`, `today 17:00`, `tonight`, `17:30`, `sat noon`,
 * `2026-12-01 14:30`, `01/12 14:30` (day first unless `monthFirst`).
 * Vietnamese: `mai 9h`, `ngày mai 9h`, `9 giờ sáng mai`, `chiều nay 3h` (15:00),
 * `tối nay 8h` (20:00), `9h30`, `lúc 9 giờ rưỡi`, `thứ 2`/`thứ hai`/`t2`, `chủ nhật`,
 * `thứ hai tuần sau`, `ngày mốt`, `2 tiếng nữa`, `30 phút nữa`, `3 ngày nữa`,
 * `sau 2 tiếng`, `3 ngày nữa lúc 9h`, `25/12`, `ngày 25/12 14:30`, `25 tháng 12`.
 *
 * Rules, so people can predict them:
 * - a date without a time means 09:00 local; a part of the day without a time
 *   means sáng 09:00, trưa 12:00, chiều 14:00, tối (and `tonight`) 19:00;
 * - a part of the day moves the hour into it: `chiều 3h` is 15:00, `tối 8h` 20:00;
 *   an hour outside it (`15h sáng`) is refused;
 * - a weekday means its next occurrence after today, or today when a time is
 *   given that is still ahead (`fri 9am` on Friday at 08:00 is today);
 *   `thứ hai tuần sau` is the Monday of next (Monday-first) week;
 * - a bare time (`17:30`, `9h30`, `lúc 9h`) is today if still ahead, else tomorrow;
 *   a bare `2h` alone is a duration (two hours from now), as in `followup snooze`;
 *   with a day or a part of the day (`mai 2h`, `2h chiều`) it is a clock time;
 * - `in N days/weeks` keeps the wall-clock time (across a DST change it is
 *   23 or 25 hours per day); `in N hours/minutes` is exact elapsed time;
 * - a local time that does not exist (the DST gap) moves forward by the gap;
 *   an ambiguous one (the repeated hour) is its first occurrence;
 * - impossible values are refused with the reason (`25:00`: no hour 25; `31/02`:
 *   February has no 31st; `fri 13pm`), never read as something else;
 * - the result must be in the future, and at most {@link MAX_YEARS_AHEAD} years ahead.
 *
 * @example
 *   parseWhen('tomorrow 10:00', { now: new Date('2026-03-28T12:00:00Z'), zone: 'Europe/Berlin' })
 *   // → 2026-03-29T08:00:00.000Z (10:00 CEST, the day clocks go forward)
 *   parseWhen('chiều nay 3h', { now: new Date('2026-03-02T03:00:00Z'), zone: 'Asia/Ho_Chi_Minh' })
 *   // → 2026-03-02T08:00:00.000Z (15:00 in Hồ Chí Minh City)
 */
import { DateTime } from 'luxon';
import { ValidationError } from '../errors.js';
import { foldName } from './names.js';

export interface WhenOptions {
  /** The moment "now" (tests drive it). */
  now: Date;
  /** IANA zone of the person typing, e.g. `Europe/Berlin`. */
  zone: string;
  /** Read `12/01` as December 1st (US style); default day first (1 December is `01/12`). */
  monthFirst?: boolean;
}

export const WHEN_EXAMPLES = ['in 3 days', 'in 2 hours', 'tomorrow 10:00', 'fri 9am', 'monday', 'today 17:00', '2026-12-01 14:30'] as const;
/** Vietnamese examples, shown after the English ones. */
export const WHEN_EXAMPLES_VI = ['mai 9h', 'chiều nay 3h', 'thứ 2 9h', '2 tiếng nữa'] as const;
const EXAMPLES = [...WHEN_EXAMPLES, ...WHEN_EXAMPLES_VI];

/** How far ahead a time may be: further is more likely a typo (`9999-12-31`) than a plan. */
export const MAX_YEARS_AHEAD = 2;

/** What made a phrase impossible, for the reason shown. */
export type WhenProblem =
  | { kind: 'hour'; hour: number }
  | { kind: 'minute'; minute: number }
  | { kind: '12h'; hour: number; suffix: string }
  | { kind: 'period'; hour: number; period: string }
  | { kind: 'day'; day: number; month: number; year?: number }
  | { kind: 'month'; month: number }
  | { kind: 'ambiguous'; word: string; readings: readonly string[] }
  | { kind: 'invalid' };

type Attempt =
  | { ok: true; at: Date }
  | { ok: false; reason: 'unreadable' | 'past' | 'too-far' }
  | { ok: false; reason: 'invalid'; problem: WhenProblem };

const WEEKDAYS: Record<string, number> = {
  mon: 1, monday: 1,
  tue: 2, tues: 2, tuesday: 2,
  wed: 3, weds: 3, wednesday: 3,
  thu: 4, thur: 4, thurs: 4, thursday: 4,
  fri: 5, friday: 5,
  sat: 6, saturday: 6,
  sun: 7, sunday: 7,
};
/** After `thứ` (folded `thu`): the day's number or name. Thứ hai is Monday, chủ nhật Sunday. */
const THU: Record<string, number> = { '2': 1, hai: 1, '3': 2, ba: 2, '4': 3, tu: 3, '5': 4, nam: 4, '6': 5, sau: 5, '7': 6, bay: 6 };

type Unit = 'minutes' | 'hours' | 'days' | 'weeks';
const UNITS: Record<string, Unit> = {
  m: 'minutes', min: 'minutes', mins: 'minutes', minute: 'minutes', minutes: 'minutes',
  h: 'hours', hr: 'hours', hrs: 'hours', hour: 'hours', hours: 'hours',
  d: 'days', day: 'days', days: 'days',
  w: 'weeks', wk: 'weeks', wks: 'weeks', week: 'weeks', weeks: 'weeks',
};
/** Vietnamese units, folded: phút (p), tiếng, giờ (only with "nữa"/"sau": "9 giờ" is a clock time), ngày, tuần, tháng. */
const VI_UNITS: Record<string, Unit | 'months'> = { phut: 'minutes', p: 'minutes', tieng: 'hours', gio: 'hours', ngay: 'days', tuan: 'weeks', thang: 'months' };

/** Parts of the day: the hours they hold (24 h), and the hour meant when none is given. */
const PERIODS: Record<string, { from: number; to: number; pm: boolean; default?: number }> = {
  sang: { from: 0, to: 11, pm: false, default: 9 },
  trua: { from: 11, to: 14, pm: true, default: 12 },
  chieu: { from: 12, to: 18, pm: true, default: 14 },
  toi: { from: 17, to: 23, pm: true, default: 19 },
  dem: { from: 21, to: 23, pm: true },
};

const DEFAULT_HOUR = 9;
const MAX_WORDS = 8;

/**
 * Reads a whole phrase as a moment.
 * @throws ValidationError (field `when`) with the reason and examples when it cannot be read, is impossible, or is not ahead
 */
export function parseWhen(input: string, options: WhenOptions): Date {
  const attempt = tryParseWhen(input, options);
  if (attempt.ok) return attempt.at;
  throw whenError(input, attempt);
}

/**
 * Splits a leading "when" off a command line: the longest prefix (up to eight
 * words) that reads as a time phrase decides — a possible time, or the reason it
 * is impossible or past. A shorter prefix is never used to get round an impossible
 * longer one (`tomorrow 25:00 call` is refused, not read as tomorrow 09:00).
 *
 * @example
 *   takeWhen('fri 9am call about the blue dress', opts) // → { at, phrase: 'fri 9am', rest: 'call about the blue dress' }
 *   takeWhen('mai 9h gọi lại', opts)                     // → { at, phrase: 'mai 9h', rest: 'gọi lại' }
 * @throws ValidationError when no prefix reads as a time, or the time is impossible or has passed
 */
export function takeWhen(args: string, options: WhenOptions): { at: Date; phrase: string; rest: string } {
  const tokens = args.trim().split(/\s+/).filter(Boolean);
  for (let n = Math.min(MAX_WORDS, tokens.length); n >= 1; n--) {
    const phrase = tokens.slice(0, n).join(' ');
    const attempt = tryParseWhen(phrase, options);
    if (attempt.ok) return { at: attempt.at, phrase, rest: tokens.slice(n).join(' ') };
    if (attempt.reason !== 'unreadable') throw whenError(phrase, attempt);
  }
  throw whenError(tokens.slice(0, 3).join(' '), { ok: false, reason: 'unreadable' });
}

/** Like {@link parseWhen} without throwing. */
export function tryParseWhen(input: string, options: WhenOptions): Attempt {
  const now = DateTime.fromJSDate(options.now, { zone: options.zone });
  if (!now.isValid) return { ok: false, reason: 'invalid', problem: { kind: 'invalid' } };
  const parts = readParts(words(input), 'when');
  if (!parts) return { ok: false, reason: 'unreadable' };
  const result = compose(parts, now, options.monthFirst ?? false);
  if (result === undefined) return { ok: false, reason: 'unreadable' };
  if ('kind' in result) return { ok: false, reason: 'invalid', problem: result };
  if (!result.isValid) return { ok: false, reason: 'invalid', problem: { kind: 'invalid' } };
  if (result.toMillis() <= now.toMillis()) return { ok: false, reason: 'past' };
  if (result.toMillis() > now.plus({ years: MAX_YEARS_AHEAD }).toMillis()) return { ok: false, reason: 'too-far' };
  return { ok: true, at: result.toJSDate() };
}

/**
 * Reads a weekly slot — a weekday and/or a clock time — as typed after `digest on`:
 * `mon 9:00`, `friday 5pm`, `thứ hai 8h`, `t6 17h30`, `8h sáng`, or nothing.
 * Here `8h` is always a clock time.
 *
 * @example
 *   parseWeeklySlot('thứ hai 8h') // → { day: 1, time: '08:00' }
 * @throws ValidationError (field `schedule`) when a word is not a weekday or a time, or the time is impossible
 */
export function parseWeeklySlot(input: string): { day?: number; time?: string } {
  const parts = readParts(words(input), 'slot');
  const unreadable = () => new ValidationError('schedule', { code: 'DIGEST_SCHEDULE_UNREADABLE', params: { text: input.trim() } });
  if (!parts || parts.relative || parts.day || parts.date || parts.weekday?.nextWeek || parts.weekday?.ambiguous) throw unreadable();
  const clock = clockOf(parts);
  if (clock !== undefined && 'kind' in clock) throw problemError('schedule', input.trim(), clock);
  if (parts.period && !parts.time && clock === undefined) throw unreadable();
  const time = clock && `${String(clock.hour).padStart(2, '0')}:${String(clock.minute).padStart(2, '0')}`;
  return { ...(parts.weekday ? { day: parts.weekday.day } : {}), ...(time ? { time } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Words → parts

interface Word {
  /** Lower case, as typed (diacritics kept). */
  raw: string;
  /** Diacritics folded: `chiều` → `chieu`, `đ` → `d`. */
  f: string;
}

function words(input: string): Word[] {
  const text = input
    .normalize('NFC')
    .trim()
    .toLowerCase()
    .replace(/[.,]$/, '')
    .replace(/^(\d{4}-\d{1,2}-\d{1,2})t(?=\d)/, '$1 ');
  return text
    .split(/\s+/)
    .filter(Boolean)
    .map((raw) => ({ raw, f: foldName(raw) }));
}

type Clock = { hour: number; minute: number };

/** A clock time as typed: the hour before any am/pm or part of the day is applied. */
interface TimePart {
  hour: number;
  minute: number;
  suffix?: 'am' | 'pm';
  noon?: boolean;
  /** Written `2h` alone: two hours from now unless a day or part of the day makes it a clock time. */
  bareH?: boolean;
  /** Introduced by `at`/`lúc`/`vào`: a clock time whatever else is there. */
  marked?: boolean;
}

interface Parts {
  relative?: { amount: number; unit: Unit | 'months' };
  /** Days from today: 0 today, 1 tomorrow, 2 the day after. */
  day?: { offset: number; tonight?: boolean };
  weekday?: { day: number; next?: boolean; nextWeek?: boolean; ambiguous?: string };
  date?: { year?: number; month: number; day: number; iso?: boolean; numeric: [number, number] };
  time?: TimePart;
  period?: { name: string; typed: string };
}

/** Reads every word of a phrase into parts; `undefined` when a word fits nowhere or a part comes twice. */
function readParts(list: Word[], mode: 'when' | 'slot'): Parts | undefined {
  const parts: Parts = {};
  let i = 0;
  let previous: keyof Parts | undefined;
  const set = <K extends keyof Parts>(key: K, value: Parts[K], used: number): boolean => {
    if (parts[key] !== undefined) return false;
    parts[key] = value;
    previous = key;
    i += used;
    return true;
  };
  while (i < list.length) {
    const at = (k: number) => list[i + k];
    const w = at(0)!;

    // Durations: "in 3 days", "sau 2 tiếng", "2 tiếng nữa", "nửa tiếng nữa", "3 ngày", "2h", "30m", "1h30m".
    if (mode === 'when') {
      const rel = relativeAt(list, i);
      if (rel) {
        if (!set('relative', rel.value, rel.used)) return undefined;
        continue;
      }
    }

    // Days: today, tonight, tomorrow, hôm nay, nay, ngày mai, mai, ngày mốt, mốt, ngày kia.
    const day = dayAt(list, i);
    if (day) {
      if (!set('day', day.value, day.used)) return undefined;
      continue;
    }

    // Weekdays: "next mon", "fri", "thứ 2", "thứ hai", "t2", "chủ nhật", "cn", then "tuần sau" / "tới" / "này".
    const weekday = weekdayAt(list, i);
    if (weekday) {
      if (!set('weekday', weekday.value, weekday.used)) return undefined;
      continue;
    }

    // Dates: 2026-12-01, 25/12, 25/12/2026, "ngày 25/12", "25 tháng 12 [năm 2026]".
    const date = dateAt(list, i);
    if (date) {
      if (!set('date', date.value, date.used)) return undefined;
      continue;
    }

    // Clock times, possibly after at / lúc / vào (lúc).
    const time = timeAt(list, i, mode);
    if (time) {
      if (!set('time', time.value, time.used)) return undefined;
      continue;
    }

    // Parts of the day: sáng, trưa, chiều, tối, đêm ("buổi sáng").
    const buoi = w.f === 'buoi';
    const periodWord = buoi ? at(1) : w;
    if (periodWord && isPeriod(periodWord, { before: buoi || previous === 'time', after: at(buoi ? 2 : 1)?.f })) {
      if (!set('period', { name: periodWord.f, typed: periodWord.raw }, buoi ? 2 : 1)) return undefined;
      continue;
    }
    return undefined;
  }
  return parts;
}

/** The parts of the day as written with their accents. */
const PERIODS_ACCENTED: Record<string, string> = { sang: 'sáng', trua: 'trưa', chieu: 'chiều', toi: 'tối', dem: 'đêm' };

/**
 * Whether a word is a part of the day. Written with its accents, it is; written with others it is
 * another word (`tôi` I, `tới` coming, `đem` bring, `sàng`). Without accents, `sang`, `toi` and `dem`
 * are also other words (`mai sang cửa hàng`: tomorrow, go over to the shop), so they count only
 * right after a clock time or `buổi` (`8h toi`) or right before `nay`/`mai` (`toi nay`, `sang mai`).
 */
function isPeriod(word: Word, around: { before: boolean; after: string | undefined }): boolean {
  const accented = PERIODS_ACCENTED[word.f];
  if (!accented) return false;
  if (word.raw === accented) return true;
  if (word.raw !== word.f) return false;
  if (word.f === 'chieu' || word.f === 'trua') return true;
  return around.before || around.after === 'nay' || around.after === 'mai';
}

const NUMBER = /^\d{1,4}$/;

function amountOf(word: Word | undefined): number | undefined {
  if (!word) return undefined;
  if (NUMBER.test(word.f)) return Number(word.f);
  if (word.raw === 'một' || (word.f === 'mot' && word.raw !== 'mốt')) return 1;
  return undefined;
}

function relativeAt(list: Word[], i: number): { value: NonNullable<Parts['relative']>; used: number } | undefined {
  const w = list[i]!;
  const next = list[i + 1];
  // "in 3 days", "in an hour", "in 2h"
  if (w.f === 'in' && next) {
    const n = next.f === 'a' || next.f === 'an' ? 1 : amountOf(next);
    const unit = list[i + 2] ? UNITS[list[i + 2]!.f] : undefined;
    if (n !== undefined && unit) return { value: { amount: n, unit }, used: 3 };
    const compact = compactSpan(next.f);
    if (compact) return { value: compact.span, used: 2 };
    return undefined;
  }
  // "sau 2 tiếng", "sau 30 phút", "sau 2h"
  if (w.f === 'sau' && next && w.raw !== 'sáu') {
    const n = amountOf(next);
    const unit = list[i + 2] ? VI_UNITS[list[i + 2]!.f] : undefined;
    if (n !== undefined && unit) return { value: { amount: n, unit }, used: 3 };
    const compact = compactSpan(next.f);
    if (compact) return { value: compact.span, used: 2 };
    return undefined;
  }
  // "nửa tiếng nữa": half an hour
  if (w.f === 'nua' && (next?.f === 'tieng' || next?.f === 'gio') && list[i + 2]?.f === 'nua') {
    return { value: { amount: 30, unit: 'minutes' }, used: 3 };
  }
  const n = amountOf(w);
  if (n !== undefined && next) {
    const viUnit = VI_UNITS[next.f];
    const nua = list[i + 2]?.f === 'nua';
    // "2 tiếng nữa", "3 ngày nữa", "2 giờ nữa"; "2 tiếng", "3 ngày" alone (but "9 giờ" is a clock time, "25 tháng 12" a date)
    if (viUnit && (nua || (next.f !== 'gio' && viUnit !== 'months'))) return { value: { amount: n, unit: viUnit }, used: nua ? 3 : 2 };
    // "2 hours", "3 days"
    const unit = UNITS[next.f];
    if (unit && NUMBER.test(w.f)) return { value: { amount: n, unit }, used: 2 };
  }
  const compact = compactSpan(w.f);
  if (compact) {
    if (next?.f === 'nua') return { value: compact.span, used: 2 };
    // "2h" alone is ambiguous with the Vietnamese clock time: it is read as a time part, decided later.
    if (compact.hourOnly !== undefined && compact.hourOnly <= 99) return undefined;
    return { value: compact.span, used: 1 };
  }
  return undefined;
}

/** `2h`, `30m`, `90min`, `3d`, `1w`, `30p`, `1h30m`: a span; `hourOnly` is set for `Nh`. */
function compactSpan(f: string): { span: { amount: number; unit: Unit }; hourOnly?: number } | undefined {
  const mixed = /^(\d{1,3})h(\d{1,2})m(?:in)?$/.exec(f);
  if (mixed) return { span: { amount: Number(mixed[1]) * 60 + Number(mixed[2]), unit: 'minutes' } };
  const m = /^(\d{1,4})([a-z]+)$/.exec(f);
  if (!m) return undefined;
  const unit = UNITS[m[2]!] ?? (m[2] === 'p' ? 'minutes' : undefined);
  if (!unit) return undefined;
  const span = { amount: Number(m[1]), unit };
  return m[2] === 'h' ? { span, hourOnly: Number(m[1]) } : { span };
}

function dayAt(list: Word[], i: number): { value: NonNullable<Parts['day']>; used: number } | undefined {
  const w = list[i]!;
  const next = list[i + 1]?.f;
  switch (w.f) {
    case 'today':
      return { value: { offset: 0 }, used: 1 };
    case 'tonight':
      return { value: { offset: 0, tonight: true }, used: 1 };
    case 'tomorrow':
    case 'tmr':
    case 'tmrw':
    case 'mai':
      return { value: { offset: 1 }, used: 1 };
    case 'nay':
      return { value: { offset: 0 }, used: 1 };
    case 'hom':
      return next === 'nay' ? { value: { offset: 0 }, used: 2 } : undefined;
    case 'ngay':
      if (next === 'mai') return { value: { offset: 1 }, used: 2 };
      if (next === 'mot' || next === 'kia') return { value: { offset: 2 }, used: 2 };
      return undefined;
    default:
      // "mốt" alone is the day after tomorrow; "mot" without its diacritics could be "một" (one).
      return w.raw === 'mốt' ? { value: { offset: 2 }, used: 1 } : undefined;
  }
}

function weekdayAt(list: Word[], i: number): { value: NonNullable<Parts['weekday']>; used: number } | undefined {
  const w = list[i]!;
  let day: number | undefined;
  let used = 0;
  let next = false;
  const thu = /^(?:thu|t)([2-7])$/.exec(w.f);
  if (thu) {
    day = THU[thu[1]!];
    used = 1;
  } else if (w.f === 'thu' && list[i + 1] && THU[list[i + 1]!.f] !== undefined) {
    day = THU[list[i + 1]!.f];
    used = 2;
  } else if (w.f === 'chu' && list[i + 1]?.f === 'nhat') {
    day = 7;
    used = 2;
  } else if (w.f === 'cn') {
    day = 7;
    used = 1;
  } else if (w.f === 'next' && list[i + 1] && WEEKDAYS[list[i + 1]!.raw] !== undefined) {
    day = WEEKDAYS[list[i + 1]!.raw];
    next = true;
    used = 2;
  } else if (WEEKDAYS[w.raw] !== undefined && (w.raw !== 'thu' || timeAt(list, i + 1, 'when'))) {
    // English names, typed as such ("thứ" alone folds to "thu" but is not Thursday). "thu" is also
    // the Vietnamese "collect" (`thu tiền`): it is Thursday only with a time after it (`thu 9am`).
    day = WEEKDAYS[w.raw];
    used = 1;
  }
  if (day === undefined) return undefined;
  // "thứ hai tuần sau" / "tuần tới": next week's; "thứ hai tới" / "này": the coming one.
  const after = list[i + used]?.f;
  if (after === 'tuan' && (list[i + used + 1]?.f === 'sau' || list[i + used + 1]?.f === 'toi')) {
    return { value: { day, nextWeek: true }, used: used + 2 };
  }
  const afterRaw = list[i + used]?.raw;
  // "thứ hai tới" / "thứ hai này": the coming Monday. "tối" is the evening (a part of the day, read next).
  if (afterRaw === 'tới' || afterRaw === 'này' || afterRaw === 'nay') return { value: { day }, used: used + 1 };
  // Without accents "toi" is "tới" (coming) or "tối" (evening): refused rather than guessed.
  if (afterRaw === 'toi') return { value: { day, ambiguous: 'toi' }, used: used + 1 };
  return { value: { day, ...(next ? { next } : {}) }, used };
}

function dateAt(list: Word[], i: number): { value: NonNullable<Parts['date']>; used: number } | undefined {
  let k = i;
  if (list[k]?.f === 'ngay' && list[k + 1]) k++; // "ngày 25/12"
  const w = list[k]!;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(w.f);
  if (iso) return { value: { year: Number(iso[1]), month: Number(iso[2]), day: Number(iso[3]), iso: true, numeric: [0, 0] }, used: k - i + 1 };
  const numeric = /^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2}|\d{4}))?$/.exec(w.f);
  if (numeric) {
    const a = Number(numeric[1]);
    const b = Number(numeric[2]);
    const year = numeric[3] ? (numeric[3].length === 2 ? 2000 + Number(numeric[3]) : Number(numeric[3])) : undefined;
    return { value: { ...(year !== undefined ? { year } : {}), month: 0, day: 0, numeric: [a, b] }, used: k - i + 1 };
  }
  // "25 tháng 12", "25 tháng 12 năm 2026"
  if (/^\d{1,2}$/.test(w.f) && list[k + 1]?.f === 'thang' && /^\d{1,2}$/.test(list[k + 2]?.f ?? '')) {
    const day = Number(w.f);
    const month = Number(list[k + 2]!.f);
    if (list[k + 3]?.f === 'nam' && /^\d{4}$/.test(list[k + 4]?.f ?? '')) {
      return { value: { year: Number(list[k + 4]!.f), month, day, iso: true, numeric: [0, 0] }, used: k - i + 5 };
    }
    return { value: { month, day, iso: true, numeric: [0, 0] }, used: k - i + 3 };
  }
  return undefined;
}

function timeAt(list: Word[], i: number, mode: 'when' | 'slot'): { value: TimePart; used: number } | undefined {
  let k = i;
  let marked = false;
  // "at 10", "lúc 9h", "vào lúc 9 giờ", "vào 9h"
  if (list[k]?.f === 'vao' && list[k + 1]?.f === 'luc') k += 2;
  else if (list[k]?.f === 'at' || list[k]?.f === 'luc' || list[k]?.f === 'vao') k += 1;
  if (k > i) marked = true;
  const w = list[k];
  if (!w) return undefined;
  const nextF = list[k + 1]?.f;
  const done = (value: TimePart, used: number) => {
    // "9h rưỡi", "9 giờ rưỡi": half past
    if (list[k + used]?.f === 'ruoi' && value.minute === 0 && !value.suffix) return { value: { ...value, minute: 30, bareH: false }, used: k - i + used + 1 };
    return { value, used: k - i + used };
  };
  const flags = marked ? { marked } : {};

  if (w.f === 'noon') return done({ hour: 12, minute: 0, noon: true, ...flags }, 1);
  let m = /^(\d{1,2}):(\d{2})(am|pm)?$/.exec(w.f);
  if (m) {
    const suffix = (m[3] ?? (nextF === 'am' || nextF === 'pm' ? nextF : undefined)) as TimePart['suffix'];
    return done({ hour: Number(m[1]), minute: Number(m[2]), ...(suffix ? { suffix } : {}), ...flags }, !m[3] && suffix ? 2 : 1);
  }
  m = /^(\d{1,2})(am|pm)$/.exec(w.f);
  if (m) return done({ hour: Number(m[1]), minute: 0, suffix: m[2] as 'am' | 'pm', ...flags }, 1);
  // 9h, 9h30, 9g, 9g30 (giờ)
  m = /^(\d{1,2})([hg])(\d{2})?$/.exec(w.f);
  if (m) {
    const bareH = m[2] === 'h' && m[3] === undefined && mode === 'when' && !marked;
    return done({ hour: Number(m[1]), minute: Number(m[3] ?? 0), ...(bareH ? { bareH } : {}), ...flags }, 1);
  }
  if (/^\d{1,2}$/.test(w.f)) {
    // "9 am"
    if (nextF === 'am' || nextF === 'pm') return done({ hour: Number(w.f), minute: 0, suffix: nextF, ...flags }, 2);
    // "9 giờ", "9 giờ 30", "9 giờ 30 phút"
    if (nextF === 'gio') {
      const minutes = list[k + 2]?.f;
      if (minutes && /^\d{1,2}$/.test(minutes)) {
        return done({ hour: Number(w.f), minute: Number(minutes), ...flags }, list[k + 3]?.f === 'phut' ? 4 : 3);
      }
      return done({ hour: Number(w.f), minute: 0, ...flags }, 2);
    }
    // "at 10", "lúc 9": a bare hour only after at / lúc
    if (marked) return done({ hour: Number(w.f), minute: 0, ...flags }, 1);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Parts → a moment

/** `undefined`: not a time phrase; a problem: a time phrase with impossible values. */
function compose(parts: Parts, now: DateTime, monthFirst: boolean): DateTime | WhenProblem | undefined {
  const { relative, day, weekday, date, period } = parts;
  let time = parts.time;
  if (weekday?.ambiguous) return { kind: 'ambiguous', word: weekday.ambiguous, readings: ['tới', 'tối'] };

  // A lone "2h" is two hours from now; with a day, a date or a part of the day it is a clock time.
  if (time?.bareH && !day && !weekday && !date && !period && !relative) {
    if (time.hour <= 0) return { kind: 'invalid' };
    return now.toUTC().plus({ hours: time.hour }).setZone(now.zone);
  }
  if (relative) {
    if (day || weekday || date || period) return undefined;
    if (relative.amount <= 0) return { kind: 'invalid' };
    const calendar = relative.unit === 'days' || relative.unit === 'weeks' || relative.unit === 'months';
    if (time && !calendar) return undefined;
    // Days, weeks and months are calendar arithmetic in the zone (wall clock kept); hours and minutes are elapsed time.
    const moved = calendar ? now.plus({ [relative.unit]: relative.amount }) : now.toUTC().plus({ [relative.unit]: relative.amount }).setZone(now.zone);
    if (!time) return moved;
    const clock = clockOf(parts);
    if (clock === undefined || 'kind' in clock) return clock;
    return at(moved, clock);
  }
  if ([day, weekday, date].filter(Boolean).length > 1) return undefined;
  if (time?.bareH) time = { ...time, bareH: false };

  const clock = clockOf({ ...parts, ...(time ? { time } : {}) });
  if (clock !== undefined && 'kind' in clock) return clock;
  const fallback: Clock = { hour: day?.tonight ? 19 : DEFAULT_HOUR, minute: 0 };

  if (day) return at(now.plus({ days: day.offset }), clock ?? fallback);

  if (weekday) {
    if (weekday.nextWeek) {
      const target = now.startOf('week').plus({ weeks: 1, days: weekday.day - 1 });
      return at(target, clock ?? fallback);
    }
    let ahead = (weekday.day - now.weekday + 7) % 7;
    if (ahead === 0 && (weekday.next || clock === undefined || at(now, clock).toMillis() <= now.toMillis())) ahead = 7;
    return at(now.plus({ days: ahead }), clock ?? fallback);
  }

  if (date) {
    const [a, b] = date.numeric;
    const month = date.iso ? date.month : monthFirst ? a : b;
    const dayOfMonth = date.iso ? date.day : monthFirst ? b : a;
    if (date.year !== undefined) {
      return dateProblem(date.year, month, dayOfMonth) ?? atDate(now, date.year, month, dayOfMonth, clock ?? fallback);
    }
    // No year: this year's if still ahead, else next year's (29/02 finds the next leap year only if it is next year).
    const problem = dateProblem(now.year, month, dayOfMonth);
    if (problem && problem.kind !== 'day') return problem;
    const thisYear = problem ? undefined : atDate(now, now.year, month, dayOfMonth, clock ?? fallback);
    if (thisYear && thisYear.toMillis() > now.toMillis()) return thisYear;
    if (dateProblem(now.year + 1, month, dayOfMonth)) return thisYear ?? problem;
    return atDate(now, now.year + 1, month, dayOfMonth, clock ?? fallback);
  }

  // A time alone (period or not): today if still ahead, else tomorrow. A part of the day alone is not enough.
  if (!clock || !time) return undefined;
  const today = at(now, clock);
  return today.toMillis() > now.toMillis() ? today : at(now.plus({ days: 1 }), clock);
}

/** The clock time of the parts: the typed time moved into its part of the day, that part's own hour, or nothing. */
function clockOf(parts: Parts): Clock | WhenProblem | undefined {
  const { time, period } = parts;
  const range = period ? PERIODS[period.name]! : undefined;
  if (!time) {
    if (!range) return undefined;
    return range.default === undefined ? undefined : { hour: range.default, minute: 0 };
  }
  let { hour } = time;
  const { minute } = time;
  if (minute > 59) return { kind: 'minute', minute };
  if (time.noon) {
    if (period) return undefined;
    return { hour: 12, minute: 0 };
  }
  if (time.suffix) {
    if (period) return undefined;
    if (hour < 1 || hour > 12) return { kind: '12h', hour, suffix: time.suffix };
    hour = (hour % 12) + (time.suffix === 'pm' ? 12 : 0);
  }
  if (hour > 23) return { kind: 'hour', hour };
  if (range) {
    // "3h chiều" is 15:00, "15h chiều" too; "11 giờ trưa" stays 11:00, "1 giờ trưa" is 13:00; "15h sáng" is refused.
    const candidates = range.pm && hour < 12 ? [hour + 12, hour] : [hour];
    const fit = candidates.find((h) => h >= range.from && h <= range.to);
    if (fit === undefined) return { kind: 'period', hour: time.hour, period: period!.typed };
    hour = fit;
  }
  return { hour, minute };
}

/** 29 February: a day that exists only in leap years. */
function leapOnly(month: number, day: number): boolean {
  return month === 2 && day === 29;
}

/** Why year-month-day is not a date (with the year when another year has that day: 29 February), or `undefined` when it is one. */
function dateProblem(year: number, month: number, day: number): WhenProblem | undefined {
  if (month < 1 || month > 12) return { kind: 'month', month };
  const days = DateTime.fromObject({ year, month }).daysInMonth ?? 31;
  if (day < 1 || day > days) return leapOnly(month, day) ? { kind: 'day', day, month, year } : { kind: 'day', day, month };
  return undefined;
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
function at(base: DateTime, time: Clock): DateTime {
  return localTime({ year: base.year, month: base.month, day: base.day, hour: time.hour, minute: time.minute }, base.zoneName ?? 'UTC');
}

function atDate(now: DateTime, year: number, month: number, day: number, time: Clock): DateTime {
  return localTime({ year, month, day, hour: time.hour, minute: time.minute }, now.zoneName ?? 'UTC');
}

function whenError(input: string, attempt: Exclude<Attempt, { ok: true }>): ValidationError {
  const params = { text: input, examples: EXAMPLES };
  switch (attempt.reason) {
    case 'past':
      return new ValidationError('when', { code: 'WHEN_PASSED', params });
    case 'too-far':
      return new ValidationError('when', { code: 'WHEN_TOO_FAR', params: { text: input, years: MAX_YEARS_AHEAD } });
    case 'invalid':
      return problemError('when', input, attempt.problem);
    default:
      return new ValidationError('when', { code: 'WHEN_UNREADABLE', params });
  }
}

function problemError(field: string, text: string, problem: WhenProblem): ValidationError {
  switch (problem.kind) {
    case 'hour':
      return new ValidationError(field, { code: 'WHEN_NO_SUCH_HOUR', params: { text, hour: problem.hour } });
    case 'minute':
      return new ValidationError(field, { code: 'WHEN_NO_SUCH_MINUTE', params: { text, minute: problem.minute } });
    case '12h':
      return new ValidationError(field, { code: 'WHEN_NOT_TWELVE_HOUR', params: { text, hour: problem.hour, suffix: problem.suffix } });
    case 'period':
      return new ValidationError(field, { code: 'WHEN_HOUR_OUTSIDE_PERIOD', params: { text, hour: problem.hour, period: problem.period } });
    case 'day':
      return new ValidationError(field, { code: 'WHEN_NO_SUCH_DAY', params: { text, day: problem.day, month: problem.month, ...(problem.year !== undefined ? { year: problem.year } : {}) } });
    case 'month':
      return new ValidationError(field, { code: 'WHEN_NO_SUCH_MONTH', params: { text, month: problem.month } });
    case 'ambiguous':
      return new ValidationError(field, { code: 'WHEN_AMBIGUOUS', params: { text, word: problem.word, readings: problem.readings } });
    default:
      return new ValidationError(field, { code: 'WHEN_NOT_A_DATE', params: { text, examples: EXAMPLES } });
  }
}

/** A snooze or interval: `30m`, `1h`, `2 hours`, `1d`, `3 days`, `1w`. */
export interface Span {
  amount: number;
  unit: 'minutes' | 'hours' | 'days' | 'weeks';
}

/**
 * Reads a span like `1h`, `1d`, `90m`, `2 days`, `1h30m`, or in Vietnamese `30 phút`, `30p`,
 * `2 tiếng`, `2 giờ`, `1 ngày`, `1 tuần` (a trailing `nữa` is fine).
 * @throws ValidationError (field `duration`) when unreadable
 */
export function parseSpan(input: string): Span {
  const text = foldName(input.normalize('NFC')).replace(/\s+nua$/, '');
  const mixed = /^(\d{1,3})\s*h\s*(\d{1,2})\s*m(?:in)?$/.exec(text);
  if (mixed && Number(mixed[1]) * 60 + Number(mixed[2]) > 0) return { amount: Number(mixed[1]) * 60 + Number(mixed[2]), unit: 'minutes' };
  const m = /^(\d{1,4})\s*([a-z]+)$/.exec(text);
  const viUnit = m ? VI_UNITS[m[2]!] : undefined;
  const unit = m ? (UNITS[m[2]!] ?? (viUnit === 'months' ? undefined : viUnit)) : undefined;
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
