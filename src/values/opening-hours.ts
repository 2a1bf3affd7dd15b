/**
 * The shop's opening hours: read from one configuration line, and the schedule maths the inbox
 * needs — is the shop open now, when does it open next, and how much opening time lies between
 * two moments (waiting times and first responses count opening hours only). Pure: the zone and
 * the moments are arguments; luxon does the wall-clock arithmetic, so a DST change moves the
 * hours with the clock (08:00 stays 08:00).
 *
 * The format (`BUSINESS_HOURS`), parts separated by `;`:
 *
 *   `mon-fri 08:00-20:00; sat 08:00-12:00`
 *   `mon,wed,fri 09:00-12:00, 13:30-18:00`   several days, several times
 *   `fri-sat 20:00-02:00`                    overnight: Friday 20:00 to Saturday 02:00, and so on
 *   `sun 00:00-24:00`                        the whole day
 *   `always` (or an empty value)             open around the clock
 *
 * Days are `mon tue wed thu fri sat sun` (full English names too), a range may wrap (`sat-mon`);
 * a day not named is closed. A time range whose end is not after its start runs past midnight into
 * the next day.
 *
 * @example
 *   const hours = parseOpeningHours('mon-fri 08:00-20:00; sat 08:00-12:00');
 *   if (!hours.ok) throw new Error(hours.problem);
 *   isOpenAt(hours.hours, 'Asia/Ho_Chi_Minh', new Date('2026-03-07T06:00:00Z')) // → false (Saturday 13:00)
 *   nextOpening(hours.hours, 'Asia/Ho_Chi_Minh', new Date('2026-03-07T06:00:00Z')) // → 2026-03-09T01:00:00Z (Monday 08:00)
 */
import { DateTime } from 'luxon';

/** Minutes in a day and a week. */
const DAY_MINUTES = 1440;

/** An opening on one weekday: from `start` to `end`, in minutes after that day's local midnight (`end` ≤ 1440). */
export interface DayOpening {
  start: number;
  end: number;
}

/**
 * A weekly schedule. `always`: open around the clock. Otherwise `days[0]` is Monday … `days[6]`
 * Sunday, each a sorted list of non-overlapping openings within that day (an overnight range is
 * split at midnight).
 */
export type OpeningHours = { always: true } | { always: false; days: DayOpening[][] };

/** Open around the clock: the default when `BUSINESS_HOURS` is not set. */
export const ALWAYS_OPEN: OpeningHours = Object.freeze({ always: true });

const DAY_NAMES: Record<string, number> = {
  mon: 0, monday: 0, tue: 1, tues: 1, tuesday: 1, wed: 2, wednesday: 2, thu: 3, thur: 3, thurs: 3, thursday: 3,
  fri: 4, friday: 4, sat: 5, saturday: 5, sun: 6, sunday: 6,
};

/** How the format reads, for the error a bad value gets (the value itself is never repeated). */
export const OPENING_HOURS_FORMAT = 'write it like "mon-fri 08:00-20:00; sat 08:00-12:00" (days mon…sun, times HH:MM-HH:MM, parts separated by ;) or "always"';

/**
 * Reads an opening-hours line. An empty value and `always`/`24/7` are open around the clock.
 * The problem of a bad line names the part and what is wrong with it, never the text itself
 * (configuration errors never echo values).
 *
 * @example
 *   parseOpeningHours('mon-fri 08:00-20:00')  // → { ok: true, hours: { always: false, days: [[{ start: 480, end: 1200 }], …] } }
 *   parseOpeningHours('mon-fri 8-20')         // → { ok: false, problem: 'part 1: times must be HH:MM-HH:MM, e.g. 08:00-20:00; …' }
 */
