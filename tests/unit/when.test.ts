import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { addSpan, parseSpan, parseWeeklySlot, parseWhen, takeWhen } from '../../src/values/when.js';

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

describe('parseWhen reads Vietnamese, with or without diacritics', () => {
  const SAIGON = 'Asia/Ho_Chi_Minh';
  // Wednesday 2026-03-04 10:00 in Hồ Chí Minh City (+07:00)
  const now = at('2026-03-04T10:00', SAIGON);
  const read = (phrase: string) => local(parseWhen(phrase, { now, zone: SAIGON }), SAIGON);

  it.each([
    ['ngày mai 9h', '2026-03-05 09:00 +07:00'],
    ['ngay mai 9h', '2026-03-05 09:00 +07:00'],
    ['mai 9h', '2026-03-05 09:00 +07:00'],
    ['mai 9h30', '2026-03-05 09:30 +07:00'],
    ['mai 9g', '2026-03-05 09:00 +07:00'],
    ['mai', '2026-03-05 09:00 +07:00'],
    ['9 giờ sáng mai', '2026-03-05 09:00 +07:00'],
    ['9 gio sang mai', '2026-03-05 09:00 +07:00'],
    ['sáng mai', '2026-03-05 09:00 +07:00'],
    ['trưa mai', '2026-03-05 12:00 +07:00'],
    ['1 giờ trưa mai', '2026-03-05 13:00 +07:00'],
    ['chiều nay 3h', '2026-03-04 15:00 +07:00'],
    ['chieu nay 3h', '2026-03-04 15:00 +07:00'],
    ['3h chiều nay', '2026-03-04 15:00 +07:00'],
    ['chiều nay 15h', '2026-03-04 15:00 +07:00'],
    ['chiều nay', '2026-03-04 14:00 +07:00'],
    ['tối nay 8h', '2026-03-04 20:00 +07:00'],
    ['8h tối nay', '2026-03-04 20:00 +07:00'],
    ['tối nay', '2026-03-04 19:00 +07:00'],
    ['11 giờ đêm nay', '2026-03-04 23:00 +07:00'],
    ['hôm nay 17h', '2026-03-04 17:00 +07:00'],
    ['ngày mốt', '2026-03-06 09:00 +07:00'],
    ['mốt 8h', '2026-03-06 08:00 +07:00'],
    ['thứ 2', '2026-03-09 09:00 +07:00'],
    ['thứ hai', '2026-03-09 09:00 +07:00'],
    ['thu hai', '2026-03-09 09:00 +07:00'],
    ['thu 2', '2026-03-09 09:00 +07:00'],
    ['t2', '2026-03-09 09:00 +07:00'],
    ['thứ 2 tới', '2026-03-09 09:00 +07:00'],
    ['thứ 2 tối', '2026-03-09 19:00 +07:00'],
    ['thứ 2 9h', '2026-03-09 09:00 +07:00'],
    ['thứ sáu', '2026-03-06 09:00 +07:00'],
    ['thứ sáu tuần sau', '2026-03-13 09:00 +07:00'],
    ['thứ hai tuần sau', '2026-03-09 09:00 +07:00'],
    ['thứ hai tuần sau 8h30', '2026-03-09 08:30 +07:00'],
    ['thứ 4', '2026-03-11 09:00 +07:00'],
    ['thứ 4 15h', '2026-03-04 15:00 +07:00'],
    ['chủ nhật', '2026-03-08 09:00 +07:00'],
    ['chu nhat', '2026-03-08 09:00 +07:00'],
    ['cn 10h', '2026-03-08 10:00 +07:00'],
    ['2 tiếng nữa', '2026-03-04 12:00 +07:00'],
    ['2 tieng nua', '2026-03-04 12:00 +07:00'],
    ['2 giờ nữa', '2026-03-04 12:00 +07:00'],
    ['một tiếng nữa', '2026-03-04 11:00 +07:00'],
    ['nửa tiếng nữa', '2026-03-04 10:30 +07:00'],
    ['30 phút nữa', '2026-03-04 10:30 +07:00'],
    ['sau 2 tiếng', '2026-03-04 12:00 +07:00'],
    ['3 ngày nữa', '2026-03-07 10:00 +07:00'],
    ['1 tuần nữa', '2026-03-11 10:00 +07:00'],
    ['2 tháng nữa', '2026-05-04 10:00 +07:00'],
    ['3 ngày nữa lúc 9h', '2026-03-07 09:00 +07:00'],
    ['25/12', '2026-12-25 09:00 +07:00'],
    ['25/12 14:30', '2026-12-25 14:30 +07:00'],
    ['ngày 25/12 14h', '2026-12-25 14:00 +07:00'],
    ['25 tháng 12', '2026-12-25 09:00 +07:00'],
    ['lúc 14h', '2026-03-04 14:00 +07:00'],
    ['lúc 9 giờ rưỡi', '2026-03-05 09:30 +07:00'],
    ['9h30', '2026-03-05 09:30 +07:00'],
    ['14:30', '2026-03-04 14:30 +07:00'],
  ])('%s → %s', (phrase, expected) => {
    expect(read(phrase)).toBe(expected);
  });

  it.each([
    ['2h', '2026-03-04 12:00 +07:00'],
    ['30m', '2026-03-04 10:30 +07:00'],
    ['30p', '2026-03-04 10:30 +07:00'],
    ['1h30m', '2026-03-04 11:30 +07:00'],
    ['3d', '2026-03-07 10:00 +07:00'],
    ['2 hours', '2026-03-04 12:00 +07:00'],
    ['in 2h', '2026-03-04 12:00 +07:00'],
  ])('reads a bare %s as a duration, as snooze does (a day or a part of the day makes "2h" a clock time)', (phrase, expected) => {
    expect(read(phrase)).toBe(expected);
    expect(read('mai 2h')).toBe('2026-03-05 02:00 +07:00');
    expect(read('2h chiều')).toBe('2026-03-04 14:00 +07:00');
  });
});

