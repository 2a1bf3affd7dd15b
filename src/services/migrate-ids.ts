/**
 * The one-off migration from numeric customer and order `_id`s (12, 7) to the strings people
 * type (`"C12"`, `"O7"`), with every reference that pointed at them, and the `_id` lists the new
 * code reads instead of scanning (customers' recent orders, interactions and identities; staff
 * members' identities and pending follow-ups). Run by `npm run migrate:ids` (docs/migrations.md).
 *
 * Why this shape:
 * - A document cannot change its `_id`, so a renamed document is inserted under its new `_id`
 *   first and the old one deleted afterwards: a crash leaves both, never neither. A re-run finds
 *   the new one taken (a duplicate key is an answer, not an error), keeps it, and deletes the old.
 * - Every step selects only what is still in the old format (`$type: 'number'`, or a regex on the
 *   old string shapes) and converts only values still in it, so a second run changes nothing and
 *   a run after a crash finishes the job wherever the first one stopped.
 * - The old numeric customers are deleted last of all, so {@link needsIdMigration} stays true
 *   until everything else, lists included, is done.
 * - Raw driver collections with projections and streaming cursors; writes go in bulk commands of
 *   at most 50 statements (FerretDB v1 hangs on update commands of 100 or more); deletes go by
 *   exact `_id` or by numeric `_id` range (see {@link Migration.remove}).
 *
 * @example
 *   if (await needsIdMigration()) log.warn('run `npm run migrate:ids` (docs/migrations.md)');
 *   const report = await migrateIds({ log: (m) => process.stderr.write(`${m}\n`) });
 *   report.total // → 0 on a database that is already migrated
 */
import mongoose from 'mongoose';
import { AuditEvent } from '../../models/audit-event.js';
import { ContactKey } from '../../models/contact-key.js';
import { Customer } from '../../models/customer.js';
import { DeliveryEvent } from '../../models/delivery-event.js';
import { Delivery } from '../../models/delivery.js';
import { FollowUp } from '../../models/follow-up.js';
import { Identity } from '../../models/identity.js';
import { Interaction } from '../../models/interaction.js';
import { Invite } from '../../models/invite.js';
import { MergeRecord } from '../../models/merge-record.js';
import { Order } from '../../models/order.js';
import { Outbox } from '../../models/outbox.js';
import { SegmentRun, SegmentState } from '../../models/segment-state.js';
import { Staff } from '../../models/staff.js';
import { duplicatePositions, retryBusy } from '../db/writes.js';
import { PENDING } from './follow-ups.js';
import { rebuildRecent } from './recent.js';
import { customerIdFor, orderIdFor } from '../values/refs.js';

/** A document as the driver returns it (old and new shapes alike). */
type RawDoc = mongoose.mongo.Document & { _id: RawId };
type RawId = string | number | mongoose.mongo.ObjectId;
type RawCollection = mongoose.mongo.Collection<RawDoc>;
type Filter = mongoose.mongo.Filter<RawDoc>;

export interface MigrateIdsOptions {
  /** Progress lines (the script sends them to stderr). */
  log?: (msg: string) => void;
  /** Statements per bulk write, at most 50 (the default). */
  batchSize?: number;
}

export interface MigrationReport {
  /** Documents rewritten (a reference converted) or replaced (a new `_id`), per collection name. */
  changed: Record<string, number>;
  /** Documents whose new `_id` list was written. */
  filled: { customerIdentityIds: number; staffIdentityIds: number; staffPendingFollowUpIds: number; customerRecentLists: number };
  /** Everything above added up: 0 when the database was migrated already. */
  total: number;
}

/**
 * Numeric `_id`s, or numbers in a reference field (the `number` alias: double, int, long and
 * decimal, on MongoDB and FerretDB v1 alike; the driver's types omit the alias).
 */
