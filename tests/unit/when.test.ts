import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { addSpan, parseSpan, parseWhen, takeWhen } from '../../src/values/when.js';

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

/** Local wall-clock reading of a Date in a zone, e.g. `2026-03-29 10:00 +02:00`. */
const local = (d: Date, zone: string) => DateTime.fromJSDate(d, { zone }).toFormat('yyyy-LL-dd HH:mm ZZ');
/** A moment given as local time in a zone. */
const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toJSDate();

describe('parseWhen reads the phrases staff type, in their own zone', () => {
  // Friday 2026-11-27 12:00 in Berlin (CET, +01:00)
  const now = at('2026-11-27T12:00', BERLIN);
  const read = (phrase: string) => local(parseWhen(phrase, { now, zone: BERLIN }), BERLIN);

  it.each([
    ['in 3 days', '2026-11-30 12:00 +01:00'],
    ['in 2 hours', '2026-11-27 14:00 +01:00'],
    ['in 30 min', '2026-11-27 12:30 +01:00'],
    ['in an hour', '2026-11-27 13:00 +01:00'],
    ['in 1 week', '2026-12-04 12:00 +01:00'],
    ['tomorrow 10:00', '2026-11-28 10:00 +01:00'],
    ['tomorrow at 10', '2026-11-28 10:00 +01:00'],
    ['tomorrow', '2026-11-28 09:00 +01:00'],
    ['today 17:00', '2026-11-27 17:00 +01:00'],
    ['17:30', '2026-11-27 17:30 +01:00'],
    ['9:15', '2026-11-28 09:15 +01:00'],
    ['fri 3pm', '2026-11-27 15:00 +01:00'],
    ['fri 9am', '2026-12-04 09:00 +01:00'],
    ['friday', '2026-12-04 09:00 +01:00'],
    ['monday', '2026-11-30 09:00 +01:00'],
    ['next mon 8:30', '2026-11-30 08:30 +01:00'],
    ['sat noon', '2026-11-28 12:00 +01:00'],
    ['2026-12-01 14:30', '2026-12-01 14:30 +01:00'],
    ['2026-12-01', '2026-12-01 09:00 +01:00'],
    ['01/12 14:30', '2026-12-01 14:30 +01:00'],
    ['15/01', '2027-01-15 09:00 +01:00'],
    ['Tomorrow 10:00', '2026-11-28 10:00 +01:00'],
  ])('%s → %s', (phrase, expected) => {
    expect(read(phrase)).toBe(expected);
  });

  it('reads 12/01 month first when asked (US style)', () => {
    expect(local(parseWhen('12/01 14:30', { now, zone: BERLIN, monthFirst: true }), BERLIN)).toBe('2026-12-01 14:30 +01:00');
  });

  it('rejects an unreadable time with examples', () => {
    expect(() => parseWhen('someday', { now, zone: BERLIN })).toThrow(ValidationError);
    expect(() => parseWhen('someday', { now, zone: BERLIN })).toThrow(/can't read "someday".*"in 3 days".*"tomorrow 10:00".*"fri 9am"/);
  });

  it('rejects a time that has passed and an impossible date', () => {
    expect(() => parseWhen('today 9:00', { now, zone: BERLIN })).toThrow(/already passed/);
    expect(() => parseWhen('31/02', { now, zone: BERLIN })).toThrow(/not a real date/);
    expect(() => parseWhen('tomorrow 25:00', { now, zone: BERLIN })).toThrow(ValidationError);
  });

  it('reads the same words in another zone as that zone’s local time', () => {
    expect(local(parseWhen('tomorrow 10:00', { now, zone: NEW_YORK }), NEW_YORK)).toBe('2026-11-28 10:00 -05:00');
  });
});

describe('takeWhen splits the time off the rest of a command line', () => {
  const now = at('2026-11-27T12:00', BERLIN);
  it('takes the longest readable prefix', () => {
    const r = takeWhen('fri 3pm call about the blue dress', { now, zone: BERLIN });
    expect(r.phrase).toBe('fri 3pm');
    expect(r.rest).toBe('call about the blue dress');
    expect(takeWhen('in 3 days check the delivery', { now, zone: BERLIN }).rest).toBe('check the delivery');
    expect(takeWhen('2026-12-01 14:30 confirm', { now, zone: BERLIN }).phrase).toBe('2026-12-01 14:30');
  });
  it('does not read a bare number after a date as an hour', () => {
    const r = takeWhen('tomorrow 5 boxes to deliver', { now, zone: BERLIN });
    expect(r.phrase).toBe('tomorrow');
    expect(r.rest).toBe('5 boxes to deliver');
  });
  it('fails with examples when nothing reads as a time', () => {
    expect(() => takeWhen('call her back', { now, zone: BERLIN })).toThrow(/can't read "call her back"/);
  });
});

describe('DST weeks', () => {
  it('Europe/Berlin, clocks forward on Sun 2026-03-29: local times keep their clock reading', () => {
    const now = at('2026-03-27T12:00', BERLIN); // Friday, CET
    expect(local(parseWhen('sun 10:00', { now, zone: BERLIN }), BERLIN)).toBe('2026-03-29 10:00 +02:00');
    expect(local(parseWhen('monday', { now, zone: BERLIN }), BERLIN)).toBe('2026-03-30 09:00 +02:00');
    // Calendar days keep the wall clock: 3 days later is 12:00 again, only 71 hours after.
    const inThreeDays = parseWhen('in 3 days', { now, zone: BERLIN });
    expect(local(inThreeDays, BERLIN)).toBe('2026-03-30 12:00 +02:00');
    expect((inThreeDays.getTime() - now.getTime()) / 3_600_000).toBe(71);
    // Hours are elapsed time: 48 h later reads 13:00 on the far side of the change.
    expect(local(parseWhen('in 48 hours', { now, zone: BERLIN }), BERLIN)).toBe('2026-03-29 13:00 +02:00');
  });

  it('Europe/Berlin: a time in the skipped hour moves forward; the repeated hour takes its first occurrence', () => {
    const now = at('2026-03-27T12:00', BERLIN);
    expect(local(parseWhen('2026-03-29 02:30', { now, zone: BERLIN }), BERLIN)).toBe('2026-03-29 03:30 +02:00');
    const autumn = at('2026-10-23T12:00', BERLIN);
    expect(local(parseWhen('2026-10-25 02:30', { now: autumn, zone: BERLIN }), BERLIN)).toBe('2026-10-25 02:30 +02:00');
    expect(local(parseWhen('tomorrow 9:00', { now: at('2026-10-24T12:00', BERLIN), zone: BERLIN }), BERLIN)).toBe('2026-10-25 09:00 +01:00');
  });

  it('America/New_York, clocks forward on Sun 2026-03-08 and back on Sun 2026-11-01', () => {
    const before = at('2026-03-06T15:00', NEW_YORK); // Friday, EST
    expect(local(parseWhen('mon 9am', { now: before, zone: NEW_YORK }), NEW_YORK)).toBe('2026-03-09 09:00 -04:00');
    expect(local(parseWhen('in 2 days', { now: before, zone: NEW_YORK }), NEW_YORK)).toBe('2026-03-08 15:00 -04:00');
    const fall = at('2026-10-30T15:00', NEW_YORK); // Friday, EDT
    expect(local(parseWhen('mon 9am', { now: fall, zone: NEW_YORK }), NEW_YORK)).toBe('2026-11-02 09:00 -05:00');
    const inTwoDays = parseWhen('in 2 days', { now: fall, zone: NEW_YORK });
    expect(local(inTwoDays, NEW_YORK)).toBe('2026-11-01 15:00 -05:00');
    expect((inTwoDays.getTime() - fall.getTime()) / 3_600_000).toBe(49);
  });
});

describe('snooze spans', () => {
  it('reads 1h, 1d, 90m, 2 days', () => {
    expect(parseSpan('1h')).toEqual({ amount: 1, unit: 'hours' });
    expect(parseSpan('1d')).toEqual({ amount: 1, unit: 'days' });
    expect(parseSpan('90m')).toEqual({ amount: 90, unit: 'minutes' });
    expect(parseSpan('2 days')).toEqual({ amount: 2, unit: 'days' });
    expect(() => parseSpan('soon')).toThrow(/not a duration/);
  });
  it('a day of snooze across the change keeps the local time', () => {
    const sat = at('2026-03-28T10:00', BERLIN);
    expect(local(addSpan(sat, parseSpan('1d'), BERLIN), BERLIN)).toBe('2026-03-29 10:00 +02:00');
    expect(local(addSpan(sat, parseSpan('24h'), BERLIN), BERLIN)).toBe('2026-03-29 11:00 +02:00');
  });
});
