/**
 * Leads that ask before writing (issue 12 item 3, issue 13 item 4), through the core: a known phone
 * under another name, a name-only lead matching a known name, their answers from the buttons (once,
 * however often pressed), and `find`/`customer` by a phone several people share.
 */
import '../../models/index.js';
import { describe, expect, it } from 'vitest';
import { ContactKey, Counter, Customer, CustomerName, LeadQuestion } from '../../models/index.js';
import { buttonActions, createTestChat, customerIdIn, OWNER, replyText } from '../support/chat.js';
import { nextDeliveryId } from '../support/test-app.js';
import { useTestDatabase } from '../support/db.js';

useTestDatabase('lead_questions');

const chat = createTestChat();
const { say, send } = chat;

async function newLead(line: string): Promise<string> {
  const reply = await say(OWNER, `lead ${line}`);
  expect(reply).toMatch(/^New lead C\d+ .* saved\.$/);
  return customerIdIn(reply);
}

async function counter(): Promise<number> {
  return (await Counter.findById('customer').lean<{ seq: number }>())?.seq ?? 0;
}

describe('a known phone under another name', () => {
  it('asks with buttons and writes nothing until the answer; "same person" keeps the name as an alias', async () => {
    const lan = await newLead('Nguyễn Thị Lan 0912 345 678');
    const before = await Customer.findById(lan).lean();
    // Written as the model would write it: defaults in, nothing stored as null.
    expect(before).toMatchObject({ name: 'Nguyễn Thị Lan', nameKey: 'nguyen thi lan', phones: ['+84912345678'], consent: { promotions: false }, status: 'active', totals: { orders: 0 } });
    expect(Object.entries(before!).filter(([, v]) => v === null)).toEqual([]);
    expect(before?.createdAt).toBeInstanceOf(Date);
    const seq = await counter();

    const replies = await send(OWNER, 'lead Mai 0912345678 #vip mai@shop.vn note: wants the red dress');
    const text = replyText(replies);
    expect(text).toContain(`${lan} Nguyễn Thị Lan already has this phone number. Is Mai the same person?`);
    const actions = buttonActions(replies);
    expect(actions).toEqual([expect.stringMatching(new RegExp(`^lead-answer Q[0-9a-f]+ same ${lan}$`)), expect.stringMatching(/^lead-answer Q[0-9a-f]+ new$/)]);
    // Nothing written: no customer, no number used, no key for the e-mail, the card untouched.
    expect(await counter()).toBe(seq);
    expect(await Customer.findById(lan).lean()).toEqual(before);
    expect(await ContactKey.findById('email:mai@shop.vn').lean()).toBeNull();
    expect(await LeadQuestion.countDocuments()).toBe(1);

    const answer = await say(OWNER, actions[0]!, { fromButton: true });
    expect(answer).toContain(`${lan} Nguyễn Thị Lan: Mai kept as another name.`);
    expect(answer).toContain('mai@shop.vn');
    const after = await Customer.findById(lan).lean();
    expect(after?.aliases).toEqual(['Mai']);
    expect(after?.emails).toEqual(['mai@shop.vn']);
    expect(after?.tags).toEqual(['vip']);
    expect((await ContactKey.findById('email:mai@shop.vn').lean())?.customerId).toBe(lan);
    // The alias is shown on the card and found by a name-only lead.
    expect(await say(OWNER, `customer ${lan}`)).toContain('Also called: Mai');
    expect((await CustomerName.findById('mai').lean())?.customerIds).toContain(lan);
    // The same details again under the alias: recognised, nothing asked.
    expect(await say(OWNER, 'lead Mai 0912 345 678')).toBe(`${lan} Nguyễn Thị Lan already has these details — nothing duplicated.`);
  });

  it('"different person sharing the phone" creates a second customer holding the phone; both are distinct', async () => {
    const lan = await newLead('Trần Thị Lan 0913 111 222');
    const replies = await send(OWNER, 'lead Bà Sáu 0913111222');
    expect(replyText(replies)).toContain(`${lan} Trần Thị Lan already has this phone number. Is Bà Sáu the same person?`);
    const different = buttonActions(replies).find((a) => a.endsWith(' new'))!;
    const answer = await say(OWNER, different, { fromButton: true });
    expect(answer).toMatch(new RegExp(`^New customer C\\d+ Bà Sáu saved; shares the phone with ${lan}\\.`));
    const sau = customerIdIn(answer.replace(lan, ''));
    const key = await ContactKey.findById('phone:+84913111222').lean<{ customerId: string; sharedWith?: string[] }>();
    expect(key?.customerId).toBe(lan);
    expect(key?.sharedWith).toEqual([sau]);
    const sauDoc = await Customer.findById(sau).lean();
    expect(sauDoc?.phones).toEqual(['+84913111222']);
    expect(sauDoc?.distinctFrom).toEqual([lan]);
    expect((await Customer.findById(lan).lean())?.distinctFrom).toEqual([sau]);
    // Her own details later go to her, not to the holder: nothing asked.
    expect(await say(OWNER, 'lead Bà Sáu 0913 111 222 #family')).toBe(`${sau} Bà Sáu already exists; added #family.`);
  });

  it('a button pressed twice, or delivered twice, writes once and says what the first press did', async () => {
    const hung = await newLead('Phạm Hùng 0914 222 333');
    const replies = await send(OWNER, 'lead Tuấn 0914222333');
    const different = buttonActions(replies).find((a) => a.endsWith(' new'))!;
    const seq = await counter();
    const deliveryId = nextDeliveryId();
    const first = replyText(await send(OWNER, different, { fromButton: true, deliveryId }));
    expect(first).toMatch(/^New customer C\d+ Tuấn saved/);
    const tuan = customerIdIn(first.replace(hung, ''));
    // The same delivery again (a platform retry): no reply, nothing written.
    expect(await send(OWNER, different, { fromButton: true, deliveryId })).toEqual([]);
    // Another press of the same button, and of the other one: nothing written, told what was done.
    expect(await say(OWNER, different, { fromButton: true })).toBe(`This question was answered already: ${tuan} Tuấn.`);
    const same = buttonActions(replies).find((a) => a.includes(' same '))!;
    expect(await say(OWNER, same, { fromButton: true })).toBe(`This question was answered already: ${tuan} Tuấn.`);
    expect(await counter()).toBe(seq + 1);
    expect(await Customer.countDocuments({ name: 'Tuấn' })).toBe(1);
    expect((await ContactKey.findById('phone:+84914222333').lean<{ sharedWith?: string[] }>())?.sharedWith).toEqual([tuan]);
  });
});

