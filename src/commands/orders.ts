/**
 * Orders: record one, move its status, list them (a customer's for staff, one's own for customers).
 * Amounts are read by src/values/money.ts (`350k`, `1tr2`, `2 triệu`, `350.000`, `19.99 EUR`); an amount
 * above the shop's ceiling or suspiciously small is asked about before it is recorded.
 */
import { z } from 'zod';
import { ORDER_STATUSES, type OrderDoc, type OrderStatus } from '../../models/order.js';
import { EVERYONE, SELLERS, STAFF, staffCommand, type Command, type CommandContext, type CustomerContext, type StaffContext } from '../core/command.js';
import { formatMoney, minorDigits, smallestLikelyMinor, takeMoney, type Money } from '../values/money.js';
import { foldName } from '../values/names.js';
import { messagesFor } from '../core/messages.js';
import { text, type Button, type Reply } from '../core/types.js';
import { resolveCustomer } from '../services/contacts.js';
import { listOrders, NEXT_STATUSES, recordOrder, setOrderStatus } from '../services/orders.js';
import { notifyOrderUpdate, type OrderEvent } from '../services/conversations.js';
import { reportFailedStep } from '../services/deliveries.js';
import { orderIdOf } from '../values/refs.js';
import { takeCustomerRef } from './args.js';
import { orderLine } from '../views/customers.js';
import { check } from './validate.js';

/** Usage lines come from the catalogue (the reader's are shown by the core: `usageOf`); these are the English ones. */
const usages = messagesFor('en').usages;

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
  aliases: ['đơn'],
  usage: usages.order,
  summary: 'order',
  examples: ['order C12 350k 2x áo dài, khăn lụa', 'order C12 1tr2 đầm', 'order +84912345678 19.99 EUR gift card'],
  allow: SELLERS,
  async run(ctx) {
    const { ref, rest } = takeCustomerRef(ctx.args, ctx.region);
    const { line, confirmed } = takeConfirmFlag(rest);
    const args = check(
      z.object({ ref: z.string().min(1, ctx.msg.commandArgs.whichCustomer()), amount: z.string().min(1, ctx.msg.commandArgs.amountMissing()) }),
      { ref, amount: line },
    );
    // Every word of the amount is read as the amount (or refused): none ends up as an item.
    const { money: amount, text: amountText, rest: itemsText } = takeMoney(args.amount, ctx.deps.config.BASE_CURRENCY);
    const items = parseItems(itemsText);
    const c = await resolveCustomer(args.ref, ctx.region);
    if (!confirmed) {
      const question = amountQuestion(ctx, amount, { customerId: c._id, name: c.name || ctx.msg.noName(), amountText, itemsText });
      if (question) return [question];
    }
    const o = await recordOrder({ customerId: c._id, amount, items, at: ctx.deps.now() }, ctx.by);
    await tellCustomer(ctx, o, 'created');
    return [
      text(
        ctx.msg.orderRecorded(o._id, c._id, c.name || ctx.msg.noName(), formatMoney(amount.minor, amount.currency)),
        statusButtons(o._id, 'new', ctx),
      ),
    ];
  },
});

/** `--confirm` (or `—confirm`, as phones autocorrect it) anywhere in the line: the person has seen the amount question. */
function takeConfirmFlag(line: string): { line: string; confirmed: boolean } {
  const words = line.split(/\s+/).filter(Boolean);
  const kept = words.filter((w) => !/^(?:--|—|–)confirm$/i.test(w));
  return { line: kept.join(' '), confirmed: kept.length < words.length };
}

/**
 * The question asked instead of recording an amount that is more likely a slip than a sale:
 * above the shop's ceiling (`ORDER_AMOUNT_CONFIRM_ABOVE`, in the base currency), or so small
 * it probably lacks its "k" (`order C3 500 đầm`). The buttons send the order again, confirmed.
 */
function amountQuestion(
  ctx: StaffContext,
  amount: Money,
  order: { customerId: string; name: string; amountText: string; itemsText: string },
): Reply | undefined {
  const again = (amountText: string, confirm: boolean) =>
    ['order', order.customerId, amountText, order.itemsText, confirm ? '--confirm' : ''].filter(Boolean).join(' ');
  const shown = formatMoney(amount.minor, amount.currency);
  const base = ctx.deps.config.BASE_CURRENCY;
  const ceiling = ctx.deps.config.ORDER_AMOUNT_CONFIRM_ABOVE * 10 ** minorDigits(base);
  if (amount.currency === base && amount.minor > ceiling) {
    const limit = formatMoney(ceiling, base);
    return text(ctx.msg.errors.orderAmountConfirmLarge({ amount: shown, limit, ref: order.customerId, name: order.name }), [
      [{ label: `✓ ${ctx.msg.format.money(amount.minor, amount.currency)}`, action: again(order.amountText, true) }],
    ]);
  }
  const smallest = smallestLikelyMinor(amount.currency);
  if (smallest !== undefined && amount.minor < smallest) {
    const meant = amount.minor * 1000;
    const meantText = `${meant / 10 ** minorDigits(amount.currency)} ${amount.currency}`;
    const suggestion = formatMoney(meant, amount.currency);
    return text(
      ctx.msg.errors.orderAmountConfirmSmall({ amount: shown, limit: formatMoney(smallest, amount.currency), suggestion, ref: order.customerId, name: order.name }),
      [
        [
          // Button labels are not catalogue texts, so they are formatted for the reader here.
          { label: ctx.msg.format.money(meant, amount.currency), action: again(meantText, false) },
          { label: ctx.msg.format.money(amount.minor, amount.currency), action: again(order.amountText, true) },
        ],
      ],
    );
  }
  return undefined;
}

