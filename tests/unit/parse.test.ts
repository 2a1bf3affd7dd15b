import { describe, expect, it } from 'vitest';
import { takeCustomerRef, takePage } from '../../src/commands/args.js';
import { createRegistry } from '../../src/commands/index.js';
import { formatMoney, parseMoney } from '../../src/values/money.js';
import { foldName, normaliseTag } from '../../src/values/names.js';
import { parseContactArgs } from '../../src/values/parse.js';
import { normalisePhone } from '../../src/values/phone.js';

const parse = (line: string) => parseContactArgs(line, 'VN');

describe('parseContactArgs', () => {
  it('reads the issue example into name, E.164 phone, e-mail, tag and note', () => {
    expect(parse('Anna Nguyen +84 912 345 678 anna@shop.vn #vip met at the expo')).toEqual({
      name: 'Anna Nguyen',
      phones: ['+84912345678'],
      emails: ['anna@shop.vn'],
      tags: ['vip'],
      note: 'met at the expo',
      invalid: [],
    });
  });

  it('reads the same details when the phone comes first', () => {
    const out = parse('+84 912 345 678 Anna Nguyen anna@shop.vn #vip');
    expect(out).toMatchObject({ name: 'Anna Nguyen', phones: ['+84912345678'], emails: ['anna@shop.vn'], tags: ['vip'], invalid: [] });
    expect(out.note).toBeUndefined();
  });

  it('reads the same details when the e-mail comes first', () => {
    expect(parse('anna@shop.vn Anna Nguyen 0912345678 #vip')).toMatchObject({
      name: 'Anna Nguyen',
      phones: ['+84912345678'],
      emails: ['anna@shop.vn'],
      tags: ['vip'],
      invalid: [],
    });
  });

  it('takes a quoted run after the phone as the name and the rest as the note', () => {
    expect(parse('0912 345 678 "Anna Nguyen" wants the blue dress')).toMatchObject({
      name: 'Anna Nguyen',
      phones: ['+84912345678'],
      note: 'wants the blue dress',
    });
  });

  it('takes a quoted name after a tag', () => {
    expect(parse('#vip "Trần Thị Bích"')).toMatchObject({ name: 'Trần Thị Bích', tags: ['vip'] });
  });

  it('ends the name at -- and keeps everything after it as the note', () => {
    expect(parse('Anna Nguyen -- met at the expo')).toMatchObject({ name: 'Anna Nguyen', note: 'met at the expo' });
  });

  it('starts the note at note: with or without a space after the colon', () => {
    expect(parse('Anna note: met at the expo')).toMatchObject({ name: 'Anna', note: 'met at the expo' });
    expect(parse('Anna NOTE:met at the expo')).toMatchObject({ name: 'Anna', note: 'met at the expo' });
  });

  it('reports a phone-like run that is not a valid number in invalid, not in phones or the name', () => {
    const out = parse('Anna +84 123 later');
    expect(out.phones).toEqual([]);
    expect(out.invalid).toEqual([{ kind: 'phone', text: '+84 123' }]);
    expect(out.name).toBe('Anna');
  });

  it('reports a long digit string that is not a phone number as an invalid phone', () => {
    expect(parse('Anna 12345678').invalid).toEqual([{ kind: 'phone', text: '12345678' }]);
  });

  it('reports a malformed e-mail in invalid instead of reading it as part of the name', () => {
    const noTld = parse('Anna anna@shop');
    expect(noTld.emails).toEqual([]);
    expect(noTld.invalid).toEqual([{ kind: 'email', text: 'anna@shop' }]);
    expect(noTld.name).toBe('Anna');
    expect(parse('Anna anna@@shop.vn').invalid).toEqual([{ kind: 'email', text: 'anna@@shop.vn' }]);
  });

  it('lower-cases e-mails and strips the brackets and commas people paste around them', () => {
    expect(parse('Anna <Anna@Shop.VN>,').emails).toEqual(['anna@shop.vn']);
  });

  it('keeps two phone numbers, each normalised, in the order given', () => {
    expect(parse('Anna 0912 345 678 +84 987 654 321').phones).toEqual(['+84912345678', '+84987654321']);
    expect(parse('Anna 0912345678 0987654321').phones).toEqual(['+84912345678', '+84987654321']);
  });

  it('lists a phone written twice in different formats once', () => {
    expect(parse('Anna 0912345678 +84 912 345 678').phones).toEqual(['+84912345678']);
  });

  it('keeps Vietnamese names with their diacritics', () => {
    expect(parse('Nguyễn Văn Đức 0912 345 678').name).toBe('Nguyễn Văn Đức');
    expect(parse('Trần Thị Bích 0987 654 321 -- wants the blue dress')).toMatchObject({
      name: 'Trần Thị Bích',
      phones: ['+84987654321'],
      note: 'wants the blue dress',
    });
  });

  it('keeps small numbers that cannot be phones as words of the name', () => {
    expect(parse('Anna 3 kids')).toMatchObject({ name: 'Anna 3 kids', phones: [], invalid: [] });
  });

  it('never glues a phone or e-mail into the name when details are separated by punctuation', () => {
    expect(parse('Quang +84913111777, quang@x.vn, #vip')).toEqual({
      name: 'Quang',
      phones: ['+84913111777'],
      emails: ['quang@x.vn'],
      tags: ['vip'],
      invalid: [],
    });
    for (const line of [
      'Quang, +84913111777, quang@x.vn',
      'Quang; 0913 111 777; quang@x.vn',
      'Quang | 0913111777 | quang@x.vn',
      'Quang / 0913111777 / quang@x.vn',
      'Quang,0913111777,quang@x.vn',
      'Quang;0913111777;quang@x.vn',
      'Quang|0913111777|quang@x.vn',
      'Quang/0913111777/quang@x.vn',
      'Quang - 0913111777 - quang@x.vn',
    ]) {
      expect(parse(line), line).toMatchObject({ name: 'Quang', phones: ['+84913111777'], emails: ['quang@x.vn'], invalid: [] });
    }
  });

  it('reads two phones separated by a slash or a comma, and keeps a slashed single number whole', () => {
    expect(parse('Quang 0913111777/0987654321').phones).toEqual(['+84913111777', '+84987654321']);
    expect(parse('Quang 0913111777, 0987654321').phones).toEqual(['+84913111777', '+84987654321']);
    expect(parse('Quang 0912/345/678').phones).toEqual(['+84912345678']);
  });

  it('ends the name at a separator and keeps punctuation inside the note', () => {
    expect(parse('Anna Nguyen, met at the expo')).toMatchObject({ name: 'Anna Nguyen', note: 'met at the expo' });
    expect(parse('Quang 0913111777, wants red, size M')).toMatchObject({ name: 'Quang', note: 'wants red, size M' });
    expect(parse('Nguyễn Văn Đức; 0912 345 678; khách quen')).toMatchObject({ name: 'Nguyễn Văn Đức', phones: ['+84912345678'], note: 'khách quen' });
  });

  it('converts an old 11-digit mobile number and lists a number of an unknown prefix for review', () => {
    expect(parse('Quang 0168 123 4567')).toMatchObject({ name: 'Quang', phones: ['+84381234567'], invalid: [] });
    expect(parse('Quang 0168 123 4567').unverifiedPhones).toBeUndefined();
    expect(parse('Quang 0551 234 567')).toMatchObject({ name: 'Quang', phones: ['+84551234567'], unverifiedPhones: ['+84551234567'], invalid: [] });
  });

  it('accepts phones written with brackets, dashes and dots', () => {
    expect(parse('Anna (091) 234-5678').phones).toEqual(['+84912345678']);
    expect(parse('Anna 0912.345.678').phones).toEqual(['+84912345678']);
  });
});

