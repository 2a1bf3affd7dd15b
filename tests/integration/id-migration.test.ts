/**
 * The numeric → string id migration (src/services/migrate-ids.ts) on a database built the way
 * the old code left it: raw documents with numeric customer and order `_id`s inserted through the
 * driver. Checked afterwards through the new code's own services, then re-run (nothing changes),
 * then interrupted at every step and finished by a second run.
 */
import mongoose, { Types } from 'mongoose';
import { describe, expect, it } from 'vitest';
import '../../models/index.js';
import { Customer } from '../../models/customer.js';
import { Order } from '../../models/order.js';
import { getCustomer, ownerOfKey } from '../../src/services/contacts.js';
import { listFollowUps } from '../../src/services/follow-ups.js';
import { identitiesOf } from '../../src/services/identities.js';
import { migrateIds, needsIdMigration, type MigrationReport } from '../../src/services/migrate-ids.js';
import { getOrder } from '../../src/services/orders.js';
import { latestInteractions, latestOrders } from '../../src/services/recent.js';
import { useTestDatabase } from '../support/db.js';

useTestDatabase('id_migration');

type Raw = mongoose.mongo.Document & { _id: string | number | Types.ObjectId };

const COLLECTIONS = [
  'customers',
  'orders',
  'contactkeys',
  'interactions',
  'followups',
  'deliveries',
  'deliveryevents',
  'segmentstates',
  'segmentruns',
  'mergerecords',
  'identities',
  'auditevents',
  'outbox',
  'invites',
  'staffs',
  'counters',
] as const;

const coll = (name: string) => mongoose.connection.db!.collection<Raw>(name);
const day = (iso: string) => new Date(`${iso}T10:00:00Z`);
/** Deterministic ObjectIds, so that two seeded databases compare equal. */
const oid = (n: number) => new Types.ObjectId(n.toString(16).padStart(24, '0'));

