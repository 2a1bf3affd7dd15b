/**
 * What the segment recompute writes, counted from the driver's command
 * monitoring (tests/support/command-monitor.ts): a run with nothing to change
 * writes nothing, and a month rolling over writes exactly the states that
 * changed — by exact `_id`, in unordered batches of at most 50 — never every
 * state, never a delete-and-insert of unchanged ones.
 *
 * The shop (first run at 2026-03-02 03:00 UTC, window 2025-04 … 2026-03), a
 * small one, scored by the fixed bands (docs/segments.md):
 *
 *   Old 1–4     one order in 2024: R1 F1 M1, Lost — and still Lost a month later
 *   Lead 1–4    no orders: Lead, at every run
 *   Feb 1–3     one order on 2026-02-25 of 400 000 ₫: R5 (5 days) F1 M2 → New;
 *               a month later (34 days) R3 → About to sleep: these three move
 *   Apr         one order on 2025-04-10 of 400 000 ₫: R1 F1 M2 → Lost; a month later
 *               the order leaves the window (F1 → F1, M2 → M1): scores change, the segment does not
 */
import '../../models/index.js';
import '../../models/segment-state.js';
import type { CommandStartedEvent } from 'mongodb';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SegmentState } from '../../models/segment-state.js';
import { connectMongoose, disconnectMongoose } from '../../src/db/connect.js';
import { upsertLead } from '../../src/services/contacts.js';
import { recordOrder } from '../../src/services/orders.js';
import { recomputeSegments } from '../../src/services/segments/segments.js';
import { isExactId } from '../support/command-monitor.js';

const dbName = `test_segment_writes_${Math.random().toString(16).slice(2, 8)}`;
const by = 'staff:test';
const base = { baseCurrency: 'VND' };
const T1 = new Date('2026-03-02T03:00:00Z');
const T2 = new Date('2026-03-03T03:00:00Z'); // a day later: no score moves
const T3 = new Date('2026-04-01T03:00:00Z'); // the month rolls over

/** Write commands sent to the states collection while recording: name, statements and their filters. */
interface Write {
  command: string;
  ordered: unknown;
  statements: number;
  filters: unknown[];
}
const writes: Write[] = [];
let recording = false;
const ids: Record<string, string> = {};

async function recorded<T>(fn: () => Promise<T>): Promise<{ result: T; writes: Write[] }> {
  writes.length = 0;
  recording = true;
  try {
    const result = await fn();
    return { result, writes: [...writes] };
  } finally {
    recording = false;
  }
}

const snapshot = async () =>
  new Map((await SegmentState.find({}, { history: 0, computedAt: 0 }).lean()).map((s) => [s._id, JSON.stringify(s)] as const));

beforeAll(async () => {
  const uri = inject('mongodbUri');
  await connectMongoose(`${uri}${uri.includes('?') ? '&' : '?'}monitorCommands=true`, dbName);
  mongoose.connection.getClient().on('commandStarted', (e: CommandStartedEvent) => {
    const cmd = e.command as Record<string, unknown>;
    if (!recording || cmd[e.commandName] !== SegmentState.collection.collectionName) return;
    if (e.commandName === 'insert') writes.push({ command: 'insert', ordered: cmd.ordered, statements: (cmd.documents as unknown[]).length, filters: [] });
    if (e.commandName === 'update' || e.commandName === 'delete') {
      const statements = (cmd[e.commandName === 'update' ? 'updates' : 'deletes'] as { q: unknown }[]) ?? [];
      writes.push({ command: e.commandName, ordered: cmd.ordered, statements: statements.length, filters: statements.map((s) => s.q) });
    }
    if (e.commandName === 'findAndModify') writes.push({ command: e.commandName, ordered: undefined, statements: 1, filters: [cmd.query] });
  });
  const lead = async (name: string) => (ids[name] = (await upsertLead({ name, phones: [], emails: [], tags: [] }, by, T1)).customer._id);
  const order = (name: string, iso: string, minor: number) => recordOrder({ customerId: ids[name]!, amount: { minor, currency: 'VND' }, items: [], at: new Date(iso) }, by);
  for (const name of ['Old One', 'Old Two', 'Old Three', 'Old Four']) {
    await lead(name);
    await order(name, '2024-06-01T10:00:00Z', 250_000);
  }
  for (const name of ['Lead One', 'Lead Two', 'Lead Three', 'Lead Four']) await lead(name);
  for (const name of ['Feb One', 'Feb Two', 'Feb Three']) {
    await lead(name);
    await order(name, '2026-02-25T10:00:00Z', 400_000);
  }
  await lead('April');
  await order('April', '2025-04-10T10:00:00Z', 400_000);
});

afterAll(async () => {
  await mongoose.connection.dropDatabase().catch(() => undefined);
  await disconnectMongoose();
});

describe('segment recompute writes', () => {
  it('inserts every state on the first run, in unordered batches', async () => {
    const { result, writes } = await recorded(() => recomputeSegments(T1, base));
    expect(result).toMatchObject({ customers: 12, inserted: 12, updated: 0, removed: 0 });
    expect(writes.map((w) => w.command)).toEqual(['insert']);
    expect(writes[0]).toMatchObject({ ordered: false, statements: 12 });
  });

  it('writes nothing when nothing changed, a day later', async () => {
    const before = await snapshot();
    const { result, writes } = await recorded(() => recomputeSegments(T2, base));
    expect(result).toMatchObject({ inserted: 0, updated: 0, moved: 0, removed: 0 });
    expect(writes).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('writes, when the month rolls over, only the states that changed — each by exact _id, unordered, at most 50 a command', async () => {
    const before = await snapshot();
    const { result, writes } = await recorded(() => recomputeSegments(T3, base));
    const after = await snapshot();
    const changed = [...after.keys()].filter((id) => after.get(id) !== before.get(id)).sort();
    expect(changed).toEqual([ids['Feb One'], ids['Feb Two'], ids['Feb Three'], ids.April].sort());
    expect(result).toMatchObject({ inserted: 0, updated: 4, moved: 3, removed: 0 });

    expect(writes.every((w) => w.command === 'update' && w.ordered === false && w.statements <= 50)).toBe(true);
    const filters = writes.flatMap((w) => w.filters);
    expect(filters.every(isExactId)).toBe(true);
    expect(filters.map((f) => (f as { _id: string })._id).sort()).toEqual(changed);
    expect(await SegmentState.findById(ids['Feb One']).lean()).toMatchObject({ segment: 'About to sleep', history: [{ segment: 'New' }, { segment: 'About to sleep', from: 'New' }] });
    expect(await SegmentState.findById(ids.April).lean()).toMatchObject({ segment: 'Lost', r: 1, f: 1, m: 1, history: [{ segment: 'Lost' }] });
  });

  it('writes nothing on a second run of the same day', async () => {
    const { result, writes } = await recorded(() => recomputeSegments(T3, base));
    expect(result).toMatchObject({ inserted: 0, updated: 0, moved: 0, removed: 0 });
    expect(writes).toEqual([]);
  });
});
