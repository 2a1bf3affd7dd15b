/**
 * The duplicates people actually make, one rule at a time, on the real database: the same name
 * where one record is chat-only, the same phone under different names (also through a contact
 * key's `sharedWith`), names one letter apart with a shared detail — never a pair marked as
 * different people — and the buttons: Merge asks first, "Not the same" sets `distinctFrom` on both.
 */
import '../../models/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { ContactKey } from '../../models/contact-key.js';
import { Customer } from '../../models/customer.js';
import { findLikelyDuplicates, oneLetterApart, type DuplicatePair } from '../../src/services/dupes.js';
import { foldName } from '../../src/values/names.js';
import { buttonActions, createTestChat, replyText, type Person } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';

useTestDatabase('dupes-rules');

const chat = createTestChat();
const manager: Person = { platform: 'telegram', userId: '9001', displayName: 'Quang' };
const sales: Person = { platform: 'telegram', userId: '9002', displayName: 'Lan' };
const vietnamese: Person = { platform: 'telegram', userId: '9003', displayName: 'Vy' };

async function plant(_id: string, name: string, details: { phones?: string[]; emails?: string[]; distinctFrom?: string[] } = {}) {
  await Customer.create({ _id, name, nameKey: foldName(name), phones: details.phones ?? [], emails: details.emails ?? [] });
  if (details.distinctFrom) await Customer.collection.updateOne({ _id: _id as never }, { $set: { distinctFrom: details.distinctFrom } });
}

const pairOf = (pairs: DuplicatePair[], a: string, b: string) => pairs.find((p) => p.keep.id === a && p.merge.id === b);
const pairsWith = (pairs: DuplicatePair[], id: string) => pairs.filter((p) => p.keep.id === id || p.merge.id === id);

beforeAll(async () => {
  await chat.hire('manager', manager);
  await chat.hire('sales', sales);
  await chat.hire('manager', vietnamese);
  // Same name, one chat-only: "Minh Zalo" logged with a phone, and who wrote to the bot without one; two "Hoa"s.
  await plant('C1', 'Minh Zalo', { phones: ['+84912000001'] });
  await plant('C2', 'minh zalo');
  await plant('C3', 'Hoa', { phones: ['+84912000003'] });
  await plant('C4', 'Hòa');
  // Same phone, different names: one stored in the national format.
  await plant('C5', 'Anh Tuấn', { phones: ['+84912000005'] });
  await plant('C6', 'Tuấn', { phones: ['0912 000 005'] });
  // A family phone recorded on the key only (the sharer's own record lacks it).
  await plant('C7', 'Bà Sáu', { phones: ['+84912000007'] });
  await plant('C8', 'Cô Bảy', { emails: ['bay@shop.vn'] });
  await ContactKey.create({ _id: 'phone:+84912000007', customerId: 'C7' });
  await ContactKey.collection.updateOne({ _id: 'phone:+84912000007' as never }, { $set: { sharedWith: ['C8'] } });
  // One letter apart with a shared e-mail; one letter apart with nothing shared.
  await plant('C9', 'Nguyễn Thị Hoa', { emails: ['hoa.nguyen@shop.vn'] });
  await plant('C10', 'Nguyen Thi Hoai', { emails: ['Hoa.Nguyen@shop.vn'] });
  await plant('C11', 'Thanh Tâm', { phones: ['+84912000011'] });
  await plant('C12', 'Thanh Tân', { phones: ['+84912000012'] });
  // Marked as different people: same name, one chat-only — never suggested.
  await plant('C13', 'Lan Anh', { phones: ['+84912000013'], distinctFrom: ['C14'] });
  await plant('C14', 'Lan Anh');
  // A name too common to suggest on the name alone.
  for (let i = 0; i < 11; i++) await plant(`C${20 + i}`, 'Hùng', i === 0 ? { phones: ['+84912000020'] } : {});
  // Still to be marked "not the same" with the button.
  await plant('C40', 'Phương Lê', { phones: ['+84912000040'] });
  await plant('C41', 'phuong le');
}, 60_000);

