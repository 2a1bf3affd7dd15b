/**
 * Orders and the customer's running totals. Recording an order writes the
 * order, then bumps the customer's totals with `$inc`/`$max`/`$min`; a
 * cancellation takes its amount back. If a crash falls between the two
 * writes, {@link rebuildTotals} (services/totals.ts) restores the truth from orders.
 *
 * @example
 *   await recordOrder({ customerId: 12, amount: { minor: 350000, currency: 'VND' }, items: [{ name: 'Áo dài', qty: 1 }] }, 'staff:s_1');
 */
import { Customer } from '../../models/customer.js';
import { Order, ORDER_STATUSES, type OrderDoc, type OrderStatus } from '../../models/order.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Money } from '../core/money.js';
import { audit } from './audit.js';
import { getCustomer } from './contacts.js';
import { formatOrderRef } from './refs.js';
import { monthIncrements } from './order-months.js';
import { nextNumber } from './sequence.js';

export interface OrderInput {
  customerId: number;
  amount: Money;
  items: { name: string; qty: number; unitMinor?: number }[];
  at?: Date;
}

/** Which status may follow which: forward along the path, or cancelled before delivery. */
export const NEXT_STATUSES: Record<OrderStatus, readonly OrderStatus[]> = {
  new: ['paid', 'shipped', 'cancelled'],
  paid: ['shipped', 'delivered', 'cancelled'],
  shipped: ['delivered', 'cancelled'],
  delivered: [],
  cancelled: [],
};

/** Records an order for an existing customer and updates their totals. */
export async function recordOrder(input: OrderInput, by: string): Promise<OrderDoc> {
  const customer = await getCustomer(input.customerId);
  if (customer.status !== 'active') throw new ValidationError('customer', 'this customer’s data was erased; orders cannot be added');
  const at = input.at ?? new Date();
  const id = await nextNumber('order');
  const order = await Order.create({
    _id: id,
    customerId: customer._id,
    items: input.items,
    amountMinor: input.amount.minor,
    currency: input.amount.currency,
    status: 'new',
    history: [{ status: 'new', at, by }],
    createdBy: by,
    counted: true,
    createdAt: at,
  });
  await Customer.updateOne(
    { _id: customer._id },
    {
      $inc: {
        'totals.orders': 1,
        [`totals.revenue.${input.amount.currency}`]: input.amount.minor,
        ...monthIncrements(at, input.amount.currency, 1, input.amount.minor),
      },
      $max: { 'totals.lastOrderAt': at },
      $min: { 'totals.firstOrderAt': at },
    },
  );
  return order.toObject<OrderDoc>();
}

/**
 * Moves an order to a new status along {@link NEXT_STATUSES}. Cancelling
 * takes the amount out of the customer's totals (once: guarded by `counted`),
 * and its date out of their first/last order dates.
 */
export async function setOrderStatus(orderId: number, status: string, by: string, at: Date = new Date()): Promise<{ order: OrderDoc; from: OrderStatus }> {
  if (!ORDER_STATUSES.includes(status as OrderStatus)) {
    throw new ValidationError('status', `must be one of ${ORDER_STATUSES.join(', ')}`);
  }
  const to = status as OrderStatus;
  const order = await Order.findById(orderId).lean<OrderDoc>();
  if (!order) throw new NotFoundError('order', formatOrderRef(orderId));
  const from = order.status;
  if (from === to) return { order, from };
  if (!NEXT_STATUSES[from].includes(to)) {
    throw new ValidationError('status', `${formatOrderRef(orderId)} is ${from}; it can go to ${NEXT_STATUSES[from].join(', ') || 'no other status'}`);
  }
  // Conditional on the status we read, so two people changing it at once cannot both win.
  const updated = await Order.findOneAndUpdate(
    { _id: orderId, status: from },
    { $set: { status: to }, $push: { history: { status: to, at, by } } },
    { returnDocument: 'after' },
  ).lean<OrderDoc>();
  if (!updated) throw new ValidationError('status', `${formatOrderRef(orderId)} was changed by someone else just now; look again`);
  if (to === 'cancelled') {
    const uncounted = await Order.updateOne({ _id: orderId, counted: true }, { $set: { counted: false } });
    if (uncounted.modifiedCount === 1) {
      await Customer.updateOne(
        { _id: order.customerId },
        {
          $inc: {
            'totals.orders': -1,
            [`totals.revenue.${order.currency}`]: -order.amountMinor,
            ...monthIncrements(order.createdAt, order.currency, -1, -order.amountMinor),
          },
        },
      );
      await retractOrderDates(order.customerId, order.createdAt);
    }
  }
  await audit(by, 'order.status', `order:${orderId}`, { from, to });
  return { order: updated, from };
}

/**
 * After a cancellation: a first/last order date that was the cancelled order's moves to the
 * nearest order still counted (or goes), as {@link rebuildTotals} would compute it. Each write
 * is conditional on the date still being the cancelled order's, so an order recorded meanwhile
 * (its `$max`/`$min`) is never overwritten.
 */
async function retractOrderDates(customerId: number, at: Date): Promise<void> {
  const counted = { customerId, status: { $ne: 'cancelled' as const } };
  const [latest, earliest] = await Promise.all([
    Order.findOne(counted, { createdAt: 1 }).sort({ createdAt: -1 }).lean<OrderDoc>(),
    Order.findOne(counted, { createdAt: 1 }).sort({ createdAt: 1 }).lean<OrderDoc>(),
  ]);
  for (const [field, to] of [['lastOrderAt', latest?.createdAt], ['firstOrderAt', earliest?.createdAt]] as const) {
    const path = `totals.${field}`;
    await Customer.updateOne({ _id: customerId, [path]: at }, to ? { $set: { [path]: to } } : { $unset: { [path]: '' } });
  }
}

/** A customer's orders, newest first. */
export async function listOrders(customerId: number, limit = 10): Promise<OrderDoc[]> {
  return Order.find({ customerId }).sort({ createdAt: -1 }).limit(limit).lean<OrderDoc[]>();
}

/** One order, or NotFoundError. */
export async function getOrder(orderId: number): Promise<OrderDoc> {
  const order = await Order.findById(orderId).lean<OrderDoc>();
  if (!order) throw new NotFoundError('order', formatOrderRef(orderId));
  return order;
}
