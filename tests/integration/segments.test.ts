/**
 * RFM segments on the real database: customers and orders made through the
 * services, the recompute, movements after the clock moves, the lapsed list,
 * and the chat commands through `createApp(...).handle(...)`.
 *
 * The base (clock 2026-03-02 03:00 UTC; window 2025-04 … 2026-03):
 *
 *   customer  last order   days  orders/12m  VND in 12m   R F M  segment
 *   Anna      2026-02-28      1      4        4,000,000   5 5 4  Champions
 *   Bao       2026-02-20      9      3        1,500,000   3 4 3  Need attention
 *   Chi       2026-02-25      4      1          200,000   4 1 2  Promising
 *   Dung      2025-05-01    304      2        6,000,000   1 2 5  At risk
 *   Em        2024-12-01    455      0                0   1 1 1  Lost
 *   Giang     2026-01-15     45      2      (EUR only)    2 2 1  Hibernating
 *   Hoa, Ivy, Khanh (ordered, then cancelled) and 9 more: no orders → Lead
 *
 * Dung and Giang tie on 2 orders across a quintile edge: both get F 2.
 */
import '../../models/index.js';
import '../../models/segment-state.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { Customer } from '../../models/customer.js';
import { SegmentRun, SegmentState } from '../../models/segment-state.js';
import { upsertLead } from '../../src/services/contacts.js';
import { mergeCustomers } from '../../src/services/merge.js';
import { recordOrder, setOrderStatus } from '../../src/services/orders.js';
import { lapsed, latestRun, movements, RecomputeBusyError, recomputeSegments, segmentMembers, segmentSizes } from '../../src/services/segments/segments.js';
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
  it('says segments are not computed yet', async () => {
    expect(await say(OWNER, 'segments')).toMatch(/^Segments have not been computed yet/);
  });

  it('refuses a refresh to a salesperson', async () => {
    expect(await say(sales, 'segments refresh')).toBe('Sorry, your role cannot use "segments refresh".');
  });
});

describe('recompute', () => {
  it('scores the base by quintiles and names every customer’s segment', async () => {
    clock.now = T1;
    const reply = await say(OWNER, 'segments refresh');
    expect(reply).toMatch(/^Segments recomputed for 18 customer\(s\) in \d+ s: 0 changed segment, 0 changed scores only, 18 new\.$/);

    const expected: Record<string, [string, number?, number?, number?]> = {
      Anna: ['Champions', 5, 5, 4],
      Bao: ['Need attention', 3, 4, 3],
      Chi: ['Promising', 4, 1, 2],
      Dung: ['At risk', 1, 2, 5],
      Em: ['Lost', 1, 1, 1],
      Giang: ['Hibernating', 2, 2, 1],
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
    expect(run?.edges).toMatchObject({ frequency: [1, 2, 2, 3], recencyDays: [304, 45, 9, 4] });
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
    expect(text).toContain('Champions: 1 (6%)');
    expect(text).toContain('Lead: 12 (67%)');
    expect(text).not.toContain('Loyal:');
    expect(text).toContain('No customer changed segment in the last 7 days.');
    expect(buttonActions(overview)).toContain('segment At risk');

    expect(await say(sales, 'segment at risk')).toBe(
      [`At risk · 1 customer(s), by value:`, `${ids.Dung} Dung · R1 F2 M5 · 2 order(s), ₫6,000,000 in all · last order 2025-05-01`].join('\n'),
    );

    const leads = await send(OWNER, 'segment lead');
    expect(leads[0]?.kind === 'text' && leads[0].text).toContain('Page 1 of 2 · 12 in all');
    expect(leads[0]?.kind === 'text' && leads[0].text).toContain(`${ids.Hoa} Hoa · — · no orders yet`);
    expect(buttonActions(leads)).toContain('segment Lead sort value page 2');
    expect(buttonActions(leads)).toContain('segment Lead sort recency page 1');
    const page2 = await segmentMembers('Lead', { sort: 'value', page: 2 });
    expect(page2.items).toHaveLength(2);

    const byRecency = await segmentMembers('Champions', { sort: 'recency' });
    expect(byRecency.items.map((c) => c.name)).toEqual(['Anna']);
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

    await order('Hoa', '2026-04-19T10:00:00Z', 300_000);
    await mergeCustomers(ids.Hoa!, ids.Ivy!, by);

    const result = await recomputeSegments(T2, base);
    expect(result).toMatchObject({ customers: 17, buyers: 7, leads: 10, inserted: 0, removed: 1, moved: 3, updated: 5 });
    expect(await stateOf('Ivy')).toBeNull();

    const moves = await movements(new Date(T2.getTime() - 86_400_000));
    const named = moves.map((m) => `${Object.keys(ids).find((k) => ids[k] === m.customerId)}: ${m.from} → ${m.to}`).sort();
    expect(named).toEqual(['Chi: Promising → About to sleep', 'Dung: At risk → Lost', 'Hoa: Lead → Potential loyalist']);

    const chi = await stateOf('Chi');
    expect(chi?.history).toHaveLength(24);
    expect(chi?.history.at(-1)).toEqual({ segment: 'About to sleep', from: 'Promising', at: T2 });
    expect(chi?.segmentSince).toEqual(T2);
    // Anna lost a recency point but stayed a Champion: updated, not moved.
    expect(await stateOf('Anna')).toMatchObject({ segment: 'Champions', r: 4, computedAt: T2, segmentSince: T1 });
    // Bao's scores did not change: his state was not rewritten.
    expect((await stateOf('Bao'))?.computedAt).toEqual(T1);
  });

  it('shows the week’s moves in the overview', async () => {
    clock.now = T2;
    const reply = await say(OWNER, 'segments');
    expect(reply).toContain('Moves in the last 7 days:');
    expect(reply).toContain('Lead → Potential loyalist: 1');
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

  it('replaces many changed states in batches, and finishes a replacement a crash interrupted', async () => {
    // A crash after deleting a batch and before inserting it: Bao's state is only in the redo log.
    const bao = await SegmentState.findById(ids.Bao!).lean();
    await SegmentState.deleteOne({ _id: ids.Bao! });
    await SegmentRun.collection.replaceOne({ _id: 'pending' as never }, { states: [bao] }, { upsert: true });

    const T3 = new Date('2026-07-01T03:00:00Z');
    const result = await recomputeSegments(T3, { ...base, replaceAbove: 0 });
    expect(result.inserted).toBe(0); // Bao came back from the log, history and all
    expect(await SegmentRun.findById('pending').lean()).toBeNull();
    const after = await stateOf('Bao');
    expect(after?.history.slice(0, bao!.history.length)).toEqual(bao!.history);
    // The replacement path writes what the update path would: the same segments as a fresh scoring.
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
