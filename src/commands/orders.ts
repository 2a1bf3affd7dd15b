/** Orders: record one, move its status, list them (a customer's for staff, one's own for customers). */
import { z } from 'zod';
import { ORDER_STATUSES } from '../../models/order.js';
import { EVERYONE, SELLERS, STAFF, staffCommand, type Command, type CommandContext, type CustomerContext } from '../core/command.js';
import { formatMoney, parseMoney } from '../values/money.js';
import { text, type Button, type Reply } from '../core/types.js';
import { ValidationError } from '../errors.js';
import { resolveCustomer } from '../services/contacts.js';
import { listOrders, NEXT_STATUSES, recordOrder, setOrderStatus } from '../services/orders.js';
import { orderIdOf } from '../values/refs.js';
import { takeCustomerRef } from './args.js';
import { orderLine } from '../views/customers.js';
import { check } from './validate.js';

/** "2x áo dài, khăn lụa" → items. */
export function parseItems(textLine: string): { name: string; qty: number }[] {
  return textLine
    .split(/[,;]/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^(\d{1,4})\s*[x×*]\s*(.+)$/i.exec(s) ?? /^(.+?)\s*[x×*]\s*(\d{1,4})$/i.exec(s);
      if (m && /^\d+$/.test(m[1]!)) return { qty: Number(m[1]), name: m[2]!.trim() };
      if (m && /^\d+$/.test(m[2]!)) return { qty: Number(m[2]), name: m[1]!.trim() };
      return { qty: 1, name: s };
    });
}

/** Buttons for the statuses an order may move to next. */
export function statusButtons(orderId: string, status: keyof typeof NEXT_STATUSES, ctx: CommandContext): Button[][] {
  const next = NEXT_STATUSES[status];
  return next.length ? [next.map((s) => ({ label: ctx.msg.statusButton(s), action: `order status ${orderId} ${s}` }))] : [];
}

export const order = staffCommand({
  name: 'order',
  usage: 'order <customer> <amount> [items]',
  summary: 'order',
  examples: ['order C12 350k 2x áo dài, khăn lụa', 'order +84912345678 19.99 EUR gift card'],
  allow: SELLERS,
  async run(ctx) {
    const { ref, rest } = takeCustomerRef(ctx.args, ctx.region);
    const words = rest.split(/\s+/).filter(Boolean);
    // The amount is the first word, plus a currency code or k/m suffix word if one follows.
    let amountText = words[0] ?? '';
    let itemsStart = 1;
    if (words[1] && /^[A-Za-z]{3}$/.test(words[1]) && parseMoney(`${amountText} ${words[1]}`, 'XXX')?.currency === words[1].toUpperCase()) {
      amountText = `${amountText} ${words[1]}`;
      itemsStart = 2;
    }
    const args = check(
      z.object({ ref: z.string().min(1, 'say which customer'), amount: z.string().min(1, 'give the amount, e.g. 350k') }),
      { ref, amount: amountText },
    );
    const amount = parseMoney(args.amount, ctx.deps.config.BASE_CURRENCY);
    if (!amount) throw new ValidationError('amount', ctx.msg.badAmount(args.amount));
    const items = parseItems(words.slice(itemsStart).join(' '));
    const c = await resolveCustomer(args.ref, ctx.region);
    const o = await recordOrder({ customerId: c._id, amount, items, at: ctx.deps.now() }, ctx.by);
    return [
      text(
        ctx.msg.orderRecorded(o._id, c._id, c.name || ctx.msg.noName(), formatMoney(amount.minor, amount.currency)),
        statusButtons(o._id, 'new', ctx),
      ),
    ];
  },
});

export const orderStatus = staffCommand({
  name: 'order status',
  aliases: ['status'],
  usage: `order status <O7> <${ORDER_STATUSES.join('|')}>`,
  summary: 'orderStatus',
  examples: ['order status O7 paid', 'order status 7 shipped'],
  allow: STAFF,
  async run(ctx) {
    const [ref = '', status = ''] = ctx.args.split(/\s+/);
    const args = check(
      z.object({
        id: z.string({ error: 'say which order, e.g. O7' }),
        status: z.enum(ORDER_STATUSES, { error: `status must be one of ${ORDER_STATUSES.join(', ')}` }),
      }),
      { id: orderIdOf(ref), status: status.toLowerCase() },
    );
    const { order: o, from } = await setOrderStatus(args.id, args.status, ctx.by, ctx.deps.now());
    if (from === o.status) return [text(ctx.msg.orderStatusSame(args.id, args.status))];
    return [text(ctx.msg.orderStatusChanged(o._id, from, o.status), statusButtons(o._id, o.status, ctx))];
  },
});

export const orders: Command = {
  name: 'orders',
  usage: 'orders <customer>   (customers: just "orders")',
  summary: 'orders',
  examples: ['orders C12'],
  allow: EVERYONE,
  async run(ctx): Promise<Reply[]> {
    // Customers see only their own orders, whatever they typed after the command.
    if (!ctx.staff) return myOrders(ctx);
    const { ref } = check(z.object({ ref: z.string().min(1, 'say which customer') }), { ref: ctx.args.trim() });
    const c = await resolveCustomer(ref, ctx.region);
    const list = await listOrders(c._id, 20);
    const who = `${c._id} ${c.name || ctx.msg.noName()}`;
    if (list.length === 0) return [text(ctx.msg.ordersNone(who))];
    return [text([ctx.msg.ordersTitle(who), ...list.map((o) => orderLine(o, ctx.msg, ctx.zone))].join('\n'))];
  },
};

/** A customer's own orders (none yet for someone we have no record of), in the shop's time zone. */
async function myOrders(ctx: CustomerContext): Promise<Reply[]> {
  if (ctx.actor.kind !== 'customer') return [text(ctx.msg.myOrdersNone())];
  const mine = await listOrders(ctx.actor.customerId, 10);
  if (mine.length === 0) return [text(ctx.msg.myOrdersNone())];
  return [text([ctx.msg.myOrdersTitle(), ...mine.map((o) => orderLine(o, ctx.msg, ctx.zone))].join('\n'))];
}
