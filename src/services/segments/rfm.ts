/**
 * RFM scoring, pure: quintile edges over the customer base, 1–5 scores, and the
 * one table that names a segment from the scores. No database here — the
 * recompute (services/segments.ts) feeds it numbers, tests feed it fixtures.
 *
 * Scores rank a customer among everyone with orders: 5 is the best fifth. Ties
 * share the score of the lowest position their value holds ("lower-bound
 * quintile"): with a ranked list of n values, a value v scores
 * `1 + floor(5 × (number of values worse than v) / n)`. So equal values never
 * straddle an edge, and a value shared by many customers does not earn them a
 * higher score than the first of them would get.
 *
 * @example
 *   const edges = quintileEdges([1, 1, 1, 2, 2, 2, 2, 2, 3, 4]); // → [1, 2, 2, 2]
 *   quintileScore(2, edges) // → 2  (three values are worse: 1 + floor(5·3/10))
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
 * The four quintile edges of a distribution where higher is better:
 * a value scores `1 +` the number of edges it is strictly greater than.
 * `edges[k]` is the value at sorted position `ceil((k + 1) · n / 5) − 1`.
 * Empty input gives no edges (everyone would score 1).
 */
export function quintileEdges(values: ArrayLike<number>): number[] {
  const n = values.length;
  if (n === 0) return [];
  const sorted = Float64Array.from(values).sort();
  return [1, 2, 3, 4].map((s) => sorted[Math.ceil((s * n) / 5) - 1]!);
}

/** The 1–5 score of a value against {@link quintileEdges} (higher is better). */
export function quintileScore(value: number, edges: readonly number[]): Score {
  let score = 1;
  for (const edge of edges) if (value > edge) score++;
  return score as Score;
}

/** The 1–5 recency score of a number of days against edges in days (fewer days is better). */
export function recencyScore(days: number, edgesInDays: readonly number[]): Score {
  let score = 1;
  for (const edge of edgesInDays) if (days < edge) score++;
  return score as Score;
}

/** What the recompute knows of one customer with orders. */
export interface RfmInput {
  /** Whole days since the last order (0 = today). */
  recencyDays: number;
  /** Orders in the window. */
  frequency: number;
  /** Revenue in the window, minor units of the base currency. */
  monetary: number;
}

/** Edges of the three distributions; recency edges are in days, where fewer is better. */
export interface RfmEdges {
  recencyDays: number[];
  frequency: number[];
  monetary: number[];
}

/**
 * Edges for a customer base. Recency is ranked on negated days (recent is
 * better) and reported back in days.
 */
export function rfmEdges(rows: { recencyDays: ArrayLike<number>; frequency: ArrayLike<number>; monetary: ArrayLike<number> }): RfmEdges {
  const negated = Float64Array.from(rows.recencyDays, (d) => -d);
  return {
    recencyDays: quintileEdges(negated).map((e) => -e || 0),
    frequency: quintileEdges(rows.frequency),
    monetary: quintileEdges(rows.monetary),
  };
}

/** Scores of one customer against the base's edges. */
export function rfmScores(input: RfmInput, edges: RfmEdges): RfmScores {
  return {
    r: recencyScore(input.recencyDays, edges.recencyDays),
    f: quintileScore(input.frequency, edges.frequency),
    m: quintileScore(input.monetary, edges.monetary),
  };
}

/**
 * Scores and segments for a whole base at once (the recompute and tests use
 * the same path).
 *
 * @example
 *   scoreBase([{ recencyDays: 3, frequency: 5, monetary: 9_000_000 }, …])
 */
export function scoreBase(rows: readonly RfmInput[]): { edges: RfmEdges; scored: (RfmScores & { segment: Exclude<Segment, 'Lead'> })[] } {
  const edges = rfmEdges({
    recencyDays: rows.map((x) => x.recencyDays),
    frequency: rows.map((x) => x.frequency),
    monetary: rows.map((x) => x.monetary),
  });
  const scored = rows.map((row) => {
    const s = rfmScores(row, edges);
    return { ...s, segment: segmentFor(s) };
  });
  return { edges, scored };
}

/** A segment by what a person typed: case, spaces, dashes and apostrophes do not matter. */
export function parseSegment(text: string): Segment | undefined {
  const key = (s: string) => s.toLowerCase().replace(/[^a-z]/g, '');
  const wanted = key(text);
  if (!wanted) return undefined;
  return SEGMENTS.find((s) => key(s) === wanted);
}
