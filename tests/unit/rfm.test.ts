import { describe, expect, it } from 'vitest';
import { monthKey, sumWindow, windowMonthKeys } from '../../src/services/order-months.js';
import {
  fmScore,
  FREQUENCY_BANDS,
  midRankThresholds,
  MONETARY_BANDS,
  parseSegment,
  QUINTILES_FROM_BUYERS,
  RECENCY_BANDS_DAYS,
  rfmScores,
  rfmThresholds,
  scoreAtLeast,
  scoreAtMost,
  scoreBase,
  SEGMENT_RULES,
  segmentFor,
  SEGMENTS,
  type RfmInput,
  type Score,
} from '../../src/services/segments/rfm.js';

const scores: Score[] = [1, 2, 3, 4, 5];

/**
 * The mid-rank definition, written the slow way: 1 + floor(5 × (values below + half the equal
 * ones) / n); the best value scores 5 and the worst 1 unless all are equal.
 */
function naiveScore(value: number, all: number[]): number {
  const below = all.filter((v) => v < value).length;
  const equal = all.filter((v) => v === value).length;
  if (equal < all.length && value === Math.max(...all)) return 5;
  if (equal < all.length && value === Math.min(...all)) return 1;
  return Math.min(5, 1 + Math.floor((5 * (below + equal / 2)) / all.length));
}

/** A small deterministic PRNG (mulberry32) so the property tests are repeatable. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` rows of the same numbers. */
const many = (n: number, row: RfmInput): RfmInput[] => Array.from({ length: n }, () => ({ ...row }));

describe('a small shop: fixed bands', () => {
  it('scores a new shop’s five buyers of today New — not Lost, not At risk', () => {
    // Five customers ordered once today, 180k–700k ₫. Before: everyone tied on recency and
    // frequency, so everyone scored 1 ("Lost"). Now: 0 days → R5, 1 order → F1, under 300k → M1,
    // 300k–1M → M2; FM = ⌊(1 + 1)/2⌋ or ⌊(1 + 2)/2⌋ = 1 → New.
    const rows = [180_000, 250_000, 300_000, 450_000, 700_000].map((monetary) => ({ recencyDays: 0, frequency: 1, monetary }));
    const { thresholds, scored } = scoreBase(rows, 'VND');
    expect(thresholds.method).toBe('bands');
    expect(scored.map((s) => `R${s.r} F${s.f} M${s.m} ${s.segment}`)).toEqual([
      'R5 F1 M1 New',
      'R5 F1 M1 New',
      'R5 F1 M2 New',
      'R5 F1 M2 New',
      'R5 F1 M2 New',
    ]);
  });

  it('scores a second order of today as Potential loyalist, and a first order of last month Promising', () => {
    const { scored } = scoreBase(
      [
        { recencyDays: 0, frequency: 2, monetary: 1_200_000 }, // F2 M3 → FM 2
        { recencyDays: 20, frequency: 1, monetary: 350_000 }, // R4, FM 1
        { recencyDays: 0, frequency: 1, monetary: 200_000 },
      ],
      'VND',
    );
    expect(scored.map((s) => s.segment)).toEqual(['Potential loyalist', 'Promising', 'New']);
  });

  it('reads the documented bands, edges included', () => {
    const t = rfmThresholds({ recencyDays: [0], frequency: [1], monetary: [1] }, 'VND');
    expect(t).toEqual({ method: 'bands', version: 2, recencyDays: RECENCY_BANDS_DAYS, frequency: FREQUENCY_BANDS, monetary: MONETARY_BANDS.VND });
    const r = (days: number) => scoreAtMost(days, t.recencyDays);
    expect([0, 7, 8, 30, 31, 90, 91, 180, 181, 900].map(r)).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
    const f = (orders: number) => scoreAtLeast(orders, t.frequency);
    expect([0, 1, 2, 3, 4, 5, 9, 10, 40].map(f)).toEqual([1, 1, 2, 3, 3, 4, 4, 5, 5]);
    const m = (vnd: number) => scoreAtLeast(vnd, t.monetary);
    expect([0, 299_999, 300_000, 999_999, 1_000_000, 2_999_999, 3_000_000, 10_000_000].map(m)).toEqual([1, 1, 2, 2, 3, 3, 4, 5]);
  });

  it('scores monetary by mid-rank quintiles when the base currency has no bands', () => {
    const t = rfmThresholds({ recencyDays: [1, 1, 1, 1], frequency: [1, 1, 1, 1], monetary: [100, 200, 300, 400] }, 'JPY');
    expect(t.method).toBe('bands');
    expect([100, 200, 300, 400].map((v) => scoreAtLeast(v, t.monetary))).toEqual([1, 2, 4, 5]);
  });
});

