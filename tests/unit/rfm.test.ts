import { describe, expect, it } from 'vitest';
import { monthKey, sumWindow, windowMonthKeys } from '../../src/services/order-months.js';
import {
  fmScore,
  parseSegment,
  quintileEdges,
  quintileScore,
  recencyScore,
  rfmEdges,
  scoreBase,
  SEGMENT_RULES,
  segmentFor,
  SEGMENTS,
  type RfmInput,
  type Score,
} from '../../src/services/segments/rfm.js';

const scores: Score[] = [1, 2, 3, 4, 5];

/** The definition, written the slow way: 1 + floor(5 × (values strictly worse) / n). */
function naiveScore(value: number, all: number[]): number {
  const worse = all.filter((v) => v < value).length;
  return 1 + Math.floor((5 * worse) / all.length);
}

/** A small deterministic PRNG (mulberry32) so the property test is repeatable. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('quintiles', () => {
  it('scores distinct values one fifth per score', () => {
    const values = Array.from({ length: 10 }, (_, i) => i + 1); // 1..10
    const edges = quintileEdges(values);
    expect(edges).toEqual([2, 4, 6, 8]);
    expect(values.map((v) => quintileScore(v, edges))).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  });

  it('gives tied values at a quintile edge the same, lower-bound score', () => {
    // Sorted positions 0-9; the five 2s sit at positions 3-7, across the 2nd, 3rd and 4th fifths.
    const values = [2, 4, 1, 2, 2, 3, 1, 2, 2, 1];
    const edges = quintileEdges(values);
    expect(edges).toEqual([1, 2, 2, 2]);
    // Three values are below 2: 1 + floor(5·3/10) = 2 for every 2, none promoted to 3 or 4.
    expect(quintileScore(1, edges)).toBe(1);
    expect(quintileScore(2, edges)).toBe(2);
    // Eight values are below 3: 1 + floor(5·8/10) = 5.
    expect(quintileScore(3, edges)).toBe(5);
    expect(quintileScore(4, edges)).toBe(5);
  });

  it('scores everyone 1 when everyone has the same value, and a lone customer 1', () => {
    expect(quintileEdges([7, 7, 7, 7, 7, 7]).every((e) => e === 7)).toBe(true);
    expect(quintileScore(7, quintileEdges([7, 7, 7, 7, 7, 7]))).toBe(1);
    expect(quintileScore(3, quintileEdges([3]))).toBe(1);
    expect(quintileEdges([])).toEqual([]);
  });

  it('matches the rank definition on random data full of ties', () => {
    const next = random(42);
    for (let round = 0; round < 50; round++) {
      const n = 1 + Math.floor(next() * 60);
      const values = Array.from({ length: n }, () => Math.floor(next() * 6)); // values 0-5: many ties
      const edges = quintileEdges(values);
      for (const v of values) expect(quintileScore(v, edges)).toBe(naiveScore(v, values));
    }
  });

  it('ranks recency on fewer days being better, ties sharing the lower score', () => {
    const days = [0, 0, 3, 3, 3, 10, 30, 30, 90, 400];
    const edges = rfmEdges({ recencyDays: days, frequency: [], monetary: [] }).recencyDays;
    // As "−days" (higher is better) the definition applies unchanged.
    for (const d of days) expect(recencyScore(d, edges)).toBe(naiveScore(-d, days.map((x) => -x)));
    expect(recencyScore(0, edges)).toBe(5);
    expect(recencyScore(3, edges)).toBe(3); // five are worse than 3 days: 1 + floor(5·5/10)
    expect(recencyScore(400, edges)).toBe(1);
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
    // One customer per (R, FM) cell. Five customers share each recency, frequency and spend,
    // so each group is exactly one fifth: recency 10/40/100/200/400 days → R 5/4/3/2/1,
    // F = M = FM with 1–5 orders and 100k–500k ₫.
    const recency: Record<number, number> = { 5: 10, 4: 40, 3: 100, 2: 200, 1: 400 };
    const rows: RfmInput[] = [];
    for (const r of scores) for (const fm of scores) rows.push({ recencyDays: recency[r]!, frequency: fm, monetary: fm * 100_000 });
    const { edges, scored } = scoreBase(rows);

    expect(edges).toEqual({ recencyDays: [400, 200, 100, 40], frequency: [1, 2, 3, 4], monetary: [100_000, 200_000, 300_000, 400_000] });
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
