/**
 * One customer's segment state: what it should be from their running totals
 * (the reading the full recompute does for everyone), the document it becomes
 * with its bounded history, and the update of that one state after an order
 * is recorded or cancelled — so `segments` shows a buyer as a buyer at once,
 * not after the night's recompute.
 *
 * The update reads only by `_id` (the `latest` run, the recompute lease, the
 * customer, their state `"C12"`) and writes the state by `_id`: the interactive
 * path stays on what FerretDB indexes (docs/database.md). It scores against
 * the thresholds the last full run stored, so a customer is scored as the
 * recompute would have scored them on that run's base.
 *
 * @example
 *   await recordOrder({ customerId: 'C12', … }, by); // calls, after the totals are written:
 *   await refreshCustomerSegment('C12', at);          // → 'New' (was 'Lead')
 */
import { Customer, type CustomerDoc } from '../../../models/customer.js';
import { SEGMENT_HISTORY_LIMIT, SegmentRun, SegmentState, segmentStateId, type SegmentStateDoc } from '../../../models/segment-state.js';
import { sumWindow, windowMonthKeys, type MonthBucket } from '../order-months.js';
import { RFM_RULES_VERSION, rfmScores, segmentFor, type RfmInput, type RfmThresholds, type Segment } from './rfm.js';

const DAY_MS = 86_400_000;
/** Rounds of write-then-check when the customer's totals move under the update (concurrent orders). */
const REFRESH_ROUNDS = 3;

/** The customer fields a segment is computed from. */
export const TOTALS_PROJECTION = { status: 1, 'totals.orders': 1, 'totals.revenue': 1, 'totals.lastOrderAt': 1, 'totals.months': 1 } as const;
export type CustomerTotals = Pick<CustomerDoc, '_id' | 'status' | 'totals'>;

/** The stored state fields the comparison and the history need. */
export const STATE_PROJECTION = {
  _id: 0,
  customerId: 1,
  segment: 1,
  r: 1,
  f: 1,
  m: 1,
  orders: 1,
  value: 1,
  lastOrderAt: 1,
  segmentSince: 1,
  computedAt: 1,
  history: 1,
} as const;
export type StoredState = Pick<SegmentStateDoc, 'customerId' | 'segment' | 'r' | 'f' | 'm' | 'orders' | 'value' | 'lastOrderAt' | 'segmentSince' | 'computedAt' | 'history'>;

/** What a customer's state should be now (without bookkeeping fields). */
export interface NextState {
  segment: Segment;
  r?: number;
  f?: number;
  m?: number;
  orders: number;
  value: number;
  lastOrderAt?: Date;
}

type HistoryEntry = { segment: string; from?: string | null; at: Date };
/** A whole state document, as inserted or replaced. */
export type StateDocument = NextState & { _id: string; customerId: string; segmentSince: Date; computedAt: Date; history: HistoryEntry[] };

/** A buyer's RFM numbers and lifetime figures. */
export interface BuyerNumbers extends RfmInput {
  lifetime: { orders: number; value: number; lastOrderAt: Date };
}

/** Whole days from `from` to `to` (0 for the same day or a future date). */
export function daysBetween(from: Date, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - new Date(from).getTime()) / DAY_MS));
}

/**
 * A customer's numbers as of `now` — days since the last order, orders and
 * base-currency revenue in the 12-month window (`window` = its month keys) —
 * or `undefined` for a lead (no counted order).
 */
export function buyerNumbers(c: CustomerTotals, now: Date, window: readonly string[], base: string): BuyerNumbers | undefined {
  const last = c.totals?.lastOrderAt;
  if (!last || (c.totals?.orders ?? 0) <= 0) return undefined;
  const w = sumWindow(c.totals?.months as Record<string, MonthBucket> | undefined, window, base);
  return {
    recencyDays: daysBetween(last, now),
    frequency: w.orders,
    monetary: w.revenue,
    lifetime: { orders: c.totals.orders, value: (c.totals.revenue as Record<string, number> | undefined)?.[base] ?? 0, lastOrderAt: last },
  };
}

/** The state of a buyer (scored against `thresholds`) or of a lead. */
export function stateOf(numbers: BuyerNumbers | undefined, thresholds: RfmThresholds): NextState {
  if (!numbers) return { segment: 'Lead', orders: 0, value: 0 };
  const scores = rfmScores(numbers, thresholds);
  return { segment: segmentFor(scores), ...scores, ...numbers.lifetime };
}

/** The fields two states are compared on: a stored one, or one about to be written. */
type ComparedFields = Pick<StoredState, 'segment' | 'r' | 'f' | 'm' | 'orders' | 'value' | 'lastOrderAt'> | NextState;

/** Whether the stored state already says what the next one would. */
export function sameState(prev: ComparedFields, next: NextState): boolean {
  const time = (d: Date | null | undefined) => (d ? new Date(d).getTime() : undefined);
  return (
    prev.segment === next.segment &&
    (prev.r ?? undefined) === next.r &&
    (prev.f ?? undefined) === next.f &&
    (prev.m ?? undefined) === next.m &&
    (prev.orders ?? 0) === next.orders &&
    (prev.value ?? 0) === next.value &&
    time(prev.lastOrderAt) === time(next.lastOrderAt)
  );
}

/**
 * What a state becomes: the whole document (for an insert or a replacement)
 * and the update of an existing one, with a history entry when the segment
 * changed — or `undefined` when nothing would change. A first assignment has
 * no `from`; the history keeps the last {@link SEGMENT_HISTORY_LIMIT} entries
 * (written whole: `$push` with `$slice` is not in FerretDB v1).
 */