describe('ties: the score of the whole group', () => {
  it('gives tied values the score of their group’s middle position', () => {
    // Sorted positions 0-9; the five 2s sit at positions 3-7: their middle is 5.5 of 10 → 1 + ⌊5 × 0.55⌋ = 3
    // (the old lower-bound rule gave them 2). The 3 is at 8.5 of 10 → 5; 1 is the worst value, 4 the best.
    const values = [2, 4, 1, 2, 2, 3, 1, 2, 2, 1];
    const t = midRankThresholds(values);
    expect(t).toEqual([2, 2, 3, 3]);
    expect([1, 2, 3, 4].map((v) => scoreAtLeast(v, t))).toEqual([1, 3, 5, 5]);
  });

  it('scores the group holding the best value 5 and the one holding the worst 1, however large', () => {
    // 150 of 200 ordered today: their middle is at 0.625 (R 4 by position), but no one is more recent.
    const days = [...Array<number>(150).fill(0), ...Array<number>(50).fill(40)];
    const t = midRankThresholds(days.map((d) => -d));
    expect(scoreAtLeast(-0, t)).toBe(5);
    expect(scoreAtLeast(-40, t)).toBe(1);
    // Four in five ordered once: they score 1, not the 2 of their middle position.
    expect([0, 0, 0, 0, 9].map((v) => scoreAtLeast(v, midRankThresholds([0, 0, 0, 0, 9])))).toEqual([1, 1, 1, 1, 5]);
  });

  it('never scores everyone 1: all equal is the middle, 3', () => {
    expect(midRankThresholds([7, 7, 7, 7, 7, 7])).toEqual([7, 7, null, null]);
    expect(scoreAtLeast(7, midRankThresholds([7, 7, 7, 7, 7, 7]))).toBe(3);
    expect(scoreAtLeast(3, midRankThresholds([3]))).toBe(3);
    expect(midRankThresholds([])).toEqual([null, null, null, null]);
  });

  it('matches the mid-rank definition on random data full of ties', () => {
    const next = random(42);
    for (let round = 0; round < 50; round++) {
      const n = 1 + Math.floor(next() * 60);
      const values = Array.from({ length: n }, () => Math.floor(next() * 6)); // values 0-5: many ties
      const t = midRankThresholds(values);
      for (const v of values) expect(scoreAtLeast(v, t)).toBe(naiveScore(v, values));
    }
  });
});

