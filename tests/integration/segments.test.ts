/**
 * RFM segments on the real database: customers and orders made through the
 * services, the recompute, movements after the clock moves, the lapsed list,
 * the update of one customer's segment after an order or a cancellation, the
 * start-up recompute, and the chat commands through `createApp(...).handle(...)`.
 *
 * The base (clock 2026-03-02 03:00 UTC; window 2025-04 … 2026-03), six buyers:
 * a small shop, scored by the fixed bands of docs/segments.md (R ≤ 7/30/90/180
 * days, F ≥ 2/3/5/10 orders, M ≥ 300k/1M/3M/10M ₫; FM = ⌊(F + M)/2⌋):
 *
 *   customer  last order   days  orders/12m  VND in 12m   R F M  FM  segment
 *   Anna      2026-02-28      1      4        4,000,000   5 3 4   3  Potential loyalist
 *   Bao       2026-02-20      9      3        1,500,000   4 3 3   3  Potential loyalist
 *   Chi       2026-02-25      4      1          200,000   5 1 1   1  New
 *   Dung      2025-05-01    304      2        6,000,000   1 2 4   3  At risk
 *   Em        2024-12-01    455      0                0   1 1 1   1  Lost
 *   Giang     2026-01-15     45      2      (EUR only)    3 2 1   1  About to sleep
 *   Hoa, Ivy, Khanh (ordered, then cancelled) and 9 more: no orders → Lead
 *
 * The orders of the base are recorded before any recompute: they update no
 * state (there are no thresholds yet); the first recompute assigns everyone.
 */
import '../../models/index.js';
import '../../models/segment-state.js';
import mongoose from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { Customer } from '../../models/customer.js';
import { Order } from '../../models/order.js';
import { SegmentRun, SegmentState } from '../../models/segment-state.js';
import { upsertLead } from '../../src/services/contacts.js';
import { mergeCustomers } from '../../src/services/merge.js';
import { recordOrder, setOrderStatus } from '../../src/services/orders.js';
import {
  ensureSegmentsFresh,
  lapsed,
  latestRun,
  movements,
  RecomputeBusyError,
  recomputeSegments,
  segmentMembers,
  segmentSizes,
} from '../../src/services/segments/segments.js';
import { rebuildTotals } from '../../src/services/totals.js';
import { buttonActions, createTestChat, OWNER, type Person } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';

useTestDatabase('segments');

const chat = createTestChat();
const { say, send, clock } = chat;
const by = 'staff:test';
const base = { baseCurrency: 'VND' };
const T1 = new Date('2026-03-02T03:00:00Z');
const T2 = new Date('2026-04-20T03:00:00Z');
const sales: Person = { platform: 'telegram', userId: '4002', displayName: 'Lan' };

const ids: Record<string, string> = {};
const lead = async (name: string) => (ids[name] = (await upsertLead({ name, phones: [], emails: [], tags: [] }, by)).customer._id);
const order = (name: string, iso: string, minor: number, currency = 'VND') =>
  recordOrder({ customerId: ids[name]!, amount: { minor, currency }, items: [], at: new Date(iso) }, by);
const stateOf = async (name: string) => SegmentState.findById(ids[name]!).lean();

beforeAll(async () => {
  for (const name of ['Anna', 'Bao', 'Chi', 'Dung', 'Em', 'Giang', 'Hoa', 'Ivy', 'Khanh']) await lead(name);
  for (let i = 1; i <= 9; i++) await lead(`Extra ${i}`);
  for (const at of ['2025-06-10', '2025-09-10', '2025-12-10', '2026-02-28']) await order('Anna', `${at}T10:00:00Z`, 1_000_000);
  for (const at of ['2025-08-01', '2025-11-01', '2026-02-20']) await order('Bao', `${at}T10:00:00Z`, 500_000);
  await order('Chi', '2026-02-25T10:00:00Z', 200_000);
  await order('Dung', '2025-04-01T10:00:00Z', 3_000_000);
  await order('Dung', '2025-05-01T10:00:00Z', 3_000_000);
  await order('Em', '2024-12-01T10:00:00Z', 800_000);
  await order('Giang', '2026-01-10T10:00:00Z', 5000, 'EUR');
  await order('Giang', '2026-01-15T10:00:00Z', 5000, 'EUR');
  const cancelled = await order('Khanh', '2026-02-10T10:00:00Z', 900_000);
  await setOrderStatus(cancelled._id, 'cancelled', by, new Date('2026-02-11T10:00:00Z'));
  await chat.hire('sales', sales);
});

