/**
 * Importing customers from CSV on the real database: the messy fixture's exact
 * report, idempotent re-imports, merging with existing customers, batches, and
 * the chat flow (a CSV file sent to the bot).
 */
import '../../models/index.js';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditEvent, ContactKey, Counter, Customer, Interaction } from '../../models/index.js';
import type { Attachment, Reply } from '../../src/core/types.js';
import { ValidationError } from '../../src/errors.js';
import { upsertLead } from '../../src/services/contacts.js';
import { importCustomers } from '../../src/services/import/customers.js';
import { createTestChat, OWNER, replyText, type Person } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';

useTestDatabase('import');

const fixture = fileURLToPath(new URL('../fixtures/messy.csv', import.meta.url));
const by = 'staff:s_test';
const csv = (text: string) => Readable.from([Buffer.from(text, 'utf8')]);
const importFixture = (batchSize?: number) => importCustomers(createReadStream(fixture), { region: 'VN', by, label: 'messy.csv', batchSize });

async function clearAll(): Promise<void> {
  await Promise.all([Customer.deleteMany({}), ContactKey.deleteMany({}), Interaction.deleteMany({}), Counter.deleteMany({}), AuditEvent.deleteMany({})]);
}

const REJECTED = [
  { row: 6, reason: 'invalid phone "12345"' },
  { row: 7, reason: 'invalid e-mail "dung@@shop"' },
  { row: 11, reason: 'no phone or e-mail (one is needed to recognise the customer)' },
  {
    row: 16,
    reason: 'details belong to different customers (+84987654321 → C2, an.nguyen@example.com → C1); merge them first: merge C2 C1',
  },
  { row: 17, reason: 'invalid phone "abc"' },
  {
    row: 20,
    reason: 'broken quoting: a quote is opened and not closed where the cell ends, so the following lines ran into it; rows 20–22 could not be read',
  },
  { row: 24, reason: 'broken quoting: a quote is opened and never closed; row 24 could not be read' },
];
const COLUMNS = { name: ['Họ tên'], phone: ['SĐT'], email: ['E-mail'], tags: ['Nhãn'], notes: ['Ghi chú'], orders: ['Đơn hàng'] };

describe('importing the messy fixture', () => {
  beforeEach(clearAll);

  it('reports every row exactly: created, updated, unchanged, blank, and rejected rows by line with the reason', async () => {
    const report = await importFixture();
    expect(report).toEqual({ rows: 18, created: 7, updated: 3, unchanged: 1, blank: 2, rejected: REJECTED, columns: COLUMNS });
    expect(report.rows).toBe(report.created + report.updated + report.unchanged + report.rejected.length);
  });

  it('stores normalised customers: duplicate rows merged, names kept with diacritics, notes once', async () => {
    await importFixture();
    const customers = await Customer.find({}, { name: 1, phones: 1, emails: 1, tags: 1 }).sort({ _id: 1 }).lean();
    expect(customers).toEqual([
      { _id: 'C1', name: 'Nguyễn Văn An', phones: ['+84912345678'], emails: ['an.nguyen@example.com', 'hai@shop.vn'], tags: ['vip', 'wholesale'] },
      { _id: 'C2', name: 'Trần Thị Bích', phones: ['+84987654321', '+84903111222'], emails: ['bich@shop.vn'], tags: [] },
      { _id: 'C3', name: 'Hoàng Minh', phones: ['+84977888999'], emails: ['hoang.minh@shop.vn'], tags: ['khach-quen'] },
      { _id: 'C4', name: 'Đỗ Thị Em', phones: [], emails: ['em.do@gmail.com'], tags: [] },
      { _id: 'C5', name: 'Bùi Thị Giang', phones: ['+84933444555'], emails: ['giang@shop.vn'], tags: ['new'] },
      { _id: 'C6', name: 'Phan "Tí" Quang', phones: ['+84922333444'], emails: ['quang@shop.vn'], tags: [] },
      { _id: 'C7', name: 'Lâm Văn Tú', phones: ['+84944123456'], emails: ['tu@shop.vn'], tags: [] },
    ]);
    expect(await ContactKey.countDocuments()).toBe(15);
    const notes = await Interaction.find({}, { _id: 0, customerId: 1, kind: 1, text: 1 }).sort({ customerId: 1 }).lean();
    expect(notes).toEqual([
      { customerId: 'C1', kind: 'note', text: 'Gặp ở hội chợ\nOrders before import: 3' },
      { customerId: 'C2', kind: 'note', text: 'Gọi lại thứ Sáu' },
      { customerId: 'C3', kind: 'note', text: 'Thích màu xanh, size M' },
      { customerId: 'C4', kind: 'note', text: 'Orders before import: 1' },
      { customerId: 'C5', kind: 'note', text: 'Hỏi về\ngiao hàng' },
    ]);
    // Nothing of the rejected rows was written.
    for (const email of ['cuong@shop.vn', 'long@shop.vn', 'oanh@shop.vn', 'son@shop.vn', 'nga@shop.vn', 'uyen@shop.vn']) {
      expect(await ContactKey.exists({ _id: `email:${email}` })).toBeNull();
    }
  });

  it('adds nothing when the same file is imported again', async () => {
    await importFixture();
    const before = await Promise.all([Customer, ContactKey, Interaction].map((m) => m.countDocuments()));
    const again = await importFixture();
    expect(again).toEqual({ rows: 18, created: 0, updated: 0, unchanged: 11, blank: 2, rejected: REJECTED, columns: COLUMNS });
    expect(await Promise.all([Customer, ContactKey, Interaction].map((m) => m.countDocuments()))).toEqual(before);
  });

  it('gives the same result in batches of 2 rows (duplicates across batches) as in one batch', async () => {
    const small = await importFixture(2);
    expect(small).toEqual({ rows: 18, created: 7, updated: 3, unchanged: 1, blank: 2, rejected: REJECTED, columns: COLUMNS });
    expect(await Customer.countDocuments()).toBe(7);
    const again = await importFixture(2);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 11 });
  });

  it('gives the same result when nothing is held in memory (lookups key by key, as for a very large database)', async () => {
    const first = await importCustomers(createReadStream(fixture), { region: 'VN', by, batchSize: 3, preload: false });
    expect(first).toEqual({ rows: 18, created: 7, updated: 3, unchanged: 1, blank: 2, rejected: REJECTED, columns: COLUMNS });
    const again = await importCustomers(createReadStream(fixture), { region: 'VN', by, batchSize: 3, preload: false });
    expect(again).toEqual({ rows: 18, created: 0, updated: 0, unchanged: 11, blank: 2, rejected: REJECTED, columns: COLUMNS });
    // Looking keys up instead of claiming them, the second run reserved no customer numbers in vain.
    expect((await Counter.findById('customer').lean())!.seq).toBeLessThan(20);
  });

  it('writes one audit event per import, with counts only', async () => {
    await importFixture();
    const events = await AuditEvent.find({ action: 'customer.import' }).lean();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: by, target: 'import:messy.csv', data: { rows: 18, created: 7, updated: 3, unchanged: 1, rejected: 7 } });
  });
});

