/**
 * Nothing doubled, nothing lost: an order command keyed by its delivery id, on the real database.
 * A re-delivered update books nothing more; a failure after the order was stored still confirms
 * it; a failure before anything was written frees the delivery for its retry; a run that failed
 * after a keyed write is resumed by the re-delivery and finds its order. Failures are real ones
 * (a customer document whose totals cannot take `$inc`, a broken counter, a command that throws),
 * not mocks.
 */
import '../../models/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { Counter, Customer, Order, ProcessedDelivery } from '../../models/index.js';
import { createCore } from '../../src/core/handle.js';
import { CommandRegistry } from '../../src/core/registry.js';
import { text, type Reply } from '../../src/core/types.js';
import { recordOrder } from '../../src/services/orders.js';
import { createTestChat, customerIdIn, OWNER, orderIdIn, replyText } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';

useTestDatabase('idempotency');

const chat = createTestChat();

let phoneSeq = 500;
/** A new customer (`C12`), made through `lead`. */
async function newCustomer(name: string): Promise<string> {
  return customerIdIn(await chat.say(OWNER, `lead ${name} 0912 000 ${String(++phoneSeq)}`));
}

/** The same update (same delivery id) as an adapter would hand it to the core again. */
const deliver = (line: string, deliveryId: string) => chat.send(OWNER, line, { deliveryId });

const ordersOf = (customerId: string) => Order.find({ customerId }).lean();
const countedOrders = async (customerId: string) => (await Customer.findById(customerId).lean())?.totals?.orders ?? 0;

const CONFIRMATION = /^Order O\d+ for C\d+ .*: .* \(new\)\.$/;

describe('the same delivery twice', () => {
  it('in a row books one order: the first answers with it, the repeat (already answered) gets no second reply', async () => {
    const anna = await newCustomer('Anna Lặp');
    const first = replyText(await deliver(`order ${anna} 350k áo dài`, 'idem:seq:1'));
    expect(first).toMatch(CONFIRMATION);
    expect(await deliver(`order ${anna} 350k áo dài`, 'idem:seq:1')).toEqual([]);
    const stored = await ordersOf(anna);
    expect(stored.map((o) => o._id)).toEqual([orderIdIn(first)]);
    expect(await countedOrders(anna)).toBe(1);
    expect(await ProcessedDelivery.findById('idem:seq:1').lean()).toMatchObject({ state: 'done', created: [orderIdIn(first)] });
  });

  it('at once (five deliveries racing) books one order, confirmed by exactly one of them', async () => {
    const bao = await newCustomer('Bao Đồng Thời');
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => deliver(`order ${bao} 120k khăn`, 'idem:par:1')));
    const spoken = answers.filter((r) => r.length > 0).map(replyText);
    expect(spoken).toHaveLength(1);
    expect(spoken[0]).toMatch(CONFIRMATION);
    expect((await ordersOf(bao)).map((o) => o._id)).toEqual([orderIdIn(spoken[0]!)]);
    expect(await countedOrders(bao)).toBe(1);
  });
});

describe('under load', () => {
  it('100 orders at once (distinct deliveries): each answered with its own confirmation, 100 stored and counted', async () => {
    const lan = await newCustomer('Lan Đông Khách');
    const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => deliver(`order ${lan} 10k`, `idem:load:${i}`)));
    const texts = replies.map(replyText);
    expect(texts.filter((t) => !CONFIRMATION.test(t))).toEqual([]);
    const ids = texts.map(orderIdIn);
    expect(new Set(ids).size).toBe(100);
    expect((await ordersOf(lan)).map((o) => o._id).sort()).toEqual([...ids].sort());
    expect(await countedOrders(lan)).toBe(100);
  });
});

