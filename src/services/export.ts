/**
 * Exports: every customer and every order as CSV (for managers, and for the
 * `export` script), and one customer's own data (`mydata`).
 *
 * CSV exports stream: one cursor with a projection into csv-stringify into
 * the destination, with back-pressure, so memory stays flat however many
 * customers there are. Amounts are written in major units with their
 * currency ("350000" VND, "19.99" EUR); times in UTC, ISO 8601.
 *
 * @example
 *   await writeCustomersCsv(createWriteStream('customers.csv'));
 *   const { customers, orders } = await exportAllCsv(); // Buffers, for chat replies
 */
import { PassThrough, Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { Customer, type CustomerDoc } from '../../models/customer.js';
import { Identity } from '../../models/identity.js';
import { Interaction } from '../../models/interaction.js';
import { Order } from '../../models/order.js';
import { Staff } from '../../models/staff.js';
import { minorDigits } from '../values/money.js';
import { getCustomer } from './contacts.js';

export const CUSTOMER_COLUMNS = [
  'customer', 'name', 'phones', 'emails', 'tags', 'owner', 'source', 'promotions_consent', 'status', 'merged_into',
  'orders', 'revenue', 'first_order_at', 'last_order_at', 'created_at',
] as const;
export const ORDER_COLUMNS = ['order', 'customer', 'created_at', 'status', 'amount', 'currency', 'items'] as const;

/** Minor units → a plain decimal string in major units: 1999 EUR → "19.99", 350000 VND → "350000". */
export function majorUnits(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  return (minor / 10 ** digits).toFixed(digits);
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : '');
const list = (values: readonly string[] | null | undefined) => (values ?? []).join('; ');

/** Streams every customer (all statuses; the `status` column tells them apart) as CSV into `out`. */
export async function writeCustomersCsv(out: Writable): Promise<number> {
  const staffNames = new Map((await Staff.find({}, { name: 1 }).lean()).map((s) => [s._id, s.name] as const));
  let count = 0;
  async function* rows() {
    const cursor = Customer.find({}).sort({ _id: 1 }).lean<CustomerDoc[]>().cursor({ batchSize: 1000 });
    for await (const c of cursor as AsyncIterable<CustomerDoc>) {
      count++;
      const revenue = Object.entries((c.totals?.revenue ?? {}) as Record<string, number>)
        .filter(([, v]) => v)
        .map(([cur, v]) => `${majorUnits(v, cur)} ${cur}`);
      yield [
        c._id, c.name ?? '', list(c.phones), list(c.emails), list(c.tags),
        c.ownerId ? (staffNames.get(c.ownerId) ?? c.ownerId) : '', c.source ?? '',
        c.consent?.changedAt ? (c.consent.promotions ? 'yes' : 'no') : '',
        c.status ?? 'active', c.mergedInto ? c.mergedInto : '',
        String(c.totals?.orders ?? 0), revenue.join('; '), iso(c.totals?.firstOrderAt), iso(c.totals?.lastOrderAt), iso(c.createdAt),
      ];
    }
  }
  await pipeline(Readable.from(rows()), stringify({ header: true, columns: [...CUSTOMER_COLUMNS] }), out);
  return count;
}

/** Streams every order as CSV into `out`. */
export async function writeOrdersCsv(out: Writable): Promise<number> {
  let count = 0;
  async function* rows() {
    const cursor = Order.find({}, { customerId: 1, createdAt: 1, status: 1, amountMinor: 1, currency: 1, items: 1 }).sort({ _id: 1 }).lean().cursor({ batchSize: 1000 });
    for await (const o of cursor) {
      count++;
      const items = (o.items ?? []).map((i) => `${i.qty ?? 1}× ${i.name ?? ''}`).join('; ');
      yield [o._id, o.customerId, iso(o.createdAt), o.status, majorUnits(o.amountMinor, o.currency), o.currency, items];
    }
  }
  await pipeline(Readable.from(rows()), stringify({ header: true, columns: [...ORDER_COLUMNS] }), out);
  return count;
}

/** Collects a stream writer into a Buffer (chat replies carry files as bytes). */
async function toBuffer(write: (out: Writable) => Promise<number>): Promise<{ data: Buffer; count: number }> {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (chunk: Buffer) => chunks.push(chunk));
  const count = await write(sink);
  return { data: Buffer.concat(chunks), count };
}

/** Both exports as Buffers, for the `export` chat command. */
export async function exportAllCsv(): Promise<{ customers: { data: Buffer; count: number }; orders: { data: Buffer; count: number } }> {
  return { customers: await toBuffer(writeCustomersCsv), orders: await toBuffer(writeOrdersCsv) };
}

/** What `mydata` returns: the customer's own profile, orders, messages and linked accounts. */
export interface PersonalData {
  exportedAt: string;
  customer: {
    ref: string;
    name: string;
    phones: string[];
    emails: string[];
    tags: string[];
    promotions: boolean;
    consentChangedAt: string | null;
    since: string | null;
    totals: { orders: number; revenue: Record<string, string> };
  };
  orders: { ref: string; createdAt: string; status: string; amount: string; currency: string; items: { name: string; qty: number }[] }[];
  interactions: { at: string; kind: string; text: string }[];
  accounts: { platform: string; displayName: string }[];
}

/**
 * Everything stored about one customer, for their own eyes. Staff ids and
 * other people's data are left out; staff notes about them are included
 * (the right of access covers them).
 */
export async function personalData(customerId: string, now: Date = new Date()): Promise<PersonalData> {
  const c = await getCustomer(customerId);
  const [orders, interactions, identities] = await Promise.all([
    Order.find({ customerId: c._id }).sort({ createdAt: 1 }).lean(),
    Interaction.find({ customerId: c._id }).sort({ at: 1 }).lean(),
    Identity.find({ kind: 'customer', refId: c._id }, { platform: 1, displayName: 1 }).lean(),
  ]);
  const revenue = Object.fromEntries(
    Object.entries((c.totals?.revenue ?? {}) as Record<string, number>).map(([cur, v]) => [cur, majorUnits(v, cur)]),
  );
  return {
    exportedAt: now.toISOString(),
    customer: {
      ref: c._id,
      name: c.name,
      phones: c.phones,
      emails: c.emails,
      tags: c.tags,
      promotions: Boolean(c.consent?.promotions),
      consentChangedAt: c.consent?.changedAt ? c.consent.changedAt.toISOString() : null,
      since: c.createdAt ? (c.createdAt).toISOString() : null,
      totals: { orders: c.totals?.orders ?? 0, revenue },
    },
    orders: orders.map((o) => ({
      ref: o._id,
      createdAt: iso(o.createdAt),
      status: o.status,
      amount: majorUnits(o.amountMinor, o.currency),
      currency: o.currency,
      items: (o.items ?? []).map((i) => ({ name: i.name ?? '', qty: i.qty ?? 1 })),
    })),
    interactions: interactions.map((i) => ({ at: iso(i.at), kind: i.kind, text: i.text })),
    accounts: identities.map((i) => ({ platform: i.platform, displayName: i.displayName ?? '' })),
  };
}
