/**
 * The database write helpers, in one place: duplicate-key detection (single and bulk),
 * retrying SQLite's "database is locked", unique inserts, and named counters.
 *
 * Why one home: the unique `_id` insert is this app's one cross-process atomic primitive on
 * MongoDB and FerretDB alike (a taken `_id` always fails with E11000), so contact keys, delivery
 * claims, outbox claims, invite redemptions and order transitions are all built on it. Parsing its
 * errors three different ways, in three files, is how a real failure gets mistaken for a duplicate.
 */
import type { Model } from 'mongoose';
import { Counter } from '../../models/counter.js';

/**
 * Whether an error is E11000 (duplicate key), also a bulk write error made only of them.
 *
 * @example
 *   try { await Outbox.create({ _id: key }) } catch (e) { if (!isDuplicateKey(e)) throw e; }
 */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error as { code?: unknown }).code === 11000;
}

/**
 * The positions in an unordered bulk insert of `count` documents that failed as duplicates, or
 * `undefined` when any failure was something else (the caller rethrows). A single-document
 * insert's plain E11000 counts as position 0.
 *
 * Why duck-typed: mongoose bundles its own driver copy, so `instanceof MongoBulkWriteError`
 * is not reliable.
 *
 * @example
 *   duplicatePositions(bulkError, 3) // → Set {1}
 */
export function duplicatePositions(error: unknown, count: number): Set<number> | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const raw = (error as { writeErrors?: unknown }).writeErrors;
  const writeErrors = Array.isArray(raw) ? raw : raw ? [raw] : [];
  if (writeErrors.length === 0) return count === 1 && isDuplicateKey(error) ? new Set([0]) : undefined;
  const positions = new Set<number>();
  for (const e of writeErrors as { code?: number; index?: number; err?: { code?: number; index?: number } }[]) {
    const code = e.code ?? e.err?.code;
    const index = e.index ?? e.err?.index;
    if (code !== 11000 || typeof index !== 'number' || index < 0 || index >= count) return undefined;
    positions.add(index);
  }
  return positions;
}

/**
 * Retries an operation that FerretDB/SQLite refused with "database is locked" (SQLITE_BUSY)
 * under concurrent writers, with jittered exponential backoff. Only for operations that are safe
 * to repeat: an insert whose duplicate is detected, an idempotent `$set`.
 *
 * @example
 *   await retryBusy(() => FollowUp.updateOne({ _id: id }, { $set: { status: 'done' } }));
 */
export async function retryBusy<T>(op: () => Promise<T>, attempts = 6): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (error) {
      if (attempt >= attempts || !isBusy(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt + Math.random() * 50));
    }
  }
}

function isBusy(error: unknown): boolean {
  return error instanceof Error && /database is locked|SQLITE_BUSY/i.test(error.message);
}

export interface UniqueInsertResult<T> {
  inserted: T[];
  duplicates: T[];
}

/**
 * "Insert unless it exists" for a batch: one unordered `insertMany` (the driver's; the
 * documents are built complete by the caller) whose duplicate-key failures are answers, not
 * errors. Any other failure is thrown.
 *
 * Cost on FerretDB v1: a batch without duplicates is one SQLite transaction; a batch with any
 * duplicate is retried one document per transaction by FerretDB, so callers skip what they know
 * exists before inserting.
 *
 * @example
 *   const { inserted, duplicates } = await insertUnique(DeliveryEvent, claims);
 *   // inserted: claims this call won; duplicates: someone (maybe an earlier run) had them
 */
export async function insertUnique<T extends { _id: unknown }>(
  model: { collection: Model<unknown>['collection'] },
  docs: readonly T[],
): Promise<UniqueInsertResult<T>> {
  if (docs.length === 0) return { inserted: [], duplicates: [] };
  try {
    await retryBusy(() => model.collection.insertMany(docs.map((d) => ({ ...d })) as never[], { ordered: false }));
    return { inserted: [...docs], duplicates: [] };
  } catch (error) {
    const failed = duplicatePositions(error, docs.length);
    if (!failed) throw error;
    return { inserted: docs.filter((_, i) => !failed.has(i)), duplicates: docs.filter((_, i) => failed.has(i)) };
  }
}

/** Counter names: customers (C12), orders (O7), promotions (P3). */
export type CounterName = 'customer' | 'order' | 'campaign';

/**
 * Reserves `n` consecutive numbers of a named counter with one `$inc` on the counter's
 * string `_id` (one indexed write on FerretDB too) and returns them in order.
 *
 * Why one at a time for interactive use: numbers people read should count up without gaps
 * (C1, C2, C3…); the app talks to FerretDB over one connection, where an `$inc` is atomic, and
 * MongoDB's is atomic anyway. Bulk work (an import) reserves its block in one call.
 *
 * @example
 *   const [n] = await reserveNumbers('customer'); // 13 → "C13"
 *   const block = await reserveNumbers('customer', 500);
 */
export async function reserveNumbers(name: CounterName, n = 1): Promise<number[]> {
  if (n <= 0) return [];
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await retryBusy(() =>
        Counter.findOneAndUpdate({ _id: name }, { $inc: { seq: n } }, { upsert: true, returnDocument: 'after' }).lean<{ seq: number }>(),
      );
      const last = doc.seq;
      return Array.from({ length: n }, (_, i) => last - n + 1 + i);
    } catch (error) {
      // Two first-ever upserts can race on the unique _id; the loser retries once.
      if (attempt === 0 && isDuplicateKey(error)) continue;
      throw error;
    }
  }
}