export function parseOpeningHours(line: string | undefined): { ok: true; hours: OpeningHours } | { ok: false; problem: string } {
  const text = (line ?? '').trim().toLowerCase();
  if (text === '' || text === 'always' || text === '24/7') return { ok: true, hours: ALWAYS_OPEN };
  const days: DayOpening[][] = Array.from({ length: 7 }, () => []);
  const parts = text.split(';').map((p) => p.trim());
  for (const [index, part] of parts.entries()) {
    const where = `part ${index + 1}`;
    if (part === '') {
      if (index === parts.length - 1 && index > 0) continue; // a trailing ";"
      return { ok: false, problem: `${where} is empty; ${OPENING_HOURS_FORMAT}` };
    }
    const m = /^([a-z,\s-]+?)\s+(\d[\d:,\s-]*)$/.exec(part);
    if (!m) return { ok: false, problem: `${where}: needs days then times; ${OPENING_HOURS_FORMAT}` };
    const dayList = readDays(m[1]!);
    if (!dayList) return { ok: false, problem: `${where}: days must be mon, tue, wed, thu, fri, sat, sun or a range such as mon-fri; ${OPENING_HOURS_FORMAT}` };
    const times = m[2]!.split(',').map((t) => t.trim());
    for (const range of times) {
      const t = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(range);
      if (!t) return { ok: false, problem: `${where}: times must be HH:MM-HH:MM, e.g. 08:00-20:00; ${OPENING_HOURS_FORMAT}` };
      const start = minuteOf(t[1]!, t[2]!);
      const end = minuteOf(t[3]!, t[4]!);
      if (start === undefined || end === undefined || start === DAY_MINUTES) {
        return { ok: false, problem: `${where}: a time is not a time of day (00:00 to 23:59, or 24:00 as an end)` };
      }
      if (start === end) return { ok: false, problem: `${where}: a time range opens and closes at the same minute` };
      for (const day of dayList) {
        if (end > start) days[day]!.push({ start, end });
        else {
          // Past midnight: the rest of this day, then the next day's beginning.
          days[day]!.push({ start, end: DAY_MINUTES });
          if (end > 0) days[(day + 1) % 7]!.push({ start: 0, end });
        }
      }
    }
  }
  const merged = days.map(mergeOpenings);
  if (merged.every((d) => d.length === 0)) return { ok: false, problem: `has no opening time; ${OPENING_HOURS_FORMAT}` };
  if (merged.every((d) => d.length === 1 && d[0]!.start === 0 && d[0]!.end === DAY_MINUTES)) return { ok: true, hours: ALWAYS_OPEN };
  return { ok: true, hours: { always: false, days: merged } };
}

/** `mon-fri`, `sat`, `mon,wed,fri`, `sat-mon` → weekday indexes (0 = Monday), or undefined. */
function readDays(spec: string): number[] | undefined {
  const result = new Set<number>();
  for (const item of spec.split(',').map((s) => s.trim())) {
    const range = item.split('-').map((s) => s.trim());
    if (range.length > 2 || range.some((r) => !(r in DAY_NAMES))) return undefined;
    const from = DAY_NAMES[range[0]!]!;
    const to = DAY_NAMES[range[range.length - 1]!]!;
    for (let d = from; ; d = (d + 1) % 7) {
      result.add(d);
      if (d === to) break;
    }
  }
  return result.size > 0 ? [...result].sort((a, b) => a - b) : undefined;
}

function minuteOf(h: string, m: string): number | undefined {
  const hour = Number(h);
  const minute = Number(m);
  if (minute > 59 || hour > 24 || (hour === 24 && minute !== 0)) return undefined;
  return hour * 60 + minute;
}

/** Sorts a day's openings and joins the ones that touch or overlap. */
function mergeOpenings(list: DayOpening[]): DayOpening[] {
  const sorted = [...list].sort((a, b) => a.start - b.start);
  const out: DayOpening[] = [];
  for (const o of sorted) {
    const last = out.at(-1);
    if (last && o.start <= last.end) last.end = Math.max(last.end, o.end);
    else out.push({ ...o });
  }
  return out;
}

