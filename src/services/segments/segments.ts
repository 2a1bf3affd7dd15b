/**
 * RFM segments: the recompute, and what the chat asks of it (sizes, members,
 * movements, lapsed customers). Definitions live in docs/segments.md; the
 * scoring itself is pure and lives in ./rfm.ts.
 *
 * - Recency: whole days since `totals.lastOrderAt`.
 * - Frequency: orders in the 12-month window of `totals.months` buckets.
 * - Monetary: revenue in that window in the base currency only — other
 *   currencies are not converted and do not count.
 *
 * Scores are read against thresholds (./rfm.ts: fixed bands for a small shop,
 * quintiles within one step of them for a larger one), stored with the run so
 * that one customer's state can be brought up to date between runs after an
 * order (./state.ts, called by services/orders.ts). `ensureSegmentsFresh` runs
 * the recompute at start-up when the last one is missing, stale or made under
 * other rules.
 *
 * Why buckets and not a pass over the orders: the recompute then reads one
 * projected cursor over customers — the same read as the benchmark's baseline —
 * and never the orders collection, which is ten times larger and which FerretDB
 * can only scan in full (bench/segments.ts measures it).
 *
 * @example
 *   await recomputeSegments(new Date(), { baseCurrency: 'VND' }); // nightly job, or `segments refresh`
 *   await ensureSegmentsFresh(new Date(), 24, { baseCurrency: 'VND' }); // at start-up
 *   await segmentMembers('At risk', { sort: 'value', page: 1 });
 */
import { randomBytes } from 'node:crypto';
import type { mongo } from 'mongoose';
import { Counter } from '../../../models/counter.js';
import { Customer, type CustomerDoc } from '../../../models/customer.js';
import { SEGMENT_HISTORY_LIMIT, SegmentRun, SegmentState, segmentStateId, type SegmentRunDoc, type SegmentStateDoc } from '../../../models/segment-state.js';
import { ConflictError } from '../../errors.js';
import { PAGE_SIZE, type Page } from '../contacts.js';
import { windowMonthKeys } from '../order-months.js';
import { rfmThresholds, SEGMENTS, type RfmThresholds, type Segment } from './rfm.js';
import { CustomerBase, StoredStates, type StoredSummary } from './base.js';
import {
  buyerNumbers,
  daysBetween,
  isCurrentThresholds,
  nextDocument,
  refreshCustomerSegment,
  sameState,
  STATE_PROJECTION,
  stateUpdate,
  type CustomerTotals,
  type LeaseDocument,
  type NextState,
  type StateDocument,
  type StoredState,
} from './state.js';
import { duplicatePositions, isDuplicateKey } from '../../db/writes.js';
import { customerIdFor, refNumber } from '../../values/refs.js';

const DAY_MS = 86_400_000;
/** Inserts: 1 000 documents per command (one SQLite transaction on FerretDB). */
const INSERT_BATCH = 1000;
/** Documents per cursor batch of the two passes. */
const CURSOR_BATCH = 1000;
/**
 * Updates and deletes go 50 statements per command, unordered: FerretDB v1 holds a
 * connection per statement until the command ends, and 100 exhaust its pool.
 */
const UPDATE_BATCH = 50;
const LOCK_LEASE_MS = 10 * 60_000;
const LOCK_RENEW_MS = 60_000;

export interface RecomputeOptions {
  /** ISO code of the currency that counts for monetary (config.BASE_CURRENCY). */
  baseCurrency: string;
  /**
   * Called once the customers are read and scored, before any state is written: the moment an
   * order recorded meanwhile is not in what the run read (tests record one there).
   */
  beforeWrite?: () => Promise<void>;
}

export interface RecomputeResult {
  at: Date;
  /** Active customers seen. */
  customers: number;
  /** Customers with orders (scored). */
  buyers: number;
  leads: number;
  /** States written for the first time. */
  inserted: number;
  /** States rewritten because a score, the segment or the customer's orders changed. */
  updated: number;
  /** Of those, how many changed segment. */
  moved: number;
  /** States of customers no longer active (merged, erased) removed. */
  removed: number;
  /** The thresholds everyone was scored against (stored as SegmentRun `latest.edges`). */
  edges: RfmThresholds;
  /** Customers whose orders changed while the run worked, brought up to date after it. */
  touched: number;
  durationMs: number;
}