describe('parseWhen refuses impossible times with the reason, never a guess', () => {
  const SAIGON = 'Asia/Ho_Chi_Minh';
  const now = at('2026-03-04T10:00', SAIGON);
  const reason = (phrase: string) => {
    try {
      parseWhen(phrase, { now, zone: SAIGON });
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      return (error as ValidationError).message;
    }
    throw new Error(`"${phrase}" was accepted`);
  };

  it.each([
    ['25:00', 'there is no hour 25'],
    ['tomorrow 25:00', 'there is no hour 25'],
    ['mai 25h', 'there is no hour 25'],
    ['17:75', 'there is no minute 75'],
    ['31/02', 'February has no 31st'],
    ['2026-02-31', 'February has no 31st'],
    ['31/04 10:00', 'April has no 31st'],
    ['29/02', 'February 2026 has no 29th'],
    ['12/13', 'there is no month 13'],
    ['fri 13pm', 'there is no 13pm'],
    ['0am', 'there is no 0am'],
    ['15h sáng mai', '15 o\'clock is not "sáng"'],
    ['tối nay 3h', '3 o\'clock is not "tối"'],
    ['9999-12-31', 'more than 2 years ahead'],
    ['in 800 days', 'more than 2 years ahead'],
    ['thu 2 toi', 'can be read two ways ("toi" as "tới" or "tối")'],
  ])('%s: %s', (phrase, why) => {
    expect(reason(phrase)).toContain(why);
  });

  it('says a real date is not a real date when it is not, and "passed" only for a past time', () => {
    expect(reason('31/02')).toMatch(/"31\/02" is not a real date/);
    expect(reason('31/02')).not.toMatch(/passed/);
    expect(reason('hôm nay 8h')).toMatch(/"hôm nay 8h" has already passed/);
  });

  it('accepts a date up to two years ahead', () => {
    expect(local(parseWhen('2028-03-01', { now, zone: SAIGON }), SAIGON)).toBe('2028-03-01 09:00 +07:00');
    expect(local(parseWhen('29/02/2028', { now, zone: SAIGON }), SAIGON)).toBe('2028-02-29 09:00 +07:00');
  });
});

