import { describe, expect, it } from 'vitest';
import { formatPhone, normalisePhone, normalisePhoneDetailed, RENUMBERED_PREFIXES } from '../../src/values/phone.js';

describe('normalisePhone converts old 11-digit Vietnamese mobile numbers (2018 renumbering)', () => {
  // Old prefix (after the 0) → new one; the last seven digits stay.
  it.each([
    ['162', '32'], ['163', '33'], ['164', '34'], ['165', '35'], ['166', '36'], ['167', '37'], ['168', '38'], ['169', '39'],
    ['120', '70'], ['121', '79'], ['122', '77'], ['126', '76'], ['128', '78'],
    ['123', '83'], ['124', '84'], ['125', '85'], ['127', '81'], ['129', '82'],
    ['186', '56'], ['188', '58'],
    ['199', '59'],
  ])('0%s xxx xxxx → 0%s xxx xxxx', (old, next) => {
    expect(normalisePhoneDetailed(`0${old}1234567`, 'VN')).toEqual({ e164: `+84${next}1234567`, unverified: false, renumbered: true });
  });

  it('lists exactly the 21 renumbered prefixes', () => {
    expect(Object.keys(RENUMBERED_PREFIXES)).toHaveLength(21);
  });

  it.each(['0168 123 4567', '0168-123-4567', '+84 168 123 4567', '+841681234567', '841681234567', '(+84) 168 123 4567', '+84 0168 123 4567', '0084 168 123 4567'])(
    'converts %s with or without the country code',
    (raw) => {
      expect(normalisePhone(raw, 'VN')).toBe('+84381234567');
    },
  );

  it('converts a number given with +84 whatever the default region, but reads 0… as local only in Vietnam', () => {
    expect(normalisePhone('+84 162 345 6789', 'US')).toBe('+84323456789');
    expect(normalisePhone('0162 345 6789', 'US')).toBeUndefined();
  });

  it('leaves 11-digit numbers with a prefix that was never renumbered alone (not a phone)', () => {
    expect(normalisePhone('0130 123 4567', 'VN')).toBeUndefined();
  });
});

describe('normalisePhoneDetailed keeps a Vietnamese number the metadata does not know yet, flagged', () => {
  it.each(['0551 234 567', '+84 55 123 4567', '84551234567', '0891 234 567'])('keeps %s as unverified', (raw) => {
    const phone = normalisePhoneDetailed(raw, 'VN');
    expect(phone?.unverified).toBe(true);
    expect(phone?.e164).toMatch(/^\+84(55|89)1234567$/);
    expect(normalisePhone(raw, 'VN')).toBe(phone?.e164);
  });

  it('marks numbers the metadata knows as verified', () => {
    expect(normalisePhoneDetailed('0912 345 678', 'VN')).toEqual({ e164: '+84912345678', unverified: false });
    expect(normalisePhoneDetailed('+1 212 555 0123', 'VN')).toEqual({ e164: '+12125550123', unverified: false });
  });

  it.each([
    ['12345678', 'no trunk 0 or country code'],
    ['091234567', 'too short'],
    ['09123456789', 'too long for a mobile number'],
    ['0401234567', 'no subscriber range starts 4'],
    ['0201234567', 'a landline needs ten digits'],
    ['+84 123', 'too short'],
    ['12345', 'too short'],
  ])('still refuses %s (%s)', (raw) => {
    expect(normalisePhoneDetailed(raw, 'VN')).toBeUndefined();
  });

  it('does not read a bare number as Vietnamese outside Vietnam', () => {
    expect(normalisePhoneDetailed('0551 234 567', 'US')).toBeUndefined();
  });

  it('formats for display', () => {
    expect(formatPhone('+84912345678')).toBe('+84 912 345 678');
  });
});
