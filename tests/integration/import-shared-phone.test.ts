/**
 * Family members share phones (issue 12: "on import her note lands on Lan's card"). A row whose
 * phone belongs to a customer with a clearly different name is imported as a second customer
 * sharing the phone (docs/database.md: the phone in its `phones`, its id in the key's
 * `sharedWith`), with its note on its own card and a warning naming both — through the service,
 * the chat's `import` and `npm run import`. The same name, an alias, or no name merge as before.
 */
import '../../models/index.js';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AuditEvent, ContactKey, Counter, Customer, Interaction } from '../../models/index.js';
import type { Attachment } from '../../src/core/types.js';
import { importCustomers } from '../../src/services/import/customers.js';
import { createTestChat, replyText, type Person } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';
import { importScript } from '../support/import-script.js';

useTestDatabase('import_shared_phone');

const by = 'staff:s_test';
const csv = (text: string) => Readable.from([Buffer.from(text, 'utf8')]);
const run = (text: string, batchSize?: number, preload?: boolean) =>
  importCustomers(csv(text), { region: 'VN', by, ...(batchSize ? { batchSize } : {}), ...(preload === false ? { preload } : {}) });
const LAN_PHONE = 'phone:+84912345678';
const keyOf = (id: string) => ContactKey.collection.findOne({ _id: id as never });

async function clearAll(): Promise<void> {
  await Promise.all([Customer.deleteMany({}), ContactKey.deleteMany({}), Interaction.deleteMany({}), Counter.deleteMany({}), AuditEvent.deleteMany({})]);
}

/** C1 Nguyễn Thị Lan on 0912 345 678, imported first. */
async function lan(): Promise<void> {
  const report = await run('Họ tên,SĐT\nNguyễn Thị Lan,0912 345 678\n');
  expect(report).toMatchObject({ created: 1 });
}

describe('a row naming someone else on an existing customer\'s phone', () => {
  beforeEach(clearAll);

  it('becomes a second customer sharing the phone, with its note on its own card and a warning naming both', async () => {
    await lan();
    const report = await run('Họ tên,SĐT,Ghi chú\nMai,0912.345.678,Hỏi áo dài size S\n');
    expect(report).toMatchObject({ rows: 1, created: 1, updated: 0, unchanged: 0, shared: 1, rejected: [] });
    expect(report.warnings).toEqual([{
      row: 2,
      field: 'phone',
      value: '+84912345678',
      reason: 'already belongs to C1 Nguyễn Thị Lan; Mai imported as C2 sharing the phone — check `dupes`',
      shared: { holder: 'C1', holderName: 'Nguyễn Thị Lan', name: 'Mai', customer: 'C2' },
    }]);
    const mai = await Customer.findById('C2').lean();
    expect(mai).toMatchObject({ name: 'Mai', phones: ['+84912345678'], status: 'active' });
    expect(mai).not.toHaveProperty('distinctFrom');
    expect(await keyOf(LAN_PHONE)).toMatchObject({ customerId: 'C1', sharedWith: ['C2'] });
    const notes = await Interaction.find({}, { customerId: 1, text: 1 }).lean();
    expect(notes).toEqual([expect.objectContaining({ customerId: 'C2', text: 'Hỏi áo dài size S' })]);
    expect(mai!.recentInteractionIds.map(String)).toEqual([String(notes[0]!._id)]);
    expect(await Customer.findById('C1').lean()).toMatchObject({ name: 'Nguyễn Thị Lan', recentInteractionIds: [] });
  });

  it('is the same second customer when the file is imported again, in any batch size, from memory or key by key', async () => {
    await lan();
    const file = 'Họ tên,SĐT,Email,Ghi chú\nMai,0912345678,mai@shop.vn,Hỏi áo dài\nNguyễn Thị Lan,0912345678,,\nMai,+84 912 345 678,,\n';
    expect(await run(file)).toMatchObject({ created: 1, shared: 1, rejected: [] });
    for (const [batch, preload] of [[undefined, undefined], [1, undefined], [2, false]] as const) {
      const again = await run(file, batch, preload);
      expect(again).toMatchObject({ rows: 3, created: 0, updated: 0, unchanged: 3, shared: 0, rejected: [], warnings: [] });
    }
    expect(await Customer.countDocuments()).toBe(2);
    expect(await Interaction.countDocuments()).toBe(1);
    expect(await keyOf(LAN_PHONE)).toMatchObject({ customerId: 'C1', sharedWith: ['C2'] });
    expect(await keyOf('email:mai@shop.vn')).toMatchObject({ customerId: 'C2' });
  });

  it('splits rows of one file too: the first name holds the phone, each other name is a customer sharing it', async () => {
    const report = await run('name,phone,notes\nNguyễn Thị Lan,0912345678,\nMai,0912345678,note of Mai\nHoa,0912345678,\nmai,0912345678,\n', 2);
    expect(report).toMatchObject({ rows: 4, created: 3, unchanged: 1, shared: 2, rejected: [] });
    expect(await Customer.find({}, { name: 1, phones: 1 }).sort({ _id: 1 }).lean()).toEqual([
      { _id: 'C1', name: 'Nguyễn Thị Lan', phones: ['+84912345678'] },
      { _id: 'C2', name: 'Mai', phones: ['+84912345678'] },
      { _id: 'C3', name: 'Hoa', phones: ['+84912345678'] },
    ]);
    expect(await keyOf(LAN_PHONE)).toMatchObject({ customerId: 'C1', sharedWith: ['C2', 'C3'] });
    expect(await Interaction.findOne({ text: 'note of Mai' }).lean()).toMatchObject({ customerId: 'C2' });
    expect((await Counter.findById('customer').lean())!.seq).toBe(3);
  });

  it('finishes a second customer an interrupted run listed on the key but never wrote, under that number', async () => {
    await lan();
    // What a kill between the key's `sharedWith` and the customer's insert leaves.
    await Counter.updateOne({ _id: 'customer' }, { $set: { seq: 2 } });
    await ContactKey.collection.updateOne({ _id: LAN_PHONE as never }, { $addToSet: { sharedWith: 'C2' } });
    const report = await run('name,phone,notes\nMai,0912345678,hello\n');
    expect(report).toMatchObject({ created: 1, shared: 1, rejected: [] });
    expect(await Customer.findById('C2').lean()).toMatchObject({ name: 'Mai', phones: ['+84912345678'] });
    expect(await keyOf(LAN_PHONE)).toMatchObject({ customerId: 'C1', sharedWith: ['C2'] });
    expect((await Counter.findById('customer').lean())!.seq).toBe(2);
  });
});