describe('takeWhen lets the longest time phrase decide', () => {
  const SAIGON = 'Asia/Ho_Chi_Minh';
  const now = at('2026-03-04T10:00', SAIGON);
  const opts = { now, zone: SAIGON };

  it('splits Vietnamese and English time phrases from the rest', () => {
    expect(takeWhen('mai 9h gọi lại hỏi size', opts)).toMatchObject({ phrase: 'mai 9h', rest: 'gọi lại hỏi size' });
    expect(takeWhen('thứ hai tuần sau gửi mẫu mới', opts)).toMatchObject({ phrase: 'thứ hai tuần sau', rest: 'gửi mẫu mới' });
    expect(takeWhen('9 giờ sáng mai gọi lại', opts)).toMatchObject({ phrase: '9 giờ sáng mai', rest: 'gọi lại' });
    expect(takeWhen('2 tiếng nữa gọi lại', opts)).toMatchObject({ phrase: '2 tiếng nữa', rest: 'gọi lại' });
    expect(takeWhen('2h call back', opts)).toMatchObject({ phrase: '2h', rest: 'call back' });
    expect(takeWhen('mai 5 hộp', opts)).toMatchObject({ phrase: 'mai', rest: '5 hộp' });
  });

  it('does not take Vietnamese words that only look like time words without their accents', () => {
    expect(takeWhen('mai sang cửa hàng lấy hàng', opts)).toMatchObject({ phrase: 'mai', rest: 'sang cửa hàng lấy hàng' });
    expect(takeWhen('mai tôi gọi lại', opts)).toMatchObject({ phrase: 'mai', rest: 'tôi gọi lại' });
    expect(takeWhen('mai đem hàng qua', opts)).toMatchObject({ phrase: 'mai', rest: 'đem hàng qua' });
    expect(takeWhen('mai thu tiền', opts)).toMatchObject({ phrase: 'mai', rest: 'thu tiền' });
    expect(() => takeWhen('thu tiền hàng', opts)).toThrow(/can't read "thu tiền hàng" as a time/);
    // Without accents they count next to a time or before nay/mai.
    expect(local(takeWhen('toi nay 8h goi lai', opts).at, SAIGON)).toBe('2026-03-04 20:00 +07:00');
    expect(local(takeWhen('8h toi goi lai', opts).at, SAIGON)).toBe('2026-03-04 20:00 +07:00');
    expect(local(takeWhen('sang mai goi lai', opts).at, SAIGON)).toBe('2026-03-05 09:00 +07:00');
    expect(local(takeWhen('thu 9am call', opts).at, SAIGON)).toBe('2026-03-05 09:00 +07:00');
  });

  it('refuses an impossible time instead of reading a shorter prefix', () => {
    expect(() => takeWhen('tomorrow 25:00 call back', opts)).toThrow(/"tomorrow 25:00" is not a real time: there is no hour 25/);
    expect(() => takeWhen('fri 13pm call back', opts)).toThrow(/there is no 13pm/);
    expect(() => takeWhen('31/02 giao hàng', opts)).toThrow(/February has no 31st/);
    expect(() => takeWhen('2026-02-31 giao hàng', opts)).toThrow(/February has no 31st/);
    expect(() => takeWhen('9999-12-31 check', opts)).toThrow(/more than 2 years ahead/);
  });
});

describe('parseWeeklySlot reads the digest’s day and time', () => {
  it.each([
    ['thứ hai 8h', { day: 1, time: '08:00' }],
    ['thu 2 8h', { day: 1, time: '08:00' }],
    ['t6 17h30', { day: 5, time: '17:30' }],
    ['chủ nhật 8h tối', { day: 7, time: '20:00' }],
    ['fri 17:30', { day: 5, time: '17:30' }],
    ['mon 9:00', { day: 1, time: '09:00' }],
    ['friday 5pm', { day: 5, time: '17:00' }],
    ['8am', { time: '08:00' }],
    ['thứ 6', { day: 5 }],
    ['', {}],
  ])('%j → %j', (text, slot) => {
    expect(parseWeeklySlot(text)).toEqual(slot);
  });

  it('refuses what is not a weekday or a time, and impossible times with the reason', () => {
    expect(() => parseWeeklySlot('soon')).toThrow(/"soon" is not a weekday or a time/);
    expect(() => parseWeeklySlot('mai 9h')).toThrow(/is not a weekday or a time/);
    expect(() => parseWeeklySlot('thứ hai 25h')).toThrow(/there is no hour 25/);
  });
});

describe('snooze spans in Vietnamese', () => {
  it('reads tiếng, giờ, phút, p, ngày, tuần and mixed 1h30m', () => {
    expect(parseSpan('2 tiếng')).toEqual({ amount: 2, unit: 'hours' });
    expect(parseSpan('2 tieng nua')).toEqual({ amount: 2, unit: 'hours' });
    expect(parseSpan('2 giờ')).toEqual({ amount: 2, unit: 'hours' });
    expect(parseSpan('30 phút')).toEqual({ amount: 30, unit: 'minutes' });
    expect(parseSpan('30p')).toEqual({ amount: 30, unit: 'minutes' });
    expect(parseSpan('1 ngày')).toEqual({ amount: 1, unit: 'days' });
    expect(parseSpan('1 tuần')).toEqual({ amount: 1, unit: 'weeks' });
    expect(parseSpan('1h30m')).toEqual({ amount: 90, unit: 'minutes' });
    expect(() => parseSpan('1 tháng')).toThrow(/not a duration/);
  });
});
