/**
 * Data quality on the real database: likely duplicates (planted near-duplicates
 * are found, and nothing else) and incomplete records (lowest score first).
 */
import '../../models/index.js';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Customer } from '../../models/index.js';
import { findLikelyDuplicates, listLikelyDuplicates } from '../../src/services/dupes.js';
import { listIncomplete } from '../../src/services/completeness.js';
import { importCustomers } from '../../src/services/import/customers.js';
import { refNumber } from '../../src/values/refs.js';
import { buttonActions, createTestChat, OWNER, type Person } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';

useTestDatabase('dupes');

const fixture = fileURLToPath(new URL('../fixtures/messy.csv', import.meta.url));
const chat = createTestChat();
const manager: Person = { platform: 'telegram', userId: '8001', displayName: 'Minh' };
const sales: Person = { platform: 'telegram', userId: '8002', displayName: 'Lan' };

/** A record as older code or a raw migration might have left it (bypassing the services). */
async function plant(_id: string, name: string, nameKey: string, details: { phones?: string[]; emails?: string[]; status?: 'active' | 'merged' | 'forgotten'; ownerId?: string }) {
  await Customer.create({ _id, name, nameKey, phones: details.phones ?? [], emails: details.emails ?? [], status: details.status ?? 'active', ownerId: details.ownerId });
}

beforeAll(async () => {
  await chat.hire('manager', manager);
  await chat.hire('sales', sales);
  // The messy fixture without its rows that pair a good detail with a bad one (rows 6, 7 and 17): the
  // import keeps those now, with a warning; this file's figures are about the other rows. Nor row 15
  // (Ngô Văn Hải on An's phone): the import makes that a second customer sharing the phone.
  const lines = readFileSync(fixture, 'utf8').split('\n');
  const csv = lines.filter((_, i) => ![5, 6, 14, 16].includes(i)).join('\n');
  const report = await importCustomers(Readable.from([Buffer.from(csv)]), { region: 'VN', by: 'staff:s_test' });
  expect(report.created).toBe(7); // C1 Nguyễn Văn An … C7 Lâm Văn Tú
});

describe('likely duplicates', () => {
  it('finds nothing in the imported fixture: its repeated rows were merged on import', async () => {
    expect(await findLikelyDuplicates()).toEqual([]);
  });

  it('finds the planted near-duplicates, and nothing else', async () => {
    // Same folded name, phone stored before normalisation (national format).
    await plant('C901', 'NGUYEN VAN AN', 'nguyen van an', { phones: ['0912 345 678'] });
    // Same folded name (extra spaces, no capitals), e-mail stored in mixed case.
    await plant('C902', 'hoàng  minh', 'hoang minh', { emails: ['Hoang.Minh@Shop.VN'] });
    // Same phone under another name (C3 Hoàng Minh's +84977888999): suggested, as "same phone, different names".
    // Not duplicates: same name with nothing shared; same name and phone but already merged; a forgotten record.
    await plant('C903', 'Trần Thị Bích', 'tran thi bich', { phones: ['+84911000999'] });
    await plant('C904', 'Lê Thị Khác', 'le thi khac', { phones: ['+84977888999'] });
    await plant('C905', 'Nguyễn Văn An', 'nguyen van an', { phones: ['+84912345678'], status: 'merged' });
    await plant('C906', '', '', { phones: ['+84933444555'], status: 'forgotten' });

    expect(await findLikelyDuplicates()).toEqual([
      { keep: { id: 'C3', name: 'Hoàng Minh' }, merge: { id: 'C902', name: 'hoàng  minh' }, reason: 'sameNameSharedDetail', shared: { kind: 'email', value: 'hoang.minh@shop.vn' } },
      { keep: { id: 'C1', name: 'Nguyễn Văn An' }, merge: { id: 'C901', name: 'NGUYEN VAN AN' }, reason: 'sameNameSharedDetail', shared: { kind: 'phone', value: '…912345678' } },
      { keep: { id: 'C3', name: 'Hoàng Minh' }, merge: { id: 'C904', name: 'Lê Thị Khác' }, reason: 'samePhone', shared: { kind: 'phone', value: '…977888999' } },
    ]);
  });

  it('pages through the pairs', async () => {
    const first = await listLikelyDuplicates(1, 1);
    const second = await listLikelyDuplicates(2, 1);
    expect([first.total, first.pages, second.page]).toEqual([3, 3, 2]);
    expect(second.items[0]!.merge.id).toBe('C901');
  });

  it('says why for each pair, with Merge and Not-the-same buttons, and merges nothing itself', async () => {
    const replies = await chat.send(manager, 'dupes');
    const body = replies.map((r) => (r.kind === 'text' ? r.text : '')).join('\n');
    expect(body).toContain('C3 Hoàng Minh ⇄ C902 hoàng  minh · same name and same e-mail hoang.minh@shop.vn\n   → merge C3 C902');
    expect(body).toContain('C1 Nguyễn Văn An ⇄ C901 NGUYEN VAN AN · same name and same phone number …912345678\n   → merge C1 C901');
    expect(body).toContain('C3 Hoàng Minh ⇄ C904 Lê Thị Khác · same phone number …977888999 under different names\n   → merge C3 C904');
    expect(buttonActions(replies).filter((a) => a.startsWith('merge'))).toEqual([]);
    expect(buttonActions(replies)).toEqual([
      'dupes merge C3 C902', 'dupes distinct C3 C902',
      'dupes merge C1 C901', 'dupes distinct C1 C901',
      'dupes merge C3 C904', 'dupes distinct C3 C904',
    ]);
    expect(await Customer.countDocuments({ _id: { $in: ['C901', 'C902'] }, status: 'active' })).toBe(2);
  });

  it('is for managers and owners only', async () => {
    expect(await chat.say(sales, 'dupes')).toBe('Sorry, your role cannot use "dupes".');
    expect(await chat.say(OWNER, 'dupes')).toContain('Likely duplicates (3)');
  });
});

describe('incomplete records', () => {
  it('lists active customers lowest score first, with what is missing', async () => {
    const page = await listIncomplete(1, 3);
    // 902 has only a name and an e-mail (35); 904/903 have name + phone (45) — 903 is older.
    expect(page.items).toEqual([
      { id: 'C902', name: 'hoàng  minh', score: 35, missing: ['phone', 'tags', 'owner', 'consent'] },
      { id: 'C4', name: 'Đỗ Thị Em', score: 35, missing: ['phone', 'tags', 'owner', 'consent'] },
      { id: 'C901', name: 'NGUYEN VAN AN', score: 45, missing: ['email', 'tags', 'owner', 'consent'] },
    ].sort((a, b) => a.score - b.score || refNumber(a.id) - refNumber(b.id)));
    // Every active record misses at least owner and consent here; merged and forgotten ones are left out.
    expect(page.total).toBe(7 + 4);
  });

  it('answers the `incomplete` command with pages and buttons to open each customer', async () => {
    expect(await chat.say(sales, 'incomplete')).toBe('Sorry, your role cannot use "incomplete".');
    const replies = await chat.send(manager, 'incomplete');
    const body = replies.map((r) => (r.kind === 'text' ? r.text : '')).join('\n');
    expect(body.split('\n')[0]).toBe('Customers whose records need follow-up (11), least complete first:');
    expect(body).toContain('C4 Đỗ Thị Em · 35% · missing: phone, tags, owner, answer about offers');
    expect(buttonActions(replies)).toContain('incomplete page 2');
    expect(buttonActions(replies)).toContain('customer C4');
  });
});
