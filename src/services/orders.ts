/**
 * Orders and the customer's running totals. Recording an order writes the
 * order, then bumps the customer's totals with `$inc`/`$max`/`$min`; a
 * cancellation takes its amount back. If a crash or a failure falls between the two
 * writes, {@link rebuildTotals} (services/totals.ts) restores the truth from orders.
 * Recording is keyed by an operation id (see {@link recordOrder}), so a retried
 * command finds its order instead of booking another.
 *
 * @example
 *   await recordOrder({ customerId: 'C12', amount: { minor: 350000, currency: 'VND' }, items: [{ name: 'Áo dài', qty: 1 }] }, 'staff:s_1');
 */
import { Customer } from '../../models/customer.js';
import { Order, ORDER_STATUSES, type OrderDoc, type OrderStatus } from '../../models/order.js';
import { OrderTransition, transitionId, type OrderTransitionDoc } from '../../models/order-transition.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Money } from '../values/money.js';
import { isDuplicateKey, reserveNumbers, retryBusy } from '../db/writes.js';
import { audit } from './audit.js';
import { getCustomer } from './contacts.js';
import { claimStep, nextOperationId, noteKeyedWrite, reportFailedStep, reserveOperation } from './deliveries.js';
import { monthIncrements } from './order-months.js';
import { latestOrders, pushRecent } from './recent.js';
import { refreshCustomerSegment } from './segments/state.js';
import { orderIdFor, staffIdOf } from '../values/refs.js';
import { countSale } from './digest/sales-counters.js';

export interface OrderInput {
  customerId: string;
  amount: Money;
  items: { name: string; qty: number; unitMinor?: number }[];
  at?: Date;
  /** Makes the call idempotent: the same id again returns the same order (defaults to the delivery run's next one). */
  operationId?: string;
}

/** Which status may follow which: forward along the path, or cancelled before delivery. */
export const NEXT_STATUSES: Record<OrderStatus, readonly OrderStatus[]> = {
  new: ['paid', 'shipped', 'cancelled'],
  paid: ['shipped', 'delivered', 'cancelled'],
  shipped: ['delivered', 'cancelled'],
  delivered: [],
  cancelled: [],
};

/**
 * Records an order for an existing customer, then adds it to their totals and recent orders in one
 * `_id` write. Over one connection (FerretDB) or on MongoDB, `$inc` is atomic, so two hundred
 * orders at once add up to exactly two hundred.
 *
 * Keyed by an operation id — `input.operationId`, or the one the delivery being run hands out
 * (`op:<deliveryId>#1`, src/services/deliveries.ts) — the order's number is reserved under it
 * before the order is written, and adding to the totals is claimed under it: called again with the
 * same operation id (a re-delivered update, a retry after a failure) it returns the same order and
 * counts it once. Without one (jobs, scripts, tests) every call books a new order.
 *
 * Once the order is stored it stands: a later step that fails (the totals) is logged by the
 * delivery run and the order returned, so the person is told it was saved (`totals rebuild`
 * repairs the totals); outside a delivery run the failure is thrown, as before.
 */
export async function recordOrder(input: OrderInput, by: string): Promise<OrderDoc> {
  const customer = await getCustomer(input.customerId);
  if (customer.status !== 'active') throw new ValidationError('customer', { code: 'CUSTOMER_ERASED' });
  const operationId = input.operationId ?? nextOperationId();
  const newId = async () => orderIdFor((await retryBusy(() => reserveNumbers('order')))[0]!);
  const { id, first } = operationId ? await reserveOperation(operationId, newId) : { id: await newId(), first: true };
  noteKeyedWrite(id, false);
  const earlier = first ? null : await Order.findById(id).lean<OrderDoc>();
  const at = input.at ?? new Date();
  const order =
    earlier ??
    (await insertOrder({
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
    }));
  noteKeyedWrite(id, true);
  if (!operationId || (await claimStep(operationId, 'totals'))) {
    try {
      await addToTotals(order);
      await countSale({ ownerId: customer.ownerId ?? staffIdOf(by), amountMinor: order.amountMinor, currency: order.currency, at: new Date(order.createdAt) }, 1); // the digest's per-salesperson week
    } catch (error) {
      if (!reportFailedStep('order totals', id, error)) throw error;
    }
  }
  try {
    await refreshCustomerSegment(order.customerId, at); // `segments` shows the buyer as a buyer now, not after the nightly recompute
  } catch (error) {
    if (!reportFailedStep('order segment', id, error)) throw error;
  }
  return order;
}

