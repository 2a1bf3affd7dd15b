import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { formatMoney, MAX_AMOUNT_MINOR, parseMoney, readMoney, smallestLikelyMinor, takeMoney, tryParseMoney } from '../../src/values/money.js';

/** The coded reason an amount is refused, or 'ok'. */
const refusal = (raw: string, currency = 'VND') => {
  const attempt = tryParseMoney(raw, currency);
  return attempt.ok ? 'ok' : attempt.problem.code;
};

describe('parseMoney reads the amounts Vietnamese shops type', () => {
  it.each([
    ['500k', 500_000],
    ['500K', 500_000],
    ['500 nghìn', 500_000],
    ['500 ngàn', 500_000],
    ['500 nghin', 500_000],
    ['500 ngan', 500_000],
    ['500nghìn', 500_000],
    ['2 triệu', 2_000_000],
    ['2trieu', 2_000_000],
    ['2 trieu', 2_000_000],
    ['2tr', 2_000_000],
    ['2 tr', 2_000_000],
    ['2 củ', 2_000_000],
    ['2 cu', 2_000_000],
    ['1tr2', 1_200_000],
    ['2tr5', 2_500_000],
    ['1tr250', 1_250_000],
    ['1tr05', 1_050_000],
    ['1k5', 1_500],
    ['1,5tr', 1_500_000],
    ['1.5tr', 1_500_000],
    ['2 triệu rưỡi', 2_500_000],
    ['2 triệu 500 nghìn', 2_500_000],
    ['2tr 500k', 2_500_000],
    ['1 tỷ 200 triệu', 1_200_000_000],
    ['1 tỷ', 1_000_000_000],
    ['1 tỉ', 1_000_000_000],
    ['1ty', 1_000_000_000],
    ['350.000', 350_000],
    ['350,000', 350_000],
    ['350 000', 350_000],
    ['1.200.000', 1_200_000],
    ['1,200,000', 1_200_000],
    ['1 200 000', 1_200_000],
    ['1.2m', 1_200_000],
    ['350000', 350_000],
    ['350000đ', 350_000],
    ['350.000đ', 350_000],
    ['350.000 ₫', 350_000],
    ['350k VND', 350_000],
    ['350k vnđ', 350_000],
    ['2 triệu đồng', 2_000_000],
  ])('reads %j as ₫%i', (raw, minor) => {
    expect(parseMoney(raw, 'VND')).toEqual({ minor, currency: 'VND' });
  });

  it.each([
    ['19.99 EUR', 1999, 'EUR'],
    ['EUR 19.99', 1999, 'EUR'],
    ['19,99 EUR', 1999, 'EUR'],
    ['1,234.56 USD', 123_456, 'USD'],
    ['1.234,56 EUR', 123_456, 'EUR'],
    ['5$', 500, 'USD'],
    ['20 usd', 2000, 'USD'],
    ['1.20 USD', 120, 'USD'],
    ['500 JPY', 500, 'JPY'],
    ['1.500 JPY', 1500, 'JPY'],
  ])('keeps other currencies: %j is %i minor units of %s', (raw, minor, currency) => {
    expect(parseMoney(raw, 'VND')).toEqual({ minor, currency });
  });

  it('reads a currency symbol before the amount', () => {
    expect(parseMoney('$5', 'VND')).toEqual({ minor: 500, currency: 'USD' });
    expect(parseMoney('€19.99', 'VND')).toEqual({ minor: 1999, currency: 'EUR' });
  });

  it('reads a bare amount in the default currency', () => {
    expect(parseMoney('19.99', 'EUR')).toEqual({ minor: 1999, currency: 'EUR' });
    expect(parseMoney('350k', 'VND')).toEqual({ minor: 350_000, currency: 'VND' });
  });
});