describe('parseMoney and formatMoney', () => {
  it.each([
    ['350k', 350_000, 'VND'],
    ['1.2m', 1_200_000, 'VND'],
    ['350,000', 350_000, 'VND'],
    ['350.000', 350_000, 'VND'],
    ['350000đ', 350_000, 'VND'],
    ['350000 ₫', 350_000, 'VND'],
    ['19.99 EUR', 1999, 'EUR'],
    ['EUR 19.99', 1999, 'EUR'],
    ['20 usd', 2000, 'USD'],
    ['$20', 2000, 'USD'],
  ])('parses %s as %i minor units of %s', (raw, minor, currency) => {
    expect(parseMoney(raw, 'VND')).toEqual({ minor, currency });
  });

  it.each(['abc', '0', '', '-5', '0k', '12 apples'])('rejects %j as an amount', (raw) => {
    expect(parseMoney(raw, 'VND')).toBeUndefined();
  });

  it('formats minor units with the currency’s own number of decimals', () => {
    expect(formatMoney(1999, 'EUR')).toBe('€19.99');
    expect(formatMoney(350_000, 'VND')).toContain('350,000');
    expect(formatMoney(350_000, 'VND')).toContain('₫');
  });
});

describe('normalisePhone', () => {
  it.each(['+84 912 345 678', '0912-345-678', '(+84) 912345678', '0912345678', '84912345678'])('turns %s into +84912345678', (raw) => {
    expect(normalisePhone(raw, 'VN')).toBe('+84912345678');
  });

  it('keeps a foreign number written with its country code', () => {
    expect(normalisePhone('+1 212 555 0123', 'VN')).toBe('+12125550123');
  });

  it.each(['12345', 'abc', '', '+84 123'])('rejects %j', (raw) => {
    expect(normalisePhone(raw, 'VN')).toBeUndefined();
  });
});