describe('duplicate rules', () => {
  let pairs: DuplicatePair[];
  beforeAll(async () => {
    pairs = await findLikelyDuplicates();
  });

  it('the same name where one record has no phone or e-mail (chat-only)', () => {
    expect(pairOf(pairs, 'C1', 'C2')).toEqual({ keep: { id: 'C1', name: 'Minh Zalo' }, merge: { id: 'C2', name: 'minh zalo' }, reason: 'sameNameNoDetail', chatOnly: 'C2' });
    expect(pairOf(pairs, 'C3', 'C4')).toMatchObject({ reason: 'sameNameNoDetail', chatOnly: 'C4' });
  });

  it('the same phone under different names, by its last 9 digits and through a key’s sharedWith', () => {
    expect(pairOf(pairs, 'C5', 'C6')).toMatchObject({ reason: 'samePhone', shared: { kind: 'phone', value: '…912000005' } });
    expect(pairOf(pairs, 'C7', 'C8')).toMatchObject({ reason: 'samePhone', shared: { kind: 'phone', value: '…912000007' } });
  });

  it('names one letter apart with a shared detail, but not without one', () => {
    expect(pairOf(pairs, 'C9', 'C10')).toMatchObject({ reason: 'nameOneLetterApart', shared: { kind: 'email', value: 'hoa.nguyen@shop.vn' } });
    expect(pairOf(pairs, 'C11', 'C12')).toBeUndefined();
    expect([oneLetterApart('nguyen thi hoa', 'nguyen thi hoai'), oneLetterApart('thanh tam', 'thanh tan'), oneLetterApart('hoa', 'hoai'), oneLetterApart('minh', 'minh')]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });

  it('never pairs records in each other’s distinctFrom, nor a name shared by more than ten', () => {
    expect(pairsWith(pairs, 'C13')).toEqual([]);
    expect(pairsWith(pairs, 'C20')).toEqual([]);
  });

  it('suggests each pair once, most certain rules first', () => {
    expect(pairs.map((p) => `${p.keep.id}:${p.merge.id}:${p.reason}`)).toEqual([
      'C9:C10:nameOneLetterApart',
      'C5:C6:samePhone',
      'C7:C8:samePhone',
      'C3:C4:sameNameNoDetail',
      'C1:C2:sameNameNoDetail',
      'C40:C41:sameNameNoDetail',
    ]);
  });
});

describe('the dupes buttons', () => {
  it('every suggestion says why, in English and in Vietnamese, with Merge and Not-the-same buttons', async () => {
    const replies = await chat.send(manager, 'dupes');
    const text = replyText(replies);
    expect(text).toContain('C9 Nguyễn Thị Hoa ⇄ C10 Nguyen Thi Hoai · names one letter apart and same e-mail hoa.nguyen@shop.vn');
    expect(text).toContain('C7 Bà Sáu ⇄ C8 Cô Bảy · same phone number …912000007 under different names');
    expect(buttonActions(replies).slice(0, 2)).toEqual(['dupes merge C9 C10', 'dupes distinct C9 C10']);
    expect(buttonActions(replies)).toContain('dupes page 2');
    await chat.say(vietnamese, 'lang vi');
    const vi = await chat.say(vietnamese, 'dupes page 2');
    expect(vi).toContain('C40 Phương Lê ⇄ C41 phuong le · trùng tên; C41 không có số điện thoại hay e-mail (chỉ nhắn tin qua chat)');
    expect((await chat.send(vietnamese, 'dupes page 2')).flatMap((r) => (r.kind === 'text' ? (r.buttons ?? []).flat().map((b) => b.label) : []))).toEqual([
      'Gộp C41 vào C40…',
      'C41 ≠ C40: không phải một người',
      '‹ Trước',
    ]);
  });

  it('Merge asks first and merges nothing; the confirmation runs the merge, keep ← merge', async () => {
    const replies = await chat.send(manager, 'dupes merge C1 C2');
    expect(replyText(replies)).toMatch(/^Merge C2 minh zalo into C1 Minh Zalo\? C2's orders, messages, contact details and totals move to C1/);
    expect(replies[0]!.kind === 'text' && replies[0]!.buttons).toEqual([
      [{ label: 'Yes, merge C2 into C1', action: 'merge C1 C2' }],
      [{ label: 'Cancel', action: 'dupes' }],
    ]);
    expect(await Customer.countDocuments({ _id: { $in: ['C1', 'C2'] }, status: 'active' })).toBe(2);
    expect(await chat.say(manager, 'merge C1 C2')).toMatch(/^C2 merged into C1/);
    expect((await Customer.findById('C2').lean())!.status).toBe('merged');
    expect(pairsWith(await findLikelyDuplicates(), 'C2')).toEqual([]);
  });

  it('"Not the same" records distinctFrom on both, and the pair is not suggested again', async () => {
    expect(pairOf(await findLikelyDuplicates(), 'C40', 'C41')).toBeDefined();
    expect(await chat.say(sales, 'dupes distinct C40 C41')).toBe('Sorry, your role cannot use "dupes".');
    expect(await chat.say(manager, 'dupes distinct C40 C41')).toBe('Noted: C40 and C41 are different people. They will not be suggested as duplicates again.');
    const [a, b] = await Promise.all(['C40', 'C41'].map((id) => Customer.collection.findOne({ _id: id as never }, { projection: { distinctFrom: 1 } })));
    expect([a!.distinctFrom, b!.distinctFrom]).toEqual([['C41'], ['C40']]);
    expect(pairOf(await findLikelyDuplicates(), 'C40', 'C41')).toBeUndefined();
  });
});
