/**
 * Running totals are derived data: `rebuildTotals()` restores them exactly from the orders,
 * and contact keys left dangling by a crash are repaired by the next write that needs them.
 */
import '../../models/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { ContactKey, Customer, Order } from '../../models/index.js';
import { upsertLead } from '../../src/services/contacts.js';
import { recordOrder, setOrderStatus } from '../../src/services/orders.js';
import { rebuildTotals } from '../../src/services/totals.js';
import { createTestChat, customerIdIn, OWNER } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';

useTestDatabase('totals');

const by = 'staff:test';
const at = (iso: string) => new Date(iso);
const vnd = (minor: number) => ({ minor, currency: 'VND' });

async function totalsOf(id: string) {
  const c = await Customer.findById(id).lean();
  if (!c) throw new Error(`${id} missing`);
  // Lifetime totals only; the monthly buckets behind RFM are checked in the segments tests.
  const { months: _months, ...lifetime } = (c.totals ?? {}) as Record<string, unknown>;
  return lifetime;
}

describe('rebuildTotals', () => {
  let anna: string;
  let bao: string;
  let chi: string;
  let cancelledOrder: string;

  beforeAll(async () => {
    anna = (await upsertLead({ name: 'Anna', phones: ['+84912000501'], emails: [], tags: [] }, by)).customer._id;
    bao = (await upsertLead({ name: 'Bao', phones: ['+84912000502'], emails: [], tags: [] }, by)).customer._id;
    chi = (await upsertLead({ name: 'Chi', phones: ['+84912000503'], emails: [], tags: [] }, by)).customer._id;
    await recordOrder({ customerId: anna, amount: vnd(350_000), items: [], at: at('2026-01-05T10:00:00Z') }, by);
    await recordOrder({ customerId: anna, amount: { minor: 1999, currency: 'EUR' }, items: [], at: at('2026-02-10T10:00:00Z') }, by);
    // The latest order is cancelled: it must count neither in revenue nor as the last order.
    cancelledOrder = (await recordOrder({ customerId: anna, amount: vnd(100_000), items: [], at: at('2026-03-01T10:00:00Z') }, by))._id;
    await setOrderStatus(cancelledOrder, 'cancelled', by);
    await recordOrder({ customerId: bao, amount: vnd(50_000), items: [], at: at('2026-02-01T08:00:00Z') }, by);
  });

  it('restores exact totals from corrupted ones, leaving a cancelled order out', async () => {
    await Customer.updateMany(
      {},
      {
        $set: {
          'totals.orders': 99,
          'totals.revenue': { XYZ: -5, VND: 1 },
          'totals.firstOrderAt': at('2100-01-01T00:00:00Z'),
          'totals.lastOrderAt': at('1999-01-01T00:00:00Z'),
        },
      },
    );
    // A crash between the cancel and the totals update would leave the flag wrong too.
    await Order.updateOne({ _id: cancelledOrder }, { $set: { counted: true } });

    const result = await rebuildTotals();
    expect(result.customers).toBe(await Customer.countDocuments());
    expect(result.changed).toBe(3);

    expect(await totalsOf(anna)).toEqual({
      orders: 2,
      revenue: { VND: 350_000, EUR: 1999 },
      firstOrderAt: at('2026-01-05T10:00:00Z'),
      lastOrderAt: at('2026-02-10T10:00:00Z'),
    });
    expect(await totalsOf(bao)).toEqual({
      orders: 1,
      revenue: { VND: 50_000 },
      firstOrderAt: at('2026-02-01T08:00:00Z'),
      lastOrderAt: at('2026-02-01T08:00:00Z'),
    });
    expect(await totalsOf(chi)).toEqual({ orders: 0, revenue: {} });
    expect((await Order.findById(cancelledOrder).lean())?.counted).toBe(false);
    expect(await Order.countDocuments({ status: { $ne: 'cancelled' }, counted: true })).toBe(3);
  });

  it('changes nothing when run again', async () => {
    const before = await Customer.find({}, { totals: 1 }).sort({ _id: 1 }).lean();
    expect((await rebuildTotals()).changed).toBe(0);
    expect(await Customer.find({}, { totals: 1 }).sort({ _id: 1 }).lean()).toEqual(before);
  });

  it('rebuilds only the customers asked for', async () => {
    await Customer.updateMany({ _id: { $in: [anna, bao] } }, { $set: { 'totals.orders': 42 } });
    expect(await rebuildTotals([bao])).toEqual({ customers: 1, changed: 1 });
    expect((await totalsOf(bao))?.orders).toBe(1);
    expect((await totalsOf(anna))?.orders).toBe(42);
    await rebuildTotals([anna]);
    expect((await totalsOf(anna))?.orders).toBe(2);
  });

  it('keeps counting from rebuilt totals: a later order adds, its cancel takes amount and date back once', async () => {
    const o = await recordOrder({ customerId: bao, amount: vnd(70_000), items: [], at: at('2026-03-05T09:00:00Z') }, by);
    expect(await totalsOf(bao)).toMatchObject({ orders: 2, revenue: { VND: 120_000 }, lastOrderAt: at('2026-03-05T09:00:00Z') });
    await setOrderStatus(o._id, 'cancelled', by);
    await setOrderStatus(o._id, 'cancelled', by);
    expect(await totalsOf(bao)).toMatchObject({
      orders: 1,
      revenue: { VND: 50_000 },
      firstOrderAt: at('2026-02-01T08:00:00Z'),
      lastOrderAt: at('2026-02-01T08:00:00Z'),
    });
    // The live totals are what a rebuild computes: nothing to correct.
    expect((await rebuildTotals([bao])).changed).toBe(0);
  });

  it('drops the order dates when the only order is cancelled', async () => {
    const id = (await upsertLead({ name: 'Dao', phones: ['+84912000504'], emails: [], tags: [] }, by)).customer._id;
    const o = await recordOrder({ customerId: id, amount: vnd(10_000), items: [], at: at('2026-03-06T09:00:00Z') }, by);
    await setOrderStatus(o._id, 'cancelled', by);
    const t = await totalsOf(id);
    expect(t).toMatchObject({ orders: 0, revenue: { VND: 0 } });
    expect(t?.lastOrderAt).toBeUndefined();
    expect(t?.firstOrderAt).toBeUndefined();
    expect((await rebuildTotals([id])).changed).toBe(0);
  });

  it('is what the "totals rebuild" command runs, reporting how many customers it corrected', async () => {
    const chat = createTestChat();
    await Customer.updateOne({ _id: chi }, { $set: { 'totals.orders': 7 } });
    const count = await Customer.countDocuments();
    expect(await chat.say(OWNER, 'totals rebuild')).toBe(`Totals rebuilt for ${count} customer(s); 1 corrected.`);
    expect((await totalsOf(chi))?.orders).toBe(0);
  });
});