const NUMBER = { $type: 'number' } as unknown as mongoose.mongo.FilterOperators<RawId>;
/** Old actor and audit-target strings: `customer:12`, `order:7`. */
const OLD_ACTOR = /^customer:\d+$/;
const OLD_TARGET = /^(?:customer|order):\d+$/;
/** Old string shapes holding a customer number: `"12"`, `P7:12`, `P7:12:attempt`, `auto:lead:12`, `lapsed:12:<day>`. */
const DIGITS = /^\d+$/;
const OLD_DELIVERY_ID = /^([^:]+:)(\d+)$/;
const OLD_DELIVERY_EVENT_ID = /^([^:]+:)(\d+)(:[^:]+)$/;
// No lookaheads: the server evaluates these (FerretDB with Go's RE2, which has none).
const OLD_FOLLOW_UP_ID = /^(auto:lead:|lapsed:)(\d+)(:.*)?$/;
const OLD_REMINDER_KEY = /^(reminder:(?:auto:lead:|lapsed:))(\d+)(:.*)$/;
/** Numeric `_id`s per range delete: FerretDB v1 fails on a delete of more than 32,766 documents (SQLite's variable limit). */
const NUMERIC_DELETE_CHUNK = 10_000;
const MAX_BATCH = 50;

/**
 * Whether the database still holds customers or orders with numeric `_id`s: made by the old code,
 * or a migration did not finish. Reads one document per collection: the first in natural order.
 *
 * Why not `find({_id: {$type: 'number'}}).limit(1)`: FerretDB evaluates `$type` in Go over every
 * document, so on a migrated database that is a full read (5 s for 60,000 orders). The first
 * document in natural (insertion) order answers the same question, because every string-id
 * document was inserted after every numeric one: the old code wrote only numbers, the new code
 * writes only strings, and the migration inserts its copies before deleting the originals (SQLite
 * rowids and MongoDB record ids only grow). A database restored from a dump keeps that order.
 *
 * @example
 *   if (await needsIdMigration()) console.error('Old database: stop the app and run `npm run migrate:ids`.');
 */
export async function needsIdMigration(): Promise<boolean> {
  for (const model of [Customer, Order]) {
    const [first] = await raw(model.collection.collectionName).find({}, { projection: { _id: 1 } }).limit(1).toArray();
    if (typeof first?._id === 'number') return true;
  }
  return false;
}

/**
 * Migrates the connected database to string customer and order ids (see the module comment for
 * the order of steps and what a crash leaves). Idempotent; safe to re-run after a crash. Never
 * run while the app is running: the app's writes would race with the copies.
 *
 * @example
 *   const report = await migrateIds({ log: console.error });
 *   // report.changed → { customers: 1200, orders: 5300, contactkeys: 1900, … }
 */
