/**
 * Short sequential numbers for customers (C12) and orders (O7), from one
 * counter document per name. Numbers are reserved in small blocks with one
 * atomic `$inc`, so a busy process does not pay a round trip per record, and
 * two processes never hand out the same number (their blocks are disjoint).
 * A restart leaves a small gap in the numbering, which is harmless.
 *
 * @example
 *   const id = await nextNumber('customer'); // 1, 2, 3, …
 */
import { Counter } from '../../models/counter.js';

const BLOCK = 10;
const reserved = new Map<string, { next: number; last: number; pending?: Promise<void> }>();

export async function nextNumber(name: 'customer' | 'order'): Promise<number> {
  for (;;) {
    const block = reserved.get(name);
    if (block && block.next <= block.last) return block.next++;
    if (block?.pending) {
      await block.pending;
      continue;
    }
    const state = block ?? { next: 1, last: 0 };
    reserved.set(name, state);
    state.pending = reserveBlock(name).then(
      (last) => {
        state.next = last - BLOCK + 1;
        state.last = last;
        state.pending = undefined;
      },
      (error: unknown) => {
        state.pending = undefined;
        throw error;
      },
    );
    await state.pending;
  }
}

async function reserveBlock(name: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await Counter.findOneAndUpdate({ _id: name }, { $inc: { seq: BLOCK } }, { upsert: true, returnDocument: 'after' }).lean();
      return doc.seq;
    } catch (error) {
      // Two first-ever upserts can race on the unique _id; the loser retries once.
      if (attempt === 0 && isDuplicateKey(error)) continue;
      throw error;
    }
  }
}

/** Forgets reserved blocks (tests that drop the database between cases). */
export function resetSequences(): void {
  reserved.clear();
}

/** Whether a MongoDB error is E11000 (duplicate key), also inside a bulk write error. */
export function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error).code === 11000;
}