describe('dangling contact keys', () => {
  it('lets the next lead with that phone claim a key whose customer does not exist', async () => {
    // What a crash between claiming the keys and writing the customer leaves behind.
    await ContactKey.create({ _id: 'phone:+84912000777', customerId: 'C987654' });
    await ContactKey.create({ _id: 'email:ghost@shop.vn', customerId: 'C987654' });
    const chat = createTestChat();
    const reply = await chat.say(OWNER, 'lead Dang Ghost 0912 000 777 ghost@shop.vn');
    expect(reply).toMatch(/^New lead C\d+ Dang Ghost saved\.$/);
    const id = customerIdIn(reply);
    expect(await ContactKey.findById('phone:+84912000777').lean()).toMatchObject({ customerId: id });
    expect(await ContactKey.findById('email:ghost@shop.vn').lean()).toMatchObject({ customerId: id });
    expect(await Customer.findById(id).lean()).toMatchObject({ phones: ['+84912000777'], emails: ['ghost@shop.vn'] });
    expect(await chat.say(OWNER, 'find +84912000777')).toContain(`${id} Dang Ghost`);
  });

  it('adds a dangling phone to an existing customer instead of reporting a conflict', async () => {
    const chat = createTestChat();
    const id = customerIdIn(await chat.say(OWNER, 'lead Em Real em@real.vn'));
    await ContactKey.create({ _id: 'phone:+84912000778', customerId: 'C987655' });
    expect(await chat.say(OWNER, 'lead Em Real em@real.vn 0912000778')).toBe(`${id} Em Real already exists; added +84912000778.`);
    expect(await ContactKey.findById('phone:+84912000778').lean()).toMatchObject({ customerId: id });
  });
});
