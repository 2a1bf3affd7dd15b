/**
 * Importing customers from CSV on the real database: the messy fixture's exact
 * report, idempotent re-imports, merging with existing customers, batches, files
 * as Vietnamese Excel saves them (every encoding, through the service, the chat
 * and `npm run import`), and the chat flow (a CSV file sent to the bot).
 */
import '../../models/index.js';
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditEvent, ContactKey, Counter, Customer, Interaction } from '../../models/index.js';
import type { Attachment, Reply } from '../../src/core/types.js';
import { ValidationError } from '../../src/errors.js';
import { upsertLead } from '../../src/services/contacts.js';
import { importCustomers } from '../../src/services/import/customers.js';
import { createTestChat, OWNER, replyText, type Person } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';
import { importScript } from '../support/import-script.js';
import { chunked, EXCEL_ENCODINGS, excelBytes, TCVN3_CSV, VNI_CSV, type ExcelEncoding } from '../fixtures/vietnamese-excel.js';

useTestDatabase('import');

const fixture = fileURLToPath(new URL('../fixtures/messy.csv', import.meta.url));
const by = 'staff:s_test';
const csv = (text: string) => Readable.from([Buffer.from(text, 'utf8')]);
const importFixture = (batchSize?: number) => importCustomers(createReadStream(fixture), { region: 'VN', by, label: 'messy.csv', batchSize });

async function clearAll(): Promise<void> {
  await Promise.all([Customer.deleteMany({}), ContactKey.deleteMany({}), Interaction.deleteMany({}), Counter.deleteMany({}), AuditEvent.deleteMany({})]);
}

// Rows 6, 7 and 17 have a bad phone or e-mail beside a good one: imported without it, with a warning.
// Row 15 (Ngô Văn Hải on Nguyễn Văn An's phone) is imported as a second customer sharing the phone.
const REJECTED = [
  { row: 11, reason: 'no phone or e-mail (one is needed to recognise the customer)' },
  {
    row: 16,
    reason: 'details belong to different customers (+84987654321 → C2, an.nguyen@example.com → C1); merge them first: merge C2 C1',
  },
  {
    row: 20,
    reason: 'broken quoting: a quote is opened and not closed where the cell ends, so the following lines ran into it; rows 20–22 could not be read',
  },
  { row: 24, reason: 'broken quoting: a quote is opened and never closed; row 24 could not be read' },
];
const WARNINGS = [
  { row: 6, field: 'phone', value: '12345', reason: 'not a valid phone number; left out' },
  { row: 7, field: 'email', value: 'dung@@shop', reason: 'not a valid e-mail address; left out' },
  // Row 15: another name on An's phone — a family member, imported as a second customer sharing it.
  {
    row: 15,
    field: 'phone',
    value: '+84912345678',
    reason: 'already belongs to C1 Nguyễn Văn An; Ngô Văn Hải imported as C8 sharing the phone — check `dupes`',
    shared: { holder: 'C1', holderName: 'Nguyễn Văn An', name: 'Ngô Văn Hải', customer: 'C8' },
  },
  { row: 17, field: 'phone', value: 'abc', reason: 'not a valid phone number; left out' },
];
const COLUMNS = { name: ['Họ tên'], phone: ['SĐT'], email: ['E-mail'], tags: ['Nhãn'], notes: ['Ghi chú'], orders: ['Đơn hàng'] };
/** What the report says of the file itself, whatever was imported. */
const FILE = { warnings: WARNINGS, columns: COLUMNS, ignoredColumns: [], encoding: 'utf-8' };
/** Imported again: row 15 finds the customer sharing the phone, so it needs no warning. */
const FILE_AGAIN = { ...FILE, warnings: WARNINGS.filter((w) => w.row !== 15) };