/** A database as the old code wrote it: numeric customer and order ids, references to match. */
async function seedOldDatabase(): Promise<void> {
  for (const name of COLLECTIONS) await coll(name).deleteMany({});
  const at = day('2026-01-01');
  await coll('staffs').insertMany([
    { _id: 's_lan', name: 'Lan', role: 'sales', timeZone: 'Europe/Berlin', active: true, createdAt: at, updatedAt: at },
    { _id: 's_boss', name: 'Boss', role: 'manager', timeZone: 'Europe/Berlin', active: true, createdAt: at, updatedAt: at },
  ]);
  const customer = (id: number, name: string, extra: Record<string, unknown> = {}) => ({
    _id: id,
    name,
    nameKey: name.toLowerCase(),
    phones: [],
    emails: [],
    tags: [],
    source: 'chat',
    consent: { promotions: false },
    unreachable: [],
    totals: { orders: 0, revenue: {} },
    status: 'active',
    createdBy: 'staff:s_lan',
    createdAt: at,
    updatedAt: at,
    ...extra,
  });
  await coll('customers').insertMany([
    customer(1, 'Anna', { status: 'merged', mergedInto: 3, phones: ['+84911111111'] }),
    customer(2, 'Binh', { ownerId: 's_boss' }),
    customer(3, 'Chi', { phones: ['+84912345678', '+84911111111'], emails: ['chi@shop.vn'], ownerId: 's_lan' }),
    customer(4, 'Dung', { createdBy: 'customer:4' }),
  ]);
  await coll('counters').insertMany([
    { _id: 'customer', seq: 4 },
    { _id: 'order', seq: 15 },
  ]);
  const order = (id: number, customerId: number, iso: string, extra: Record<string, unknown> = {}) => ({
    _id: id,
    customerId,
    items: [{ name: 'Dress', qty: 1, unitMinor: 350000 }],
    amountMinor: 350000,
    currency: 'VND',
    status: 'delivered',
    history: [{ status: 'new', at: day(iso), by: 'staff:s_lan' }],
    createdBy: 'staff:s_lan',
    counted: true,
    createdAt: day(iso),
    updatedAt: day(iso),
    ...extra,
  });
  await coll('orders').insertMany([
    order(1, 3, '2026-01-01'),
    order(2, 3, '2026-02-01', {
      status: 'cancelled',
      counted: false,
      createdBy: 'customer:3',
      history: [
        { status: 'new', at: day('2026-02-01'), by: 'customer:3' },
        { status: 'cancelled', at: day('2026-02-02'), by: 'staff:s_lan' },
      ],
    }),
    order(3, 3, '2026-03-01'),
    // Twelve orders of Dung's: the recent list keeps the latest ten.
    ...Array.from({ length: 12 }, (_, i) => order(4 + i, 4, `2026-01-${String(10 + i).padStart(2, '0')}`)),
  ]);
  await coll('contactkeys').insertMany([
    { _id: 'phone:+84912345678', customerId: 3, createdAt: at },
    { _id: 'phone:+84911111111', customerId: 3, createdAt: at },
    { _id: 'email:chi@shop.vn', customerId: 3, createdAt: at },
  ]);
  await coll('interactions').insertMany([
    { _id: oid(1), customerId: 3, kind: 'message', text: 'hello', platform: 'telegram', priority: 'normal', at: day('2026-01-05') },
    { _id: oid(2), customerId: 3, kind: 'complaint', text: 'late', platform: 'telegram', priority: 'high', at: day('2026-03-05') },
    { _id: oid(3), customerId: 2, kind: 'note', text: 'call back', staffId: 's_boss', priority: 'normal', at: day('2026-02-05') },
  ]);
  const identity = (_id: string, kind: string, refId: string) => ({
    _id,
    platform: _id.split(':')[0],
    platformUserId: _id.split(':').slice(1).join(':'),
    kind,
    refId,
    chatId: _id.split(':').at(-1),
    createdAt: at,
    updatedAt: at,
  });
  await coll('identities').insertMany([identity('telegram:1001', 'customer', '3'), identity('slack:T1:U7', 'customer', '3'), identity('telegram:9001', 'staff', 's_lan')]);
  const followUp = (_id: string, customerId: number, assigneeId: string, status: string, iso: string) => ({
    _id,
    customerId,
    assigneeId,
    dueAt: day(iso),
    text: '',
    status,
    createdBy: 'auto',
    source: 'manual',
    createdAt: day(iso),
  });
  await coll('followups').insertMany([
    followUp('auto:lead:3', 3, 's_lan', 'open', '2026-03-02'),
    followUp('FABCDEF', 3, 's_lan', 'snoozed', '2026-03-03'),
    followUp('FDONE22', 3, 's_lan', 'done', '2026-03-01'),
    followUp('lapsed:2:2026-03-01', 2, 's_boss', 'open', '2026-03-01'),
  ]);
  await coll('segmentstates').insertOne({ _id: '3', customerId: 3, segment: 'New', orders: 2, value: 700000, segmentSince: at, computedAt: at, history: [] });
  await coll('segmentruns').insertOne({ _id: 'pending', states: [{ _id: '2', customerId: 2, segment: 'Lead', orders: 0, value: 0, segmentSince: at, computedAt: at, history: [] }] });
  await coll('deliveries').insertOne({ _id: 'P1:3', campaignId: 'P1', customerId: 3, variant: 'A', timeZone: 'Asia/Ho_Chi_Minh', status: 'pending', frozenAt: at });
  await coll('deliveryevents').insertMany([
    { _id: 'P1:3:attempt', deliveryId: 'P1:3', campaignId: 'P1', customerId: 3, kind: 'attempt', at, by: 'worker-1' },
    { _id: 'P1:3:result', deliveryId: 'P1:3', campaignId: 'P1', customerId: 3, kind: 'result', at, status: 'sent' },
  ]);
  await coll('mergerecords').insertOne({ _id: oid(10), keptId: 3, mergedId: 1, by: 'staff:s_lan', keys: ['phone:+84911111111'], orderIds: [3], interactionIds: [], identityIds: [], createdAt: at, updatedAt: at });
  await coll('auditevents').insertMany([
    { _id: oid(20), actor: 'staff:s_lan', action: 'customer.merge', target: 'customer:3', data: { mergedId: 1 }, at },
    { _id: oid(21), actor: 'customer:3', action: 'order.status', target: 'order:2', data: { from: 'new', to: 'cancelled' }, at },
    { _id: oid(22), actor: 'staff:s_boss', action: 'staff.role', target: 'staff:s_lan', at },
  ]);
  await coll('outbox').insertMany([
    { _id: 'reminder:auto:lead:3:1772445600000', kind: 'follow-up-reminder', to: 'staff:s_lan', state: 'sent', claimedAt: at },
    { _id: `complaint-alert:${oid(2).toHexString()}:s_lan`, kind: 'complaint-alert', to: 'staff:s_lan', state: 'sent', claimedAt: at },
    { _id: 'order-update:O2', kind: 'order-update', to: 'customer:3', state: 'sent', claimedAt: at },
  ]);
  await coll('invites').insertOne({ _id: 'LINK42', kind: 'link', targetKind: 'customer', targetRef: '3', createdBy: 'telegram:1001', expiresAt: day('2027-01-01'), createdAt: at, updatedAt: at });
}