describe('names', () => {
  it('folds case, diacritics, Vietnamese đ/Đ and spaces', () => {
    expect(foldName('Nguyễn  Văn Đức')).toBe('nguyen van duc');
    expect(foldName('ĐẶNG đình')).toBe('dang dinh');
    expect(foldName('  Trần Thị Bích ')).toBe('tran thi bich');
  });

  it('normalises tags to folded words without the #', () => {
    expect(normaliseTag('#VIP')).toBe('vip');
    expect(normaliseTag('#Khách-Sỉ')).toBe('khach-si');
    expect(normaliseTag('#a!b')).toBeUndefined();
  });
});

describe('registry.match', () => {
  const registry = createRegistry();

  it('prefers the longest command name: "order status O1 paid" is order status', () => {
    const found = registry.match('order status O1 paid');
    expect(found?.command.name).toBe('order status');
    expect(found?.args).toBe('O1 paid');
  });

  it('matches plain "order" with its arguments when no longer name fits', () => {
    const found = registry.match('order C1 350k 2x áo dài');
    expect(found?.command.name).toBe('order');
    expect(found?.args).toBe('C1 350k 2x áo dài');
  });

  it('strips the slash and a Telegram @botname suffix', () => {
    const found = registry.match('/lead@shop_bot x');
    expect(found?.command.name).toBe('lead');
    expect(found?.args).toBe('x');
  });

  it('ignores case and extra spaces, and resolves aliases', () => {
    expect(registry.match('/LEAD Anna')?.command.name).toBe('lead');
    expect(registry.match('  search   anna  ')).toMatchObject({ args: 'anna' });
    expect(registry.match('search anna')?.command.name).toBe('find');
  });

  it('returns undefined for a line that starts with no command', () => {
    expect(registry.match('hello there')).toBeUndefined();
    expect(registry.match('   ')).toBeUndefined();
  });
});

describe('takeCustomerRef and takePage', () => {
  it('splits a C-number from the rest', () => {
    expect(takeCustomerRef('C12 called back', 'VN')).toEqual({ ref: 'C12', rest: 'called back' });
  });

  it('keeps a phone written with spaces together as the reference', () => {
    expect(takeCustomerRef('+84 912 345 678 called back', 'VN')).toEqual({ ref: '+84 912 345 678', rest: 'called back' });
  });

  it('takes a quoted name, straight or curly quotes', () => {
    expect(takeCustomerRef('"Anna Nguyen" called back', 'VN')).toEqual({ ref: 'Anna Nguyen', rest: 'called back' });
    expect(takeCustomerRef('“Trần Thị” hẹn thứ sáu', 'VN')).toEqual({ ref: 'Trần Thị', rest: 'hẹn thứ sáu' });
  });

  it('keeps the rest exactly as typed: quotes, new lines and spacing', () => {
    expect(takeCustomerRef('C12 she said "Friday"\n  then hung up', 'VN')).toEqual({ ref: 'C12', rest: 'she said "Friday"\n  then hung up' });
    expect(takeCustomerRef('+84 912 345 678   "size M"', 'VN')).toEqual({ ref: '+84 912 345 678', rest: '"size M"' });
  });

  it('takes an e-mail as the reference', () => {
    expect(takeCustomerRef('anna@shop.vn called back', 'VN')).toEqual({ ref: 'anna@shop.vn', rest: 'called back' });
  });

  it('returns empty parts for empty input', () => {
    expect(takeCustomerRef('   ', 'VN')).toEqual({ ref: '', rest: '' });
  });

  it('reads a trailing "page N" and leaves the query', () => {
    expect(takePage('nguyen page 2')).toEqual({ rest: 'nguyen', page: 2 });
    expect(takePage('nguyen')).toEqual({ rest: 'nguyen', page: 1 });
  });
});
