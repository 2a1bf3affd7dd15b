/**
 * RFM scoring, pure: the thresholds a shop's scores are read against, 1–5
 * scores, and the one table that names a segment from the scores. No database
 * here — the recompute (services/segments/segments.ts) feeds it numbers, tests
 * feed it fixtures. docs/segments.md states the rules with worked examples.
 *
 * Every score is `1 +` the number of thresholds a value reaches (four per
 * measure, for scores 2–5), so the last run's thresholds, stored with it, are
 * all it takes to score one more customer between runs.
 *
 * - A small shop (fewer than {@link QUINTILES_FROM_BUYERS} buyers) is scored by
 *   fixed bands: recency ≤ 7 / 30 / 90 / 180 days, orders in the 12-month window
 *   ≥ 2 / 3 / 5 / 10, base-currency revenue ≥ 300k / 1M / 3M / 10M ₫.
 * - A larger shop is scored by quintiles with ties at their mid-rank (equal
 *   values share the score of their group's middle position — never "everyone
 *   gets 1"), kept within one step of the band score, so a customer who ordered
 *   this week is always R ≥ 4 and a one-off buyer never F ≥ 3.
 *
 * @example
 *   const t = rfmThresholds({ recencyDays: [0, 0, 0, 0, 0], frequency: [1, 1, 1, 1, 2], monetary: [250_000, …] }, 'VND');
 *   rfmScores({ recencyDays: 0, frequency: 1, monetary: 250_000 }, t) // → { r: 5, f: 1, m: 1 } → 'New'
 *   segmentFor({ r: 5, f: 4, m: 5 }) // → 'Champions'
 */

/** The named segments, best first, then `Lead` (no orders yet). */
export const SEGMENTS = [
  'Champions',
  'Loyal',
  'Potential loyalist',
  'New',
  'Promising',
  'Need attention',
  'About to sleep',
  'At risk',
  "Can't lose",
  'Hibernating',
  'Lost',
  'Lead',
] as const;
export type Segment = (typeof SEGMENTS)[number];
export type Score = 1 | 2 | 3 | 4 | 5;

export interface RfmScores {
  r: Score;
  f: Score;
  m: Score;
}

/**
 * THE segment map: recency score × FM score (the average of frequency and
 * monetary, rounded down, so a high FM needs both). The ranges partition the
 * 5 × 5 grid — every cell has exactly one segment (a unit test checks it), so
 * the order of the rows does not matter. docs/segments.md shows the same grid.
 */
export const SEGMENT_RULES: readonly { segment: Exclude<Segment, 'Lead'>; r: readonly [number, number]; fm: readonly [number, number]; who: string }[] = [
  { segment: 'Champions', r: [4, 5], fm: [4, 5], who: 'bought recently, buy often and spend the most' },
  { segment: 'Loyal', r: [3, 3], fm: [4, 5], who: 'buy often and spend a lot; not in the very last weeks' },
  { segment: 'Potential loyalist', r: [4, 5], fm: [2, 3], who: 'recent customers with average frequency and spend' },
  { segment: 'New', r: [5, 5], fm: [1, 1], who: 'bought very recently, for the first time or little' },
  { segment: 'Promising', r: [4, 4], fm: [1, 1], who: 'recent, but have bought little so far' },
  { segment: 'Need attention', r: [3, 3], fm: [3, 3], who: 'average on every count; slipping without a nudge' },
  { segment: 'About to sleep', r: [3, 3], fm: [1, 2], who: 'below average and not recent' },
  { segment: 'At risk', r: [1, 2], fm: [3, 4], who: 'bought often and spent well, but long ago' },
  { segment: "Can't lose", r: [1, 2], fm: [5, 5], who: 'were the best customers, long ago — win them back' },
  { segment: 'Hibernating', r: [2, 2], fm: [1, 2], who: 'bought little, long ago' },
  { segment: 'Lost', r: [1, 1], fm: [1, 2], who: 'lowest on every count' },
];

/** The FM score: mean of F and M, rounded down. */
export function fmScore(f: Score, m: Score): Score {
  return Math.floor((f + m) / 2) as Score;
}

/** The segment of a customer with orders. */
export function segmentFor({ r, f, m }: RfmScores): Exclude<Segment, 'Lead'> {
  const fm = fmScore(f, m);
  const rule = SEGMENT_RULES.find((x) => r >= x.r[0] && r <= x.r[1] && fm >= x.fm[0] && fm <= x.fm[1]);
  if (!rule) throw new Error(`no segment rule for r=${r} fm=${fm}`); // unreachable: the rules partition the grid
  return rule.segment;
}

/**
 * Which bigger group each segment belongs to: the colours and legend of the
 * digest's segment chart.
 */