/**
 * Every document of every collection, sorted by `_id`, lists of ids sorted: comparable across runs.
 * Without customers' `updatedAt`, which `rebuildRecent` (a mongoose bulk write) sets to the time of the run.
 */
async function snapshot(): Promise<Record<string, Raw[]>> {
  const out: Record<string, Raw[]> = {};
  for (const name of COLLECTIONS) {
    const docs = await coll(name).find({}, name === 'customers' ? { projection: { updatedAt: 0 } } : {}).toArray();
    out[name] = docs
      .map((d) => ({ ...d, ...(Array.isArray(d.identityIds) ? { identityIds: [...(d.identityIds as string[])].sort() } : {}) }))
      .sort((a, b) => String(a._id).localeCompare(String(b._id)));
  }
  return out;
}

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const name of COLLECTIONS) out[name] = await coll(name).countDocuments({});
  return out;
}

/** Where an old-format value is still stored, as `collection: _id` lines (none expected). */
async function leftovers(): Promise<string[]> {
  const number = { $type: 'number' };
  const probes: [string, Record<string, unknown>][] = [
    ['customers', { $or: [{ _id: number }, { mergedInto: number }, { createdBy: /^customer:\d+$/ }] }],
    ['orders', { $or: [{ _id: number }, { customerId: number }, { createdBy: /^customer:\d+$/ }, { 'history.by': /^customer:\d+$/ }] }],
    ...(['contactkeys', 'interactions', 'followups', 'deliveries', 'deliveryevents', 'segmentstates'] as const).map(
      (name): [string, Record<string, unknown>] => [name, { customerId: number }],
    ),
    ['segmentstates', { _id: /^\d+$/ }],
    ['deliveries', { _id: /^P\d+:\d+$/ }],
    ['deliveryevents', { $or: [{ _id: /^P\d+:\d+:/ }, { deliveryId: /^P\d+:\d+$/ }] }],
    ['followups', { _id: /^(auto:lead|lapsed):\d+/ }],
    ['mergerecords', { $or: [{ keptId: number }, { mergedId: number }, { orderIds: number }] }],
    ['identities', { refId: /^\d+$/ }],
    ['auditevents', { $or: [{ target: /^(customer|order):\d+$/ }, { actor: /^customer:\d+$/ }] }],
    ['outbox', { $or: [{ to: /^customer:\d+$/ }, { _id: /^reminder:(auto:lead|lapsed):\d+:/ }] }],
    ['invites', { targetRef: /^\d+$/ }],
  ];
  const found: string[] = [];
  for (const [name, filter] of probes) {
    for (const d of await coll(name).find(filter, { projection: { _id: 1 } }).toArray()) found.push(`${name}: ${String(d._id)}`);
  }
  const pending = await coll('segmentruns').findOne({ _id: 'pending' });
  for (const s of (pending?.states as Raw[] | undefined) ?? []) if (typeof s.customerId !== 'string') found.push(`segmentruns: pending ${String(s._id)}`);
  return found;
}

