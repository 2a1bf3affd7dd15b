/**
 * Data out on the real database: `export` (managers only, two CSV files that
 * open right in Excel: BOM, local times, numbers, notes, formula-safe cells),
 * `mydata` (a customer's own data, nobody else's) and `forget` (personal data
 * erased everywhere, orders kept and still counted).
 */
import '../../models/index.js';
import { PassThrough } from 'node:stream';
import mongoose from 'mongoose';
import { parse } from 'csv-parse/sync';
import { DateTime } from 'luxon';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditEvent, ContactKey, Customer, Identity, Interaction, Order } from '../../models/index.js';
import { FollowUp } from '../../models/follow-up.js';
import type { Reply } from '../../src/core/types.js';
import { excelSafe, writeCustomersCsv, writeOrdersCsv } from '../../src/services/export.js';
import { forgetCustomer } from '../../src/services/forget.js';
import { rebuildTotals } from '../../src/services/totals.js';
import { buttonActions, createTestChat, customerIdIn, OWNER, replyText, type Person } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';

useTestDatabase('export');

const chat = createTestChat();
const { say, send } = chat;
const tg = (userId: string, displayName: string): Person => ({ platform: 'telegram', userId, displayName });
const manager = tg('6001', 'Minh');
const sales = tg('6002', 'Lan');
const support = tg('6003', 'Hoa');
const anna = tg('6101', 'Anna');
const bob = tg('6102', 'Bob');

const files = (replies: Reply[]) => replies.filter((r): r is Extract<Reply, { kind: 'file' }> => r.kind === 'file');
let annaId = '';
let bobId = '';

/** Every document of every collection, as JSON text: where personal data could hide. */
async function wholeDatabase(): Promise<string> {
  const db = mongoose.connection.db!;
  const parts: string[] = [];
  for (const c of await db.listCollections({}, { nameOnly: true }).toArray()) {
    parts.push(`${c.name}: ${JSON.stringify(await db.collection(c.name).find({}).toArray())}`);
  }
  return parts.join('\n');
}

/** A customer who found us in chat, then shared their phone (linking them to the lead staff logged). */
async function customerJoins(who: Person, phone: string): Promise<void> {
  await say(who, 'start');
  await send(who, '', { contact: { phone, userId: who.userId, firstName: who.displayName } });
}

beforeAll(async () => {
  await chat.hire('manager', manager);
  await chat.hire('sales', sales);
  await chat.hire('support', support);
  annaId = customerIdIn(await say(OWNER, 'lead "Anna Nguyen" 0912 345 678 anna@shop.vn #vip met at the expo'));
  bobId = customerIdIn(await say(OWNER, 'lead "Bob Tran" 0987 654 321 bob@shop.vn'));
  await customerJoins(anna, '+84912345678');
  await customerJoins(bob, '+84987654321');
  await say(anna, 'do you have the blue dress in size M?');
  await say(OWNER, `order ${annaId} 350k 2x áo dài`);
  await say(OWNER, `order ${annaId} 120k khăn lụa`);
  await say(OWNER, `order ${bobId} 500k`);
  await say(bob, 'when does my parcel arrive?');
  // A reminder a salesperson wrote about Anna (free text about her is personal data too).
  await FollowUp.create({ _id: 'FTEST1', customerId: annaId, assigneeId: 's_x', dueAt: new Date('2026-03-03T03:00:00Z'), text: 'call Anna about the blue dress', createdBy: 'staff:s_x', createdAt: new Date() });
});