describe('importing into existing customers', () => {
  beforeEach(clearAll);

  it('updates the customer who has the phone already, keeps their name and adds only what is new', async () => {
    const { customer } = await upsertLead({ name: 'Anna Nguyen', phones: ['+84912345678'], emails: [], tags: ['vip'] }, by);
    const report = await importCustomers(csv('Name,Phone,Email,Tags\nAnna N.,0912 345 678,Anna@Shop.vn,"vip, wholesale"\nAnna N.,+84 912 345 678,,vip\n'), { region: 'VN', by });
    expect(report).toMatchObject({ rows: 2, created: 0, updated: 1, unchanged: 1, rejected: [] });
    const after = await Customer.findById(customer._id).lean();
    expect(after).toMatchObject({ name: 'Anna Nguyen', phones: ['+84912345678'], emails: ['anna@shop.vn'], tags: ['vip', 'wholesale'] });
    expect(await ContactKey.findById('email:anna@shop.vn').lean()).toMatchObject({ customerId: customer._id });
    expect(await Customer.countDocuments()).toBe(1);
  });

  it('creates customers with the same fields as a lead logged in chat', async () => {
    const { customer: lead } = await upsertLead({ name: 'Chat Lead', phones: ['+84912000001'], emails: [], tags: [] }, by);
    await importCustomers(csv('name,phone\nFile Lead,0912 000 002\n'), { region: 'VN', by });
    const imported = await Customer.findOne({ name: 'File Lead' }).lean();
    const chatLead = await Customer.findById(lead._id).lean();
    expect(Object.keys(imported!).sort()).toEqual(Object.keys(chatLead!).sort());
    expect(imported).toMatchObject({ status: 'active', source: 'import', nameKey: 'file lead', consent: { promotions: false }, totals: { orders: 0 } });
  });

  it('treats a contact key whose customer was never written (a crash) as free', async () => {
    await ContactKey.create({ _id: 'phone:+84912000003', customerId: 'C999' });
    const report = await importCustomers(csv('name,phone\nRecovered,0912 000 003\n'), { region: 'VN', by });
    expect(report).toMatchObject({ created: 1, rejected: [] });
    const owner = await ContactKey.findById('phone:+84912000003').lean();
    expect(await Customer.findById(owner!.customerId).lean()).toMatchObject({ name: 'Recovered' });
  });

  it('reads explicit column mappings and semicolon-separated files', async () => {
    const report = await importCustomers(csv('Column A;Tel;Misc\nBảo Ngọc;0912 000 004;x\n'), { region: 'VN', by, mapping: { name: 'Column A', phone: 'tel' } });
    expect(report).toMatchObject({ created: 1, columns: { name: ['Column A'], phone: ['Tel'] } });
    expect(await Customer.findOne({ phones: '+84912000004' }).lean()).toMatchObject({ name: 'Bảo Ngọc', nameKey: 'bao ngoc' });
  });

  it('refuses a file without a phone or e-mail column before writing anything', async () => {
    await expect(importCustomers(csv('Name,City\nAnna,Hanoi\n'), { region: 'VN', by })).rejects.toThrow(ValidationError);
    expect(await Customer.countDocuments()).toBe(0);
  });

  it('reports progress every N rows', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => `P${i},0913 000 ${String(i).padStart(3, '0')}`).join('\n');
    const seen: number[] = [];
    const report = await importCustomers(csv(`name,phone\n${rows}\n`), { region: 'VN', by, batchSize: 10, progressEvery: 10, onProgress: (p) => seen.push(p.rows) });
    expect(report.created).toBe(25);
    expect(seen).toEqual([10, 20, 25]);
  });
});

