/**
 * The name index (models/customer-name.ts): folded name → customers, so that a name-only
 * `lead Hoa` can ask "is this the Hoa you already have?" with one `_id` read instead of a scan of
 * every customer's name.
 *
 * Kept on every write that gives a customer a name: a new customer (services/contacts.ts), a name
 * given to a nameless one, an alias ("same person"), an import. Read-time checks keep it honest
 * without more writes: an id whose customer was merged resolves to the kept record (the same
 * person, so the merged name still finds them), and one that is forgotten, or no longer carries
 * that name or alias, is left out. `forget` removes the person's names ({@link unindexNames}):
 * a folded name is personal data.
 *
 * A database from before the index is indexed once, on the first name lookup
 * ({@link buildNameIndex}: one streaming pass, marked done by `_id: "~built"`); so is one an import
 * was cut short on (marked `_id: "~stale"`, see {@link NameIndexing}).
 *
 * @example
 *   await indexName('C12', 'Nguyễn Thị Hoa');
 *   await customersNamed('nguyen thi hoa'); // → [{ _id: 'C12', name: 'Nguyễn Thị Hoa', … }]
 */
import { Customer, type CustomerDoc } from '../../models/customer.js';
import { CustomerName } from '../../models/customer-name.js';
import { scanComment } from '../db/scans.js';
import { duplicatePositions, isDuplicateKey, retryBusy } from '../db/writes.js';
import { foldName } from '../values/names.js';

/** The marker of a database whose customers from before the index have been indexed. */
const BUILT = '~built';

/** How many customers one name lookup reads at most (a very common name lists more; these are enough to ask). */
export const NAMESAKES_READ = 10;

/**
 * How many customers one name lists at most. A lookup reads at most {@link NAMESAKES_READ} of them
 * (twice that, for merged and forgotten ones it skips), so listing more would only make a common
 * name ("Nguyễn Văn An") a document that grows with the shop and costs an update per namesake —
 * on FerretDB an update rewrites the whole document. The oldest namesakes are the ones kept.
 */
export const NAMESAKES_LISTED = NAMESAKES_READ * 2;

/**
 * Adds a customer under a name (folded; an empty name is not indexed). One insert when the name is
 * new to the shop; otherwise one `_id` read and, while the name lists fewer than
 * {@link NAMESAKES_LISTED} customers, an `$addToSet`.
 *
 * @example
 *   await indexName('C12', 'Hoa') // → index "hoa" lists C12
 */
export async function indexName(customerId: string, name: string | undefined | null): Promise<void> {
  const key = foldName(name ?? '');
  if (!key || key === BUILT) return;
  try {
    await retryBusy(() => CustomerName.collection.insertOne({ _id: key as never, customerIds: [customerId] }));
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    const listed = await CustomerName.findById(key, { customerIds: 1 }).lean<{ customerIds: string[] }>();
    if (listed && (listed.customerIds.length >= NAMESAKES_LISTED || listed.customerIds.includes(customerId))) return;
    await retryBusy(() => CustomerName.updateOne({ _id: key }, { $addToSet: { customerIds: customerId } }));
  }
}

/**
 * What one run of {@link indexNames} calls (an import, an index build) has learnt: how many
 * customers each name lists. A name seen before in the run costs no read, and a full one no write.
 * Bounded: forgotten when it holds more than {@link KNOWN_NAMES_MAX} names (only costs reads again).
 */
export type KnownNames = Map<string, number>;
const KNOWN_NAMES_MAX = 200_000;

/**
 * Adds many customers under their names (an import's batch), grouped by folded name: one unordered
 * insert for the names new to the shop; for names already listed, one `_id` read each (unless
 * `known` has them) and one `$addToSet` each while they list fewer than {@link NAMESAKES_LISTED}.
 * With names that repeat (Vietnamese names do), most of a large import's names are full after its
 * first batches and cost nothing more.
 *
 * @example
 *   const known: KnownNames = new Map();
 *   await indexNames([{ _id: 'C12', name: 'Hoa' }, { _id: 'C13', name: 'Hòa' }], known) // → "hoa" lists both
 */
export async function indexNames(customers: readonly { _id: string; name?: string | null }[], known: KnownNames = new Map()): Promise<void> {
  await indexKeys(customers.map((c) => ({ _id: c._id, key: foldName(c.name ?? '') })), known);
}