describe('a row that is the holder after all', () => {
  beforeEach(clearAll);

  it.each([
    ['the same name written differently', 'NGUYEN THI LAN'],
    ['a shorter form with a form of address', 'chị Lan'],
    ['no name', ''],
  ])('merges into the holder: %s', async (_, name) => {
    await lan();
    const report = await run(`name,phone,tags,notes\n${name},0912345678,vip,gọi lại\n`);
    expect(report).toMatchObject({ created: 0, updated: 1, shared: 0, warnings: [] });
    expect(await Customer.countDocuments()).toBe(1);
    expect(await Customer.findById('C1').lean()).toMatchObject({ name: 'Nguyễn Thị Lan', tags: ['vip'] });
    expect(await Interaction.findOne({}).lean()).toMatchObject({ customerId: 'C1' });
  });

  it('merges a name the holder has as an alias', async () => {
    await lan();
    await Customer.collection.updateOne({ _id: 'C1' as never }, { $set: { aliases: ['Mai'] } });
    const report = await run('name,phone,notes\nmai,0912345678,from the alias\n');
    expect(report).toMatchObject({ created: 0, updated: 1, shared: 0, warnings: [] });
    expect(await Customer.countDocuments()).toBe(1);
  });

  it('merges a row that also has the holder\'s e-mail (an e-mail is personal)', async () => {
    await run('name,phone,email\nNguyễn Thị Lan,0912345678,lan@shop.vn\n');
    const report = await run('name,phone,email\nMai,0912345678,lan@shop.vn\n');
    expect(report).toMatchObject({ created: 0, shared: 0 });
    expect(await Customer.countDocuments()).toBe(1);
  });
});

describe('importing in chat: a shared phone', () => {
  const chat = createTestChat();
  const manager: Person = { platform: 'telegram', userId: '7301', displayName: 'Minh' };
  const file = (name: string, content: string): Attachment => {
    const data = Buffer.from(content, 'utf8');
    return { kind: 'file', fileName: name, mimeType: 'text/csv', size: data.length, download: async () => data };
  };

  beforeAll(async () => {
    await clearAll();
    await chat.hire('manager', manager);
  });

  it('reports the second customer in the warnings, in English and in Vietnamese, and puts the note on her card', async () => {
    await chat.send(manager, 'lead Nguyễn Thị Lan 0912345678');
    const body = replyText(await chat.send(manager, '', { attachments: [file('mai.csv', 'Họ tên,SĐT,Ghi chú\nMai,0912345678,Hỏi áo dài size S\n')] }));
    const mai = await Customer.findOne({ name: 'Mai' }).lean();
    expect(body).toContain(`  row 2: +84912345678 already belongs to C1 Nguyễn Thị Lan; Mai imported as ${mai!._id} sharing the phone — check \`dupes\``);
    expect(replyText(await chat.send(manager, `customer ${mai!._id}`))).toContain('Hỏi áo dài size S');
    expect(replyText(await chat.send(manager, 'customer C1'))).not.toContain('Hỏi áo dài size S');

    await chat.send(manager, 'lang vi');
    const vi = replyText(await chat.send(manager, '', { attachments: [file('hoa.csv', 'Họ tên,SĐT\nHoa,0912345678\n')] }));
    const hoa = await Customer.findOne({ name: 'Hoa' }).lean();
    expect(vi).toContain(`  dòng 2: +84912345678 đã thuộc về C1 Nguyễn Thị Lan; Hoa được nhập thành ${hoa!._id} dùng chung số này — kiểm tra bằng \`dupes\``);
  });
});

describe('`npm run import`: a shared phone', () => {
  const script = importScript('chatcrm-import-shared-');
  const runImport = script.run;
  beforeAll(script.setUp);
  afterAll(script.tearDown);

  it('imports Mai on Lan\'s phone as a second customer with a warning naming both, and nothing new the second time', async () => {
    const file = join(script.dir(), 'family.csv');
    await writeFile(file, 'Họ tên,SĐT,Ghi chú\nNguyễn Thị Lan,0912 345 678,\nMai,0912345678,Hỏi áo dài size S\n');
    const first = await runImport([file]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('Imported family.csv: 2 row(s) — 2 new, 0 updated, 0 unchanged, 0 rejected, 0 blank line(s) skipped, 1 warning(s).');
    expect(first.stdout).toContain('1 row(s) named someone else on a phone another customer has');
    expect(first.stdout).toContain('  row 3, phone "+84912345678": already belongs to C1 Nguyễn Thị Lan; Mai imported as C2 sharing the phone — check `dupes`');

    const again = await runImport([file, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ rows: 2, created: 0, unchanged: 2, shared: 0, warnings: [] });
  }, 240_000);
});