/** Thrown when another recompute holds the lock. */
export class RecomputeBusyError extends ConflictError {
  constructor() {
    super({ code: 'SEGMENTS_RECOMPUTING' });
  }
}

/**
 * Recomputes every customer's segment, in two streaming passes and bounded
 * memory: the customers once, then the stored states once, each with a
 * projection and kept only as numbers in typed columns (./base.ts); thresholds
 * for the whole base (./rfm.ts); then every customer's next state compared
 * with the stored one, and only what changed written — unordered batches of
 * updates by `_id` (`$set` of the scores, `$push` of one history entry on a
 * segment move), inserts for customers with no state yet, deletes for states
 * whose customer is gone. A month rolling over rewrites only the states whose
 * scores moved; a run with nothing to change writes nothing. Runs alone (a
 * lease in SegmentRun `_id: "lock"`). Customers whose orders change while it
 * works are noted on the lease (./state.ts), left alone by its writes, and
 * brought up to date once they are done.
 *
 * @throws RecomputeBusyError when another recompute is running
 */
export async function recomputeSegments(now: Date, options: RecomputeOptions): Promise<RecomputeResult> {
  const started = Date.now();
  const lock = await acquireLock();
  try {
    await finishPendingReplacement();
    // Customer numbers given out before the passes: `segments` tells newer customers apart (not counted yet).
    const customerSeq = (await Counter.findById('customer', { seq: 1 }).lean<{ seq?: number }>())?.seq ?? 0;

    // 1. The customers and 2. the stored states: one projected pass over each, kept in typed
    // columns (./base.ts) — no document is held once it is read. One after the other: on FerretDB
    // two cursors side by side took longer than the two passes in turn (20 000 customers: about
    // 10 s side by side, 6–7 s in turn).
    const window = windowMonthKeys(now);
    const baseCurrency = options.baseCurrency;
    const base = new CustomerBase();
    const stored = new StoredStates();
    const readCustomers = async () => {
      const cursor = Customer.find({}, CUSTOMER_PASS_PROJECTION).lean<CustomerTotals[]>().cursor({ batchSize: CURSOR_BATCH });
      for await (const c of cursor) {
        if (c.status === 'active') base.add(c._id, buyerNumbers(c, now, window, baseCurrency));
        await lock.keepAlive();
      }
    };
    const readStates = async () => {
      const cursor = SegmentState.find({}, STORED_PASS_PROJECTION).lean<StoredState[]>().cursor({ batchSize: CURSOR_BATCH });
      for await (const s of cursor) {
        stored.add(s);
        await lock.keepAlive();
      }
    };
    await readCustomers();
    await readStates();

    // 3. Thresholds for the whole base, then each customer's state compared with the stored one,
    // and only changes written. Customers whose orders changed since the passes (on the lease,
    // re-read every 1 000 customers) are left alone: their state may be newer than what this run
    // read, and step 5 redoes them.
    const edges = rfmThresholds(base.buyerColumns(), baseCurrency);
    await options.beforeWrite?.();
    const writer = new StateWriter(now, lock.keepAlive);
    let busy = await lock.touched();
    for (let i = 0; i < base.size; i++) {
      if (i % CURSOR_BATCH === CURSOR_BATCH - 1) busy = await lock.touched();
      const id = base.idAt(i);
      const j = stored.match(id);
      if (busy.has(id)) continue;
      await writer.put(id, base.stateAt(i, edges), j === undefined ? undefined : stored.summaryAt(j));
    }
    // States left unmatched belong to customers merged, erased or deleted since.
    busy = await lock.touched();
    for (const id of stored.unmatched()) if (!busy.has(id)) await writer.remove(id);
    await writer.finish();

    const run = {
      at: now,
      customerSeq,
      customers: base.size,
      buyers: base.buyers,
      leads: base.size - base.buyers,
      ...writer.counts,
      edges,
      durationMs: Date.now() - started,
    };
    await SegmentRun.replaceOne({ _id: 'latest' }, { ...run, baseCurrency }, { upsert: true });
    // 5. Orders recorded or cancelled while the run worked: their customers, read before the change
    // perhaps, are brought up to date against the new thresholds — after the lease is let go, as the
    // states of this run are all written (an order from now on writes after them).
    const touched = await lock.release();
    for (const id of touched) await refreshCustomerSegment(id, now);
    return { ...run, touched: touched.length, durationMs: Date.now() - started };
  } finally {
    await lock.release();
  }
}