/** An order as first written. */
interface NewOrder {
  _id: string;
  customerId: string;
  items: OrderInput['items'];
  amountMinor: number;
  currency: string;
  status: OrderStatus;
  history: { status: OrderStatus; at: Date; by: string }[];
  createdBy: string;
  counted: boolean;
  createdAt: Date;
}

/**
 * Inserts an order whose number is reserved. When the insert fails, the database is asked: the
 * same order already there — a racing run of the same operation, or an insert that landed before
 * the error (a lost reply) — is ours; anything else (nothing there, or another order holding the
 * number) is thrown.
 */
async function insertOrder(doc: NewOrder): Promise<OrderDoc> {
  try {
    return (await retryBusy(() => Order.create(doc))).toObject<OrderDoc>();
  } catch (error) {
    const there = await Order.findById(doc._id)
      .lean<OrderDoc>()
      .catch(() => null);
    const same = there && there.customerId === doc.customerId && there.amountMinor === doc.amountMinor && there.currency === doc.currency;
    if (same) return there;
    throw error;
  }
}

/** Adds a stored order to its customer's totals, month buckets and recent orders (one `_id` write, two when trimming). */
async function addToTotals(order: OrderDoc): Promise<void> {
  const at = new Date(order.createdAt);
  await pushRecent(order.customerId, 'recentOrderIds', order._id, {
    $inc: {
      'totals.orders': 1,
      [`totals.revenue.${order.currency}`]: order.amountMinor,
      ...monthIncrements(at, order.currency, 1, order.amountMinor),
    },
    $max: { 'totals.lastOrderAt': at },
    $min: { 'totals.firstOrderAt': at },
  });
}

/**
 * Moves an order to a new status along {@link NEXT_STATUSES}; `from` equals the order's status
 * when there was nothing to do (it already had that status). The change is claimed first by a
 * unique insert ({@link OrderTransition}), so of many concurrent changes from the same status
 * exactly one wins and the totals move exactly once; the others are told it changed meanwhile.
 * Cancelling takes the amount out of the customer's totals, and its date out of their first/last
 * order dates. A claim left unapplied by a crash is applied by the next attempt.
 */
export async function setOrderStatus(orderId: string, status: string, by: string, at: Date = new Date()): Promise<{ order: OrderDoc; from: OrderStatus }> {
  if (!ORDER_STATUSES.includes(status as OrderStatus)) {
    throw new ValidationError('status', { code: 'ORDER_STATUS_UNKNOWN', params: { statuses: ORDER_STATUSES } });
  }
  const to = status as OrderStatus;
  let order = await getOrder(orderId);
  for (let attempt = 0; attempt < 3; attempt++) {
    const from = order.status;
    if (from === to) return { order, from };
    if (!NEXT_STATUSES[from].includes(to)) {
      throw new ValidationError('status', { code: 'ORDER_STATUS_NOT_ALLOWED', params: { ref: orderId, from, next: NEXT_STATUSES[from] } });
    }
    const claim: OrderTransitionDoc = { _id: transitionId(orderId, order.history.length), orderId, from, to, at, by };
    try {
      await OrderTransition.create(claim);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      // Someone else changed it from this status. If their change was never applied (a crash), apply it now.
      const theirs = await OrderTransition.findById(claim._id).lean<OrderTransitionDoc>();
      order = await getOrder(orderId);
      if (theirs && order.history.length === Number(claim._id.split('#')[1])) order = await applyTransition(order, theirs);
      if (order.status === to) return { order, from: to }; // someone did the same just now: it is done, once
      continue;
    }
    const updated = await applyTransition(order, claim);
    // The totals moved: so does the segment (a failure is logged like a failed totals step; the cancellation stands).
    if (to === 'cancelled') await refreshCustomerSegment(updated.customerId, at).catch((error: unknown) => {
      if (!reportFailedStep('order segment', orderId, error)) throw error;
    });
    await audit(by, 'order.status', `order:${orderId}`, { from, to });
    return { order: updated, from };
  }
  throw new ValidationError('status', { code: 'ORDER_CHANGED_MEANWHILE', params: { ref: orderId } });
}