/** The segment a person sees for a customer in `segments`/`segment <name>`: the stored state. */
const segmentOf = async (name: string) => (await stateOf(name))?.segment;

describe('monthly buckets', () => {
  it('are kept by recording and cancelling orders, and agree with a rebuild from the orders', async () => {
    const anna = await Customer.findById(ids.Anna).lean();
    expect(anna?.totals.months).toMatchObject({ '2026-02': { orders: 1, revenue: { VND: 1_000_000 } }, '2025-06': { orders: 1 } });
    const khanh = await Customer.findById(ids.Khanh).lean();
    expect(khanh?.totals.months['2026-02']).toEqual({ orders: 0, revenue: { VND: 0 } });
    expect(khanh?.totals.orders).toBe(0);
    expect((await rebuildTotals()).changed).toBe(0);
  });
});

describe('segments chat before any recompute', () => {
  it('says segments are not computed yet, and orders so far wrote no state', async () => {
    expect(await say(OWNER, 'segments')).toMatch(/^Segments have not been computed yet/);
    expect(await SegmentState.countDocuments()).toBe(0);
  });

  it('refuses a refresh to a salesperson', async () => {
    expect(await say(sales, 'segments refresh')).toBe('Sorry, your role cannot use "segments refresh".');
  });
});

describe('recompute', () => {
  it('scores a small shop by the fixed bands and names every customer’s segment', async () => {
    clock.now = T1;
    const reply = await say(OWNER, 'segments refresh');
    expect(reply).toMatch(/^Segments recomputed for 18 customer\(s\) in \d+ s: 0 changed segment, 0 changed scores only, 18 new\.$/);

    const expected: Record<string, [string, number?, number?, number?]> = {
      Anna: ['Potential loyalist', 5, 3, 4],
      Bao: ['Potential loyalist', 4, 3, 3],
      Chi: ['New', 5, 1, 1],
      Dung: ['At risk', 1, 2, 4],
      Em: ['Lost', 1, 1, 1],
      Giang: ['About to sleep', 3, 2, 1],
      Hoa: ['Lead'],
      Khanh: ['Lead'],
    };
    for (const [name, [segment, r, f, m]] of Object.entries(expected)) {
      const s = await stateOf(name);
      expect({ name, segment: s?.segment, r: s?.r ?? undefined, f: s?.f ?? undefined, m: s?.m ?? undefined }).toEqual({ name, segment, r, f, m });
    }
    const dung = await stateOf('Dung');
    expect(dung).toMatchObject({ orders: 2, value: 6_000_000, customerId: ids.Dung, history: [{ segment: 'At risk', at: T1 }] });
    const run = await latestRun();
    expect(run).toMatchObject({ customers: 18, buyers: 6, leads: 12, inserted: 18 });
    expect(run?.edges).toEqual({
      method: 'bands',
      version: 2,
      recencyDays: [180, 90, 30, 7],
      frequency: [2, 3, 5, 10],
      monetary: [300_000, 1_000_000, 3_000_000, 10_000_000],
    });
  });

  it('writes nothing when nothing changed', async () => {
    const result = await recomputeSegments(T1, base);
    expect(result).toMatchObject({ inserted: 0, updated: 0, moved: 0, removed: 0, customers: 18 });
  });

  it('lists sizes, members by value and by recency, with page buttons', async () => {
    const sizes = await segmentSizes();
    expect(sizes.find((s) => s.segment === 'Lead')?.customers).toBe(12);
    expect(sizes.find((s) => s.segment === 'Loyal')?.customers).toBe(0);

    const overview = await send(OWNER, 'segments');
    const text = overview[0]?.kind === 'text' ? overview[0].text : '';
    expect(text).toContain('Potential loyalist: 2 (11%)');
    expect(text).toContain('New: 1 (6%)');
    expect(text).toContain('Lead: 12 (67%)');
    expect(text).not.toContain('Loyal:');
    expect(text).toContain('No customer changed segment in the last 7 days.');
    expect(buttonActions(overview)).toContain('segment At risk');

    expect(await say(sales, 'segment at risk')).toBe(
      [`At risk · 1 customer(s), by value:`, `${ids.Dung} Dung · R1 F2 M4 · 2 order(s), ₫6,000,000 in all · last order 2025-05-01`].join('\n'),
    );

    const leads = await send(OWNER, 'segment lead');
    expect(leads[0]?.kind === 'text' && leads[0].text).toContain('Page 1 of 2 · 12 in all');
    expect(leads[0]?.kind === 'text' && leads[0].text).toContain(`${ids.Hoa} Hoa · — · no orders yet`);
    expect(buttonActions(leads)).toContain('segment Lead sort value page 2');
    expect(buttonActions(leads)).toContain('segment Lead sort recency page 1');
    const page2 = await segmentMembers('Lead', { sort: 'value', page: 2 });
    expect(page2.items).toHaveLength(2);

    const byRecency = await segmentMembers('Potential loyalist', { sort: 'recency' });
    expect(byRecency.items.map((c) => c.name)).toEqual(['Anna', 'Bao']);
    const byValue = await segmentMembers('Potential loyalist', { sort: 'value' });
    expect(byValue.items.map((c) => c.name)).toEqual(['Anna', 'Bao']);
  });

  it('explains an unknown segment name with the list of segments', async () => {
    const reply = await say(OWNER, 'segment vip');
    expect(reply).toMatch(/^"vip" is not a segment\. Segments: Champions, Loyal, .*Lead\nUsage: segment <name>/);
  });
});

