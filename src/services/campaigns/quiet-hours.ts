/**
 * Quiet hours for promotions: nothing goes out between 21:00 and 08:00 in the
 * customer's own time zone. A delivery that falls in them is deferred to the
 * next 08:00 local — not dropped. Pure: the clock and the zone are arguments.
 * Across a DST change 08:00 is still 08:00 on the wall clock (luxon).
 *
 * @example
 *   quietUntil(new Date('2026-03-02T15:00:00Z'), 'Asia/Ho_Chi_Minh') // 22:00 local → 2026-03-03T01:00:00Z (08:00 local)
 *   quietUntil(new Date('2026-03-02T03:00:00Z'), 'Asia/Ho_Chi_Minh') // 10:00 local → undefined (send now)
 */
import { DateTime } from 'luxon';

/** Local hours: quiet from `start`:00 until `end`:00 the next morning. */
export const QUIET_HOURS = Object.freeze({ start: 21, end: 8 });

/** The end of the quiet period `at` falls in (the next 08:00 local), or `undefined` outside quiet hours. */
export function quietUntil(at: Date, zone: string): Date | undefined {
  const local = DateTime.fromJSDate(at, { zone });
  if (!local.isValid) return undefined;
  const { hour } = local;
  if (hour >= QUIET_HOURS.end && hour < QUIET_HOURS.start) return undefined;
  const day = hour >= QUIET_HOURS.start ? local.plus({ days: 1 }) : local;
  return day.set({ hour: QUIET_HOURS.end, minute: 0, second: 0, millisecond: 0 }).toJSDate();
}

/** The next moment quiet hours begin (today's or tomorrow's 21:00 local) — until then sends are allowed. */
export function nextQuietStart(at: Date, zone: string): Date {
  const local = DateTime.fromJSDate(at, { zone });
  const today = local.set({ hour: QUIET_HOURS.start, minute: 0, second: 0, millisecond: 0 });
  return (today > local ? today : today.plus({ days: 1 })).toJSDate();
}

/**
 * Quiet-hours answers for many deliveries in few zones: each zone's answer is
 * computed once and reused until it can change (the next 21:00 or 08:00 there).
 *
 * @example
 *   const quiet = new QuietHoursCache();
 *   for (const d of deliveries) if (quiet.until(now, d.timeZone)) defer(d);
 */
export class QuietHoursCache {
  private readonly byZone = new Map<string, { until: Date | undefined; from: number; to: number }>();

  until(at: Date, zone: string): Date | undefined {
    const t = at.getTime();
    const cached = this.byZone.get(zone);
    if (cached && t >= cached.from && t < cached.to) return cached.until;
    const until = quietUntil(at, zone);
    this.byZone.set(zone, { until, from: t, to: (until ?? nextQuietStart(at, zone)).getTime() });
    return until;
  }
}
