/**
 * When a manager's weekly digest goes out: a local weekday and clock time in
 * their own zone, recomputed with luxon after every run — not a fixed UTC
 * cron — so "Monday 09:00" stays 09:00 local when clocks change.
 *
 * @example
 *   nextDigestRun({ day: 1, time: '09:00', timeZone: 'Europe/Berlin' }, new Date('2026-03-24T12:00:00Z'))
 *   // → 2026-03-30T07:00:00.000Z (Monday 09:00 CEST; the Monday before was 08:00Z, CET)
 */
import { DateTime } from 'luxon';
import { ValidationError } from '../../errors.js';
import { localTime } from '../../values/when.js';

export interface DigestSchedule {
  /** ISO weekday, 1 = Monday … 7 = Sunday. */
  day: number;
  /** `HH:mm`, local. */
  time: string;
  timeZone: string;
}

export const DEFAULT_DIGEST_DAY = 1;
export const DEFAULT_DIGEST_TIME = '09:00';

const DAY_NAMES: Record<string, number> = {
  mon: 1, monday: 1, tue: 2, tues: 2, tuesday: 2, wed: 3, wednesday: 3, thu: 4, thur: 4, thurs: 4, thursday: 4,
  fri: 5, friday: 5, sat: 6, saturday: 6, sun: 7, sunday: 7,
};

/** The first moment strictly after `after` that is `day` at `time` in `timeZone`. */
export function nextDigestRun(schedule: DigestSchedule, after: Date): Date {
  const [hour, minute] = schedule.time.split(':').map(Number) as [number, number];
  const start = DateTime.fromJSDate(after, { zone: schedule.timeZone });
  for (let i = 0; i <= 7; i++) {
    const day = start.plus({ days: i });
    if (day.weekday !== schedule.day) continue;
    // A time in the DST gap moves forward; a repeated one is its first occurrence.
    const candidate = localTime({ year: day.year, month: day.month, day: day.day, hour, minute }, schedule.timeZone);
    if (candidate.toMillis() > after.getTime()) return candidate.toJSDate();
  }
  // Same weekday, time already passed today: a week later.
  const week = start.plus({ days: 7 });
  return localTime({ year: week.year, month: week.month, day: week.day, hour, minute }, schedule.timeZone).toJSDate();
}

/**
 * Reads `[day] [HH:MM]` as typed after `digest on`: `mon 9:00`, `friday 17:30`, `8am`, or nothing.
 * @throws ValidationError with an example
 */
export function parseDigestSchedule(args: string): { day: number; time: string } {
  let day = DEFAULT_DIGEST_DAY;
  let time = DEFAULT_DIGEST_TIME;
  for (const word of args.trim().toLowerCase().split(/\s+/).filter(Boolean)) {
    const named = DAY_NAMES[word];
    if (named !== undefined) {
      day = named;
      continue;
    }
    const clock = /^(\d{1,2})(?::(\d{2}))?(am|pm)?$/.exec(word);
    if (clock && (clock[2] !== undefined || clock[3] !== undefined)) {
      let hour = Number(clock[1]);
      const minute = Number(clock[2] ?? 0);
      if (clock[3]) {
        if (hour < 1 || hour > 12) throw scheduleError(word);
        hour = (hour % 12) + (clock[3] === 'pm' ? 12 : 0);
      }
      if (hour > 23 || minute > 59) throw scheduleError(word);
      time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
      continue;
    }
    throw scheduleError(word);
  }
  return { day, time };
}

/** `Monday` for 1. */
export function weekdayName(day: number): string {
  return DateTime.fromObject({ year: 2024, month: 1, day }).toFormat('cccc'); // 2024-01-01 was a Monday
}

function scheduleError(word: string): ValidationError {
  return new ValidationError('schedule', { code: 'DIGEST_SCHEDULE_UNREADABLE', params: { text: word } });
}