describe('importing the messy fixture', () => {
  beforeEach(clearAll);

  it('reports every row exactly: created, updated, unchanged, blank, and rejected rows by line with the reason', async () => {
    const report = await importFixture();
    expect(report).toEqual({ rows: 18, created: 11, updated: 2, unchanged: 1, blank: 2, shared: 1, rejected: REJECTED, ...FILE });
    expect(report.rows).toBe(report.created + report.updated + report.unchanged + report.rejected.length);
  });

  it('stores normalised customers: duplicate rows merged, names kept with diacritics, notes once', async () => {
    await importFixture();
    const customers = await Customer.find({}, { name: 1, phones: 1, emails: 1, tags: 1 }).sort({ _id: 1 }).lean();
    expect(customers).toEqual([
      { _id: 'C1', name: 'Nguyễn Văn An', phones: ['+84912345678'], emails: ['an.nguyen@example.com'], tags: ['vip', 'wholesale'] },
      { _id: 'C10', name: 'Phan "Tí" Quang', phones: ['+84922333444'], emails: ['quang@shop.vn'], tags: [] },
      { _id: 'C11', name: 'Lâm Văn Tú', phones: ['+84944123456'], emails: ['tu@shop.vn'], tags: [] },
      { _id: 'C2', name: 'Trần Thị Bích', phones: ['+84987654321', '+84903111222'], emails: ['bich@shop.vn'], tags: [] },
      // Rows 6, 7 and 17: imported without their bad phone or e-mail.
      { _id: 'C3', name: 'Lê Văn Cường', phones: [], emails: ['cuong@shop.vn'], tags: [] },
      { _id: 'C4', name: 'Phạm Thị Dung', phones: ['+84911222333'], emails: [], tags: [] },
      { _id: 'C5', name: 'Hoàng Minh', phones: ['+84977888999'], emails: ['hoang.minh@shop.vn'], tags: ['khach-quen'] },
      { _id: 'C6', name: 'Đỗ Thị Em', phones: [], emails: ['em.do@gmail.com'], tags: [] },
      { _id: 'C7', name: 'Bùi Thị Giang', phones: ['+84933444555'], emails: ['giang@shop.vn'], tags: ['new'] },
      // Row 15: the phone is C1's (its key stays C1's, listing C8 in sharedWith), and C8's too.
      { _id: 'C8', name: 'Ngô Văn Hải', phones: ['+84912345678'], emails: ['hai@shop.vn'], tags: [] },
      { _id: 'C9', name: 'Trịnh Văn Long', phones: ['+84944555666'], emails: ['long@shop.vn'], tags: [] },
    ]);
    expect(await ContactKey.countDocuments()).toBe(19);
    expect(await ContactKey.collection.findOne({ _id: 'phone:+84912345678' as never })).toMatchObject({ customerId: 'C1', sharedWith: ['C8'] });
    expect(await ContactKey.findById('email:hai@shop.vn').lean()).toMatchObject({ customerId: 'C8' });
    const notes = await Interaction.find({}, { _id: 0, customerId: 1, kind: 1, text: 1 }).sort({ customerId: 1 }).lean();
    expect(notes).toEqual([
      { customerId: 'C1', kind: 'note', text: 'Gặp ở hội chợ\nOrders before import: 3' },
      { customerId: 'C2', kind: 'note', text: 'Gọi lại thứ Sáu' },
      { customerId: 'C5', kind: 'note', text: 'Thích màu xanh, size M' },
      { customerId: 'C6', kind: 'note', text: 'Orders before import: 1' },
      { customerId: 'C7', kind: 'note', text: 'Hỏi về\ngiao hàng' },
    ]);
    // Nothing of the rejected rows was written.
    for (const email of ['oanh@shop.vn', 'son@shop.vn', 'nga@shop.vn', 'uyen@shop.vn']) {
      expect(await ContactKey.exists({ _id: `email:${email}` })).toBeNull();
    }
  });

  it('adds nothing when the same file is imported again', async () => {
    await importFixture();
    const before = await Promise.all([Customer, ContactKey, Interaction].map((m) => m.countDocuments()));
    const again = await importFixture();
    expect(again).toEqual({ rows: 18, created: 0, updated: 0, unchanged: 14, blank: 2, shared: 0, rejected: REJECTED, ...FILE_AGAIN });
    expect(await Promise.all([Customer, ContactKey, Interaction].map((m) => m.countDocuments()))).toEqual(before);
  });

  it('gives the same result in batches of 2 rows (duplicates across batches) as in one batch', async () => {
    const small = await importFixture(2);
    expect(small).toEqual({ rows: 18, created: 11, updated: 2, unchanged: 1, blank: 2, shared: 1, rejected: REJECTED, ...FILE });
    expect(await Customer.countDocuments()).toBe(11);
    const again = await importFixture(2);
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 14 });
  });

  it('gives the same result when nothing is held in memory (lookups key by key, as for a very large database)', async () => {
    const first = await importCustomers(createReadStream(fixture), { region: 'VN', by, batchSize: 3, preload: false });
    expect(first).toEqual({ rows: 18, created: 11, updated: 2, unchanged: 1, blank: 2, shared: 1, rejected: REJECTED, ...FILE });
    const again = await importCustomers(createReadStream(fixture), { region: 'VN', by, batchSize: 3, preload: false });
    expect(again).toEqual({ rows: 18, created: 0, updated: 0, unchanged: 14, blank: 2, shared: 0, rejected: REJECTED, ...FILE_AGAIN });
    // Looking keys up instead of claiming them, the second run reserved no customer numbers in vain.
    expect((await Counter.findById('customer').lean())!.seq).toBeLessThan(20);
  });

  it('writes one audit event per import, with counts only', async () => {
    await importFixture();
    const events = await AuditEvent.find({ action: 'customer.import' }).lean();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actor: by, target: 'import:messy.csv', data: { rows: 18, created: 11, updated: 2, unchanged: 1, shared: 1, rejected: 4, warnings: 4 } });
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

