/**
 * Exports: every customer and every order as CSV (for managers, and for the
 * `export` script), and one customer's own data (`mydata`).
 *
 * CSV exports stream: one cursor with a projection into csv-stringify into
 * the destination, with back-pressure, so memory stays flat however many
 * customers there are. They are made to open right in Excel (a double-click,
 * no import wizard):
 * - UTF-8 with a BOM (without it Excel reads Vietnamese letters as Windows-1252);
 * - times in the shop's zone (config DEFAULT_TIMEZONE) as `yyyy-MM-dd HH:mm`,
 *   which Excel takes for a date and time;
 * - amounts as plain numbers in major units, with the currency in a column of
 *   its own (350000 + VND, 19.99 + EUR), so they can be summed. A customer's
 *   `revenue` is in the base currency (config BASE_CURRENCY), or in the one
 *   currency they paid in; revenue in further currencies, which no single
 *   number can hold, is listed in `other_revenue` ("19.99 EUR");
 * - each customer's staff notes (kind `note`, imported ones included), oldest
 *   first, one per line in the `notes` cell (cut at Excel's cell limit);
 * - text that Excel would run as a formula is made inert, see {@link excelSafe}.
 *
 * @example
 *   await writeCustomersCsv(createWriteStream('customers.csv'), { timeZone: 'Asia/Ho_Chi_Minh', baseCurrency: 'VND' });
 *   const { customers, orders } = await exportAllCsv({ timeZone: 'Asia/Ho_Chi_Minh', baseCurrency: 'VND' }); // Buffers, for chat replies
 */
import { PassThrough, Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { DateTime } from 'luxon';
import { Customer, type CustomerDoc } from '../../models/customer.js';
import { Identity } from '../../models/identity.js';
import { Interaction } from '../../models/interaction.js';
import { Order } from '../../models/order.js';
import { Staff } from '../../models/staff.js';
import { minorDigits } from '../values/money.js';
import { normalisePhone } from '../values/phone.js';
import { getCustomer } from './contacts.js';

export const CUSTOMER_COLUMNS = [
  'customer', 'name', 'phones', 'emails', 'tags', 'owner', 'source', 'promotions_consent', 'status', 'merged_into',
  'orders', 'revenue', 'currency', 'other_revenue', 'first_order_at', 'last_order_at', 'created_at', 'notes',
] as const;
export const ORDER_COLUMNS = ['order', 'customer', 'created_at', 'status', 'amount', 'currency', 'items'] as const;

/** How CSV exports show times and revenue. */
export interface CsvExportOptions {
  /** IANA zone the times are shown in: the shop's (config DEFAULT_TIMEZONE). */
  timeZone: string;
  /** Currency of a customer's `revenue` column when they paid in several (config BASE_CURRENCY). */
  baseCurrency: string;
}

/** Minor units → a plain decimal string in major units: 1999 EUR → "19.99", 350000 VND → "350000". */
export function majorUnits(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  return (minor / 10 ** digits).toFixed(digits);
}

/** Minor units → a number in major units, for a spreadsheet cell: 1999 EUR → 19.99, 350000 VND → 350000. */
export function majorAmount(minor: number, currency: string): number {
  return Number(majorUnits(minor, currency));
}

/** Excel's limit on the characters of one cell. */
const EXCEL_CELL_CHARS = 32_767;

/** First characters that make Excel (and LibreOffice, Google Sheets) read a cell as a formula, or a DDE call. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A text cell Excel will not run: one starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return gets a leading `'` (OWASP's advice against CSV injection; Excel shows the `'`).
 * Except phone numbers: a cell that is only valid E.164 numbers ("+84912345678", or several
 * joined with "; ") is left as it is, so that it stays a readable, searchable, re-importable
 * phone number — "+84912345678" as a formula is only that number, it cannot run anything
 * (Excel may show it as 84912345678; the digits are all there).
 *
 * @example
 *   excelSafe('=HYPERLINK("http://x","click")') // → `'=HYPERLINK("http://x","click")`
 *   excelSafe('+84912345678')                   // → '+84912345678'
 *   excelSafe('+1+1')                           // → "'+1+1"
 */
export function excelSafe(value: string): string {
  if (!FORMULA_START.test(value)) return value;
  if (value.split('; ').every((part) => /^\+\d{6,15}$/.test(part) && normalisePhone(part, 'VN') === part)) return value;
  return `'${value}`;
}

/** A CSV row with every text cell made {@link excelSafe}; numbers stay numbers. */
const safeRow = (cells: readonly (string | number)[]) => cells.map((c) => (typeof c === 'string' ? excelSafe(c) : c));

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : '');
const localTime = (d: Date | null | undefined, zone: string) => (d ? DateTime.fromJSDate(d, { zone }).toFormat('yyyy-MM-dd HH:mm') : '');
const list = (values: readonly string[] | null | undefined) => (values ?? []).join('; ');