describe('importing in chat', () => {
  const chat = createTestChat();
  const manager: Person = { platform: 'telegram', userId: '7001', displayName: 'Minh' };
  const support: Person = { platform: 'telegram', userId: '7002', displayName: 'Hoa' };
  const customer: Person = { platform: 'telegram', userId: '7100', displayName: 'Khách' };
  const file = (name: string, content: string | Buffer, mimeType = 'text/csv'): Attachment => {
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    return { kind: 'file', fileName: name, mimeType, size: data.length, download: async () => data };
  };
  const files = (replies: Reply[]) => replies.filter((r): r is Extract<Reply, { kind: 'file' }> => r.kind === 'file');

  beforeAll(async () => {
    await clearAll();
    await chat.hire('manager', manager);
    await chat.hire('support', support);
  });

  it('imports a CSV file sent without a caption and replies with the report', async () => {
    const replies = await chat.send(manager, '', { attachments: [file('leads.csv', await readFile(fixture))] });
    const body = replyText(replies);
    expect(body).toContain('Imported leads.csv: 18 row(s) — 7 new, 3 updated, 1 unchanged, 7 rejected (2 blank line(s) skipped).');
    expect(body).toContain('  row 6: invalid phone "12345"');
    expect(body).toContain('  row 24: broken quoting');
    expect(files(replies)).toHaveLength(0);
  });

  it('takes the caption "import --map …" and any staff role', async () => {
    const replies = await chat.send(support, 'import --map name="Khách",phone=Số', { attachments: [file('x.CSV', 'Khách,Số\nChi,0914 000 001\n', 'application/octet-stream')] });
    expect(replyText(replies)).toContain('1 new');
    expect(await Customer.findOne({ phones: '+84914000001' }).lean()).toMatchObject({ name: 'Chi' });
  });

  it('asks for the file when "import" comes alone, and refuses other files', async () => {
    expect(await chat.say(manager, 'import')).toMatch(/^Send the customer list as a CSV file/);
    const replies = await chat.send(manager, 'import', { attachments: [file('list.xlsx', 'PK…', 'application/vnd.ms-excel')] });
    expect(replyText(replies)).toBe('"list.xlsx" is not a CSV file. Save the sheet as CSV (UTF-8) and send it again.');
  });

  it('lists 20 rejected rows in the message and attaches all of them as CSV when there are more', async () => {
    const bad = Array.from({ length: 25 }, (_, i) => `Bad ${i},12${i}`).join('\n');
    const replies = await chat.send(manager, 'import', { attachments: [file('bad.csv', `name,phone\n${bad}\n`)] });
    const body = replyText(replies);
    expect(body.match(/^ {2}row \d+:/gm)).toHaveLength(20);
    expect(body).toContain('…and 5 more');
    const [rejected] = files(replies);
    expect(rejected?.fileName).toBe('rejected-rows.csv');
    const rows = parse<{ row: string; reason: string }>(rejected!.data, { columns: true });
    expect(rows).toHaveLength(25);
    expect(rows[24]).toEqual({ row: '26', reason: 'invalid phone "1224"' });
  });

  it('does not import a CSV file a customer sends', async () => {
    const before = await Customer.countDocuments();
    const replies = await chat.send(customer, 'here is my list', { attachments: [file('mine.csv', 'name,phone\nX,0915 000 001\n')] });
    expect(replyText(replies)).not.toContain('Imported');
    expect(await ContactKey.exists({ _id: 'phone:+84915000001' })).toBeNull();
    // The customer's own record (created by their message) is the only new one.
    expect(await Customer.countDocuments()).toBe(before + 1);
  });

  it('shows a bad mapping as an error with the usage line', async () => {
    const replies = await chat.send(OWNER, 'import --map phone=Nope', { attachments: [file('a.csv', 'name,phone\nA,0916 000 001\n')] });
    expect(replyText(replies)).toMatch(/^The file has no column "Nope".*\nUsage: import/s);
  });
});