/** {@link indexNames} for names already folded. */
async function indexKeys(customers: readonly { _id: string; key: string }[], known: KnownNames): Promise<void> {
  const byKey = new Map<string, string[]>();
  for (const { _id, key } of customers) {
    if (key && !key.startsWith('~')) byKey.set(key, [...(byKey.get(key) ?? []), _id]);
  }
  if (known.size > KNOWN_NAMES_MAX) known.clear();
  const entries = [...byKey].filter(([key]) => (known.get(key) ?? 0) < NAMESAKES_LISTED);
  for (let i = 0; i < entries.length; i += 1000) {
    const slice = entries.slice(i, i + 1000);
    const fresh = slice.filter(([key]) => !known.has(key));
    // Names new to the shop (most of them, the first time) in one unordered insert.
    let taken = new Set<number>();
    const inserted = new Set<string>();
    if (fresh.length > 0) {
      try {
        await retryBusy(() => CustomerName.collection.insertMany(fresh.map(([key, ids]) => ({ _id: key as never, customerIds: ids.slice(0, NAMESAKES_LISTED) })), { ordered: false }));
      } catch (error) {
        const positions = duplicatePositions(error, fresh.length);
        if (!positions) throw error;
        taken = positions;
      }
      fresh.forEach(([key, ids], j) => {
        if (taken.has(j)) return;
        known.set(key, Math.min(ids.length, NAMESAKES_LISTED));
        inserted.add(key);
      });
    }
    // Names listed before this run: learn how many they list (one `_id` read each, once per run).
    const unknown = fresh.filter((_, j) => taken.has(j));
    const listed = await Promise.all(unknown.map(([key]) => CustomerName.findById(key, { customerIds: 1 }).lean<{ customerIds: string[] }>()));
    const already = new Map(unknown.map(([key], j) => [key, listed[j]?.customerIds ?? []]));
    for (const [key, ids] of already) known.set(key, ids.length);
    const ops: { updateOne: { filter: { _id: string }; update: { $addToSet: { customerIds: { $each: string[] } } } } }[] = [];
    for (const [key, ids] of slice) {
      if (inserted.has(key)) continue;
      const have = already.get(key);
      const add = ids.filter((id) => !have?.includes(id)).slice(0, NAMESAKES_LISTED - (known.get(key) ?? 0));
      if (add.length === 0) continue;
      known.set(key, (known.get(key) ?? 0) + add.length);
      ops.push({ updateOne: { filter: { _id: key }, update: { $addToSet: { customerIds: { $each: add } } } } });
    }
    // At most 50 per bulk write: FerretDB v1 (SQLite) never answers a bulk write of 100 or more updates.
    for (let j = 0; j < ops.length; j += 50) await retryBusy(() => CustomerName.bulkWrite(ops.slice(j, j + 50), { ordered: false }));
  }
}

/** The marker of an index some customers may be missing from (an import was cut short). */
const STALE = '~stale';
/** Names one {@link NameIndexing} holds before it writes them out (bounds its memory). */
const PENDING_NAMES_MAX = 50_000;
/** Runs in this process collecting names now: their stale mark is theirs, not a crash's. */
let collecting = 0;

/**
 * The name index for a long batch run (an import): names are collected in memory and written once
 * at the end — a name that repeats across the whole file costs one write, not one per batch (on
 * FerretDB an update is a read-modify-write of the whole document, about a millisecond). Memory is
 * bounded: at most {@link NAMESAKES_LISTED} ids per name, written out early past
 * {@link PENDING_NAMES_MAX} names.
 *
 * Crash safety: the first `add` marks the index stale (one write) and `finish` clears the mark. A
 * run cut short leaves the mark, and the next name lookup rebuilds the index (one streaming pass,
 * src/db/scans.ts `customer-names-build`) — a re-run of the import sees its rows as unchanged and
 * would not index them again.
 *
 * @example
 *   const names = new NameIndexing();
 *   await names.add(batchOfNewCustomers);
 *   await names.finish();
 */
export class NameIndexing {
  private readonly pending = new Map<string, string[]>();
  private readonly known: KnownNames = new Map();
  private marked = false;

  /** Collects customers' names (writes only the stale mark, once, and past the memory bound). */
  async add(customers: readonly { _id: string; name?: string | null }[]): Promise<void> {
    for (const c of customers) {
      const key = foldName(c.name ?? '');
      if (!key || key.startsWith('~')) continue;
      const ids = this.pending.get(key) ?? [];
      if (ids.length < NAMESAKES_LISTED && !ids.includes(c._id)) ids.push(c._id);
      this.pending.set(key, ids);
    }
    if (this.pending.size > 0 && !this.marked) {
      this.marked = true;
      collecting++;
      await CustomerName.updateOne({ _id: STALE }, { $set: { customerIds: [] } }, { upsert: true });
    }
    if (this.pending.size > PENDING_NAMES_MAX) await this.flush();
  }

  /** Writes what was collected and clears the stale mark. */
  async finish(): Promise<void> {
    await this.flush();
    if (this.marked) await CustomerName.deleteOne({ _id: STALE });
    this.abandon();
  }

  /** Gives up without writing (the run failed): the stale mark stays, so the next lookup rebuilds. */
  abandon(): void {
    if (this.marked) collecting--;
    this.marked = false;
    this.pending.clear();
  }

  private async flush(): Promise<void> {
    const customers = [...this.pending].flatMap(([key, ids]) => ids.map((_id) => ({ _id, key })));
    this.pending.clear();
    await indexKeys(customers, this.known);
  }
}