/** A shop's contact list with Vietnamese headers, an address, a birthday, a column nothing reads, a bad e-mail and a row with no contact. */
function shopList(separator: ',' | ';' | '\t'): string {
  const rows = [
    ['Tên khách', 'SĐT', 'Email', 'Nhóm', 'Ghi chú', 'Địa chỉ', 'Ngày sinh', 'Giới tính'],
    ['Nguyễn Thị Ngọc Ánh', '0912 345 678', 'anh@shop.vn', 'khách quen', 'Thích màu đỏ', '12 Lê Lợi, Q1', '15/03/1990', 'Nữ'],
    ['Lê Văn Cường', '0987 654 321', 'cuong@@mail', 'vip', '', '', '', 'Nam'],
    ['Trương Văn Đức', '', '', '', '', 'Hà Nội', '', 'Nam'],
  ];
  const cell = (c: string) => (c.includes(separator) || c.includes(',') ? `"${c}"` : c);
  return `${rows.map((r) => r.map(cell).join(separator)).join('\r\n')}\r\n`;
}
/** The separator Excel uses for each kind of file: "Unicode Text" is tab-separated; a Vietnamese list separator is often ";". */
const separatorOf = (e: ExcelEncoding): ',' | ';' | '\t' => (e.startsWith('utf-16le') ? '\t' : e === 'windows-1258' ? ';' : ',');

const SHOP_REPORT = {
  rows: 3,
  created: 2,
  updated: 0,
  unchanged: 0,
  blank: 0,
  shared: 0,
  rejected: [{ row: 4, reason: 'no phone or e-mail (one is needed to recognise the customer)' }],
  warnings: [{ row: 3, field: 'email', value: 'cuong@@mail', reason: 'not a valid e-mail address; left out' }],
  columns: { name: ['Tên khách'], phone: ['SĐT'], email: ['Email'], tags: ['Nhóm'], notes: ['Ghi chú'], address: ['Địa chỉ'], birthday: ['Ngày sinh'] },
  ignoredColumns: ['Giới tính'],
};