describe('a larger shop: quintiles within one step of the bands', () => {
  // 200 buyers in five groups (docs/segments.md, "A larger shop"):
  //   80 ordered once 3 days ago (50 for 150k ₫, 30 for 400k ₫), 60 twice for 800k ₫ 20 days ago,
  //   40 four times for 2.5M ₫ 60 days ago, 20 twelve times for 15M ₫ 200 days ago.
  const rows = [
    ...many(50, { recencyDays: 3, frequency: 1, monetary: 150_000 }),
    ...many(30, { recencyDays: 3, frequency: 1, monetary: 400_000 }),
    ...many(60, { recencyDays: 20, frequency: 2, monetary: 800_000 }),
    ...many(40, { recencyDays: 60, frequency: 4, monetary: 2_500_000 }),
    ...many(20, { recencyDays: 200, frequency: 12, monetary: 15_000_000 }),
  ];

  it('ranks the groups, ties at their mid-rank, and names their segments', () => {
    const { thresholds, scored } = scoreBase(rows, 'VND');
    expect(thresholds).toEqual({
      method: 'quintiles',
      version: 2,
      recencyDays: [90, 30, 7, 3],
      frequency: [2, 2, 4, 5],
      monetary: [400_000, 800_000, 2_500_000, 3_000_000],
    });
    expect([0, 50, 80, 140, 180].map((i) => `R${scored[i]!.r} F${scored[i]!.f} M${scored[i]!.m} ${scored[i]!.segment}`)).toEqual([
      'R5 F1 M1 New', // one order: the worst frequency, F 1 however many share it; 3 days: the best recency, R 5
      'R5 F1 M2 New',
      'R3 F3 M3 Need attention', // 20 days: R 1 + ⌊5 × 90/200⌋ = 3; two orders: F 1 + ⌊5 × 110/200⌋ = 3
      'R2 F4 M4 At risk', // 60 days is long ago here (quintile 2; the band says 3: one step allowed)
      "R1 F5 M5 Can't lose",
    ]);
  });

  it(`switches from the bands at ${QUINTILES_FROM_BUYERS} buyers`, () => {
    expect(rfmThresholds({ recencyDays: rows.slice(0, 99).map((r) => r.recencyDays), frequency: [], monetary: [] }, 'VND').method).toBe('bands');
    expect(rfmThresholds({ recencyDays: rows.slice(0, 100).map((r) => r.recencyDays), frequency: [], monetary: [] }, 'VND').method).toBe('quintiles');
  });

  it('scores everyone who ordered today 5 on recency, also when they are most of the base', () => {
    const busy = [...many(150, { recencyDays: 0, frequency: 1, monetary: 200_000 }), ...many(50, { recencyDays: 40, frequency: 3, monetary: 900_000 })];
    const { scored } = scoreBase(busy, 'VND');
    expect(scored[0]).toMatchObject({ r: 5, segment: 'New' });
    expect(scored[199]!.r).toBe(2); // 40 days, the worst here: 1, raised to one step below its band (3)
  });

  it('keeps every score within one step of its band, on random bases', () => {
    const next = random(7);
    for (let round = 0; round < 20; round++) {
      const base = Array.from({ length: 100 + Math.floor(next() * 300) }, () => ({
        recencyDays: Math.floor(next() ** 2 * 400),
        frequency: 1 + Math.floor(next() ** 3 * 15),
        monetary: Math.round(next() ** 2 * 20_000_000),
      }));
      const t = rfmThresholds({ recencyDays: base.map((b) => b.recencyDays), frequency: base.map((b) => b.frequency), monetary: base.map((b) => b.monetary) }, 'VND');
      for (const row of base) {
        const s = rfmScores(row, t);
        expect(Math.abs(s.r - scoreAtMost(row.recencyDays, RECENCY_BANDS_DAYS))).toBeLessThanOrEqual(1);
        expect(Math.abs(s.f - scoreAtLeast(row.frequency, FREQUENCY_BANDS))).toBeLessThanOrEqual(1);
        expect(Math.abs(s.m - scoreAtLeast(row.monetary, MONETARY_BANDS.VND!))).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('common sense at every size', () => {
  it('never calls a customer who ordered in the last 7 days At risk, Lost, Hibernating or About to sleep', () => {
    const next = random(99);
    for (const size of [1, 2, 5, 20, 99, 100, 150, 400]) {
      for (let round = 0; round < 5; round++) {
        const base = Array.from({ length: size }, () => ({
          recencyDays: Math.floor(next() * (round % 2 ? 10 : 400)), // some bases of nothing but this week's buyers
          frequency: 1 + Math.floor(next() * 8),
          monetary: Math.round(next() * 8_000_000),
        }));
        const { scored } = scoreBase(base, 'VND');
        scored.forEach((s, i) => {
          if (base[i]!.recencyDays > 7) return;
          expect(s.r, `size ${size}`).toBeGreaterThanOrEqual(4);
          expect(['At risk', 'Lost', 'Hibernating', 'About to sleep', "Can't lose"]).not.toContain(s.segment);
        });
      }
    }
  });
});

describe('segment map', () => {
  it('has exactly one segment for every cell of the R × FM grid', () => {
    for (const r of scores) {
      for (const fm of scores) {
        const matching = SEGMENT_RULES.filter((x) => r >= x.r[0] && r <= x.r[1] && fm >= x.fm[0] && fm <= x.fm[1]);
        expect(matching.map((x) => x.segment), `r=${r} fm=${fm}`).toHaveLength(1);
      }
    }
    expect(new Set(SEGMENT_RULES.map((x) => x.segment)).size).toBe(SEGMENTS.length - 1); // every name but Lead
  });

  it('rounds the FM score down, so a high FM needs both F and M', () => {
    expect(fmScore(5, 4)).toBe(4);
    expect(fmScore(1, 2)).toBe(1);
    expect(fmScore(5, 5)).toBe(5);
    expect(segmentFor({ r: 5, f: 5, m: 4 })).toBe('Champions');
    expect(segmentFor({ r: 1, f: 5, m: 4 })).toBe('At risk');
    expect(segmentFor({ r: 1, f: 5, m: 5 })).toBe("Can't lose");
  });

  it('reaches every named segment on a hand-checked base of 25 customers', () => {
    // One customer per (R, FM) cell, read off the bands: recency 3/20/60/120/400 days → R 5/4/3/2/1;
    // F = M = FM with 1/2/3/5/10 orders and 100k/300k/1M/3M/10M ₫.
    const recency: Record<number, number> = { 5: 3, 4: 20, 3: 60, 2: 120, 1: 400 };
    const orders = [1, 2, 3, 5, 10];
    const spend = [100_000, 300_000, 1_000_000, 3_000_000, 10_000_000];
    const rows: RfmInput[] = [];
    for (const r of scores) for (const fm of scores) rows.push({ recencyDays: recency[r]!, frequency: orders[fm - 1]!, monetary: spend[fm - 1]! });
    const { thresholds, scored } = scoreBase(rows, 'VND');

    expect(thresholds.method).toBe('bands');
    // Rows: R 1..5; columns: FM 1..5 — the grid of docs/segments.md, read bottom-up.
    const expected = [
      ['Lost', 'Lost', 'At risk', 'At risk', "Can't lose"],
      ['Hibernating', 'Hibernating', 'At risk', 'At risk', "Can't lose"],
      ['About to sleep', 'About to sleep', 'Need attention', 'Loyal', 'Loyal'],
      ['Promising', 'Potential loyalist', 'Potential loyalist', 'Champions', 'Champions'],
      ['New', 'Potential loyalist', 'Potential loyalist', 'Champions', 'Champions'],
    ];
    scored.forEach((s, i) => {
      const r = scores[Math.floor(i / 5)]!;
      const fm = scores[i % 5]!;
      expect({ r: s.r, f: s.f, m: s.m }).toEqual({ r, f: fm, m: fm });
      expect(s.segment, `r=${r} fm=${fm}`).toBe(expected[r - 1]![fm - 1]);
    });
    expect(new Set(scored.map((s) => s.segment))).toEqual(new Set(SEGMENTS.filter((s) => s !== 'Lead')));
  });

  it('reads segment names the way people type them', () => {
    expect(parseSegment('at risk')).toBe('At risk');
    expect(parseSegment('cant-lose')).toBe("Can't lose");
    expect(parseSegment('POTENTIAL LOYALIST')).toBe('Potential loyalist');
    expect(parseSegment('lead')).toBe('Lead');
    expect(parseSegment('vip')).toBeUndefined();
    expect(parseSegment('')).toBeUndefined();
  });
});

describe('monthly window', () => {
  it('names months in UTC', () => {
    expect(monthKey(new Date('2026-11-30T23:30:00Z'))).toBe('2026-11');
    expect(monthKey(new Date('2026-12-01T00:00:00Z'))).toBe('2026-12');
  });

  it('covers the current month and the eleven before it, across a year boundary', () => {
    const keys = windowMonthKeys(new Date('2026-02-10T12:00:00Z'));
    expect(keys).toHaveLength(12);
    expect(keys[0]).toBe('2025-03');
    expect(keys[11]).toBe('2026-02');
  });

  it('sums orders of any currency but revenue of the base currency only', () => {
    const buckets = {
      '2025-01': { orders: 9, revenue: { VND: 9_000_000 } }, // outside the window
      '2025-12': { orders: 2, revenue: { VND: 500_000, EUR: 1999 } },
      '2026-02': { orders: 1, revenue: { EUR: 5000 } },
    };
    expect(sumWindow(buckets, windowMonthKeys(new Date('2026-02-10T00:00:00Z')), 'VND')).toEqual({ orders: 3, revenue: 500_000 });
    expect(sumWindow(undefined, ['2026-02'], 'VND')).toEqual({ orders: 0, revenue: 0 });
  });
});