export async function migrateIds(options: MigrateIdsOptions = {}): Promise<MigrationReport> {
  const m = new Migration(options.log ?? (() => undefined), Math.min(MAX_BATCH, Math.max(1, options.batchSize ?? MAX_BATCH)));

  // 1. Customers: copies under "C12". The numeric originals go last (step 6).
  const oldCustomers = await m.copy(Customer, { _id: NUMBER }, (c) => ({
    ...c,
    _id: customerIdFor(c._id as number),
    ...converted(c, { mergedInto: customerRef, createdBy: actorRef }),
  }));
  // 2. Orders: "O7", pointing at "C12".
  const oldOrders = await m.copy(Order, { _id: NUMBER }, (o) => ({ ...o, _id: orderIdFor(o._id as number), ...orderRefs(o) }));
  await m.remove(Order, oldOrders);

  // 3. Documents whose own `_id` holds a customer number.
  await m.remove(SegmentState, await m.copy(SegmentState, { _id: DIGITS }, (s) => ({ ...s, _id: `C${s._id as string}`, customerId: customerRef(s.customerId) })));
  await m.remove(
    Delivery,
    await m.copy(Delivery, { _id: OLD_DELIVERY_ID }, (d) => ({ ...d, _id: (d._id as string).replace(OLD_DELIVERY_ID, '$1C$2'), customerId: customerRef(d.customerId) })),
  );
  await m.remove(
    DeliveryEvent,
    await m.copy(DeliveryEvent, { _id: OLD_DELIVERY_EVENT_ID }, (e) => ({ ...e, _id: (e._id as string).replace(OLD_DELIVERY_EVENT_ID, '$1C$2$3'), ...deliveryEventRefs(e) })),
  );
  await m.remove(
    FollowUp,
    await m.copy(FollowUp, { _id: OLD_FOLLOW_UP_ID }, (f) => ({ ...f, _id: (f._id as string).replace(OLD_FOLLOW_UP_ID, '$1C$2$3'), customerId: customerRef(f.customerId) })),
  );
  // A reminder's key contains the follow-up's `_id`: renamed too, or a sent reminder would go out again.
  await m.remove(
    Outbox,
    await m.copy(Outbox, { _id: OLD_REMINDER_KEY }, (o) => ({ ...o, _id: (o._id as string).replace(OLD_REMINDER_KEY, '$1C$2$3'), to: actorRef(o.to) })),
  );

  // 4. References in documents that keep their `_id` (also what a crashed run copied but did not convert).
  await m.rewrite(Customer, { _id: { $type: 'string' }, $or: [{ mergedInto: NUMBER }, { createdBy: OLD_ACTOR }] }, { mergedInto: 1, createdBy: 1 }, (c) =>
    converted(c, { mergedInto: customerRef, createdBy: actorRef }),
  );
  await m.rewrite(Order, { $or: [{ customerId: NUMBER }, { createdBy: OLD_ACTOR }, { 'history.by': OLD_ACTOR }] }, { customerId: 1, createdBy: 1, history: 1 }, orderRefs);
  for (const model of [ContactKey, Interaction, FollowUp, Delivery, SegmentState]) {
    await m.rewrite(model, { customerId: NUMBER }, { customerId: 1 }, (d) => converted(d, { customerId: customerRef }));
  }
  await m.rewrite(DeliveryEvent, { $or: [{ customerId: NUMBER }, { deliveryId: OLD_DELIVERY_ID }] }, { customerId: 1, deliveryId: 1 }, deliveryEventRefs);
  await m.rewrite(
    MergeRecord,
    { $or: [{ keptId: NUMBER }, { mergedId: NUMBER }, { orderIds: NUMBER }, { by: OLD_ACTOR }] },
    { keptId: 1, mergedId: 1, orderIds: 1, by: 1 },
    (r) => converted(r, { keptId: customerRef, mergedId: customerRef, by: actorRef, orderIds: (ids) => (Array.isArray(ids) ? ids.map(orderRef) : ids) }),
  );
  await m.rewrite(Identity, { kind: 'customer', refId: DIGITS }, { refId: 1 }, (i) => converted(i, { refId: customerNumberString }));
  await m.rewrite(AuditEvent, { $or: [{ target: OLD_TARGET }, { actor: OLD_ACTOR }] }, { target: 1, actor: 1 }, (a) => converted(a, { target: targetRef, actor: actorRef }));
  await m.rewrite(Outbox, { to: OLD_ACTOR }, { to: 1 }, (o) => converted(o, { to: actorRef }));
  // A link code made for a customer (`link` in the chat) names them in `targetRef`.
  await m.rewrite(Invite, { targetKind: 'customer', targetRef: DIGITS }, { targetRef: 1 }, (i) => converted(i, { targetRef: customerNumberString }));
  // The redo log of a segment batch interrupted by the shutdown: replayed by the next recompute.
  await m.rewrite(SegmentRun, { _id: 'pending' }, { states: 1 }, (p) =>
    converted(p, {
      states: (states) =>
        Array.isArray(states) ? states.map((s: RawDoc) => ({ ...s, _id: customerNumberString(s._id), customerId: customerRef(s.customerId) })) : states,
    }),
  );

  // 5. The `_id` lists the new code reads instead of scanning.
  await m.fillIdentityLists();
  await m.fillPendingFollowUps();
  await m.fillRecentLists();

  // 6. Last: the numeric customers, whose copies now carry everything.
  await m.remove(Customer, oldCustomers);

  const total = Object.values(m.report.changed).reduce((a, b) => a + b, 0) + Object.values(m.report.filled).reduce((a, b) => a + b, 0);
  m.log(`Done: ${total} change(s).`);
  return { ...m.report, total };
}