/** The instants one local day's openings cover: `[from, to)` pairs in epoch milliseconds. */
function openingsOn(hours: Extract<OpeningHours, { always: false }>, day: DateTime): [number, number][] {
  const midnight = day.startOf('day');
  const at = (minute: number) =>
    minute >= DAY_MINUTES ? midnight.plus({ days: 1 }).startOf('day').toMillis() : midnight.set({ hour: Math.floor(minute / 60), minute: minute % 60 }).toMillis();
  return hours.days[midnight.weekday - 1]!.map((o) => [at(o.start), at(o.end)] as [number, number]).filter(([a, b]) => b > a);
}

/**
 * Whether the shop is open at a moment, in its zone.
 *
 * @example
 *   isOpenAt(hours, 'Asia/Ho_Chi_Minh', new Date('2026-03-02T03:00:00Z')) // → true (Monday 10:00)
 */
export function isOpenAt(hours: OpeningHours, zone: string, at: Date): boolean {
  if (hours.always) return true;
  const t = at.getTime();
  const local = DateTime.fromMillis(t, { zone });
  // An overnight opening that began yesterday is split at midnight, so today's list suffices.
  return openingsOn(hours, local).some(([a, b]) => t >= a && t < b);
}

/**
 * The next moment the shop opens at or after `at` (`at` itself when open then), looking up to
 * eight days ahead (a weekly schedule always opens within a week).
 *
 * @example
 *   nextOpening(weekdays8to20, 'Asia/Ho_Chi_Minh', new Date('2026-03-06T14:00:00Z')) // Friday 21:00 → Monday 08:00 (2026-03-09T01:00:00Z)
 */
export function nextOpening(hours: OpeningHours, zone: string, at: Date): Date {
  if (hours.always) return at;
  const t = at.getTime();
  const local = DateTime.fromMillis(t, { zone });
  for (let d = 0; d <= 8; d++) {
    for (const [a, b] of openingsOn(hours, local.plus({ days: d }))) {
      if (b > t) return new Date(Math.max(a, t));
    }
  }
  return at; // unreachable for a schedule with any opening
}

/**
 * Opening time between two moments, in milliseconds: how long a customer waited as far as the
 * shop is concerned (a message at 19:50 answered at 08:10 next morning waited 20 minutes when
 * the shop opens 08:00–20:00). Zero when `to` is not after `from`; with {@link ALWAYS_OPEN} it is
 * simply `to - from`.
 *
 * @example
 *   openMillisBetween(weekdays8to20, 'Asia/Ho_Chi_Minh', new Date('2026-03-02T12:50:00Z'), new Date('2026-03-03T01:10:00Z')) // → 1_200_000 (20 min)
 */
export function openMillisBetween(hours: OpeningHours, zone: string, from: Date, to: Date): number {
  const start = from.getTime();
  const end = to.getTime();
  if (end <= start) return 0;
  if (hours.always) return end - start;
  let total = 0;
  const last = DateTime.fromMillis(end, { zone }).startOf('day');
  for (let day = DateTime.fromMillis(start, { zone }).startOf('day'); day <= last; day = day.plus({ days: 1 }).startOf('day')) {
    for (const [a, b] of openingsOn(hours, day)) total += Math.max(0, Math.min(b, end) - Math.max(a, start));
  }
  return total;
}

/**
 * How the shop's next opening reads to a person: `today`, `tomorrow` or a weekday (ISO number,
 * 1 = Monday), and the local time `HH:mm` — for "we open tomorrow at 08:00".
 *
 * @example
 *   describeOpening(new Date('2026-03-09T01:00:00Z'), new Date('2026-03-06T14:00:00Z'), 'Asia/Ho_Chi_Minh') // → { day: 'weekday', weekday: 1, time: '08:00' }
 */
export function describeOpening(opensAt: Date, now: Date, zone: string): { day: 'today' | 'tomorrow' | 'weekday'; weekday: number; time: string } {
  const open = DateTime.fromJSDate(opensAt, { zone });
  const today = DateTime.fromJSDate(now, { zone }).startOf('day');
  const days = Math.round(open.startOf('day').diff(today, 'days').days);
  return { day: days === 0 ? 'today' : days === 1 ? 'tomorrow' : 'weekday', weekday: open.weekday, time: open.toFormat('HH:mm') };
}