describe('after time passes', () => {
  it('records movements (a lead’s first order included), bounds the history, and drops merged customers', async () => {
    // Chi has a long history already: the bound must keep the last 24 entries.
    const old = Array.from({ length: 24 }, (_, i) => ({ segment: i % 2 ? 'Promising' : 'New', from: i % 2 ? 'New' : 'Promising', at: new Date(Date.UTC(2024, 0, i + 1)) }));
    await SegmentState.updateOne({ _id: ids.Chi! }, { $set: { history: old } });

    // Hoa's first order moves her out of Lead at once, scored against the T1 run's bands:
    // 0 days → R5, 1 order → F1, 300k ₫ → M2; FM 1 → New.
    const HOA_ORDER = new Date('2026-04-19T10:00:00Z');
    await order('Hoa', HOA_ORDER.toISOString(), 300_000);
    expect(await stateOf('Hoa')).toMatchObject({ segment: 'New', r: 5, f: 1, m: 2, orders: 1, value: 300_000, computedAt: HOA_ORDER, segmentSince: HOA_ORDER });
    expect((await stateOf('Hoa'))?.history).toEqual([
      { segment: 'Lead', at: T1 },
      { segment: 'New', from: 'Lead', at: HOA_ORDER },
    ]);
    await mergeCustomers(ids.Hoa!, ids.Ivy!, by);

    // Seven weeks on (window 2025-05 … 2026-04), the base's buyers have all slipped:
    //   Anna 50 days R3 F3 M4 → Need attention; Bao 58 days R3 F3 M3 → Need attention;
    //   Chi 53 days R3 F1 M1 → About to sleep; Dung 354 days, one order left in the window, R1 F1 M4 → Lost;
    //   Giang 94 days R2 F2 M1 → Hibernating; Em unchanged (Lost); Hoa unchanged (New, 17 hours).
    const result = await recomputeSegments(T2, base);
    expect(result).toMatchObject({ customers: 17, buyers: 7, leads: 10, inserted: 0, removed: 1, moved: 5, updated: 5, touched: 0 });
    expect(await stateOf('Ivy')).toBeNull();

    const moves = await movements(new Date(T2.getTime() - 86_400_000));
    const named = moves.map((m) => `${Object.keys(ids).find((k) => ids[k] === m.customerId)}: ${m.from} → ${m.to}`).sort();
    expect(named).toEqual([
      'Anna: Potential loyalist → Need attention',
      'Bao: Potential loyalist → Need attention',
      'Chi: New → About to sleep',
      'Dung: At risk → Lost',
      'Giang: About to sleep → Hibernating',
      'Hoa: Lead → New',
    ]);

    const chi = await stateOf('Chi');
    expect(chi?.history).toHaveLength(24);
    expect(chi?.history.at(-1)).toEqual({ segment: 'About to sleep', from: 'New', at: T2 });
    expect(chi?.segmentSince).toEqual(T2);
    expect(await stateOf('Anna')).toMatchObject({ segment: 'Need attention', r: 3, f: 3, m: 4, computedAt: T2, segmentSince: T2 });
    // Em's scores did not change, nor did Hoa's since her order: their states were not rewritten.
    expect((await stateOf('Em'))?.computedAt).toEqual(T1);
    expect((await stateOf('Hoa'))?.computedAt).toEqual(HOA_ORDER);
  });

  it('shows the week’s moves in the overview', async () => {
    clock.now = T2;
    const reply = await say(OWNER, 'segments');
    expect(reply).toContain('Moves in the last 7 days:');
    expect(reply).toContain('Potential loyalist → Need attention: 2');
    expect(reply).toContain('Lead → New: 1');
    expect(reply).toContain('At risk → Lost: 1');
  });

  it('lists lapsed customers, most recently lapsed first, with days since and the last order', async () => {
    const page = await lapsed({ days: 90, now: T2 });
    expect(page.items.map((c) => [c.name, c.daysSince])).toEqual([
      ['Giang', 94],
      ['Dung', 353],
      ['Em', 504],
    ]);
    expect(await say(sales, 'lapsed')).toBe(
      [
        '3 customer(s) with no order for 90 days or more, most recent first:',
        `${ids.Giang} Giang · 94 days since the last order (2026-01-15) · 2 order(s) in all`,
        `${ids.Dung} Dung · 353 days since the last order (2025-05-01) · 2 order(s) in all`,
        `${ids.Em} Em · 504 days since the last order (2024-12-01) · 1 order(s) in all`,
      ].join('\n'),
    );
    expect(await say(sales, 'lapsed 400')).toContain(`${ids.Em} Em · 504 days`);
    expect(await say(sales, 'lapsed 1000')).toBe('No customer has gone 1000 days without ordering.');
    expect(await say(sales, 'lapsed soon')).toMatch(/^Days must be a number/);
  });

  it('finishes a batch replacement a crash interrupted under an earlier version, then updates what changed', async () => {
    // Earlier versions replaced many states a batch at a time, with a redo log: a crash after
    // deleting a batch and before inserting it left Bao's state only in the log.
    const bao = await SegmentState.findById(ids.Bao!).lean();
    await SegmentState.deleteOne({ _id: ids.Bao! });
    await SegmentRun.collection.replaceOne({ _id: 'pending' as never }, { states: [bao] }, { upsert: true });

    const T3 = new Date('2026-07-01T03:00:00Z');
    const result = await recomputeSegments(T3, base);
    expect(result.inserted).toBe(0); // Bao came back from the log, history and all
    expect(await SegmentRun.findById('pending').lean()).toBeNull();
    const after = await stateOf('Bao');
    expect(after?.history.slice(0, bao!.history.length)).toEqual(bao!.history);
    expect(result.updated).toBeGreaterThan(0);
    const again = await recomputeSegments(T3, base);
    expect(again).toMatchObject({ inserted: 0, updated: 0, moved: 0, removed: 0 });
    expect((await segmentSizes()).reduce((n, s) => n + s.customers, 0)).toBe(17);
  });

  it('refuses a second recompute while one holds the lease, and runs once it is released', async () => {
    await SegmentRun.updateOne({ _id: 'lock' }, { $set: { owner: 'nightly-job', until: new Date(Date.now() + 60_000) } }, { upsert: true });
    expect(await say(OWNER, 'segments refresh')).toBe('Segments are being recomputed right now; try again in a few minutes.');
    await expect(recomputeSegments(T2, base)).rejects.toThrow(RecomputeBusyError);
    await SegmentRun.updateOne({ _id: 'lock' }, { $set: { until: new Date(Date.now() - 1) } });
    clock.now = new Date('2026-07-01T03:00:00Z');
    expect(await say(OWNER, 'segments refresh')).toMatch(/^Segments recomputed for 17 customer\(s\) in \d+ s: 0 changed segment, 0 changed scores only, 0 new\.$/);
  });
});