describe('parseMoney refuses what it could misread, with a coded reason', () => {
  it.each([
    ['1.005 USD', 'AMOUNT_AMBIGUOUS_DECIMALS'],
    ['1,500 EUR', 'AMOUNT_AMBIGUOUS_DECIMALS'],
    ['350.5', 'AMOUNT_TOO_PRECISE'],
    ['350,5', 'AMOUNT_TOO_PRECISE'],
    ['0.5 JPY', 'AMOUNT_TOO_PRECISE'],
    ['0.005 USD', 'AMOUNT_TOO_PRECISE'],
    ['1.2345k', 'AMOUNT_TOO_PRECISE'],
    ['19.99 BTC', 'AMOUNT_CURRENCY_UNKNOWN'],
    ['BTC 19.99', 'AMOUNT_CURRENCY_UNKNOWN'],
    ['$5 EUR', 'AMOUNT_TWO_CURRENCIES'],
    ['0', 'AMOUNT_NOT_POSITIVE'],
    ['0k', 'AMOUNT_NOT_POSITIVE'],
    ['-5', 'AMOUNT_NOT_POSITIVE'],
    ['-500k', 'AMOUNT_NOT_POSITIVE'],
    ['10000000000k', 'AMOUNT_TOO_LARGE'],
    ['1.500k', 'AMOUNT_AMBIGUOUS_GROUPS'],
    ['2 500k', 'AMOUNT_AMBIGUOUS_GROUPS'],
    ['1 triệu 2', 'AMOUNT_THEN_NUMBER'],
    ['abc', 'AMOUNT_UNREADABLE'],
    ['12 apples', 'AMOUNT_UNREADABLE'],
    ['', 'AMOUNT_UNREADABLE'],
    ['1.2.3', 'AMOUNT_UNREADABLE'],
    ['350 00', 'AMOUNT_THEN_NUMBER'],
  ])('refuses %j: %s', (raw, code) => {
    expect(refusal(raw)).toBe(code);
    expect(parseMoney(raw, 'VND')).toBeUndefined();
  });

  it('accepts the largest amount and refuses one minor unit more', () => {
    expect(parseMoney(String(MAX_AMOUNT_MINOR), 'VND')).toEqual({ minor: MAX_AMOUNT_MINOR, currency: 'VND' });
    expect(refusal(String(MAX_AMOUNT_MINOR + 1))).toBe('AMOUNT_TOO_LARGE');
  });

  it('explains the refusal in words, with a hint', () => {
    const reason = (raw: string) => {
      try {
        readMoney(raw, 'VND');
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        return (error as ValidationError).message;
      }
      throw new Error(`${raw} was accepted`);
    };
    expect(reason('1.005 USD')).toBe('amount: "1.005 USD" can be read two ways, and USD has 2 decimals: write 1005 USD without a separator, or at most 2 decimals');
    expect(reason('350.5')).toContain('VND has none');
    expect(reason('0.5 JPY')).toContain('JPY has none');
    expect(reason('19.99 BTC')).toBe('amount: "BTC" is not a currency I know; use an ISO 4217 code such as VND, USD or EUR');
    expect(reason('0')).toBe('amount: "0" is not an amount above zero');
    expect(reason('abc')).toBe('amount: "abc" is not an amount. Try 350k, 350000, 19.99 EUR.');
    expect(reason('10000000000k')).toMatch(/more than the largest amount accepted \(₫1,000,000,000,000\)/);
  });
});

describe('takeMoney splits the amount off a command line and leaves no amount word behind', () => {
  it.each([
    ['500 nghìn đầm', 500_000, 'VND', '500 nghìn', 'đầm'],
    ['2 triệu', 2_000_000, 'VND', '2 triệu', ''],
    ['350 000', 350_000, 'VND', '350 000', ''],
    ['350 000 2x áo dài', 350_000, 'VND', '350 000', '2x áo dài'],
    ['1tr2 đầm đỏ', 1_200_000, 'VND', '1tr2', 'đầm đỏ'],
    ['2 củ khoai', 2_000_000, 'VND', '2 củ', 'khoai'],
    ['2 tr 500 nghìn áo', 2_500_000, 'VND', '2 tr 500 nghìn', 'áo'],
    ['350k tee shirt', 350_000, 'VND', '350k', 'tee shirt'],
    ['19.99 EUR gift card', 1999, 'EUR', '19.99 EUR', 'gift card'],
    ['20 usd gift', 2000, 'USD', '20 usd', 'gift'],
    ['EUR 19.99 gift', 1999, 'EUR', 'EUR 19.99', 'gift'],
    ['350k 2x áo dài, khăn lụa', 350_000, 'VND', '350k', '2x áo dài, khăn lụa'],
  ])('%j → %i %s', (line, minor, currency, text, rest) => {
    expect(takeMoney(line, 'VND')).toEqual({ money: { minor, currency }, text, rest });
  });

  it('takes a symbol glued to the amount', () => {
    expect(takeMoney('$5 sticker', 'VND')).toEqual({ money: { minor: 500, currency: 'USD' }, text: '$5', rest: 'sticker' });
  });

  it.each([
    ['19.99 BTC gift', /"BTC" is not a currency/],
    ['19.99 EUR 2 gifts', /is 2 part of the amount\?/],
    ['1 triệu 2 áo', /is 2 part of the amount\? .*1tr2/],
    ['350k 2 áo', /is 2 part of the amount\?/],
    ['2 500k áo', /can be read two ways/],
    ['abc shoes', /"abc" is not an amount/],
    ['-5 shoes', /not an amount above zero/],
  ])('refuses %j', (line, message) => {
    expect(() => takeMoney(line, 'VND')).toThrow(message);
  });
});

describe('formatMoney and plausibility', () => {
  it('formats minor units with the currency’s own number of decimals', () => {
    expect(formatMoney(1999, 'EUR')).toBe('€19.99');
    expect(formatMoney(350_000, 'VND')).toBe('₫350,000');
  });

  it('knows that VND amounts under ₫1,000 are unlikely prices, and has no such floor for others', () => {
    expect(smallestLikelyMinor('VND')).toBe(1000);
    expect(smallestLikelyMinor('EUR')).toBeUndefined();
  });
});