/**
 * The customer fields the recompute reads: status and the whole totals. Not
 * the window's month buckets path by path: FerretDB projects each path in Go,
 * and a dozen of them cost more than reading the whole totals.
 */
const CUSTOMER_PASS_PROJECTION = { status: 1, totals: 1 } as const;
/** The state fields compared (./base.ts keeps them without the history, only its length). */
const STORED_PASS_PROJECTION = { _id: 0, customerId: 1, segment: 1, r: 1, f: 1, m: 1, orders: 1, value: 1, lastOrderAt: 1, history: 1 } as const;

/**
 * One statement of a batch, for the driver itself: the writes are built typed, and mongoose's
 * casting of tens of thousands of them is garbage the recompute's peak memory would carry.
 */
type StateWrite = mongo.AnyBulkWriteOperation<StateRecord>;
/** A state as the driver sees it: any fields, a string `_id`. */
type StateRecord = mongo.Document & { _id: string };

/**
 * Sends state writes in batches sized for both engines as they come: new
 * states as unordered inserts of 1 000, changes and removals as unordered
 * bulk writes of 50 statements, each by exact `_id` (the one filter FerretDB
 * answers from its index). Holds at most one batch of each.
 */
class StateWriter {
  private inserts: StateDocument[] = [];
  private ops: StateWrite[] = [];
  readonly counts = { inserted: 0, updated: 0, moved: 0, removed: 0 };

  constructor(
    private readonly now: Date,
    private readonly keepAlive: () => Promise<void>,
  ) {}

  /**
   * Writes what changed: a new state whole; a changed one by `$set` of its scores and figures,
   * and on a segment move one history entry by `$push` — or, when the history is full, the
   * whole history, read by `_id` then (FerretDB v1 ignores `$slice` in `$push`).
   */
  async put(customerId: string, next: NextState, prev: StoredSummary | undefined): Promise<void> {
    if (!prev) {
      this.counts.inserted++;
      this.inserts.push(nextDocument(customerId, next, undefined, this.now)!.doc);
      if (this.inserts.length >= INSERT_BATCH) await this.flushInserts();
      return;
    }
    if (sameState(prev, next)) return;
    this.counts.updated++;
    const _id = segmentStateId(customerId);
    if (prev.segment === next.segment) return this.op({ updateOne: { filter: { _id }, update: stateUpdate(next, this.now) } });
    this.counts.moved++;
    if (prev.historyLength < SEGMENT_HISTORY_LIMIT) {
      const update = stateUpdate(next, this.now);
      update.$set.segmentSince = this.now;
      const entry = { segment: next.segment, from: prev.segment, at: this.now };
      const push = { ...update, $push: { history: entry } } as unknown as mongo.UpdateFilter<StateRecord>; // the driver's types see no array in a Document
      return this.op({ updateOne: { filter: { _id }, update: push } });
    }
    const whole = await SegmentState.findById(_id, STATE_PROJECTION).lean<StoredState>();
    const change = whole ? nextDocument(customerId, next, whole, this.now) : undefined;
    if (change?.update) await this.op({ updateOne: { filter: { _id }, update: change.update } });
  }

  async remove(customerId: string): Promise<void> {
    this.counts.removed++;
    await this.op({ deleteOne: { filter: { _id: segmentStateId(customerId) } } });
  }

  async finish(): Promise<void> {
    await this.flushInserts();
    await this.flushOps();
  }

  private async op(op: StateWrite): Promise<void> {
    this.ops.push(op);
    if (this.ops.length >= UPDATE_BATCH) await this.flushOps();
  }