async function expectShopCustomers(): Promise<void> {
  const customers = await Customer.find({}, { name: 1, nameKey: 1, phones: 1, emails: 1, tags: 1 }).sort({ _id: 1 }).lean();
  expect(customers).toEqual([
    { _id: 'C1', name: 'Nguyễn Thị Ngọc Ánh', nameKey: 'nguyen thi ngoc anh', phones: ['+84912345678'], emails: ['anh@shop.vn'], tags: ['khach-quen'] },
    // Imported without the bad e-mail.
    { _id: 'C2', name: 'Lê Văn Cường', nameKey: 'le van cuong', phones: ['+84987654321'], emails: [], tags: ['vip'] },
  ]);
  // Stored as one letter each (NFC), whatever the file wrote: "Ánh" is 3 characters, not "A" + a mark…
  expect(customers.every((c) => c.name === c.name.normalize('NFC'))).toBe(true);
  const notes = await Interaction.find({}, { _id: 0, customerId: 1, text: 1 }).lean();
  expect(notes).toEqual([{ customerId: 'C1', text: 'Thích màu đỏ\nĐịa chỉ: 12 Lê Lợi, Q1\nNgày sinh: 15/03/1990' }]);
}

describe('files from Vietnamese Excel', () => {
  beforeEach(clearAll);

  for (const encoding of EXCEL_ENCODINGS) {
    it(`reads a contact list saved as ${encoding}: Vietnamese headers, bad e-mail left out, address and birthday kept, nothing phantom`, async () => {
      const bytes = excelBytes(shopList(separatorOf(encoding)), encoding);
      const report = await importCustomers(Readable.from(chunked(bytes, 5)), { region: 'VN', by, label: 'khach-hang.csv' });
      expect(report).toEqual({ ...SHOP_REPORT, encoding: encoding.replace('-bom', '') });
      await expectShopCustomers();
    });
  }

  it('refuses TCVN3 and VNI files, naming the encoding and how to convert, before writing anything', async () => {
    for (const [bytes, encoding] of [[TCVN3_CSV, 'TCVN3 (ABC)'], [VNI_CSV, 'VNI Windows']] as const) {
      const error = await importCustomers(Readable.from([bytes]), { region: 'VN', by }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'IMPORT_ENCODING_LEGACY_FONT', params: { encoding } });
      expect((error as Error).message).toMatch(/Unikey's converter \("Chuyển mã".*Save As → "CSV UTF-8/);
    }
    expect(await Customer.countDocuments()).toBe(0);
    expect(await AuditEvent.countDocuments()).toBe(0);
  });

  it('drops the warnings of a row rejected later for details of two customers: rejected is all it says', async () => {
    await upsertLead({ name: 'Hà', phones: ['+84919000001'], emails: [], tags: [] }, by);
    await upsertLead({ name: 'Hải', phones: [], emails: ['hai@cuahang.vn'], tags: [] }, by);
    const report = await importCustomers(csv('Tên khách,SĐT,Email,Nhóm\nHà Hải,0919 000 001,hai@cuahang.vn,???\n'), { region: 'VN', by });
    expect(report.rejected).toMatchObject([{ row: 2, reason: expect.stringMatching(/^details belong to different customers/) }]);
    expect(report.warnings).toEqual([]);
  });

  it('imports the same list again in another encoding as the same customers', async () => {
    await importCustomers(Readable.from([excelBytes(shopList(';'), 'windows-1258')]), { region: 'VN', by });
    const again = await importCustomers(Readable.from([excelBytes(shopList(','), 'utf-8-bom')]), { region: 'VN', by });
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    await expectShopCustomers();
  });
});

