/**
 * Batched "insert unless it exists": one `insertMany({ordered: false})` whose
 * duplicate-key failures are answers, not errors. Inserting a document whose
 * `_id` is taken is the one write that is atomic across processes on MongoDB
 * and FerretDB v1 alike, so campaigns use it for every once-only fact (a
 * delivery, a claim, a result, a response).
 *
 * Cost on FerretDB v1: a batch without duplicates is one SQLite transaction;
 * a batch with any duplicate is retried one document per transaction by
 * FerretDB, so callers skip what they know exists before inserting.
 *
 * @example
 *   const { inserted, duplicates } = await insertUnique(DeliveryEvent, claims);
 *   // inserted: claims this call won; duplicates: someone (maybe an earlier run) had them
 */
import type { Model } from 'mongoose';
import { retryBusy } from './outbox.js';

export interface UniqueInsertResult<T> {
  inserted: T[];
  duplicates: T[];
}

/** Inserts `docs` (plain objects with `_id`); those whose `_id` exists come back as `duplicates`. */
export async function insertUnique<T extends { _id: string }>(model: { collection: Model<unknown>['collection'] }, docs: readonly T[]): Promise<UniqueInsertResult<T>> {
  if (docs.length === 0) return { inserted: [], duplicates: [] };
  try {
    // The driver's insertMany: the documents are built by us (no casting needed) and the
    // write result tells which indexes failed.
    await retryBusy(() => model.collection.insertMany(docs.map((d) => ({ ...d })) as never[], { ordered: false }));
    return { inserted: [...docs], duplicates: [] };
  } catch (error) {
    const failed = duplicateIndexes(error);
    if (!failed) throw error;
    return { inserted: docs.filter((_, i) => !failed.has(i)), duplicates: docs.filter((_, i) => failed.has(i)) };
  }
}

/** The indexes of a bulk insert that failed as duplicates, or `undefined` when any failure was something else. */
function duplicateIndexes(error: unknown): Set<number> | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const raw = (error as { writeErrors?: unknown }).writeErrors;
  // mongoose bundles its own driver copy, so this is duck-typed rather than `instanceof MongoBulkWriteError`.
  const writeErrors = Array.isArray(raw) ? raw : raw ? [raw] : [];
  if (writeErrors.length === 0) return undefined;
  const indexes = new Set<number>();
  for (const e of writeErrors as { code?: number; index?: number; err?: { code?: number; index?: number } }[]) {
    const code = e.code ?? e.err?.code;
    const index = e.index ?? e.err?.index;
    if (code !== 11000 || typeof index !== 'number') return undefined;
    indexes.add(index);
  }
  return indexes;
}