describe('between recomputes: a customer’s segment follows their orders', () => {
  const T4 = new Date('2026-07-01T09:00:00Z'); // the last run was at 03:00 the same day

  /** Every collection call mongoose makes while `work` runs, as (collection, method, filter). */
  async function recorded(work: () => Promise<unknown>): Promise<{ collection: string; method: string; filter: unknown }[]> {
    const calls: { collection: string; method: string; filter: unknown }[] = [];
    mongoose.set('debug', (collection: string, method: string, ...args: unknown[]) => {
      calls.push({ collection, method, filter: args[0] });
    });
    try {
      await work();
    } finally {
      mongoose.set('debug', false);
    }
    return calls;
  }

  it('moves a lead who orders out of Lead at once, with a few reads and writes by _id', async () => {
    clock.now = T4;
    const before = (await segmentSizes()).find((s) => s.segment === 'Lead')!.customers;
    const calls = await recorded(() => say(sales, `order ${ids['Extra 1']} 250k áo thun`));
    // 0 days → R5, 1 order → F1, 250k ₫ → M1: New (the T3 run stored the bands).
    expect(await stateOf('Extra 1')).toMatchObject({ segment: 'New', r: 5, f: 1, m: 1, orders: 1, value: 250_000, segmentSince: T4 });
    expect((await stateOf('Extra 1'))?.history.at(-1)).toEqual({ segment: 'New', from: 'Lead', at: T4 });
    expect((await segmentSizes()).find((s) => s.segment === 'Lead')!.customers).toBe(before - 1);
    expect(await say(OWNER, 'segment new')).toContain(`${ids['Extra 1']} Extra 1 · R5 F1 M1 · 1 order(s)`);
    expect(await say(OWNER, 'segments')).toContain('Lead → New: 1');

    const segmentCalls = calls.filter((c) => c.collection === 'segmentstates' || c.collection === 'segmentruns');
    expect(segmentCalls.length).toBeGreaterThan(0);
    expect(segmentCalls.length).toBeLessThanOrEqual(4); // the latest run, the lease, the state, its write
    for (const c of segmentCalls) expect(c.filter, `${c.collection}.${c.method}`).toEqual({ _id: expect.any(String) });
  });

  it('takes a cancelled order back out of the segment', async () => {
    const [o] = await Order.find({ customerId: ids['Extra 1'] }).lean();
    clock.now = new Date('2026-07-01T10:00:00Z');
    expect(await say(sales, `order status ${o!._id} cancelled`)).toContain('cancelled');
    const state = await stateOf('Extra 1');
    expect(state).toMatchObject({ segment: 'Lead', orders: 0, value: 0 });
    expect(state?.r).toBeUndefined();
    expect(state?.history.slice(-2)).toEqual([
      { segment: 'New', from: 'Lead', at: T4 },
      { segment: 'Lead', from: 'New', at: clock.now },
    ]);
  });

  it('rescores a buyer’s second order: Chi, Hibernating, becomes a Potential loyalist', async () => {
    expect(await segmentOf('Chi')).toBe('Hibernating'); // 126 days since her one order: R2 F1 M1
    await order('Chi', '2026-07-01T11:00:00Z', 1_200_000);
    // Window 2025-08 … 2026-07: 2 orders → F2, 1.4M ₫ → M3; FM 2, today → R5.
    expect(await stateOf('Chi')).toMatchObject({ segment: 'Potential loyalist', r: 5, f: 2, m: 3, orders: 2, value: 1_400_000 });
  });

  it('keeps an order recorded while a full recompute runs', async () => {
    for (const name of ['Extra 2', 'Extra 3']) {
      const [result] = await Promise.all([recomputeSegments(new Date('2026-07-01T12:00:00Z'), base), order(name, '2026-07-01T12:00:00Z', 400_000)]);
      expect(result.customers).toBe(17);
      expect(await stateOf(name)).toMatchObject({ segment: 'New', orders: 1, value: 400_000 });
    }
  });

  it('redoes, after its own writes, a customer whose order came after the recompute read them', async () => {
    // Anna's state changes at the run's clock (185 days since her last order: R2 → R1), so the run
    // writes it — from totals read before the order recorded in between. The order noted Anna on
    // the lease: the run redoes her once its writes are done.
    expect(await stateOf('Anna')).toMatchObject({ r: 2, orders: 4 });
    const later = new Date('2026-09-01T12:00:00Z');
    const result = await recomputeSegments(later, { ...base, beforeWrite: async () => void (await order('Anna', '2026-09-01T11:00:00Z', 500_000)) });
    expect(result.touched).toBe(1);
    // Window 2025-10 … 2026-09: 3 orders → F3, 2.5M ₫ → M3; today → R5: Potential loyalist.
    expect(await stateOf('Anna')).toMatchObject({ segment: 'Potential loyalist', r: 5, f: 3, m: 3, orders: 5, value: 4_500_000, lastOrderAt: new Date('2026-09-01T11:00:00Z') });
  });

  it('keeps the state an order inserted while the recompute ran, rather than its own of the lead', async () => {
    // Rosa is new since the last run: no state. The run reads her as a lead; her first order, in
    // between, inserts her state first and notes her on the lease — the run leaves her state alone
    // (no insert of its older reading) and redoes her at the end.
    await lead('Rosa');
    const result = await recomputeSegments(new Date('2026-09-01T14:00:00Z'), {
      ...base,
      beforeWrite: async () => void (await order('Rosa', '2026-09-01T13:30:00Z', 600_000)),
    });
    expect(result).toMatchObject({ inserted: 0, touched: 1 });
    expect(await stateOf('Rosa')).toMatchObject({ segment: 'New', orders: 1, value: 600_000, history: [{ segment: 'New', at: new Date('2026-09-01T13:30:00Z') }] });
  });

  it('notes the customer on the lease while a recompute holds it, for the recompute to redo', async () => {
    await SegmentRun.updateOne({ _id: 'lock' }, { $set: { owner: 'nightly-job', until: new Date(Date.now() + 60_000) } }, { upsert: true });
    await order('Extra 4', '2026-09-01T13:00:00Z', 400_000);
    expect(await segmentOf('Extra 4')).toBe('New');
    const lease = await SegmentRun.collection.findOne<{ touched?: string[] }>({ _id: 'lock' as never });
    expect(lease?.touched).toEqual([ids['Extra 4']]);
    await SegmentRun.updateOne({ _id: 'lock' }, { $set: { until: new Date(Date.now() - 1) } });
  });
});