/**
 * Status words as staff type them, folded (no diacritics, lower case): English names and the
 * Vietnamese ones — `đã giao`, `da giao` (delivered), `đã thanh toán` (paid), `đang giao`
 * (shipped), `hủy`/`huỷ`/`hủy đơn` (cancelled). Anything else is left for the usage error.
 */
const STATUS_WORDS: Record<string, OrderStatus> = {
  new: 'new', moi: 'new', 'don moi': 'new',
  paid: 'paid', 'da thanh toan': 'paid', 'thanh toan': 'paid', 'da tra tien': 'paid', 'da chuyen khoan': 'paid', 'da ck': 'paid',
  shipped: 'shipped', 'dang giao': 'shipped', 'dang giao hang': 'shipped', 'da gui': 'shipped', 'da gui hang': 'shipped', 'dang ship': 'shipped', 'da ship': 'shipped',
  delivered: 'delivered', 'da giao': 'delivered', 'da giao hang': 'delivered', 'giao xong': 'delivered', 'da nhan': 'delivered', 'da nhan hang': 'delivered', 'giao thanh cong': 'delivered',
  cancelled: 'cancelled', canceled: 'cancelled', cancel: 'cancelled', huy: 'cancelled', 'huy don': 'cancelled', 'huy don hang': 'cancelled', 'da huy': 'cancelled', 'da huy don': 'cancelled',
};

/** The status meant by `words` (`đã giao` → `delivered`), or the words as typed when they name none. */
export function orderStatusOf(words: string): string {
  const folded = foldName(words);
  return STATUS_WORDS[folded] ?? words.trim().toLowerCase();
}

/** Splits `shipped VN123456` / `đã thanh toán` into the status words and the rest (tracking). */
function splitStatus(words: string[]): { status: string[]; rest: string } {
  for (let n = Math.min(3, words.length); n >= 1; n--) {
    const candidate = words.slice(0, n);
    if ((ORDER_STATUSES as readonly string[]).includes(orderStatusOf(candidate.join(' ')))) return { status: candidate, rest: words.slice(n).join(' ') };
  }
  return { status: words, rest: '' };
}

/**
 * Tells the customer about their order (created, paid, shipped with tracking, delivered,
 * cancelled) once per order and event, when they have a chat with the bot and have not said
 * `stop`. The order stands whatever happens here: a failure is reported, not thrown.
 */
async function tellCustomer(ctx: StaffContext, order: OrderDoc, event: OrderEvent, tracking?: string): Promise<void> {
  try {
    await notifyOrderUpdate(order, event, { notifier: ctx.deps.notifier, now: ctx.deps.now(), tracking, by: ctx.by });
  } catch (error) {
    if (!reportFailedStep('order update to the customer', order._id, error)) ctx.deps.log.warn({ err: error, orderId: order._id }, 'order update to the customer failed');
  }
}

export const orderStatus = staffCommand({
  name: 'order status',
  aliases: ['status'],
  usage: usages['order status'],
  summary: 'orderStatus',
  examples: ['order status O7 paid', 'order status 7 shipped', 'order status O7 đã giao'],
  allow: STAFF,
  async run(ctx) {
    const [ref = '', ...words] = ctx.args.trim().split(/\s+/);
    // The status is the longest run of leading words that reads as one ("đã thanh toán"); what
    // follows is a tracking text for the customer (`order status O7 shipped VN123456`).
    const split = splitStatus(words);
    const tracking = split.rest || undefined;
    const statusWords = split.status;
    const args = check(
      z.object({
        id: z.string({ error: ctx.msg.commandArgs.whichOrder() }),
        status: z.enum(ORDER_STATUSES, { error: ctx.msg.commandArgs.orderStatusOneOf(ORDER_STATUSES.join(', ')) }),
      }),
      { id: orderIdOf(ref), status: orderStatusOf(statusWords.join(' ')) },
    );
    const { order: o, from } = await setOrderStatus(args.id, args.status, ctx.by, ctx.deps.now());
    if (from === o.status) return [text(ctx.msg.orderStatusSame(args.id, args.status))];
    await tellCustomer(ctx, o, o.status as OrderEvent, tracking);
    return [text(ctx.msg.orderStatusChanged(o._id, from, o.status), statusButtons(o._id, o.status, ctx))];
  },
});

export const orders: Command = {
  name: 'orders',
  usage: usages.orders,
  summary: 'orders',
  examples: ['orders C12'],
  allow: EVERYONE,
  async run(ctx): Promise<Reply[]> {
    // Customers see only their own orders, whatever they typed after the command.
    if (!ctx.staff) return myOrders(ctx);
    const { ref } = check(z.object({ ref: z.string().min(1, ctx.msg.commandArgs.whichCustomer()) }), { ref: ctx.args.trim() });
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
