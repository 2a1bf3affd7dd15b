/**
 * The opening-hours maths: the configuration line, open or closed at a moment, the next opening
 * and the opening time between two moments — in Asia/Ho_Chi_Minh (no DST, UTC+7) and in
 * Europe/Berlin across the spring and autumn clock changes, with overnight hours and closed days.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ALWAYS_OPEN, describeOpening, isOpenAt, nextOpening, openMillisBetween, parseOpeningHours, type OpeningHours } from '../../src/values/opening-hours.js';

const HCM = 'Asia/Ho_Chi_Minh';
const BERLIN = 'Europe/Berlin';
const MIN = 60_000;
const at = (iso: string) => new Date(iso);

function hours(line: string): OpeningHours {
  const parsed = parseOpeningHours(line);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.hours;
}

const shop = hours('mon-fri 08:00-20:00; sat 08:00-12:00'); // Sunday closed

describe('parseOpeningHours', () => {
  it('reads days, ranges, lists and several times a day', () => {
    expect(shop).toEqual({
      always: false,
      days: [...Array.from({ length: 5 }, () => [{ start: 480, end: 1200 }]), [{ start: 480, end: 720 }], []],
    });
    expect(hours('Mon,Wed 09:00-12:00, 13:30-18:00')).toMatchObject({ days: [[{ start: 540, end: 720 }, { start: 810, end: 1080 }], [], [{ start: 540, end: 720 }, { start: 810, end: 1080 }], [], [], [], []] });
    expect(hours('saturday-monday 10:00-11:00;')).toMatchObject({ days: [[{ start: 600, end: 660 }], [], [], [], [], [{ start: 600, end: 660 }], [{ start: 600, end: 660 }]] });
  });

  it('splits an overnight range at midnight into the next day, Sunday into Monday', () => {
    const bar = hours('fri-sat 20:00-02:00; sun 22:00-01:00');
    expect(bar).toMatchObject({ days: [[{ start: 0, end: 60 }], [], [], [], [{ start: 1200, end: 1440 }], [{ start: 0, end: 120 }, { start: 1200, end: 1440 }], [{ start: 0, end: 120 }, { start: 1320, end: 1440 }]] });
  });

  it('treats empty, "always", 24/7 and every day 00:00-24:00 as always open', () => {
    for (const line of ['', '  ', 'always', '24/7', 'mon-sun 00:00-24:00']) expect(parseOpeningHours(line)).toEqual({ ok: true, hours: ALWAYS_OPEN });
  });

  it('refuses what it cannot read, naming the part and the rule but never repeating the value', () => {
    const problem = (line: string) => {
      const r = parseOpeningHours(line);
      return r.ok ? 'ok' : r.problem;
    };
    expect(problem('mon-fri 8-20')).toMatch(/^part 1: times must be HH:MM-HH:MM/);
    expect(problem('mon-fri 08:00-20:00; funday 08:00-12:00')).toMatch(/^part 2: days must be mon, tue/);
    expect(problem('mon-fri 08:00-25:00')).toMatch(/^part 1: a time is not a time of day/);
    expect(problem('mon 09:00-09:00')).toMatch(/opens and closes at the same minute/);
    expect(problem('08:00-20:00')).toMatch(/^part 1: needs days then times/);
    expect(problem('mon-fri 08:00-20:00;; sat 08:00-12:00')).toMatch(/^part 2 is empty/);
    expect(problem('mon-fri 08:00-20:00; funday 08:00-12:00')).not.toContain('funday');
  });
});

describe('isOpenAt and nextOpening in Asia/Ho_Chi_Minh (UTC+7, no DST)', () => {
  it('is open within the hours and closed outside them, on closed days and at the closing minute', () => {
    expect(isOpenAt(shop, HCM, at('2026-03-02T01:00:00Z'))).toBe(true); // Monday 08:00
    expect(isOpenAt(shop, HCM, at('2026-03-02T00:59:59Z'))).toBe(false); // Monday 07:59:59
    expect(isOpenAt(shop, HCM, at('2026-03-02T13:00:00Z'))).toBe(false); // Monday 20:00
    expect(isOpenAt(shop, HCM, at('2026-03-07T04:30:00Z'))).toBe(true); // Saturday 11:30
    expect(isOpenAt(shop, HCM, at('2026-03-08T03:00:00Z'))).toBe(false); // Sunday 10:00
    expect(isOpenAt(ALWAYS_OPEN, HCM, at('2026-03-08T03:00:00Z'))).toBe(true);
  });

  it('finds the next opening: later today, tomorrow, or after a closed Sunday', () => {
    expect(nextOpening(shop, HCM, at('2026-03-02T00:30:00Z')).toISOString()).toBe('2026-03-02T01:00:00.000Z'); // Mon 07:30 → 08:00
    expect(nextOpening(shop, HCM, at('2026-03-02T14:00:00Z')).toISOString()).toBe('2026-03-03T01:00:00.000Z'); // Mon 21:00 → Tue 08:00
    expect(nextOpening(shop, HCM, at('2026-03-07T06:00:00Z')).toISOString()).toBe('2026-03-09T01:00:00.000Z'); // Sat 13:00 → Mon 08:00
    expect(nextOpening(shop, HCM, at('2026-03-03T05:00:00Z')).toISOString()).toBe('2026-03-03T05:00:00.000Z'); // open: now
  });

  it('keeps an overnight opening open after midnight', () => {
    const bar = hours('fri 20:00-02:00');
    expect(isOpenAt(bar, HCM, at('2026-03-06T18:30:00Z'))).toBe(true); // Saturday 01:30
    expect(isOpenAt(bar, HCM, at('2026-03-06T19:00:00Z'))).toBe(false); // Saturday 02:00
    expect(nextOpening(bar, HCM, at('2026-03-06T19:00:00Z')).toISOString()).toBe('2026-03-13T13:00:00.000Z'); // next Friday 20:00
  });

  it('describes the next opening as today, tomorrow or a weekday with its local time', () => {
    expect(describeOpening(at('2026-03-02T01:00:00Z'), at('2026-03-02T00:30:00Z'), HCM)).toEqual({ day: 'today', weekday: 1, time: '08:00' });
    expect(describeOpening(at('2026-03-03T01:00:00Z'), at('2026-03-02T14:00:00Z'), HCM)).toEqual({ day: 'tomorrow', weekday: 2, time: '08:00' });
    expect(describeOpening(at('2026-03-09T01:00:00Z'), at('2026-03-07T06:00:00Z'), HCM)).toEqual({ day: 'weekday', weekday: 1, time: '08:00' });
  });
});

describe('openMillisBetween', () => {
  it('counts only opening time: an evening message answered next morning waited minutes, not hours', () => {
    // Monday 19:50 → Tuesday 08:10: 10 minutes before closing, 10 after opening.
    expect(openMillisBetween(shop, HCM, at('2026-03-02T12:50:00Z'), at('2026-03-03T01:10:00Z'))).toBe(20 * MIN);
    // Saturday 11:00 → Monday 09:00: one hour on Saturday, Sunday closed, one hour on Monday.
    expect(openMillisBetween(shop, HCM, at('2026-03-07T04:00:00Z'), at('2026-03-09T02:00:00Z'))).toBe(120 * MIN);
    // Wholly outside opening hours: nothing.
    expect(openMillisBetween(shop, HCM, at('2026-03-08T01:00:00Z'), at('2026-03-08T10:00:00Z'))).toBe(0);
    // A whole week: 5 × 12 h + 4 h.
    expect(openMillisBetween(shop, HCM, at('2026-03-01T17:00:00Z'), at('2026-03-08T17:00:00Z'))).toBe(64 * 60 * MIN);
  });

  it('is plain elapsed time when always open, and zero for an empty or reversed span', () => {
    expect(openMillisBetween(ALWAYS_OPEN, HCM, at('2026-03-02T12:50:00Z'), at('2026-03-03T01:10:00Z'))).toBe(740 * MIN);
    expect(openMillisBetween(shop, HCM, at('2026-03-03T05:00:00Z'), at('2026-03-03T04:00:00Z'))).toBe(0);
  });

  it('counts an overnight opening across midnight', () => {
    const bar = hours('fri 20:00-02:00');
    // Friday 19:00 → Saturday 03:00 in Ho Chi Minh: the six open hours.
    expect(openMillisBetween(bar, HCM, at('2026-03-06T12:00:00Z'), at('2026-03-06T20:00:00Z'))).toBe(6 * 60 * MIN);
  });
});

describe('in Europe/Berlin across daylight saving time', () => {
  const berlin = hours('mon-sun 01:00-04:00');

  it('keeps the wall-clock hours on the spring-forward night (02:00 → 03:00): two hours open', () => {
    // Sunday 2026-03-29: 01:00 CET = 00:00Z; 04:00 CEST = 02:00Z.
    expect(isOpenAt(berlin, BERLIN, at('2026-03-29T00:30:00Z'))).toBe(true);
    expect(isOpenAt(berlin, BERLIN, at('2026-03-29T02:00:00Z'))).toBe(false);
    expect(openMillisBetween(berlin, BERLIN, at('2026-03-28T23:00:00Z'), at('2026-03-29T06:00:00Z'))).toBe(2 * 60 * MIN);
  });

  it('counts the repeated hour on the fall-back night (03:00 → 02:00): four hours open', () => {
    // Sunday 2026-10-25: 01:00 CEST = 23:00Z the day before; 04:00 CET = 03:00Z.
    expect(openMillisBetween(berlin, BERLIN, at('2026-10-24T22:00:00Z'), at('2026-10-25T06:00:00Z'))).toBe(4 * 60 * MIN);
  });

  it('finds the next opening at 08:00 local after the change, an hour earlier in UTC', () => {
    const weekdays = hours('mon-fri 08:00-18:00');
    expect(nextOpening(weekdays, BERLIN, at('2026-03-27T18:00:00Z')).toISOString()).toBe('2026-03-30T06:00:00.000Z'); // Fri 19:00 CET → Mon 08:00 CEST
    expect(describeOpening(at('2026-03-30T06:00:00Z'), at('2026-03-27T18:00:00Z'), BERLIN)).toEqual({ day: 'weekday', weekday: 1, time: '08:00' });
  });
});

describe('configuration', () => {
  it('reads BUSINESS_HOURS and WAITING_ALERT_MINUTES, defaulting to always open and 30 minutes', () => {
    const config = loadConfig({ BUSINESS_HOURS: 'mon-fri 08:00-20:00; sat 08:00-12:00', WAITING_ALERT_MINUTES: '45' }, { envFile: null });
    expect(config.BUSINESS_HOURS).toEqual(shop);
    expect(config.WAITING_ALERT_MINUTES).toBe(45);
    const defaults = loadConfig({}, { envFile: null });
    expect(defaults.BUSINESS_HOURS).toEqual(ALWAYS_OPEN);
    expect(defaults.WAITING_ALERT_MINUTES).toBe(30);
  });

  it('stops start-up on a line it cannot read, naming the key and the rule but not the value', () => {
    expect(() => loadConfig({ BUSINESS_HOURS: 'weekdays 9 to 5', WAITING_ALERT_MINUTES: '0' }, { envFile: null })).toThrow(
      /BUSINESS_HOURS: part 1: needs days then times; write it like "mon-fri 08:00-20:00; sat 08:00-12:00"[\s\S]*WAITING_ALERT_MINUTES: must be at least 1/,
    );
    try {
      loadConfig({ BUSINESS_HOURS: 'weekdays 9 to 5' }, { envFile: null });
    } catch (error) {
      expect(String(error)).not.toContain('weekdays');
    }
  });
});