/** One run's collections, batch size and counts. */
class Migration {
  readonly report: Omit<MigrationReport, 'total'> = {
    changed: {},
    filled: { customerIdentityIds: 0, staffIdentityIds: 0, staffPendingFollowUpIds: 0, customerRecentLists: 0 },
  };

  constructor(
    readonly log: (msg: string) => void,
    private readonly batchSize: number,
  ) {}

  /**
   * Inserts `convert(doc)` for every document matching `filter` (whole documents, streamed), in
   * unordered batches where an `_id` already taken (an earlier, interrupted run) is skipped.
   * Returns the `_id`s of the originals, now safe to delete: each has its copy.
   */
  async copy(model: Named, filter: Filter, convert: (doc: RawDoc) => RawDoc): Promise<RawId[]> {
    const coll = raw(model.collection.collectionName);
    const originals: RawId[] = [];
    let batch: RawDoc[] = [];
    let inserted = 0;
    const flush = async (): Promise<void> => {
      inserted += await insertMissing(coll, batch);
      batch = [];
    };
    for await (const doc of coll.find(filter, { batchSize: 500 })) {
      originals.push(doc._id);
      batch.push(convert(doc));
      if (batch.length >= this.batchSize) await flush();
    }
    await flush();
    if (originals.length) this.log(`${coll.collectionName}: ${inserted} copied under new ids, ${originals.length - inserted} copied before`);
    return originals;
  }

  /**
   * Deletes the originals that {@link copy} returned; counts them as changed. String `_id`s go
   * as `deleteOne`s by exact `_id` (FerretDB's index); numeric ones as `_id` ranges of up to
   * {@link NUMERIC_DELETE_CHUNK}: FerretDB can use no index for a number, so every `deleteMany` is
   * one full scan, and an `$in` of n ids costs n comparisons per document scanned (60,000 orders
   * in chunks of 500: minutes; in ranges: seconds). A range holds only the originals: the new code
   * never writes a numeric `_id`, and the app is stopped.
   */
  async remove(model: Named, ids: RawId[]): Promise<void> {
    const coll = raw(model.collection.collectionName);
    let deleted = 0;
    const numbers = ids.filter((id): id is number => typeof id === 'number').sort((a, b) => a - b);
    for (let i = 0; i < numbers.length; i += NUMERIC_DELETE_CHUNK) {
      const chunk = numbers.slice(i, i + NUMERIC_DELETE_CHUNK);
      const range = { $type: 'number', $gte: chunk[0], $lte: chunk.at(-1) } as unknown as mongoose.mongo.FilterOperators<RawId>;
      deleted += (await retryBusy(() => coll.deleteMany({ _id: range }))).deletedCount;
    }
    const others = ids.filter((id) => typeof id !== 'number');
    for (let i = 0; i < others.length; i += this.batchSize) {
      const ops = others.slice(i, i + this.batchSize).map((id) => ({ deleteOne: { filter: { _id: id } } }));
      deleted += (await retryBusy(() => coll.bulkWrite(ops, { ordered: false }))).deletedCount;
    }
    if (ids.length) this.log(`${coll.collectionName}: ${deleted} old document(s) deleted`);
    this.count(coll.collectionName, deleted);
  }

  /** `$set`s `convert(doc)` on every document matching `filter` (projected), by `_id`, in batches. */
  async rewrite(model: Named, filter: Filter, projection: Record<string, 1>, convert: (doc: RawDoc) => Record<string, unknown>): Promise<void> {
    const coll = raw(model.collection.collectionName);
    const writer = new BatchWriter(coll, this.batchSize);
    for await (const doc of coll.find(filter, { projection, batchSize: 500 })) {
      const set = convert(doc);
      if (Object.keys(set).length) await writer.set(doc._id, set);
    }
    const n = await writer.finish();
    if (n) this.log(`${coll.collectionName}: ${n} reference(s) converted`);
    this.count(coll.collectionName, n);
  }