describe('export', () => {
  it('is refused to sales, support and customers', async () => {
    for (const who of [sales, support]) {
      const replies = await send(who, 'export');
      expect(replyText(replies)).toBe('Sorry, your role cannot use "export".');
      expect(files(replies)).toEqual([]);
    }
    // A customer typing the word is writing to us; typed as a command, it is refused.
    expect(files(await send(anna, 'export'))).toEqual([]);
    const refused = await send(anna, '/export');
    expect(replyText(refused)).toBe('Sorry, that command is for staff only. Send "help" to see what you can do.');
    expect(files(refused)).toEqual([]);
  });

  it('gives a manager two CSV files: every customer and every order', async () => {
    const replies = await send(manager, 'export');
    expect(replyText(replies).split('\n')[0]).toMatch(/^Export ready: \d+ customer\(s\) and 3 order\(s\), as two CSV files\.$/);
    const [customersCsv, ordersCsv] = files(replies);
    expect([customersCsv?.fileName, ordersCsv?.fileName]).toEqual(['customers.csv', 'orders.csv']);
    // The files start with a BOM (for Excel): read with `bom: true`.
    const customers = parse<Record<string, string>>(customersCsv!.data, { columns: true, bom: true });
    expect(customers.find((c) => c.customer === `${annaId}`)).toMatchObject({
      name: 'Anna Nguyen', phones: '+84912345678', emails: 'anna@shop.vn', tags: 'vip', status: 'active', orders: '2', revenue: '470000', currency: 'VND',
    });
    // The records made from their first messages were merged into the leads; they are listed as merged.
    expect(customers.filter((c) => c.status === 'merged').map((c) => c.merged_into).sort()).toEqual([annaId, `${bobId}`].sort());
    const orders = parse<Record<string, string>>(ordersCsv!.data, { columns: true, bom: true });
    expect(orders.map((o) => [o.customer, o.amount, o.currency, o.status, o.items])).toEqual([
      [annaId, '350000', 'VND', 'new', '2× áo dài'],
      [annaId, '120000', 'VND', 'new', '1× khăn lụa'],
      [bobId, '500000', 'VND', 'new', ''],
    ]);
  });
});

/** Runs a CSV writer into memory. */
async function csvOf(write: (out: PassThrough) => Promise<number>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await write(out);
  return Buffer.concat(chunks);
}
const rowsOf = (data: Buffer) => parse<Record<string, string>>(data, { columns: true, bom: true });
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