/** Removes a customer from the index under each of these names (forget: the names are personal data). */
export async function unindexNames(customerId: string, names: readonly (string | null | undefined)[]): Promise<void> {
  const keys = [...new Set(names.map((n) => foldName(n ?? '')).filter((k) => k && k !== BUILT))];
  await Promise.all(keys.map((key) => CustomerName.updateOne({ _id: key }, { $pull: { customerIds: customerId } })));
}

/**
 * Whether a typed name (folded) can only mean this customer's name: it is their name or an alias,
 * or every word of one is a word of the other (`Lan` and `Nguyễn Thị Lan`, `Chi` and `Chi Le`) —
 * a short form, not another person. A nameless customer agrees with any name.
 *
 * @example
 *   namesAgree({ nameKey: 'nguyen thi lan' }, 'lan') // → true
 *   namesAgree({ nameKey: 'nguyen thi lan' }, 'mai') // → false
 */
export function namesAgree(c: Pick<CustomerDoc, 'nameKey' | 'aliases'>, key: string): boolean {
  if (!c.nameKey || carriesName(c, key)) return true;
  const words = (k: string) => k.split(' ').filter(Boolean);
  const typed = words(key);
  return [c.nameKey, ...(c.aliases ?? []).map(foldName)].some((name) => {
    const known = words(name);
    const [short, long] = typed.length <= known.length ? [typed, known] : [known, typed];
    return short.length > 0 && short.every((w) => long.includes(w));
  });
}

/** Whether a customer carries a folded name as their name or as an alias. */
export function carriesName(c: Pick<CustomerDoc, 'nameKey' | 'aliases'>, key: string): boolean {
  return c.nameKey === key || (c.aliases ?? []).some((a) => foldName(a) === key);
}

/**
 * The active customers whose name or alias folds to `name`'s folded form, oldest first, at most
 * {@link NAMESAKES_READ}: one `_id` read of the index and one per listed customer. A merged record
 * counts as the one it was merged into.
 *
 * @example
 *   await customersNamed('Hòa') // → the customers called Hoa, Hòa or Hoà (or with such an alias)
 */
export async function customersNamed(name: string): Promise<CustomerDoc[]> {
  const key = foldName(name);
  if (!key) return [];
  const [entry, built, stale] = await Promise.all([
    CustomerName.findById(key).lean<{ customerIds: string[] }>(),
    CustomerName.findById(BUILT, { _id: 1 }).lean(),
    CustomerName.findById(STALE, { _id: 1 }).lean(),
  ]);
  let ids = entry?.customerIds ?? [];
  if (!built || (stale && collecting === 0)) {
    await buildNameIndex();
    await CustomerName.deleteOne({ _id: STALE });
    ids = (await CustomerName.findById(key).lean<{ customerIds: string[] }>())?.customerIds ?? [];
  }
  const docs = await Promise.all(ids.slice(0, NAMESAKES_READ * 2).map((id) => Customer.findById(id).lean<CustomerDoc>()));
  const found = new Map(docs.filter((d): d is CustomerDoc => d !== null).map((d) => [d._id, d]));
  const result = new Map<string, CustomerDoc>();
  for (const id of ids) {
    let c = found.get(id);
    for (let hops = 0; c?.status === 'merged' && c.mergedInto && hops < 5; hops++) c = (await Customer.findById(c.mergedInto).lean<CustomerDoc>()) ?? undefined;
    if (!c || c.status !== 'active' || result.has(c._id)) continue;
    // A merged record's name finds the kept one; otherwise the record must still carry the name.
    if (c._id === id && !carriesName(c, key)) continue;
    result.set(c._id, c);
    if (result.size >= NAMESAKES_READ) break;
  }
  return [...result.values()];
}

/**
 * Indexes every active customer's name and aliases: one streaming pass over the customers
 * (a deliberate scan, src/db/scans.ts `customer-names-build`), run once per database — by the first
 * name lookup after an upgrade — then marked done. Safe to run twice or alongside new leads
 * (every write is an `$addToSet`).
 */
export async function buildNameIndex(): Promise<number> {
  const cursor = Customer.find({ status: 'active' }, { name: 1, aliases: 1 }).comment(scanComment('customer-names-build')).lean<Pick<CustomerDoc, '_id' | 'name' | 'aliases'>[]>().cursor();
  let batch: { _id: string; name?: string | null }[] = [];
  const known: KnownNames = new Map();
  let count = 0;
  for await (const c of cursor) {
    for (const name of [c.name, ...(c.aliases ?? [])]) batch.push({ _id: c._id, name });
    count++;
    if (batch.length >= 1000) {
      await indexNames(batch, known);
      batch = [];
    }
  }
  await indexNames(batch, known);
  await CustomerName.updateOne({ _id: BUILT }, { $set: { customerIds: [] } }, { upsert: true });
  return count;
}