export const SEGMENT_GROUPS: Record<Segment, 'Best' | 'Growing' | 'Slipping' | 'Lapsed' | 'No orders yet'> = {
  Champions: 'Best',
  Loyal: 'Best',
  'Potential loyalist': 'Growing',
  New: 'Growing',
  Promising: 'Growing',
  'Need attention': 'Slipping',
  'About to sleep': 'Slipping',
  'At risk': 'Lapsed',
  "Can't lose": 'Lapsed',
  Hibernating: 'Lapsed',
  Lost: 'Lapsed',
  Lead: 'No orders yet',
};

/** Bump when the scoring rules change: a run made under other rules counts as stale. */
export const RFM_RULES_VERSION = 2;

/** From this many buyers on, scores are quintiles (within one step of the bands); below, the bands alone. */
export const QUINTILES_FROM_BUYERS = 100;

/**
 * Four thresholds, for scores 2, 3, 4 and 5. Higher-is-better measures
 * (frequency, monetary): the least value that earns the score. Recency: the
 * most days since the last order that still earn it. `null`: no value earns
 * it (a quintile no buyer reached).
 */
export type Thresholds = readonly (number | null)[];

/** Recency bands: at most 180, 90, 30, 7 days since the last order for R 2, 3, 4, 5. */
export const RECENCY_BANDS_DAYS: Thresholds = [180, 90, 30, 7];
/** Frequency bands: at least 2, 3, 5, 10 orders in the 12-month window for F 2, 3, 4, 5. */
export const FREQUENCY_BANDS: Thresholds = [2, 3, 5, 10];
/**
 * Monetary bands per base currency, minor units, revenue in the 12-month
 * window: VND 300k / 1M / 3M / 10M ₫ (a typical order of a small shop is
 * 200–500k ₫). A base currency without bands is scored by quintiles alone.
 */
export const MONETARY_BANDS: Readonly<Record<string, Thresholds>> = {
  VND: [300_000, 1_000_000, 3_000_000, 10_000_000],
  USD: [1_500, 5_000, 15_000, 50_000],
  EUR: [1_500, 5_000, 15_000, 50_000],
};

/** What the recompute knows of one customer with orders. */
export interface RfmInput {
  /** Whole days since the last order (0 = today). */
  recencyDays: number;
  /** Orders in the window. */
  frequency: number;
  /** Revenue in the window, minor units of the base currency. */
  monetary: number;
}

/** The thresholds of one run: how it scored, and against what. Stored in SegmentRun `latest.edges`. */
export interface RfmThresholds {
  /** `bands` for a small shop, `quintiles` (kept within one step of the bands) for a larger one. */
  method: 'bands' | 'quintiles';
  /** {@link RFM_RULES_VERSION} of the rules that made them. */
  version: number;
  recencyDays: Thresholds;
  frequency: Thresholds;
  monetary: Thresholds;
}

/** 1 + the number of thresholds a value reaches (higher is better). */
export function scoreAtLeast(value: number, thresholds: Thresholds): Score {
  let score = 1;
  for (const t of thresholds) if (t !== null && value >= t) score++;
  return Math.min(5, score) as Score;
}

/** 1 + the number of thresholds a number of days is within (fewer days is better). */
export function scoreAtMost(days: number, thresholds: Thresholds): Score {
  let score = 1;
  for (const t of thresholds) if (t !== null && days <= t) score++;
  return Math.min(5, score) as Score;
}

/**
 * Mid-rank quintile thresholds of a distribution where higher is better. A
 * value's score is `1 + floor(5 × p)`, where p is its mid-rank — the share of
 * values below it plus half the share equal to it — so tied values share the
 * score of the middle of their group, never the score of its first position.
 * The group holding the best value scores 5 and the group holding the worst
 * scores 1 (whatever their size: everyone who ordered today is as recent as
 * anyone can be); when all values are equal they score 3.
 *
 * @example
 *   midRankThresholds([1, 1, 1, 2, 2, 2, 2, 2, 3, 4]) // → [2, 2, 3, 3]: 1 → 1 (worst), 2 → 3 (p .55), 3 → 5 (p .85), 4 → 5 (best)
 *   midRankThresholds([0, 0, 0, 0, 9])                // → [9, 9, 9, 9]: 0 → 1 (worst, though p is .4), 9 → 5
 */
export function midRankThresholds(values: ArrayLike<number>): Thresholds {
  const n = values.length;
  const thresholds: (number | null)[] = [null, null, null, null];
  const sorted = Float64Array.from(values).sort();
  for (let i = 0; i < n; ) {
    let j = i;
    while (j < n && sorted[j] === sorted[i]) j++;
    const middle = Math.min(5, 1 + Math.floor((5 * (i + (j - i) / 2)) / n));
    const score = i === 0 && j === n ? middle : i === 0 ? 1 : j === n ? 5 : middle;
    for (let k = 2; k <= score; k++) thresholds[k - 2] ??= sorted[i]!;
    i = j;
  }
  return thresholds;
}

