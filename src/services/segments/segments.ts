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
import { Customer, type CustomerDoc } from '../../../models/customer.js';
import { SegmentRun, SegmentState, segmentStateId, type SegmentRunDoc, type SegmentStateDoc } from '../../../models/segment-state.js';
import { ConflictError } from '../../errors.js';
import { PAGE_SIZE, type Page } from '../contacts.js';
import { windowMonthKeys } from '../order-months.js';
import { rfmThresholds, SEGMENTS, type RfmThresholds, type Segment } from './rfm.js';
import {
  buyerNumbers,
  daysBetween,
  isCurrentThresholds,
  nextDocument,
  refreshCustomerSegment,
  STATE_PROJECTION,
  stateOf,
  TOTALS_PROJECTION,
  type BuyerNumbers,
  type CustomerTotals,
  type LeaseDocument,
  type NextState,
  type StateDocument,
  type StoredState,
} from './state.js';
import { duplicatePositions, isDuplicateKey } from '../../db/writes.js';
import { refNumber } from '../../values/refs.js';

const DAY_MS = 86_400_000;
/** Inserts travel as one command per batch (one SQLite transaction on FerretDB). */
const INSERT_BATCH = 1000;
/**
 * Updates and deletes go 50 statements per command: FerretDB v1 holds a
 * connection per statement until the command ends, and 100 exhaust its pool.
 */
const UPDATE_BATCH = 50;
/**
 * Above this many changed states, they are replaced a batch at a time
 * (delete by `$in`, then insert) instead of updated one by one: FerretDB v1
 * finds the document of every single update or delete with a scan of the
 * collection (its `_id` index is not used by those statements), so with
 * 100 000 states one update costs about what one `$in` delete of 5 000 does,
 * and a month rolling over — thousands of changes — would take hours.
 */
const REPLACE_ABOVE = 50;
const REPLACE_BATCH = 5000;
const LOCK_LEASE_MS = 10 * 60_000;
const LOCK_RENEW_MS = 60_000;

export interface RecomputeOptions {
  /** ISO code of the currency that counts for monetary (config.BASE_CURRENCY). */
  baseCurrency: string;
  /** Changed states above which they are replaced in batches rather than updated one by one (default 50). */
  replaceAbove?: number;
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
 * Recomputes every customer's segment: reads the stored states, streams the
 * customers once with a projection, scores everyone against thresholds for
 * the whole base (./rfm.ts), and writes only the states that changed — new ones as batched
 * inserts, changes as batched updates (or batched replacements when there are
 * many) that append to the history on a segment move. Runs alone (a lease in
 * SegmentRun `_id: "lock"`). Customers whose orders change while it works are
 * noted on the lease (./state.ts) and brought up to date once its writes are done.
 *
 * @throws RecomputeBusyError when another recompute is running
 */
export async function recomputeSegments(now: Date, options: RecomputeOptions): Promise<RecomputeResult> {
  const started = Date.now();
  const lock = await acquireLock();
  try {
    await finishPendingReplacement();

    // 1. What we stored last time, and 2. the customers: two streaming reads, run side by side
    // (the server works on both cursors at once; each is one projected pass).
    const previous = new Map<string, StoredState>();
    const readStates = async () => {
      const states = SegmentState.find({}, STATE_PROJECTION)
        .lean<StoredState[]>()
        .cursor({ batchSize: INSERT_BATCH });
      for await (const s of states) {
        previous.set(s.customerId, s);
        await lock.keepAlive();
      }
    };

    // The three numbers of everyone with orders, in flat arrays.
    const window = windowMonthKeys(now);
    const base = options.baseCurrency;
    const ids: string[] = [];
    const days: number[] = [];
    const frequency: number[] = [];
    const monetary: number[] = [];
    const lifetime: BuyerNumbers['lifetime'][] = [];
    const leads: string[] = [];
    let customers = 0;
    const readCustomers = async () => {
      const cursor = Customer.find({}, TOTALS_PROJECTION).lean<CustomerTotals[]>().cursor({ batchSize: INSERT_BATCH });
      for await (const c of cursor) {
        if (c.status !== 'active') continue;
        customers++;
        const numbers = buyerNumbers(c, now, window, base);
        if (!numbers) {
          leads.push(c._id);
          continue;
        }
        ids.push(c._id);
        days.push(numbers.recencyDays);
        frequency.push(numbers.frequency);
        monetary.push(numbers.monetary);
        lifetime.push(numbers.lifetime);
        await lock.keepAlive();
      }
    };
    await Promise.all([readStates(), readCustomers()]);

    // 3. Thresholds for the whole base, then each state compared with the stored one.
    const edges = rfmThresholds({ recencyDays: days, frequency, monetary }, base);
    await options.beforeWrite?.();
    const writer = new StateWriter(now, options.replaceAbove ?? REPLACE_ABOVE, lock.keepAlive);
    for (let i = 0; i < ids.length; i++) {
      const next = stateOf({ recencyDays: days[i]!, frequency: frequency[i]!, monetary: monetary[i]!, lifetime: lifetime[i]! }, edges);
      await writer.put(ids[i]!, next, previous.get(ids[i]!));
      previous.delete(ids[i]!);
    }
    for (const id of leads) {
      await writer.put(id, stateOf(undefined, edges), previous.get(id));
      previous.delete(id);
    }
    // What is left belongs to customers merged, erased or deleted since.
    for (const id of previous.keys()) writer.remove(id);
    await writer.finish();

    const stored = { at: now, customers, buyers: ids.length, leads: leads.length, ...writer.counts, edges, durationMs: Date.now() - started };
    await SegmentRun.replaceOne({ _id: 'latest' }, { ...stored, baseCurrency: base }, { upsert: true });
    // 5. Orders recorded or cancelled while the run worked: their customers, read before the change
    // perhaps, are brought up to date against the new thresholds — after the lease is let go, as the
    // states of this run are all written (an order from now on writes after them).
    const touched = await lock.release();
    for (const id of touched) await refreshCustomerSegment(id, now);
    return { ...stored, touched: touched.length, durationMs: Date.now() - started };
  } finally {
    await lock.release();
  }
}

type StateWrite = Parameters<typeof SegmentState.bulkWrite>[0][number];

/**
 * Collects state writes and sends them in batches sized for both engines:
 * new states as inserts while it goes; changes and removals at the end, one
 * by one when they are few, a batch at a time (with a redo log) when many.
 */
class StateWriter {
  private inserts: StateDocument[] = [];
  private readonly changes: { doc: StateDocument; update: Record<string, unknown> }[] = [];
  private readonly removals: string[] = [];
  readonly counts = { inserted: 0, updated: 0, moved: 0, removed: 0 };