  private async flushOps(): Promise<void> {
    if (this.ops.length === 0) return;
    const batch = this.ops;
    this.ops = [];
    await (SegmentState.collection as unknown as mongo.Collection<StateRecord>).bulkWrite(batch, { ordered: false });
    await this.keepAlive();
  }

  private async flushInserts(): Promise<void> {
    if (this.inserts.length === 0) return;
    const batch = this.inserts;
    this.inserts = [];
    try {
      await SegmentState.collection.insertMany(batch as never[], { ordered: false });
    } catch (error) {
      // A state an order wrote since the states were read (./state.ts) is newer than this one: keep it.
      if (!duplicatePositions(error, batch.length)) throw error;
    }
    await this.keepAlive();
  }
}

/**
 * Completes a batch replacement that a crash interrupted under earlier versions,
 * which replaced many changed states a batch at a time (delete by `$in`, then
 * insert) with the batch kept first in a redo log, SegmentRun `_id: "pending"`.
 * Idempotent: delete-then-insert of the same documents, then the log is cleared.
 */
async function finishPendingReplacement(): Promise<void> {
  const pending = await SegmentRun.collection.findOne<{ states?: StateDocument[] }>({ _id: 'pending' as never });
  if (pending?.states?.length) {
    await SegmentState.deleteMany({ _id: { $in: pending.states.map((d) => d._id) } });
    try {
      await SegmentState.collection.insertMany(pending.states as never[], { ordered: false });
    } catch (error) {
      if (!duplicatePositions(error, pending.states.length)) throw error;
    }
  }
  if (pending) await SegmentRun.collection.deleteOne({ _id: 'pending' as never });
}

/**
 * The recompute lease: one holder at a time, renewed while it works, on the
 * wall clock. Taking it empties its list of touched customers (./state.ts adds
 * to it while the lease is held); `touched()` reads the list so far (the run
 * leaves those customers to the redo at its end); letting it go returns the
 * list, emptied.
 */
async function acquireLock(): Promise<{ keepAlive: () => Promise<void>; touched(): Promise<Set<string>>; release(): Promise<string[]> }> {
  const owner = randomBytes(6).toString('hex');
  const lease = async (filter: Record<string, unknown>, upsert: boolean, extra: Record<string, unknown> = {}) => {
    const wall = Date.now();
    const res = await SegmentRun.collection.updateOne(
      { _id: 'lock' as never, ...filter },
      { $set: { owner, until: new Date(wall + LOCK_LEASE_MS), ...extra } },
      { upsert },
    );
    // Renewing a lease that expired and went to another run: stop rather than write alongside it.
    if (!upsert && res.matchedCount === 0) throw new RecomputeBusyError();
    return wall;
  };
  let renewedAt: number;
  let released = false;
  try {
    renewedAt = await lease({ $or: [{ until: { $lt: new Date() } }, { until: { $exists: false } }] }, true, { touched: [] });
  } catch (error) {
    if (isDuplicateKey(error)) throw new RecomputeBusyError();
    throw error;
  }
  return {
    keepAlive: async () => {
      if (Date.now() - renewedAt < LOCK_RENEW_MS) return;
      renewedAt = await lease({ owner }, false);
    },
    async touched() {
      const held = await SegmentRun.collection.findOne<LeaseDocument>({ _id: 'lock' as never }, { projection: { owner: 1, touched: 1 } });
      return new Set(held?.owner === owner ? (held.touched ?? []) : []);
    },
    async release() {
      if (released) return [];
      released = true;
      const held = await SegmentRun.collection.findOneAndUpdate({ _id: 'lock' as never, owner }, { $set: { until: new Date(0), touched: [] } });
      return (held as LeaseDocument | null)?.touched ?? [];
    },
  };
}

/** The last finished recompute, if any. */
export async function latestRun(): Promise<SegmentRunDoc | undefined> {
  return (await SegmentRun.findById('latest').lean<SegmentRunDoc>()) ?? undefined;
}

/**
 * The customer numbers given out since a run read the customers (`C6`–`C9`): customers too new to
 * be in its figures until their first order (which places them at once) or the next recompute.
 * One `_id` read. `undefined` when there are none, or the run is from before runs recorded it.
 *
 * @example
 *   await customersSince(run) // → { from: 'C6', to: 'C9', count: 4 }
 */