/**
 * Thresholds that score like the quintiles but never more than one step from
 * the bands: the score of `clamp(quintile, band − 1, band + 1)` as thresholds.
 * Both are step functions of the value, so the clamped one changes only at
 * their thresholds, and its own thresholds are among them.
 */
export function withinOneStep(quintiles: Thresholds, bands: Thresholds): Thresholds {
  const candidates = [...new Set([...quintiles, ...bands].filter((t): t is number => t !== null))].sort((a, b) => a - b);
  const score = (v: number) => {
    const band = scoreAtLeast(v, bands);
    return Math.min(band + 1, Math.max(band - 1, scoreAtLeast(v, quintiles)));
  };
  return [2, 3, 4, 5].map((k) => candidates.find((c) => score(c) >= k) ?? null);
}

/**
 * The thresholds for a base of buyers: the bands while it has fewer than
 * {@link QUINTILES_FROM_BUYERS}, quintiles within one step of them from then
 * on. Recency is ranked on negated days (recent is better) and reported back
 * in days. A base currency without bands is scored on monetary by quintiles.
 *
 * @example
 *   rfmThresholds({ recencyDays: [0, 0, 0, 0, 0], frequency: [1, 1, 1, 1, 2], monetary: [200_000, 250_000, 300_000, 450_000, 700_000] }, 'VND')
 *   // → { method: 'bands', recencyDays: [180, 90, 30, 7], frequency: [2, 3, 5, 10], monetary: [300_000, 1_000_000, 3_000_000, 10_000_000], … }
 */
export function rfmThresholds(
  rows: { recencyDays: ArrayLike<number>; frequency: ArrayLike<number>; monetary: ArrayLike<number> },
  baseCurrency: string,
): RfmThresholds {
  const n = rows.recencyDays.length;
  const monetaryBands = MONETARY_BANDS[baseCurrency];
  const negate = (t: Thresholds) => t.map((x) => (x === null ? null : -x || 0));
  if (n < QUINTILES_FROM_BUYERS) {
    return {
      method: 'bands',
      version: RFM_RULES_VERSION,
      recencyDays: RECENCY_BANDS_DAYS,
      frequency: FREQUENCY_BANDS,
      monetary: monetaryBands ?? midRankThresholds(rows.monetary),
    };
  }
  const recency = midRankThresholds(Float64Array.from(rows.recencyDays, (d) => -d));
  const monetary = midRankThresholds(rows.monetary);
  return {
    method: 'quintiles',
    version: RFM_RULES_VERSION,
    recencyDays: negate(withinOneStep(recency, negate(RECENCY_BANDS_DAYS))),
    frequency: withinOneStep(midRankThresholds(rows.frequency), FREQUENCY_BANDS),
    monetary: monetaryBands ? withinOneStep(monetary, monetaryBands) : monetary,
  };
}

/** Scores of one customer against a run's thresholds. */
export function rfmScores(input: RfmInput, thresholds: RfmThresholds): RfmScores {
  return {
    r: scoreAtMost(input.recencyDays, thresholds.recencyDays),
    f: scoreAtLeast(input.frequency, thresholds.frequency),
    m: scoreAtLeast(input.monetary, thresholds.monetary),
  };
}

/**
 * Scores and segments for a whole base at once (the recompute and tests use
 * the same path).
 *
 * @example
 *   scoreBase([{ recencyDays: 0, frequency: 1, monetary: 250_000 }, …], 'VND').scored[0] // → { r: 5, f: 1, m: 1, segment: 'New' }
 */
export function scoreBase(
  rows: readonly RfmInput[],
  baseCurrency: string,
): { thresholds: RfmThresholds; scored: (RfmScores & { segment: Exclude<Segment, 'Lead'> })[] } {
  const thresholds = rfmThresholds(
    { recencyDays: rows.map((x) => x.recencyDays), frequency: rows.map((x) => x.frequency), monetary: rows.map((x) => x.monetary) },
    baseCurrency,
  );
  const scored = rows.map((row) => {
    const s = rfmScores(row, thresholds);
    return { ...s, segment: segmentFor(s) };
  });
  return { thresholds, scored };
}

/** A segment by what a person typed: case, spaces, dashes and apostrophes do not matter. */
export function parseSegment(text: string): Segment | undefined {
  const key = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '');
  const wanted = key(text);
  if (!wanted) return undefined;
  return SEGMENTS.find((s) => key(s) === wanted);
}