describe('a new shop, on its first start', () => {
  const TODAY = new Date('2026-08-03T10:00:00Z');
  const shop: Record<string, string> = {};

  beforeAll(async () => {
    await Customer.deleteMany({});
    await Order.deleteMany({});
    await SegmentState.deleteMany({});
    await SegmentRun.deleteMany({});
    // Five customers who all ordered once today, 180k – 700k ₫.
    const amounts = { Lan: 180_000, Minh: 250_000, Nga: 300_000, Oanh: 450_000, Phuc: 700_000 };
    for (const [name, minor] of Object.entries(amounts)) {
      const id = (shop[name] = (await upsertLead({ name, phones: [], emails: [], tags: [] }, by)).customer._id);
      await recordOrder({ customerId: id, amount: { minor, currency: 'VND' }, items: [], at: new Date(TODAY.getTime() - 3_600_000) }, by);
    }
    clock.now = TODAY;
  });

  it('recomputes at start-up and shows the five buyers of today as New — not Lost, not At risk, not 0 customers', async () => {
    expect(await say(OWNER, 'segments')).toMatch(/^Segments have not been computed yet/);
    const result = await ensureSegmentsFresh(TODAY, 24, base);
    expect(result).toMatchObject({ customers: 5, buyers: 5, leads: 0, inserted: 5 });
    expect(result?.edges.method).toBe('bands');
    // 0 days → R5; 1 order → F1; under 300k → M1, 300k–1M → M2; FM 1 → New.
    for (const name of Object.keys(shop)) expect(await stateOf2(name)).toMatchObject({ segment: 'New', r: 5, f: 1 });
    const reply = await say(OWNER, 'segments');
    expect(reply).toContain('5 customer(s)');
    expect(reply).toContain('New: 5 (100%)');
    expect(reply).not.toMatch(/Lost|At risk|Hibernating|Lead:/);
  });

  it('recomputes only when the last run is missing, stale, made under older rules, or left no states', async () => {
    expect(await ensureSegmentsFresh(new Date(TODAY.getTime() + 23 * 3_600_000), 24, base)).toBeUndefined();
    expect(await ensureSegmentsFresh(new Date(TODAY.getTime() + 25 * 3_600_000), 24, base)).toMatchObject({ inserted: 0, customers: 5 });
    // A run of the old rules stored bare quintile edges.
    await SegmentRun.updateOne({ _id: 'latest' }, { $set: { edges: { recencyDays: [0, 0, 0, 0], frequency: [1, 1, 1, 1], monetary: [0, 0, 0, 0] } } });
    expect(await ensureSegmentsFresh(TODAY, 24, base)).toMatchObject({ customers: 5 });
    expect(await ensureSegmentsFresh(TODAY, 24, base)).toBeUndefined();
    await SegmentState.deleteMany({});
    expect(await ensureSegmentsFresh(TODAY, 24, base)).toMatchObject({ inserted: 5 });
  });

  it('shows a customer added after the start-up recompute as soon as they order', async () => {
    shop.Quang = (await upsertLead({ name: 'Quang', phones: [], emails: [], tags: [] }, by)).customer._id;
    await recordOrder({ customerId: shop.Quang, amount: { minor: 2_000_000, currency: 'VND' }, items: [], at: TODAY }, by);
    // 2M ₫ → M3; FM ⌊(1 + 3)/2⌋ = 2 → Potential loyalist.
    expect(await stateOf2('Quang')).toMatchObject({ segment: 'Potential loyalist', r: 5, f: 1, m: 3 });
    expect(await say(OWNER, 'segments')).toContain('6 customer(s)');
  });

  const stateOf2 = async (name: string) => SegmentState.findById(shop[name]!).lean();
});