describe('a name-only lead matching a known name', () => {
  it('names the customer and asks; "same person" adds to it', async () => {
    const hoa = await newLead('Hoà 0915 333 444');
    const replies = await send(OWNER, 'lead Hoa #wholesale');
    expect(replyText(replies)).toContain(`You already have a customer called Hoa: ${hoa} Hoà`);
    const actions = buttonActions(replies);
    expect(actions).toEqual([expect.stringMatching(new RegExp(`^lead-answer Q[0-9a-f]+ same ${hoa}$`)), expect.stringMatching(/ new$/)]);
    expect(await Customer.countDocuments({ nameKey: 'hoa' })).toBe(1);
    expect(await say(OWNER, actions[0]!, { fromButton: true })).toBe(`${hoa} Hoà already exists; added #wholesale.`);
    expect(await Customer.countDocuments({ nameKey: 'hoa' })).toBe(1);
  });

  it('"new customer" creates it, distinct from the namesake; the next "lead Hoa" names both', async () => {
    const first = (await Customer.findOne({ nameKey: 'hoa' }).lean())!._id;
    const replies = await send(OWNER, 'lead Hoa');
    const answer = await say(OWNER, buttonActions(replies).find((a) => a.endsWith(' new'))!, { fromButton: true });
    expect(answer).toMatch(new RegExp(`^New customer C\\d+ Hoa saved, as a different person from ${first}\\.`));
    const second = customerIdIn(answer);
    expect((await Customer.findById(second).lean())?.distinctFrom).toEqual([first]);
    const again = await send(OWNER, 'lead Hoa');
    expect(replyText(again)).toMatch(new RegExp(`${first} Hoà.*; ${second} Hoa`));
    expect(buttonActions(again)).toHaveLength(3);
  });

  it('a name nobody has is created at once, and a Vietnamese reader is asked in Vietnamese', async () => {
    expect(await say(OWNER, 'lead Quang Vinh')).toMatch(/^New lead C\d+ Quang Vinh saved\.$/);
    const vi = await say(OWNER, 'lead quang vinh', { locale: 'vi' });
    expect(vi).toContain('Đã có khách hàng tên quang vinh');
  });
});

describe('find and customer by a shared phone', () => {
  it('list the holder and the others using the phone', async () => {
    const holder = await newLead('Lê Văn Bảy 0916 444 555');
    const replies = await send(OWNER, 'lead Cô Tám 0916444555');
    const tam = customerIdIn((await say(OWNER, buttonActions(replies).find((a) => a.endsWith(' new'))!, { fromButton: true })).replace(holder, ''));
    const found = await say(OWNER, 'find 0916 444 555');
    expect(found).toContain(`is shared: ${holder} holds it`);
    expect(found).toContain(`${holder} Lê Văn Bảy`);
    expect(found).toContain(`${tam} Cô Tám`);
    const card = await send(OWNER, 'customer +84916444555');
    expect(replyText(card)).toMatch(new RegExp(`^${holder} · Lê Văn Bảy`));
    expect(replyText(card)).toContain(`is shared: ${holder} holds it, also used by ${tam} Cô Tám`);
    expect(buttonActions(card)).toContain(`customer ${tam}`);
  });
});

describe('merging a customer who shares a phone', () => {
  it('moves the shared phone to the kept customer and keeps the merged name as an alias; unmerge puts both back', async () => {
    const holder = await newLead('Phạm Văn Chín 0917 555 666');
    const replies = await send(OWNER, 'lead Cô Mười 0917555666');
    const muoi = customerIdIn((await say(OWNER, buttonActions(replies).find((a) => a.endsWith(' new'))!, { fromButton: true })).replace(holder, ''));
    const other = await newLead('Mười Nguyễn 0988 777 666');
    await say(OWNER, `merge ${other} ${muoi}`);
    const key = await ContactKey.findById('phone:+84917555666').lean<{ customerId: string; sharedWith?: string[] }>();
    expect(key?.customerId).toBe(holder);
    expect(key?.sharedWith).toEqual([other]);
    expect((await Customer.findById(other).lean())?.aliases).toEqual(['Cô Mười']);
    await say(OWNER, `unmerge ${muoi}`);
    expect((await Customer.findById(other).lean())?.aliases).toEqual([]);
    expect((await ContactKey.findById('phone:+84917555666').lean<{ sharedWith?: string[] }>())?.sharedWith).toEqual([muoi]);
  });
});