describe('failures', () => {
  it('after the order is stored (the totals write fails): the reply confirms the order, the re-delivery books nothing, totals rebuild repairs the count', async () => {
    const cuong = await newCustomer('Cường Hỏng');
    // A real failure of the customer update: `$inc` on a field that is not a number.
    await Customer.collection.updateOne({ _id: cuong as never }, { $set: { 'totals.orders': 'broken' } });
    const reply = replyText(await deliver(`order ${cuong} 200k túi`, 'idem:after:1'));
    await Customer.collection.updateOne({ _id: cuong as never }, { $set: { 'totals.orders': 0 } });

    expect(reply).toMatch(CONFIRMATION);
    const id = orderIdIn(reply);
    expect((await ordersOf(cuong)).map((o) => o._id)).toEqual([id]);
    expect(await countedOrders(cuong)).toBe(0); // the step that failed

    expect(await deliver(`order ${cuong} 200k túi`, 'idem:after:1')).toEqual([]);
    expect((await ordersOf(cuong)).map((o) => o._id)).toEqual([id]);

    expect(await chat.say(OWNER, 'totals rebuild')).toMatch(/corrected/);
    expect(await countedOrders(cuong)).toBe(1);
  });

  it('before anything is written (the order counter is broken): an internal error, and the retry of the same delivery books exactly one order', async () => {
    const dung = await newCustomer('Dũng Thử Lại');
    const counter = await Counter.findById('order').lean();
    await Counter.collection.updateOne({ _id: 'order' as never }, { $set: { seq: 'broken' } });
    const failed = replyText(await deliver(`order ${dung} 90k nón`, 'idem:before:1'));
    await Counter.collection.updateOne({ _id: 'order' as never }, { $set: { seq: counter?.seq ?? 0 } });

    expect(failed).toMatch(/^Sorry, something went wrong on our side \(ref [0-9a-f]{6}\)/);
    expect(await ordersOf(dung)).toEqual([]);
    expect(await ProcessedDelivery.findById('idem:before:1').lean()).toBeNull(); // given back for the retry

    const retried = replyText(await deliver(`order ${dung} 90k nón`, 'idem:before:1'));
    expect(retried).toMatch(CONFIRMATION);
    expect((await ordersOf(dung)).map((o) => o._id)).toEqual([orderIdIn(retried)]);
    expect(await countedOrders(dung)).toBe(1);
  });

  it('after the order, in the command: the reply says what was saved; the re-delivery resumes the run and finds the same order', async () => {
    const em = await newCustomer('Em Tiếp Tục');
    let failNext = true;
    // A command of its own on the real core: books an order, then fails once after it.
    const registry = new CommandRegistry().add({
      name: 'book',
      usage: 'book',
      summary: 'order',
      allow: ['owner'],
      async run(ctx): Promise<Reply[]> {
        const o = await recordOrder({ customerId: em, amount: { minor: 50_000, currency: 'VND' }, items: [] }, ctx.by);
        if (failNext) {
          failNext = false;
          throw new Error('failed after booking');
        }
        return [text(`Booked ${o._id}.`)];
      },
    });
    const core = createCore(chat.deps, registry);
    const update = { platform: OWNER.platform, chatId: OWNER.userId, userId: OWNER.userId, displayName: OWNER.displayName, text: 'book', deliveryId: 'idem:resume:1' };

    const first = replyText(await core.handle(update));
    const id = orderIdIn(first);
    expect(first).toMatch(new RegExp(`^Saved: ${id}\\. Something went wrong after that \\(ref [0-9a-f]{6}\\)`));
    expect(await ProcessedDelivery.findById('idem:resume:1').lean()).toMatchObject({ state: 'failed', created: [id] });

    expect(replyText(await core.handle(update))).toBe(`Booked ${id}.`);
    expect(await core.handle(update)).toEqual([]); // done now
    expect((await ordersOf(em)).map((o) => o._id)).toEqual([id]);
    expect(await countedOrders(em)).toBe(1);
  });
});

describe('recordOrder with an operation id', () => {
  it('creates one order counted once, called twice in a row or five times at once', async () => {
    const giang = await newCustomer('Giang Một Lần');
    const input = (operationId: string) => ({ customerId: giang, amount: { minor: 70_000, currency: 'VND' }, items: [{ name: 'Khăn', qty: 1 }], operationId });

    const a = await recordOrder(input('op:test:once'), 'staff:test');
    const b = await recordOrder(input('op:test:once'), 'staff:test');
    expect(b._id).toBe(a._id);

    const racing = await Promise.all([1, 2, 3, 4, 5].map(() => recordOrder(input('op:test:race'), 'staff:test')));
    expect(new Set(racing.map((o) => o._id)).size).toBe(1);
    expect(racing[0]!._id).not.toBe(a._id);

    expect((await ordersOf(giang)).map((o) => o._id).sort()).toEqual([a._id, racing[0]!._id].sort());
    expect(await countedOrders(giang)).toBe(2);
  });

  it('without one (jobs, scripts) books a new order every call, as before', async () => {
    const hoa = await newCustomer('Hoa Không Khoá');
    const input = { customerId: hoa, amount: { minor: 10_000, currency: 'VND' }, items: [] };
    const [a, b] = [await recordOrder(input, 'staff:test'), await recordOrder(input, 'staff:test')];
    expect(a._id).not.toBe(b._id);
    expect(await countedOrders(hoa)).toBe(2);
  });
});

beforeAll(async () => {
  // The owner exists before the first test's lead (the console owner is made on first contact).
  expect(await chat.say(OWNER, 'whoami')).toMatch(/^You are /);
});