describe('export for Excel', () => {
  const hcm = { timeZone: 'Asia/Ho_Chi_Minh', baseCurrency: 'VND' };

  beforeAll(async () => {
    // Written as stored documents, with fixed times and totals (not through orders): what the export reads.
    const at = new Date('2026-03-01T20:30:00Z');
    const base = { nameKey: '', emails: [], tags: [], source: 'import', consent: { promotions: false }, status: 'active', updatedAt: at };
    await Customer.collection.insertMany([
      { _id: 'C9001' as never, ...base, name: '=HYPERLINK("http://evil.example","click")', phones: ['+84903000111', '+84903000222'], totals: { orders: 2, revenue: { VND: 100000, EUR: 1999 } }, createdAt: at },
      { _id: 'C9002' as never, ...base, name: '+1+1', phones: [], emails: ['-x@shop.vn'], tags: ['@home'], totals: { orders: 1, revenue: { EUR: 1999 } }, createdAt: at },
    ]);
    await Interaction.insertMany([
      { customerId: 'C9001', kind: 'note', text: '-2+3 gọi lại', staffId: 's_x', at: new Date('2026-03-01T01:00:00Z') },
      { customerId: 'C9001', kind: 'message', text: 'not a note', at: new Date('2026-03-01T02:00:00Z') },
      { customerId: 'C9001', kind: 'note', text: 'Thích màu đỏ', staffId: 's_x', at: new Date('2026-03-01T03:00:00Z') },
      { customerId: 'C9002', kind: 'note', text: '@SUM(A1:A9)', staffId: 's_x', at: new Date('2026-03-01T04:00:00Z') },
    ]);
  });

  it('starts both files with a UTF-8 BOM, so Excel reads Vietnamese letters right', async () => {
    const [customersCsv, ordersCsv] = files(await send(manager, 'export'));
    expect(customersCsv!.data.subarray(0, 3)).toEqual(BOM);
    expect(ordersCsv!.data.subarray(0, 3)).toEqual(BOM);
    expect(customersCsv!.data.subarray(3, 3 + 'customer,'.length).toString()).toBe('customer,');
    expect(ordersCsv!.data.toString('utf8')).toContain('2× áo dài');
  });

  it('writes amounts as plain numbers beside a currency column, revenue in the base currency first', async () => {
    const customers = rowsOf(await csvOf((out) => writeCustomersCsv(out, hcm)));
    const anna = customers.find((c) => c.customer === annaId)!;
    expect([anna.revenue, anna.currency, anna.other_revenue]).toEqual(['470000', 'VND', '']);
    const both = customers.find((c) => c.customer === 'C9001')!;
    expect([both.orders, both.revenue, both.currency, both.other_revenue]).toEqual(['2', '100000', 'VND', '19.99 EUR']);
    const euros = customers.find((c) => c.customer === 'C9002')!;
    expect([euros.revenue, euros.currency, euros.other_revenue]).toEqual(['19.99', 'EUR', '']);
    // A customer without orders: 0 in the base currency, still a number.
    expect(customers.filter((c) => c.orders === '0').every((c) => c.revenue === '0' && c.currency === 'VND')).toBe(true);
    for (const c of customers) expect(Number.isFinite(Number(c.revenue)), c.revenue).toBe(true);

    const orders = rowsOf(await csvOf((out) => writeOrdersCsv(out, hcm)));
    expect(orders.map((o) => o.amount)).toEqual(['350000', '120000', '500000']);
  });

  it('shows times in the shop’s time zone as yyyy-MM-dd HH:mm', async () => {
    const customers = rowsOf(await csvOf((out) => writeCustomersCsv(out, hcm)));
    // 20:30 UTC on 1 March is 03:30 on 2 March in Ho Chi Minh City (UTC+7).
    expect(customers.find((c) => c.customer === 'C9001')!.created_at).toBe('2026-03-02 03:30');
    const newYork = rowsOf(await csvOf((out) => writeCustomersCsv(out, { timeZone: 'America/New_York', baseCurrency: 'VND' })));
    expect(newYork.find((c) => c.customer === 'C9001')!.created_at).toBe('2026-03-01 15:30');

    // The chat export uses the configured zone (DEFAULT_TIMEZONE, Asia/Ho_Chi_Minh by default).
    const [customersCsv, ordersCsv] = files(await send(manager, 'export'));
    expect(rowsOf(customersCsv!.data).find((c) => c.customer === 'C9001')!.created_at).toBe('2026-03-02 03:30');
    const stored = await Order.find({}, { createdAt: 1 }).sort({ _id: 1 }).lean();
    const local = stored.map((o) => DateTime.fromJSDate(o.createdAt, { zone: 'Asia/Ho_Chi_Minh' }).toFormat('yyyy-MM-dd HH:mm'));
    expect(rowsOf(ordersCsv!.data).map((o) => o.created_at)).toEqual(local);
    expect(local.every((t) => /^\d{4}-\d\d-\d\d \d\d:\d\d$/.test(t))).toBe(true);
  });

  it('includes each customer’s staff notes, oldest first, one per line (not their messages)', async () => {
    const customers = rowsOf(await csvOf((out) => writeCustomersCsv(out, hcm)));
    expect(customers.find((c) => c.customer === annaId)!.notes).toBe('met at the expo');
    expect(customers.find((c) => c.customer === 'C9001')!.notes).toBe("'-2+3 gọi lại\nThích màu đỏ");
    expect(customers.find((c) => c.customer === bobId)!.notes).toBe('');
  });

  it('makes cells that would start a formula inert, and leaves phone numbers readable', async () => {
    const customers = rowsOf(await csvOf((out) => writeCustomersCsv(out, hcm)));
    const evil = customers.find((c) => c.customer === 'C9001')!;
    expect(evil.name).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(evil.phones).toBe('+84903000111; +84903000222');
    const plus = customers.find((c) => c.customer === 'C9002')!;
    expect([plus.name, plus.emails, plus.tags, plus.notes]).toEqual(["'+1+1", "'-x@shop.vn", "'@home", "'@SUM(A1:A9)"]);
    expect(customers.find((c) => c.customer === annaId)!.phones).toBe('+84912345678');
    // The rule, cell by cell: = + - @ tab and CR start a formula; a valid phone number does not count.
    expect(['=1', '+1', '-1', '@A1', '\t=1', '\r=1', '+84912345678', '+8491234', 'Anna'].map(excelSafe)).toEqual(
      ["'=1", "'+1", "'-1", "'@A1", "'\t=1", "'\r=1", '+84912345678', "'+8491234", 'Anna'],
    );
  });
});

