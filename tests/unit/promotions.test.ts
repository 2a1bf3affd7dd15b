/**
 * Pure parts of promotions: the `promo new` grammar, quiet hours in the
 * customer's zone, and the deterministic hold-out / variant split.
 */
import { describe, expect, it } from 'vitest';
import { assignGroup, parseAudience } from '../../src/services/campaigns/audience.js';
import { parsePromoNew } from '../../src/services/campaigns/campaigns.js';
import { quietUntil, QuietHoursCache } from '../../src/services/campaigns/quiet-hours.js';

// Monday 2026-03-02 10:00 in Ho Chi Minh City.
const now = new Date('2026-03-02T03:00:00Z');
const opts = { now, zone: 'Asia/Ho_Chi_Minh' };

describe('promo new grammar', () => {
  it('reads audience, time and text, with "now"', () => {
    expect(parsePromoNew('all at now: Spring sale — 20% off everything!', opts)).toEqual({
      audience: { kind: 'all' },
      at: 'now',
      holdoutPercent: 0,
      variants: ['Spring sale — 20% off everything!'],
    });
  });

  it('reads a tag, a hold-out, a local time with a colon in it, and a second variant', () => {
    const draft = parsePromoNew('#VIP holdout 10% at tomorrow 10:00: Hi! Your preview | Hello, VIP: new collection', opts);
    expect(draft.audience).toEqual({ kind: 'tag', value: 'vip' });
    expect(draft.holdoutPercent).toBe(10);
    expect(draft.at).toEqual(new Date('2026-03-03T03:00:00Z'));
    expect(draft.variants).toEqual(['Hi! Your preview', 'Hello, VIP: new collection']);
  });

  it('reads a segment name that contains "at", and a time that contains "at"', () => {
    const draft = parsePromoNew('At risk at fri at 9am: We miss you', opts);
    expect(draft.audience).toEqual({ kind: 'segment', value: 'At risk' });
    expect(draft.at).toEqual(new Date('2026-03-06T02:00:00Z'));
    expect(parsePromoNew("can't lose holdout 20% at now: Come back", opts).audience).toEqual({ kind: 'segment', value: "Can't lose" });
  });

  it('accepts "now" without "at"', () => {
    expect(parsePromoNew('#vip now: Hi', opts).at).toBe('now');
  });

  it('refuses what it cannot read, saying what is wrong', () => {
    expect(() => parsePromoNew('all at now Spring sale', opts)).toThrow(/colon before the message/);
    expect(() => parsePromoNew('all: Spring sale', opts)).toThrow(/say when/);
    expect(() => parsePromoNew('all at someday: Hi', opts)).toThrow(/can't read "someday" as a time/);
    expect(() => parsePromoNew('all at 2020-01-01 10:00: Hi', opts)).toThrow(/already passed/);
    expect(() => parsePromoNew('Big spenders at now: Hi', opts)).toThrow(/not an audience.*Champions/);
    expect(() => parsePromoNew('all holdout 60% at now: Hi', opts)).toThrow(/at most 50%/);
    expect(() => parsePromoNew('all at now: A | B | C', opts)).toThrow(/at most two variants/);
    expect(() => parsePromoNew('all at now:   ', opts)).toThrow(/empty/);
  });

  it('reads audiences: all, tags (normalised) and segments (any case)', () => {
    expect(parseAudience('Everyone')).toEqual({ kind: 'all' });
    expect(parseAudience('#Khách-VIP')).toEqual({ kind: 'tag', value: 'khach-vip' });
    expect(parseAudience('champions')).toEqual({ kind: 'segment', value: 'Champions' });
    expect(parseAudience('lead')).toEqual({ kind: 'segment', value: 'Lead' });
  });
});

describe('quiet hours', () => {
  it('are 21:00–08:00 in the given zone and end at the next 08:00 local', () => {
    expect(quietUntil(new Date('2026-03-02T03:00:00Z'), 'Asia/Ho_Chi_Minh')).toBeUndefined(); // 10:00
    expect(quietUntil(new Date('2026-03-02T13:59:00Z'), 'Asia/Ho_Chi_Minh')).toBeUndefined(); // 20:59
    expect(quietUntil(new Date('2026-03-02T14:00:00Z'), 'Asia/Ho_Chi_Minh')).toEqual(new Date('2026-03-03T01:00:00Z')); // 21:00 → 08:00
    expect(quietUntil(new Date('2026-03-02T20:30:00Z'), 'Asia/Ho_Chi_Minh')).toEqual(new Date('2026-03-03T01:00:00Z')); // 03:30
    expect(quietUntil(new Date('2026-03-03T01:00:00Z'), 'Asia/Ho_Chi_Minh')).toBeUndefined(); // 08:00 sharp
  });

  it('keep 08:00 on the wall clock across a DST change', () => {
    // New York springs forward on 2026-03-08: 22:00 EST on the 7th → 08:00 EDT on the 8th (12:00Z, not 13:00Z).
    expect(quietUntil(new Date('2026-03-08T03:00:00Z'), 'America/New_York')).toEqual(new Date('2026-03-08T12:00:00Z'));
  });

  it('are cached per zone until the answer can change', () => {
    const cache = new QuietHoursCache();
    expect(cache.until(new Date('2026-03-02T13:00:00Z'), 'Asia/Ho_Chi_Minh')).toBeUndefined();
    expect(cache.until(new Date('2026-03-02T14:30:00Z'), 'Asia/Ho_Chi_Minh')).toEqual(new Date('2026-03-03T01:00:00Z'));
    expect(cache.until(new Date('2026-03-03T01:00:00Z'), 'Asia/Ho_Chi_Minh')).toBeUndefined();
  });
});

describe('hold-out and variant split', () => {
  it('is the same for the same campaign and customer, and about the share asked for', () => {
    const groups = Array.from({ length: 4000 }, (_, i) => assignGroup('P7', `C${i}`, 10, true));
    expect(Array.from({ length: 4000 }, (_, i) => assignGroup('P7', `C${i}`, 10, true))).toEqual(groups);
    const holdout = groups.filter((g) => g === 'holdout').length;
    const b = groups.filter((g) => g === 'B').length;
    expect(holdout).toBeGreaterThan(330);
    expect(holdout).toBeLessThan(470);
    expect(b).toBeGreaterThan(1650);
    expect(b).toBeLessThan(1950);
  });

  it('differs between campaigns, and has no B without a second variant and no hold-out at 0%', () => {
    const p7 = Array.from({ length: 200 }, (_, i) => assignGroup('P7', `C${i}`, 50, true));
    const p8 = Array.from({ length: 200 }, (_, i) => assignGroup('P8', `C${i}`, 50, true));
    expect(p7).not.toEqual(p8);
    expect(Array.from({ length: 200 }, (_, i) => assignGroup('P7', `C${i}`, 0, false)).every((g) => g === 'A')).toBe(true);
  });
});