/** A customer's revenue as the `revenue`, `currency` and `other_revenue` cells. */
function revenueCells(revenue: Record<string, number>, baseCurrency: string): [number, string, string] {
  const paid = Object.entries(revenue).filter(([, v]) => v).sort(([a], [b]) => a.localeCompare(b));
  const main = paid.find(([cur]) => cur === baseCurrency) ?? paid[0];
  if (!main) return [0, baseCurrency, ''];
  const others = paid.filter(([cur]) => cur !== main[0]).map(([cur, v]) => `${majorUnits(v, cur)} ${cur}`);
  return [majorAmount(main[1], main[0]), main[0], others.join('; ')];
}

/**
 * Staff notes read beside the customers: one cursor over the notes in customer order, advanced
 * as the customers go by (both sorted by customer id), so each customer's notes come without a
 * query of their own and only one customer's notes are held at a time. Sorted newest first
 * within a customer, the order of the `{ customerId: 1, at: -1 }` index (no in-memory sort),
 * and turned around per customer.
 */
class NotesAlongside {
  private readonly cursor: AsyncIterator<{ customerId: string; text?: string | null }>;
  private pending: { customerId: string; text?: string | null } | null | undefined;

  constructor() {
    const cursor = Interaction.find({ kind: 'note' }, { _id: 0, customerId: 1, text: 1 })
      .sort({ customerId: 1, at: -1 })
      .lean<{ customerId: string; text?: string | null }[]>()
      .cursor({ batchSize: 1000 });
    this.cursor = (cursor as AsyncIterable<{ customerId: string; text?: string | null }>)[Symbol.asyncIterator]();
  }

  /** The notes of `customerId` (called in ascending id order), oldest first, joined one per line. */
  async of(customerId: string): Promise<string> {
    const texts: string[] = [];
    if (this.pending === undefined) this.pending = await this.pull();
    while (this.pending && this.pending.customerId < customerId) this.pending = await this.pull();
    while (this.pending && this.pending.customerId === customerId) {
      if (this.pending.text) texts.push(this.pending.text);
      this.pending = await this.pull();
    }
    const joined = texts.reverse().join('\n');
    return joined.length > EXCEL_CELL_CHARS - 1 ? `${joined.slice(0, EXCEL_CELL_CHARS - 2)}…` : joined;
  }

  async close(): Promise<void> {
    await this.cursor.return?.();
  }

  private async pull() {
    const next = await this.cursor.next();
    return next.done ? null : next.value;
  }
}

/** Streams every customer (all statuses; the `status` column tells them apart) as CSV into `out`. */
export async function writeCustomersCsv(out: Writable, options: CsvExportOptions): Promise<number> {
  const { timeZone, baseCurrency } = options;
  const staffNames = new Map((await Staff.find({}, { name: 1 }).lean()).map((s) => [s._id, s.name] as const));
  let count = 0;
  async function* rows() {
    const notes = new NotesAlongside();
    try {
      const cursor = Customer.find({}).sort({ _id: 1 }).lean<CustomerDoc[]>().cursor({ batchSize: 1000 });
      for await (const c of cursor as AsyncIterable<CustomerDoc>) {
        count++;
        const [revenue, currency, otherRevenue] = revenueCells((c.totals?.revenue ?? {}) as Record<string, number>, baseCurrency);
        yield safeRow([
          c._id, c.name ?? '', list(c.phones), list(c.emails), list(c.tags),
          c.ownerId ? (staffNames.get(c.ownerId) ?? c.ownerId) : '', c.source ?? '',
          c.consent?.changedAt ? (c.consent.promotions ? 'yes' : 'no') : '',
          c.status ?? 'active', c.mergedInto ? c.mergedInto : '',
          c.totals?.orders ?? 0, revenue, currency, otherRevenue,
          localTime(c.totals?.firstOrderAt, timeZone), localTime(c.totals?.lastOrderAt, timeZone), localTime(c.createdAt, timeZone),
          await notes.of(c._id),
        ]);
      }
    } finally {
      await notes.close();
    }
  }
  await pipeline(Readable.from(rows()), stringify({ bom: true, header: true, columns: [...CUSTOMER_COLUMNS] }), out);
  return count;
}

/** Streams every order as CSV into `out`. */
export async function writeOrdersCsv(out: Writable, options: Pick<CsvExportOptions, 'timeZone'>): Promise<number> {
  let count = 0;
  async function* rows() {
    const cursor = Order.find({}, { customerId: 1, createdAt: 1, status: 1, amountMinor: 1, currency: 1, items: 1 }).sort({ _id: 1 }).lean().cursor({ batchSize: 1000 });
    for await (const o of cursor) {
      count++;
      const items = (o.items ?? []).map((i) => `${i.qty ?? 1}× ${i.name ?? ''}`).join('; ');
      yield safeRow([o._id, o.customerId, localTime(o.createdAt, options.timeZone), o.status, majorAmount(o.amountMinor, o.currency), o.currency, items]);
    }
  }
  await pipeline(Readable.from(rows()), stringify({ bom: true, header: true, columns: [...ORDER_COLUMNS] }), out);
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
export async function exportAllCsv(
  options: CsvExportOptions,
): Promise<{ customers: { data: Buffer; count: number }; orders: { data: Buffer; count: number } }> {
  return {
    customers: await toBuffer((out) => writeCustomersCsv(out, options)),
    orders: await toBuffer((out) => writeOrdersCsv(out, options)),
  };
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