describe('mydata', () => {
  it('gives a customer a file with their own profile, orders and messages — and nobody else’s', async () => {
    const replies = await send(anna, 'mydata');
    const [file] = files(replies);
    expect(file?.fileName).toBe(`my-data-${annaId}.json`);
    const data = JSON.parse(file!.data.toString('utf8'));
    expect(data.customer).toMatchObject({ ref: `${annaId}`, name: 'Anna Nguyen', phones: ['+84912345678'], emails: ['anna@shop.vn'], tags: ['vip'] });
    expect(data.orders.map((o: { amount: string }) => o.amount)).toEqual(['350000', '120000']);
    expect(data.interactions.map((i: { text: string }) => i.text)).toEqual(
      expect.arrayContaining(['met at the expo', 'do you have the blue dress in size M?']),
    );
    expect(data.accounts).toEqual([{ platform: 'telegram', displayName: 'Anna' }]);
    const text = file!.data.toString('utf8');
    for (const other of ['Bob', 'bob@shop.vn', '987654321', 'parcel', '500000', 's_']) expect(text).not.toContain(other);
  });

  it('is for customers only', async () => {
    expect(await say(manager, 'mydata')).toBe('Sorry, your role cannot use "mydata".');
  });
});

describe('forget', () => {
  it('asks to confirm with a button first, and erases nothing yet', async () => {
    const replies = await send(anna, 'forget');
    expect(replyText(replies)).toMatch(/^This erases your name, phone numbers, e-mails/);
    expect(buttonActions(replies)).toEqual(['forget confirm']);
    expect(await Customer.findById(annaId).lean()).toMatchObject({ status: 'active', name: 'Anna Nguyen' });
  });

  it('erases the personal data everywhere, keeps the orders and their totals', async () => {
    const totalsBefore = (await Customer.findById(annaId).lean())!.totals;
    const replies = await send(anna, 'forget confirm', { fromButton: true });
    expect(replyText(replies)).toBe('Done: your personal data is erased. If you write to us again, we will not know who you are.');

    expect(await Customer.findById(annaId).lean()).toMatchObject({ status: 'forgotten', name: '', nameKey: '', phones: [], emails: [], tags: [] });
    expect(await ContactKey.countDocuments({ customerId: annaId })).toBe(0);
    expect(await ContactKey.exists({ _id: 'phone:+84912345678' })).toBeNull();
    expect(await Identity.exists({ _id: 'telegram:6101' })).toBeNull();
    const texts = (await Interaction.find({ customerId: annaId }).lean()).map((i) => i.text);
    expect(texts.length).toBeGreaterThanOrEqual(2);
    expect(texts.every((t) => t === '')).toBe(true);

    // Orders stay, and keep counting — also after a rebuild from the orders themselves.
    expect(await Order.countDocuments({ customerId: annaId })).toBe(2);
    expect((await Customer.findById(annaId).lean())!.totals).toEqual(totalsBefore);
    await rebuildTotals();
    expect((await Customer.findById(annaId).lean())!.totals).toMatchObject({ orders: 2, revenue: { VND: 470000 } });

    // Nothing that names or reaches Anna is left anywhere in the database.
    const everything = await wholeDatabase();
    for (const personal of ['Anna', 'anna@shop.vn', '912345678', '0912 345 678', 'blue dress', 'met at the expo', 'telegram:6101', '"6101"']) {
      expect(everything, personal).not.toContain(personal);
    }
    // Bob is untouched.
    expect(await Customer.findById(bobId).lean()).toMatchObject({ name: 'Bob Tran', status: 'active', phones: ['+84987654321'] });
    expect(everything).toContain('when does my parcel arrive?');

    const events = await AuditEvent.find({ action: 'customer.forget' }).lean();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: `customer:${annaId}`, target: `customer:${annaId}`, data: { orders: 2, identities: 1 } });
  });

  it('leaves a stranger behind: the bot no longer knows the person, and the export shows an empty record', async () => {
    expect(await say(anna, 'whoami')).toBe('You are not registered yet. Staff join with "join CODE"; customers just write to us.');
    const [customersCsv] = files(await send(manager, 'export'));
    const row = (parse<Record<string, string>>(customersCsv!.data, { columns: true, bom: true })).find((c) => c.customer === `${annaId}`);
    expect(row).toMatchObject({ name: '', phones: '', emails: '', status: 'forgotten', orders: '2', revenue: '470000', currency: 'VND', notes: '' });
  });

  it('can be repeated safely', async () => {
    await expect(forgetCustomer(annaId, 'staff:test')).resolves.toMatchObject({ orders: 2, identities: 0, keys: 0 });
  });

  it('is for customers only', async () => {
    expect(await say(manager, 'forget confirm')).toBe('Sorry, your role cannot use "forget".');
  });
});