export async function customersSince(run: Pick<SegmentRunDoc, 'customerSeq'>): Promise<{ from: string; to: string; count: number } | undefined> {
  if (typeof run.customerSeq !== 'number') return undefined;
  const seq = (await Counter.findById('customer', { seq: 1 }).lean<{ seq?: number }>())?.seq ?? 0;
  if (seq <= run.customerSeq) return undefined;
  return { from: customerIdFor(run.customerSeq + 1), to: customerIdFor(seq), count: seq - run.customerSeq };
}

/**
 * Recomputes at start-up when the segments could mislead: no recompute yet, the
 * last one older than `maxAgeHours`, made under other scoring rules or another
 * base currency, or no stored state at all while the shop has customers (which
 * `segments` would show as "0 customer(s)"). Otherwise does nothing. A
 * recompute already running elsewhere is left to finish.
 *
 * @returns the recompute's result, or `undefined` when none was needed (or another was running)
 * @example
 *   await ensureSegmentsFresh(deps.now(), 24, { baseCurrency: config.BASE_CURRENCY }); // in main, before serving
 */
export async function ensureSegmentsFresh(now: Date, maxAgeHours: number, options: Partial<RecomputeOptions> = {}): Promise<RecomputeResult | undefined> {
  const last = await latestRun();
  const baseCurrency = options.baseCurrency ?? last?.baseCurrency ?? 'VND';
  const stale =
    !last?.at ||
    now.getTime() - new Date(last.at).getTime() > maxAgeHours * 3_600_000 ||
    !isCurrentThresholds(last.edges) ||
    last.baseCurrency !== baseCurrency ||
    (!(await SegmentState.exists({})) && !!(await Customer.exists({ status: 'active' })));
  if (!stale) return undefined;
  try {
    return await recomputeSegments(now, { ...options, baseCurrency });
  } catch (error) {
    if (error instanceof RecomputeBusyError) return undefined;
    throw error;
  }
}

/**
 * How many customers are in each segment (as of the last recompute), every
 * segment listed, best first.
 *
 * @example
 *   await segmentSizes() // → [{ segment: 'Champions', customers: 12 }, …, { segment: 'Lead', customers: 40 }]
 */
export async function segmentSizes(): Promise<{ segment: Segment; customers: number }[]> {
  const groups = await SegmentState.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$segment', n: { $sum: 1 } } }]);
  const bySegment = new Map(groups.map((g) => [g._id, g.n]));
  return SEGMENTS.map((segment) => ({ segment, customers: bySegment.get(segment) ?? 0 }));
}

export type MemberSort = 'value' | 'recency';

export interface SegmentMember {
  customerId: string;
  name: string;
  phone?: string;
  email?: string;
  r?: number;
  f?: number;
  m?: number;
  /** Lifetime orders. */
  orders: number;
  /** Lifetime revenue, base currency minor units. */
  value: number;
  lastOrderAt?: Date;
  segmentSince: Date;
}

/**
 * One page of a segment's members: by value (lifetime revenue in the base
 * currency, highest first) or by recency (latest order first).
 */
export async function segmentMembers(segment: Segment, options: { sort?: MemberSort; page?: number } = {}): Promise<Page<SegmentMember>> {
  const filter = { segment };
  const total = await SegmentState.countDocuments(filter);
  const pages = Math.ceil(total / PAGE_SIZE);
  const page = Math.min(Math.max(1, options.page ?? 1), Math.max(1, pages));
  if (total === 0) return { items: [], total, page, pages };
  const sort: Record<string, 1 | -1> = options.sort === 'recency' ? { lastOrderAt: -1, customerId: 1 } : { value: -1, customerId: 1 };
  const states = await SegmentState.find(filter, { history: 0 })
    .sort(sort)
    .skip((page - 1) * PAGE_SIZE)
    .limit(PAGE_SIZE)
    .lean<SegmentStateDoc[]>();
  const customers = await Customer.find({ _id: { $in: states.map((s) => s.customerId) } }, { name: 1, phones: 1, emails: 1 }).lean<
    Pick<CustomerDoc, '_id' | 'name' | 'phones' | 'emails'>[]
  >();
  const byId = new Map(customers.map((c) => [c._id, c]));
  const items = states.map((s) => {
    const c = byId.get(s.customerId);
    return {
      customerId: s.customerId,
      name: c?.name ?? '',
      phone: c?.phones[0],
      email: c?.emails[0],
      r: s.r ?? undefined,
      f: s.f ?? undefined,
      m: s.m ?? undefined,
      orders: s.orders ?? 0,
      value: s.value ?? 0,
      lastOrderAt: s.lastOrderAt ?? undefined,
      segmentSince: s.segmentSince,
    };
  });
  return { items, total, page, pages };
}