  constructor(
    private readonly now: Date,
    private readonly replaceAbove: number,
    private readonly keepAlive: () => Promise<void>,
  ) {}

  async put(customerId: string, next: NextState, prev: StoredState | undefined): Promise<void> {
    const change = nextDocument(customerId, next, prev, this.now);
    if (!change) return;
    if (!change.update) {
      this.counts.inserted++;
      this.inserts.push(change.doc);
      if (this.inserts.length >= INSERT_BATCH) await this.flushInserts();
      return;
    }
    this.counts.updated++;
    if (change.moved) this.counts.moved++;
    this.changes.push({ doc: change.doc, update: change.update });
  }

  remove(customerId: string): void {
    this.counts.removed++;
    this.removals.push(segmentStateId(customerId));
  }

  async finish(): Promise<void> {
    await this.flushInserts();
    if (this.changes.length + this.removals.length <= this.replaceAbove) {
      const ops: StateWrite[] = [
        ...this.changes.map(({ doc, update }): StateWrite => ({ updateOne: { filter: { _id: doc._id }, update } })),
        ...this.removals.map((_id): StateWrite => ({ deleteOne: { filter: { _id } } })),
      ];
      for (let i = 0; i < ops.length; i += UPDATE_BATCH) {
        await SegmentState.bulkWrite(ops.slice(i, i + UPDATE_BATCH), { ordered: false });
        await this.keepAlive();
      }
      return;
    }
    for (let i = 0; i < this.changes.length; i += REPLACE_BATCH) {
      await replaceBatch(this.changes.slice(i, i + REPLACE_BATCH).map((c) => c.doc));
      await this.keepAlive();
    }
    for (let i = 0; i < this.removals.length; i += REPLACE_BATCH) {
      await SegmentState.deleteMany({ _id: { $in: this.removals.slice(i, i + REPLACE_BATCH) } });
    }
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
 * Replaces whole states: the batch goes to a redo log first (SegmentRun
 * `_id: "pending"`), then the old documents are deleted with one `$in` and the
 * new ones inserted, then the log is cleared. A crash in between is finished
 * by the next recompute ({@link finishPendingReplacement}), so no history is
 * ever lost; readers may miss the batch's customers for the moment between
 * the delete and the insert.
 */
async function replaceBatch(docs: StateDocument[]): Promise<void> {
  await SegmentRun.collection.replaceOne({ _id: 'pending' as never }, { states: docs }, { upsert: true });
  await writeReplacement(docs);
}

async function writeReplacement(docs: StateDocument[]): Promise<void> {
  await SegmentState.deleteMany({ _id: { $in: docs.map((d) => d._id) } });
  try {
    await SegmentState.collection.insertMany(docs as never[], { ordered: false });
  } catch (error) {
    // An order wrote the state between the delete and the insert: the customer is on the lease's touched list.
    if (!duplicatePositions(error, docs.length)) throw error;
  }
  await SegmentRun.collection.deleteOne({ _id: 'pending' as never });
}

/** Completes a replacement a crash interrupted (idempotent: delete-then-insert of the same documents). */
async function finishPendingReplacement(): Promise<void> {
  const pending = await SegmentRun.collection.findOne<{ states?: StateDocument[] }>({ _id: 'pending' as never });
  if (pending?.states?.length) await writeReplacement(pending.states);
  else if (pending) await SegmentRun.collection.deleteOne({ _id: 'pending' as never });
}

/**
 * The recompute lease: one holder at a time, renewed while it works, on the
 * wall clock. Taking it empties its list of touched customers (./state.ts adds
 * to it while the lease is held); letting it go returns the list, emptied.
 */
async function acquireLock(): Promise<{ keepAlive: () => Promise<void>; release(): Promise<string[]> }> {
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