const allZero = (report: MigrationReport) => [...Object.values(report.changed), ...Object.values(report.filled), report.total].every((n) => n === 0);

describe('migrateIds on a database made by the old code', () => {
  let migrated: Record<string, Raw[]>;

  it('is needed on the old database, and afterwards every reference works through the new services', async () => {
    await seedOldDatabase();
    const before = await counts();
    expect(await needsIdMigration()).toBe(true);

    const lines: string[] = [];
    const report = await migrateIds({ log: (m) => lines.push(m), batchSize: 2 });

    expect(await needsIdMigration()).toBe(false);
    expect(await leftovers()).toEqual([]);
    expect(await counts()).toEqual(before); // every document replaced, none lost, none doubled
    expect(report.changed).toMatchObject({
      customers: 4, // replaced; their references (mergedInto, createdBy) converted in the copies
      orders: 15,
      contactkeys: 3,
      interactions: 3,
      followups: 4, // 2 renamed, 2 converted
      segmentstates: 1,
      deliveries: 1,
      deliveryevents: 2,
      mergerecords: 1,
      identities: 2,
      auditevents: 2,
      outbox: 2,
      invites: 1,
      segmentruns: 1,
    });
    expect(report.filled).toEqual({ customerIdentityIds: 1, staffIdentityIds: 1, staffPendingFollowUpIds: 2, customerRecentLists: 4 });
    expect(lines.some((l) => l.startsWith('customers:'))).toBe(true);

    // Customers: the kept one by its new id, the merged one leads there.
    const chi = await getCustomer('C3');
    expect(chi).toMatchObject({ _id: 'C3', name: 'Chi', ownerId: 's_lan', status: 'active' });
    expect((await getCustomer('C1'))._id).toBe('C3');
    expect(await Customer.findById('C1').lean()).toMatchObject({ status: 'merged', mergedInto: 'C3' });
    expect(await Customer.findById('C4').lean()).toMatchObject({ createdBy: 'customer:C4' });
    expect(await ownerOfKey('phone:+84912345678')).toBe('C3');
    expect(await ownerOfKey('phone:+84911111111')).toBe('C3');
    expect(await ownerOfKey('email:chi@shop.vn')).toBe('C3');

    // Orders: newest first from the customer's recent list, the cancelled one included.
    expect((await latestOrders(chi)).map((o) => [o._id, o.status])).toEqual([
      ['O3', 'delivered'],
      ['O2', 'cancelled'],
      ['O1', 'delivered'],
    ]);
    const o2 = await getOrder('O2');
    expect(o2).toMatchObject({ customerId: 'C3', createdBy: 'customer:C3', status: 'cancelled' });
    expect(o2.history.map((h) => h.by)).toEqual(['customer:C3', 'staff:s_lan']);
    const dung = await getCustomer('C4');
    expect(dung.recentOrderIds).toEqual(['O6', 'O7', 'O8', 'O9', 'O10', 'O11', 'O12', 'O13', 'O14', 'O15']); // latest ten, oldest first
    expect((await latestInteractions(chi)).map((i) => i.text)).toEqual(['late', 'hello']);
    expect((await getCustomer('C2')).recentInteractionIds.map(String)).toEqual([oid(3).toHexString()]);

    // Identities, both ways.
    expect((await identitiesOf('customer', 'C3')).map((i) => i._id).sort()).toEqual(['slack:T1:U7', 'telegram:1001']);
    expect((await identitiesOf('staff', 's_lan')).map((i) => i._id)).toEqual(['telegram:9001']);

    // Follow-ups: the staff lists, renamed deterministic ids included; done ones left out.
    expect((await listFollowUps('s_lan')).map((f) => [f._id, f.customerId])).toEqual([
      ['auto:lead:C3', 'C3'],
      ['FABCDEF', 'C3'],
    ]);
    expect((await listFollowUps('s_boss')).map((f) => f._id)).toEqual(['lapsed:C2:2026-03-01']);

    // Campaign deliveries, segment states, merge records, audit trail, outbox, link codes.
    expect(await coll('segmentstates').findOne({ _id: 'C3' })).toMatchObject({ customerId: 'C3', segment: 'New' });
    expect(await coll('deliveries').findOne({ _id: 'P1:C3' })).toMatchObject({ customerId: 'C3', campaignId: 'P1' });
    expect((await coll('deliveryevents').find({}).toArray()).map((e) => [e._id, e.deliveryId, e.customerId]).sort()).toEqual([
      ['P1:C3:attempt', 'P1:C3', 'C3'],
      ['P1:C3:result', 'P1:C3', 'C3'],
    ]);
    expect(await coll('mergerecords').findOne({})).toMatchObject({ keptId: 'C3', mergedId: 'C1', orderIds: ['O3'] });
    expect((await coll('auditevents').find({}).sort({ _id: 1 }).toArray()).map((a) => [a.actor, a.target])).toEqual([
      ['staff:s_lan', 'customer:C3'],
      ['customer:C3', 'order:O2'],
      ['staff:s_boss', 'staff:s_lan'],
    ]);
    expect((await coll('outbox').find({}).toArray()).map((o) => [o._id, o.to]).sort()).toEqual([
      [`complaint-alert:${oid(2).toHexString()}:s_lan`, 'staff:s_lan'],
      ['order-update:O2', 'customer:C3'],
      ['reminder:auto:lead:C3:1772445600000', 'staff:s_lan'],
    ]);
    expect(await coll('invites').findOne({ _id: 'LINK42' })).toMatchObject({ targetRef: 'C3' });
    expect((await coll('segmentruns').findOne({ _id: 'pending' }))?.states).toMatchObject([{ _id: 'C2', customerId: 'C2' }]);
    // Counters are untouched: the next customer is C5.
    expect(await coll('counters').findOne({ _id: 'customer' })).toMatchObject({ seq: 4 });

    migrated = await snapshot();
  });

  it('changes nothing and reports zeros when run again', async () => {
    const report = await migrateIds();
    expect(allZero(report), JSON.stringify(report)).toBe(true);
    expect(await snapshot()).toEqual(migrated);
  });

  it('finishes a half-migrated database (both 5 and C5, some references converted) without duplicates or losses', async () => {
    // An old database with Eva, customer 5, caught by a crash: her copy exists, the original too;
    // only some references converted. Chi (3) was copied too, and nothing of hers converted.
    await seedOldDatabase();
    const at = day('2026-04-01');
    const eva = { name: 'Eva', nameKey: 'eva', phones: ['+84915555555'], emails: [], tags: [], consent: { promotions: false }, totals: { orders: 1, revenue: { VND: 1 } }, status: 'active', createdBy: 'customer:5', createdAt: at, updatedAt: at };
    await coll('customers').insertOne({ _id: 5, ...eva });
    const order = { customerId: 5, items: [], amountMinor: 1, currency: 'VND', status: 'new', history: [{ status: 'new', at, by: 'customer:5' }], createdAt: at, updatedAt: at };
    await coll('orders').insertOne({ _id: 16, ...order });
    const chi = await coll('customers').findOne({ _id: 3 });
    await coll('customers').insertMany([{ ...eva, _id: 'C5' }, { ...chi, _id: 'C3' }]);
    await coll('orders').insertOne({ ...order, _id: 'O16' });
    await coll('contactkeys').insertOne({ _id: 'phone:+84915555555', customerId: 'C5', createdAt: at }); // converted already
    await coll('interactions').insertMany([
      { _id: oid(30), customerId: 5, kind: 'message', text: 'hi', priority: 'normal', at },
      { _id: oid(31), customerId: 'C5', kind: 'message', text: 'again', priority: 'normal', at: day('2026-04-02') },
    ]);
    await coll('followups').insertMany([
      { _id: 'auto:lead:5', customerId: 5, assigneeId: 's_boss', dueAt: at, text: '', status: 'open', createdBy: 'auto', source: 'auto-lead', createdAt: at },
      { _id: 'auto:lead:C5', customerId: 5, assigneeId: 's_boss', dueAt: at, text: '', status: 'open', createdBy: 'auto', source: 'auto-lead', createdAt: at },
    ]);
    await coll('segmentstates').insertMany([
      { _id: '5', customerId: 5, segment: 'New', segmentSince: at, computedAt: at, history: [] },
      { _id: 'C5', customerId: 5, segment: 'New', segmentSince: at, computedAt: at, history: [] },
    ]);
    await coll('identities').insertOne({ _id: 'telegram:1005', platform: 'telegram', platformUserId: '1005', kind: 'customer', refId: '5', createdAt: at, updatedAt: at });
    await coll('auditevents').insertOne({ _id: oid(40), actor: 'customer:C5', action: 'order.status', target: 'order:16', at });

    const before = await counts();
    expect(await needsIdMigration()).toBe(true);
    const report = await migrateIds({ batchSize: 3 });
    expect(report.total).toBeGreaterThan(0);

    const after = await counts();
    const pairs = { customers: 2, orders: 1, followups: 1, segmentstates: 1 }; // the originals that had copies
    expect(after).toEqual(Object.fromEntries(Object.entries(before).map(([name, n]) => [name, n - (pairs[name as keyof typeof pairs] ?? 0)])));
    expect(await leftovers()).toEqual([]);
    expect(await needsIdMigration()).toBe(false);

    const c5 = await getCustomer('C5');
    expect(c5).toMatchObject({ name: 'Eva', createdBy: 'customer:C5', recentOrderIds: ['O16'] });
    expect((await latestInteractions(c5)).map((i) => i.text)).toEqual(['again', 'hi']);
    expect((await identitiesOf('customer', 'C5')).map((i) => i._id)).toEqual(['telegram:1005']);
    expect(await ownerOfKey('phone:+84915555555')).toBe('C5');
    expect(await getOrder('O16')).toMatchObject({ customerId: 'C5' });
    expect((await listFollowUps('s_boss')).map((f) => f._id)).toEqual(['lapsed:C2:2026-03-01', 'auto:lead:C5']);
    expect(await coll('segmentstates').findOne({ _id: 'C5' })).toMatchObject({ customerId: 'C5' });
    expect(await coll('auditevents').findOne({ _id: oid(40) })).toMatchObject({ actor: 'customer:C5', target: 'order:O16' });
    const kept = await getCustomer('C1');
    expect(kept).toMatchObject({ _id: 'C3', name: 'Chi' });
    expect([...kept.identityIds].sort()).toEqual(['slack:T1:U7', 'telegram:1001']);
    expect((await latestOrders(await getCustomer('C3'))).map((o) => o._id)).toEqual(['O3', 'O2', 'O1']);

    expect(allZero(await migrateIds())).toBe(true);
  });

  it('killed after any step, finishes on the next run exactly as an uninterrupted run does', { timeout: 180_000 }, async () => {
    await seedOldDatabase();
    let steps = 0;
    await migrateIds({ log: () => void steps++ });
    const reference = await snapshot();
    expect(steps).toBeGreaterThan(15);

    class Killed extends Error {}
    for (let kill = 1; kill <= steps; kill++) {
      await seedOldDatabase();
      let seen = 0;
      const killAt = (): void => {
        if (++seen === kill) throw new Killed(`killed at step ${kill}`);
      };
      await expect(migrateIds({ log: killAt, batchSize: 2 })).rejects.toBeInstanceOf(Killed);
      // Until the numeric customers are gone (the last two progress lines), the database says so.
      expect(await needsIdMigration(), `killed at step ${kill}`).toBe(kill < steps - 1);
      await migrateIds({ batchSize: 2 });
      expect(await snapshot(), `killed at step ${kill}`).toEqual(reference);
    }
    expect(await Order.countDocuments({})).toBe(15);
  });
});