export function nextDocument(
  customerId: string,
  next: NextState,
  prev: StoredState | undefined,
  now: Date,
): { doc: StateDocument; update?: Record<string, unknown>; moved: boolean } | undefined {
  const _id = segmentStateId(customerId);
  if (!prev) return { doc: { _id, customerId, ...next, segmentSince: now, computedAt: now, history: [{ segment: next.segment, at: now }] }, moved: false };
  if (sameState(prev, next)) return undefined;
  const moved = prev.segment !== next.segment;
  const before = (prev.history ?? []) as HistoryEntry[];
  const history = moved ? [...before, { segment: next.segment, from: prev.segment, at: now }].slice(-SEGMENT_HISTORY_LIMIT) : undefined;
  const doc: StateDocument = { _id, customerId, ...next, segmentSince: moved ? now : prev.segmentSince, computedAt: now, history: history ?? before };
  const update = stateUpdate(next, now);
  if (history) Object.assign(update.$set, { segmentSince: now, history });
  return { doc, update, moved };
}

/**
 * The update that writes a state's scores and figures (not its history):
 * `$set` of what `next` has, `$unset` of the scores and date it lacks (a buyer
 * whose orders were all cancelled becomes a lead).
 *
 * @example
 *   stateUpdate({ segment: 'Lead', orders: 0, value: 0 }, now)
 *   // → { $set: { segment: 'Lead', orders: 0, value: 0, computedAt: now }, $unset: { r: '', f: '', m: '', lastOrderAt: '' } }
 */
export function stateUpdate(next: NextState, now: Date): { $set: Record<string, unknown>; $unset?: Record<string, ''> } {
  const { r, f, m, lastOrderAt, ...always } = next;
  const set: Record<string, unknown> = { ...always, computedAt: now };
  const unset: Record<string, ''> = {};
  for (const [key, value] of Object.entries({ r, f, m, lastOrderAt })) {
    if (value === undefined) unset[key] = '';
    else set[key] = value;
  }
  return Object.keys(unset).length ? { $set: set, $unset: unset } : { $set: set };
}

/** Whether a run's stored thresholds were made by the current rules (older runs stored quintile edges only). */
export function isCurrentThresholds(edges: unknown): edges is RfmThresholds {
  return typeof edges === 'object' && edges !== null && (edges as { version?: unknown }).version === RFM_RULES_VERSION;
}

/** The recompute lease as stored, with the customers touched while it is held. */
export interface LeaseDocument {
  _id: string;
  owner?: string;
  until?: Date;
  touched?: string[];
}

/**
 * Brings one customer's segment state up to date from their running totals,
 * after an order of theirs was recorded or cancelled. Scores against the
 * thresholds of the last full recompute; does nothing before there is one
 * made by the current rules (the start-up recompute, `ensureSegmentsFresh`,
 * makes it). `at` is when the order changed; the state is computed as of the
 * latest of `at`, the customer's last order and the last run.
 *
 * While a full recompute holds its lease, the customer is also noted on the
 * lease: the recompute may have read their totals before this order, so it
 * re-applies this update when it has written its own states. If the totals
 * move while the state is written (orders at the same moment), the update is
 * redone from the new totals, up to three rounds; whatever is left is put
 * right by the next order or the next recompute.
 *
 * @returns the customer's segment now, or `undefined` when not updated (no run yet, or no such active customer)
 * @example
 *   await refreshCustomerSegment('C12', new Date()) // → 'New'
 */
export async function refreshCustomerSegment(customerId: string, at: Date): Promise<Segment | undefined> {
  const run = await SegmentRun.findById('latest', { at: 1, baseCurrency: 1, edges: 1 }).lean<{ at?: Date; baseCurrency?: string; edges?: unknown }>();
  if (!run?.at || !run.baseCurrency || !isCurrentThresholds(run.edges)) return undefined;
  const { baseCurrency, edges } = run;
  const lease = await SegmentRun.collection.findOne<LeaseDocument>({ _id: 'lock' as never });
  if (lease?.until && lease.until.getTime() > Date.now()) {
    await SegmentRun.collection.updateOne({ _id: 'lock' as never }, { $addToSet: { touched: customerId } });
  }
  const stateId = segmentStateId(customerId);
  let customer = await Customer.findById(customerId, TOTALS_PROJECTION).lean<CustomerTotals>();
  let segment: Segment | undefined;
  for (let round = 0; round < REFRESH_ROUNDS; round++) {
    if (!customer || customer.status !== 'active') {
      await SegmentState.deleteOne({ _id: stateId });
      return undefined;
    }
    const latest = Math.max(at.getTime(), run.at.getTime(), customer.totals?.lastOrderAt ? new Date(customer.totals.lastOrderAt).getTime() : 0);
    const now = new Date(latest);
    const window = windowMonthKeys(now);
    const next = stateOf(buyerNumbers(customer, now, window, baseCurrency), edges);
    segment = next.segment;
    const prev = await SegmentState.findById(stateId, STATE_PROJECTION).lean<StoredState>();
    const change = nextDocument(customerId, next, prev ?? undefined, now);
    if (!change) return segment;
    await SegmentState.replaceOne({ _id: stateId }, change.doc, { upsert: true });
    // Another order may have moved the totals since they were read: check, and redo if so.
    const after = await Customer.findById(customerId, TOTALS_PROJECTION).lean<CustomerTotals>();
    const again = after && after.status === 'active' ? stateOf(buyerNumbers(after, now, window, baseCurrency), edges) : undefined;
    if (again && sameState(change.doc, again)) return segment;
    customer = after;
  }
  return segment;
}