export interface Movement {
  customerId: string;
  from: Segment;
  to: Segment;
  at: Date;
}

/**
 * Who moved from which segment to which since a moment, newest first. A
 * customer's first assignment is not a movement; "Lead → New" is.
 */
export async function movements(since: Date): Promise<Movement[]> {
  const states = await SegmentState.find({ segmentSince: { $gte: since } }, { customerId: 1, history: 1 }).lean<Pick<SegmentStateDoc, 'customerId' | 'history'>[]>();
  const list: Movement[] = [];
  for (const s of states) {
    for (const h of s.history ?? []) {
      if (h.from && h.at >= since) list.push({ customerId: s.customerId, from: h.from as Segment, to: h.segment as Segment, at: h.at });
    }
  }
  return list.sort((a, b) => b.at.getTime() - a.at.getTime() || refNumber(a.customerId) - refNumber(b.customerId));
}

/** Movements counted per (from → to), largest flow first. */
export function summariseMovements(list: readonly Movement[]): { from: Segment; to: Segment; customers: number }[] {
  const flows = new Map<string, { from: Segment; to: Segment; customers: number }>();
  for (const m of list) {
    const key = `${m.from}\u0000${m.to}`;
    const flow = flows.get(key) ?? { from: m.from, to: m.to, customers: 0 };
    flow.customers++;
    flows.set(key, flow);
  }
  return [...flows.values()].sort(
    (a, b) => b.customers - a.customers || SEGMENTS.indexOf(a.from) - SEGMENTS.indexOf(b.from) || SEGMENTS.indexOf(a.to) - SEGMENTS.indexOf(b.to),
  );
}

export interface LapsedCustomer {
  customerId: string;
  name: string;
  phone?: string;
  email?: string;
  ownerId?: string;
  orders: number;
  lastOrderAt: Date;
  daysSince: number;
}

/**
 * Customers who ordered before but not in the last `days` days, the most
 * recently lapsed first (the likeliest to come back). Read from the customers'
 * running totals, so it is current — it does not wait for a recompute.
 */
export async function lapsed(options: { days: number; now: Date; page?: number }): Promise<Page<LapsedCustomer>> {
  const cutoff = new Date(options.now.getTime() - options.days * DAY_MS);
  const filter = { status: 'active' as const, 'totals.orders': { $gt: 0 }, 'totals.lastOrderAt': { $lt: cutoff } };
  const total = await Customer.countDocuments(filter);
  const pages = Math.ceil(total / PAGE_SIZE);
  const page = Math.min(Math.max(1, options.page ?? 1), Math.max(1, pages));
  if (total === 0) return { items: [], total, page, pages };
  const found = await Customer.find(filter, { name: 1, phones: 1, emails: 1, ownerId: 1, 'totals.orders': 1, 'totals.lastOrderAt': 1 })
    .sort({ 'totals.lastOrderAt': -1, _id: 1 })
    .skip((page - 1) * PAGE_SIZE)
    .limit(PAGE_SIZE)
    .lean<CustomerDoc[]>();
  const items = found.map((c) => ({
    customerId: c._id,
    name: c.name,
    phone: c.phones?.[0],
    email: c.emails?.[0],
    ownerId: c.ownerId ?? undefined,
    orders: c.totals?.orders ?? 0,
    lastOrderAt: c.totals.lastOrderAt!,
    daysSince: daysBetween(c.totals.lastOrderAt!, options.now),
  }));
  return { items, total, page, pages };
}
