/**
 * Concurrency through the real core: money that adds up, one winner per transition, single-use
 * codes. The app talks to FerretDB over one connection (src/db/connect.ts) and claims every
 * once-only step with a unique `_id` insert, so these hold on MongoDB with several processes too.
 */
import { describe, expect, it } from 'vitest';
import '../../models/index.js';
import { Customer } from '../../models/customer.js';
import { Identity } from '../../models/identity.js';
import { Order } from '../../models/order.js';
import { Staff } from '../../models/staff.js';
import { createTestChat, OWNER, replyText } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';

useTestDatabase('races');

describe('races through the core', () => {
  it('200 concurrent orders for one customer: the card counts exactly 200 and ₫2,000,000', async () => {
    const chat = createTestChat();
    expect(await chat.say(OWNER, 'lead Hoa +84 903 000 200')).toMatch(/New lead (C\d+)/);
    const replies = await Promise.all(Array.from({ length: 200 }, () => chat.send(OWNER, 'order +84903000200 10k')));
    expect(replies.map(replyText).filter((r) => /^Order O\d+ for/.test(r))).toHaveLength(200);
    const c = await Customer.findOne({ phones: '+84903000200' }).lean();
    expect(await Order.countDocuments({ customerId: c!._id })).toBe(200);
    expect(c!.totals.orders).toBe(200);
    expect((c!.totals.revenue as Record<string, number>).VND).toBe(2_000_000);
    // Numbers count up without gaps: O1 … O200.
    const ids = (await Order.find({ customerId: c!._id }, { _id: 1 }).lean()).map((o) => Number(o._id.slice(1))).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(await chat.say(OWNER, `customer ${c!._id}`)).toMatch(/200 order/);
  });

  it('30 concurrent cancels of one order: one says "new → cancelled", totals drop once', async () => {
    const chat = createTestChat();
    await chat.say(OWNER, 'lead Minh +84 903 000 300');
    const created = await chat.say(OWNER, 'order +84903000300 50k');
    await chat.say(OWNER, 'order +84903000300 70k');
    const orderId = /Order (O\d+)/.exec(created)![1]!;
    const replies = (await Promise.all(Array.from({ length: 30 }, () => chat.send(OWNER, `order status ${orderId} cancelled`)))).map(replyText);
    expect(replies.filter((r) => r.includes('new → cancelled'))).toHaveLength(1);
    expect(replies.filter((r) => !r.includes('new → cancelled')).every((r) => /already cancelled|is cancelled/i.test(r))).toBe(true);
    const c = await Customer.findOne({ phones: '+84903000300' }).lean();
    expect(c!.totals.orders).toBe(1);
    expect((c!.totals.revenue as Record<string, number>).VND).toBe(70_000);
    const order = await Order.findById(orderId).lean();
    expect(order!.history.map((h) => h.status)).toEqual(['new', 'cancelled']);
  });

  it('concurrent paid / shipped / cancelled on 20 orders: every order has one history and totals match it', async () => {
    const chat = createTestChat();
    await chat.say(OWNER, 'lead Lan +84 903 000 400');
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push(/Order (O\d+)/.exec(await chat.say(OWNER, 'order +84903000400 10k'))![1]!);
    await Promise.all(ids.flatMap((id) => ['paid', 'shipped', 'cancelled'].map((s) => chat.send(OWNER, `order status ${id} ${s}`))));
    const orders = await Order.find({ _id: { $in: ids } }).lean();
    for (const o of orders) {
      const path = o.history.map((h) => h.status);
      expect(path[path.length - 1]).toBe(o.status);
      expect(new Set(path).size).toBe(path.length); // no status applied twice
      expect(o.counted).toBe(o.status !== 'cancelled');
    }
    const counted = orders.filter((o) => o.status !== 'cancelled').length;
    const c = await Customer.findOne({ phones: '+84903000400' }).lean();
    expect(c!.totals.orders).toBe(counted);
    expect((c!.totals.revenue as Record<string, number>).VND ?? 0).toBe(counted * 10_000);
  });

  it('20 accounts sending join for one invite code at once: exactly one becomes a manager', async () => {
    const chat = createTestChat();
    const invite = await chat.say(OWNER, 'invite manager');
    const code = /: ([A-Z0-9]{8})/.exec(invite)![1]!;
    const before = await Staff.countDocuments({ role: 'manager' });
    const people = Array.from({ length: 20 }, (_, i) => ({ platform: 'telegram' as const, userId: String(9100 + i), displayName: `P${i}` }));
    const replies = (await Promise.all(people.map((p) => chat.send(p, `join ${code}`)))).map(replyText);
    expect(replies.filter((r) => r.startsWith('Welcome to the team'))).toHaveLength(1);
    expect(await Staff.countDocuments({ role: 'manager' })).toBe(before + 1);
  });

  it('20 accounts redeeming one link code at once: exactly one is linked to the person', async () => {
    const chat = createTestChat();
    const customer = { platform: 'telegram' as const, userId: '9300', displayName: 'Thu' };
    const created = await chat.say(customer, 'link');
    const code = /Your link code: ([A-Za-z0-9]+)/.exec(created)![1]!;
    const owner = (await Identity.findById('telegram:9300').lean())!.refId;
    const accounts = Array.from({ length: 20 }, (_, i) => ({ platform: 'slack' as const, userId: `T1:U93${String(i).padStart(2, '0')}`, displayName: `Thu ${i}` }));
    const replies = (await Promise.all(accounts.map((a) => chat.send(a, `link ${code}`)))).map(replyText);
    expect(replies.filter((r) => r.startsWith('Linked.'))).toHaveLength(1);
    const linked = await Identity.find({ _id: { $in: accounts.map((a) => `slack:${a.userId}`) }, refId: owner }).lean();
    expect(linked).toHaveLength(1);
    expect(replies[accounts.findIndex((a) => `slack:${a.userId}` === linked[0]!._id)]).toMatch(/^Linked\./);
    // The code is spent: a late try links nobody else.
    expect(await chat.say({ platform: 'slack', userId: 'T1:U9399', displayName: 'Late' }, `link ${code}`)).not.toMatch(/^Linked/);
    expect(await Identity.countDocuments({ refId: owner })).toBe(2);
  });
});