/** Applies a won claim: the order's status and history, then (for a cancellation) the totals. */
async function applyTransition(order: OrderDoc, claim: OrderTransitionDoc): Promise<OrderDoc> {
  const to = claim.to as OrderStatus;
  const cancelling = to === 'cancelled' && order.counted;
  await Order.updateOne(
    { _id: order._id },
    { $set: { status: to, ...(cancelling ? { counted: false } : {}) }, $push: { history: { status: to, at: claim.at, by: claim.by } } },
  );
  if (cancelling) {
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
    const owner = await Customer.findById(order.customerId, { ownerId: 1 }).lean<{ ownerId?: string }>();
    await countSale({ ownerId: owner?.ownerId ?? staffIdOf(order.createdBy ?? ''), amountMinor: order.amountMinor, currency: order.currency, at: new Date(order.createdAt) }, -1);
  }
  return getOrder(order._id);
}

/**
 * After a cancellation: a first/last order date that was the cancelled order's moves to the
 * nearest order still counted (or goes), as {@link rebuildTotals} would compute it, looking only
 * at the customer's recent orders (bounded `_id` reads). When the answer lies beyond them (more
 * than RECENT_LIMIT orders and the first one cancelled) the date is left as is for the nightly
 * totals rebuild. Each write is conditional on the date still being the cancelled order's.
 */
async function retractOrderDates(customerId: string, at: Date): Promise<void> {
  const customer = await getCustomer(customerId);
  const counted = (await latestOrders(customer, Number.MAX_SAFE_INTEGER)).filter((o) => o.status !== 'cancelled');
  const seesAll = (customer.totals?.orders ?? 0) <= counted.length;
  const times = counted.map((o) => new Date(o.createdAt).getTime());
  const latest = times.length ? new Date(Math.max(...times)) : undefined;
  const earliest = seesAll && times.length ? new Date(Math.min(...times)) : undefined;
  const moves: [string, Date | undefined, boolean][] = [
    ['lastOrderAt', latest, times.length > 0 || seesAll],
    ['firstOrderAt', earliest, seesAll],
  ];
  for (const [field, to, known] of moves) {
    const path = `totals.${field}`;
    const current = (customer.totals as Record<string, unknown> | undefined)?.[field];
    if (!known || !(current instanceof Date) || current.getTime() !== at.getTime()) continue;
    await Customer.updateOne({ _id: customerId }, to ? { $set: { [path]: to } } : { $unset: { [path]: '' } });
  }
}

/** A customer's latest orders (at most RECENT_LIMIT), newest first, by `_id`. */
export async function listOrders(customerId: string, limit = 10): Promise<OrderDoc[]> {
  return latestOrders(await getCustomer(customerId), limit);
}

/** One order, or NotFoundError. */
export async function getOrder(orderId: string): Promise<OrderDoc> {
  const order = await Order.findById(orderId).lean<OrderDoc>();
  if (!order) throw new NotFoundError({ code: 'ORDER_NOT_FOUND', params: { ref: orderId } });
  return order;
}