  /** `Customer.identityIds` and `Staff.identityIds`: the identities whose `kind`/`refId` point at them. */
  async fillIdentityLists(): Promise<void> {
    const wanted = { customer: new Map<string, string[]>(), staff: new Map<string, string[]>() };
    for await (const i of raw(Identity.collection.collectionName).find({}, { projection: { kind: 1, refId: 1 }, batchSize: 1000 })) {
      const byOwner = i.kind === 'staff' ? wanted.staff : i.kind === 'customer' ? wanted.customer : undefined;
      if (!byOwner || typeof i.refId !== 'string') continue;
      byOwner.set(i.refId, [...(byOwner.get(i.refId) ?? []), String(i._id)]);
    }
    this.report.filled.customerIdentityIds = await this.fillList(Customer, 'identityIds', wanted.customer);
    this.report.filled.staffIdentityIds = await this.fillList(Staff, 'identityIds', wanted.staff);
  }

  /** `Staff.pendingFollowUpIds`: their open and snoozed follow-ups, oldest first. */
  async fillPendingFollowUps(): Promise<void> {
    const pending: { id: string; assigneeId: string; at: number }[] = [];
    const cursor = raw(FollowUp.collection.collectionName).find({ status: { $in: [...PENDING] } }, { projection: { assigneeId: 1, createdAt: 1 }, batchSize: 1000 });
    for await (const f of cursor) {
      if (typeof f.assigneeId === 'string') pending.push({ id: String(f._id), assigneeId: f.assigneeId, at: new Date(f.createdAt as Date).getTime() || 0 });
    }
    pending.sort((a, b) => a.at - b.at);
    const wanted = new Map<string, string[]>();
    for (const f of pending) wanted.set(f.assigneeId, [...(wanted.get(f.assigneeId) ?? []), f.id]);
    this.report.filled.staffPendingFollowUpIds = await this.fillList(Staff, 'pendingFollowUpIds', wanted);
  }

  /**
   * `recentOrderIds` and `recentInteractionIds`, computed by {@link rebuildRecent} for everyone
   * when any (string-id) customer lacks them — old documents and their copies do; a finished
   * run leaves none without them, so a second run skips this.
   */
  async fillRecentLists(): Promise<void> {
    const coll = raw(Customer.collection.collectionName);
    const lacking = (field: string): Filter => ({ _id: { $type: 'string' }, [field]: { $exists: false } });
    const missing = await coll.countDocuments({ $or: [lacking('recentOrderIds'), lacking('recentInteractionIds')] });
    if (missing === 0) return;
    this.log(`customers: rebuilding recent orders and interactions (${missing} without them)`);
    await rebuildRecent();
    // Customers with neither orders nor interactions were not written by the rebuild.
    for (const field of ['recentOrderIds', 'recentInteractionIds']) {
      await retryBusy(() => coll.updateMany(lacking(field), { $set: { [field]: [] } }));
    }
    this.report.filled.customerRecentLists = missing;
  }

  /** Sets `field` to the wanted list on each document of `model` whose list holds other ids. */
  private async fillList(model: Named, field: string, wanted: Map<string, string[]>): Promise<number> {
    const coll = raw(model.collection.collectionName);
    const writer = new BatchWriter(coll, this.batchSize);
    for await (const doc of coll.find({ _id: { $type: 'string' } }, { projection: { [field]: 1 }, batchSize: 1000 })) {
      const want = wanted.get(doc._id as string) ?? [];
      const have = Array.isArray(doc[field]) ? (doc[field] as unknown[]).map(String) : [];
      if (!sameSet(have, want)) await writer.set(doc._id, { [field]: want });
    }
    const n = await writer.finish();
    if (n) this.log(`${coll.collectionName}: ${field} filled on ${n} document(s)`);
    return n;
  }

  private count(collection: string, n: number): void {
    this.report.changed[collection] = (this.report.changed[collection] ?? 0) + n;
  }
}

type Named = { collection: { collectionName: string } };