describe('`npm run import` with a file from Vietnamese Excel', () => {
  // The script as a child process (`node --import tsx`, what `npx tsx` runs) on a DATA_DIR of its
  // own: it starts its own local database there (the test server's folder belongs to the test run).
  const script = importScript('chatcrm-import-script-');
  const runImport = script.run;
  beforeAll(script.setUp);
  afterAll(script.tearDown);

  it('imports a Windows-1258 file and reports warnings apart from rejected rows, as text and as JSON', async () => {
    const file = join(script.dir(), 'khach-hang.csv');
    await writeFile(file, excelBytes(shopList(';'), 'windows-1258'));

    const first = await runImport([file]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Imported khach-hang.csv: 3 row(s) — 2 new, 0 updated, 0 unchanged, 1 rejected, 0 blank line(s) skipped, 1 warning(s).');
    expect(first.stdout).toContain('Read as Windows-1258 (Vietnamese Windows).');
    expect(first.stdout).toContain('name ← Tên khách, phone ← SĐT, email ← Email, tags ← Nhóm, notes ← Ghi chú, address ← Địa chỉ, birthday ← Ngày sinh');
    expect(first.stdout).toContain('Warning — columns not imported (not recognised): "Giới tính"');
    expect(first.stdout).toMatch(/Rejected rows, not imported .*\n {2}row 4: no phone or e-mail/);
    expect(first.stdout).toMatch(/Warnings — rows imported, but a value was left out or shortened:\n {2}row 3, email "cuong@@mail": not a valid e-mail address; left out/);

    const again = await runImport([file, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ ...SHOP_REPORT, created: 0, unchanged: 2, encoding: 'windows-1258' });
  }, 240_000);

  it('refuses a TCVN3 file with exit code 1 and how to convert it', async () => {
    const file = join(script.dir(), 'tcvn3.csv');
    await writeFile(file, TCVN3_CSV);
    const result = await runImport([file]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain('Import failed: file: the file is written in the old TCVN3 (ABC) font encoding, not Unicode');
    expect(result.stderr).toContain('Unikey');
    expect(result.stdout).toBe('');
  }, 120_000);
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
    expect(body).toContain('Imported leads.csv: 18 row(s) — 11 new, 2 updated, 1 unchanged, 4 rejected (2 blank line(s) skipped).');
    expect(body).toContain('  row 15: +84912345678 already belongs to C1 Nguyễn Văn An; Ngô Văn Hải imported as C8 sharing the phone — check `dupes`');
    expect(body).toContain('  row 6, phone "12345": not a valid phone number; left out');
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

  it('imports a Windows-1258 file from Excel and lists warnings apart from rejected rows, and the columns not imported', async () => {
    const list = shopList(';').replace('0912 345 678', '0917 000 001').replace('0987 654 321', '0917 000 002').replace('anh@shop.vn', 'anh@cuahang.vn');
    const replies = await chat.send(manager, '', { attachments: [file('khach-hang.csv', excelBytes(list, 'windows-1258'))] });
    const body = replyText(replies);
    expect(body).toContain('Imported khach-hang.csv: 3 row(s) — 2 new, 0 updated, 0 unchanged, 1 rejected.');
    expect(body).toContain('Warning — columns not imported (not recognised): "Giới tính".');
    expect(body).toMatch(/Rejected rows[^\n]*\n {2}row 4: no phone or e-mail/);
    expect(body).toMatch(/Warnings — these rows were imported, but a value was left out or shortened:\n {2}row 3, email "cuong@@mail": not a valid e-mail address; left out/);
    expect(await Customer.findOne({ phones: '+84917000001' }).lean()).toMatchObject({ name: 'Nguyễn Thị Ngọc Ánh', tags: ['khach-quen'] });
  });

  it('refuses a file in the TCVN3 font encoding with how to convert it', async () => {
    const replies = await chat.send(manager, 'import', { attachments: [file('cu.csv', TCVN3_CSV)] });
    expect(replyText(replies)).toMatch(/^The file is written in the old TCVN3 \(ABC\) font encoding, not Unicode .*Unikey.*\nUsage: import/s);
  });

  it('lists 20 warnings in the message and attaches all of them, formula-safe, when there are more', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => `Khách ${i},0918 000 ${String(i).padStart(3, '0')},=HYPERLINK("x${i}")@@mail`).join('\n');
    const replies = await chat.send(manager, 'import', { attachments: [file('nhieu.csv', `Tên khách,SĐT,Email\n${rows}\n`)] });
    const body = replyText(replies);
    expect(body).toContain('25 new');
    expect(body.match(/^ {2}row \d+, email /gm)).toHaveLength(20);
    expect(body).toContain('…and 5 more: all warnings are in the attached file.');
    const [warnings] = files(replies);
    expect(warnings?.fileName).toBe('import-warnings.csv');
    expect(warnings!.data.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const parsed = parse<Record<string, string>>(warnings!.data, { columns: true, bom: true });
    expect(parsed).toHaveLength(25);
    expect(parsed[0]).toEqual({ row: '2', field: 'email', value: `'=HYPERLINK("x0")@@mail`, reason: 'not a valid e-mail address; left out' });
  });
});