/** Collects `$set`s by `_id` into unordered bulk writes of at most `size` statements. */
class BatchWriter {
  private ops: mongoose.mongo.AnyBulkWriteOperation<RawDoc>[] = [];
  private written = 0;

  constructor(
    private readonly coll: RawCollection,
    private readonly size: number,
  ) {}

  async set(id: RawId, set: Record<string, unknown>): Promise<void> {
    this.ops.push({ updateOne: { filter: { _id: id }, update: { $set: set } } });
    if (this.ops.length >= this.size) await this.flush();
  }

  /** Writes what is left; returns how many documents were written in all. */
  async finish(): Promise<number> {
    await this.flush();
    return this.written;
  }

  private async flush(): Promise<void> {
    if (this.ops.length === 0) return;
    const ops = this.ops;
    this.ops = [];
    await retryBusy(() => this.coll.bulkWrite(ops, { ordered: false }));
    this.written += ops.length;
  }
}

/** The database's raw driver collection of that name. */
function raw(name: string): RawCollection {
  const db = mongoose.connection.db;
  if (!db) throw new Error('migrate-ids: mongoose is not connected');
  return db.collection<RawDoc>(name);
}

/** Inserts documents whose `_id` is not taken; returns how many were inserted. */
async function insertMissing(coll: RawCollection, docs: RawDoc[]): Promise<number> {
  if (docs.length === 0) return 0;
  try {
    await retryBusy(() => coll.insertMany(docs.map((d) => ({ ...d })), { ordered: false }));
    return docs.length;
  } catch (error) {
    const taken = duplicatePositions(error, docs.length);
    if (!taken) throw error;
    return docs.length - taken.size;
  }
}

/**
 * The `$set` that converts the named fields of `doc`: only fields present whose value changes.
 *
 * @example
 *   converted({ _id: 'k', customerId: 12 }, { customerId: customerRef }) // → { customerId: 'C12' }
 */
function converted(doc: Record<string, unknown>, fields: Record<string, (value: unknown) => unknown>): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  for (const [field, convert] of Object.entries(fields)) {
    if (!(field in doc)) continue;
    const before = doc[field];
    const after = convert(before);
    if (JSON.stringify(after) !== JSON.stringify(before)) set[field] = after;
  }
  return set;
}

function orderRefs(o: RawDoc): Record<string, unknown> {
  return converted(o, {
    customerId: customerRef,
    createdBy: actorRef,
    history: (h) => (Array.isArray(h) ? h.map((e: Record<string, unknown>) => ({ ...e, ...converted(e, { by: actorRef }) })) : h),
  });
}

function deliveryEventRefs(e: RawDoc): Record<string, unknown> {
  return converted(e, { customerId: customerRef, deliveryId: (id) => (typeof id === 'string' ? id.replace(OLD_DELIVERY_ID, '$1C$2') : id) });
}

/** 12 → "C12"; anything else (already "C12") unchanged. */
function customerRef(value: unknown): unknown {
  return typeof value === 'number' ? customerIdFor(value) : value;
}

/** 7 → "O7". */
function orderRef(value: unknown): unknown {
  return typeof value === 'number' ? orderIdFor(value) : value;
}

/** "12" → "C12", where the old code stored the customer number as a string. */
function customerNumberString(value: unknown): unknown {
  return typeof value === 'string' && DIGITS.test(value) ? customerIdFor(Number(value)) : customerRef(value);
}

/** "customer:12" → "customer:C12". */
function actorRef(value: unknown): unknown {
  return typeof value === 'string' && OLD_ACTOR.test(value) ? `customer:${customerIdFor(Number(value.slice('customer:'.length)))}` : value;
}

/** "customer:12" → "customer:C12", "order:7" → "order:O7". */
function targetRef(value: unknown): unknown {
  if (typeof value !== 'string' || !OLD_TARGET.test(value)) return value;
  const [kind, n] = value.split(':') as [string, string];
  return `${kind}:${kind === 'order' ? orderIdFor(Number(n)) : customerIdFor(Number(n))}`;
}

function sameSet(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((x) => set.has(x));
}
