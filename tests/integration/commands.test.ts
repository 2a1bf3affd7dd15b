/**
 * Every command through the one primitive, `createApp(deps).handle(incoming)`, on the real
 * test database: the replies people read and what ends up stored.
 */
import '../../models/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { ContactKey, Customer, DigestSubscription, FollowUp, Identity, Interaction, Invite, Order, Staff } from '../../models/index.js';
import { refNumber } from '../../src/values/refs.js';
import { buttonActions, countAll, createTestChat, customerIdIn, OWNER, orderIdIn, replyText, type Person } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';

useTestDatabase('commands');

const chat = createTestChat();
const { say, send, notifier, clock } = chat;

let phoneSeq = 100;
/** A fresh valid Vietnamese mobile number, local format: `0912 000 101`, … */
const freshPhone = () => {
  const n = String(++phoneSeq).padStart(3, '0');
  return { local: `0912 000 ${n}`, e164: `+84912000${n}` };
};

const tg = (userId: string, displayName: string): Person => ({ platform: 'telegram', userId, displayName });
const slack = (userId: string, displayName: string): Person => ({ platform: 'slack', userId, displayName });

const manager = tg('1001', 'Minh');
const sales = tg('1002', 'Lan');
const support = tg('1003', 'Hoa');

async function customerDoc(id: string) {
  const c = await Customer.findById(id).lean();
  if (!c) throw new Error(`${id} missing`);
  return c;
}

/** Creates a lead as the owner and returns its id (`C12`). */
async function newLead(line: string): Promise<string> {
  const reply = await say(OWNER, `lead ${line}`);
  expect(reply).toMatch(/^New lead C\d+ .* saved\.$/);
  return customerIdIn(reply);
}

beforeAll(async () => {
  await chat.hire('manager', manager);
  await chat.hire('sales', sales);
  await chat.hire('support', support);
});

describe('help', () => {
  it('lists only the commands the owner may use, hidden and customer-only ones left out', async () => {
    const reply = await say(OWNER, 'help');
    expect(reply.split('\n')[0]).toBe('Commands for you (owner):');
    for (const usage of ['lead <name>', 'find <', 'merge <keep', 'invite <', 'totals rebuild', 'order status <O7>']) {
      expect(reply).toContain(`  ${usage}`);
    }
    for (const hidden of ['  start', '  consent', '  stop', '  complaint', '  join']) expect(reply).not.toContain(hidden);
  });

  it('leaves merge, invite and totals out of a salesperson’s help', async () => {
    const reply = await say(sales, 'help');
    expect(reply.split('\n')[0]).toBe('Commands for you (sales):');
    expect(reply).toContain('  order <customer> <amount>');
    for (const missing of ['merge <', 'unmerge <', 'invite <', 'totals rebuild']) expect(reply).not.toContain(missing);
  });

  it('leaves "order" (recording one) out of support’s help but keeps "order status"', async () => {
    const reply = await say(support, 'help');
    expect(reply).not.toContain('  order <customer> <amount>');
    expect(reply).toContain('  order status <O7>');
  });

  it('shows a customer only the customer commands', async () => {
    const reply = await say(tg('5001', 'Khách'), 'help');
    expect(reply.split('\n')[0]).toBe('Hello! Here is what I can do for you:');
    expect(reply).toContain('  complaint <what went wrong>');
    expect(reply).toContain('  stop —');
    for (const missing of ['lead <', 'find <', 'order <customer>', 'merge <']) expect(reply).not.toContain(missing);
  });

  it('explains one command with its usage and examples', async () => {
    const reply = await say(sales, 'help order status');
    expect(reply).toContain('Usage: order status <O7> <new|paid|shipped|delivered|cancelled>');
    expect(reply).toContain('Examples:');
    expect(reply).toContain('  order status O7 paid');
  });

  it('does not explain a command the asker may not use', async () => {
    expect(await say(sales, 'help merge')).toBe('I don\'t know "merge". Send "help" to see what you can do.');
  });
});

describe('lead', () => {
  it('creates a customer with normalised details, tags, contact keys and the note as an interaction', async () => {
    const phone = freshPhone();
    const reply = await send(OWNER, `lead Anna Nguyen ${phone.local} Anna@Shop.VN #vip met at the expo`);
    const id = customerIdIn(replyText(reply));
    expect(replyText(reply)).toBe(`New lead ${id} Anna Nguyen saved.`);
    expect(buttonActions(reply)).toEqual([`customer ${id}`]);
    const c = await customerDoc(id);
    expect(c).toMatchObject({ name: 'Anna Nguyen', nameKey: 'anna nguyen', phones: [phone.e164], emails: ['anna@shop.vn'], tags: ['vip'], status: 'active' });
    expect(await ContactKey.findById(`phone:${phone.e164}`).lean()).toMatchObject({ customerId: id });
    expect(await ContactKey.findById('email:anna@shop.vn').lean()).toMatchObject({ customerId: id });
    const notes = await Interaction.find({ customerId: id }).lean();
    expect(notes).toEqual([expect.objectContaining({ kind: 'note', text: 'met at the expo' })]);
  });

  it('recognises the same phone in another format as the same customer and duplicates nothing', async () => {
    const phone = freshPhone();
    const id = await newLead(`Bao Tran ${phone.local}`);
    const before = await Customer.countDocuments();
    const reply = await say(OWNER, `lead Bao Tran ${phone.e164.replace('+84', '+84 ')}`);
    expect(reply).toBe(`${id} Bao Tran already has these details — nothing duplicated.`);
    expect(await Customer.countDocuments()).toBe(before);
    expect((await customerDoc(id)).phones).toEqual([phone.e164]);
  });

  it('adds new details to the customer an existing phone belongs to', async () => {
    const phone = freshPhone();
    const id = await newLead(`Chi Le ${phone.local}`);
    const before = await Customer.countDocuments();
    const reply = await say(OWNER, `lead Chi ${phone.e164} chi@le.vn #wholesale`);
    expect(reply).toBe(`${id} Chi Le already exists; added chi@le.vn, #wholesale.`);
    expect(await Customer.countDocuments()).toBe(before);
    const c = await customerDoc(id);
    expect(c.emails).toEqual(['chi@le.vn']);
    expect(c.tags).toEqual(['wholesale']);
    expect(await ContactKey.findById('email:chi@le.vn').lean()).toMatchObject({ customerId: id });
  });

  it('refuses details that belong to two different customers, naming both and writing nothing', async () => {
    const phone = freshPhone();
    const a = await newLead(`Dung Pham ${phone.local}`);
    const b = await newLead('Dung P. dung@pham.vn');
    const before = await countAll(['processeddeliveries']);
    const reply = await say(OWNER, `lead Dung ${phone.local} dung@pham.vn`);
    expect(reply).toContain(`${a}`);
    expect(reply).toContain(`${b}`);
    expect(reply).toContain(`merge ${a} ${b}`);
    expect(await countAll(['processeddeliveries', 'counters'])).toEqual(withoutCounters(before));
    expect((await customerDoc(a)).emails).toEqual([]);
    expect((await customerDoc(b)).phones).toEqual([]);
  });

  it('writes nothing for an invalid phone and shows the reason with the usage line', async () => {
    const before = await countAll(['processeddeliveries']);
    const reply = await say(OWNER, 'lead Em Vo +84 123 likes red');
    expect(reply).toBe(
      'These don\'t look right: phone "+84 123". Nothing was saved.\nUsage: lead <name> [phone] [e-mail] [#tag …] [note]',
    );
    expect(await countAll(['processeddeliveries'])).toEqual(before);
  });

  it('makes the salesperson who logs a lead its owner', async () => {
    const reply = await say(sales, `lead Giang Ho ${freshPhone().local}`);
    const c = await customerDoc(customerIdIn(reply));
    const lan = await Identity.findById('telegram:1002').lean();
    expect(c.ownerId).toBe(lan?.refId);
  });
});

function withoutCounters(counts: Record<string, number>): Record<string, number> {
  const { counters: _ignored, ...rest } = counts;
  return rest;
}

describe('find', () => {
  let duc: string;
  let ducPhone: ReturnType<typeof freshPhone>;
  beforeAll(async () => {
    ducPhone = freshPhone();
    duc = await newLead(`"Nguyễn Văn Đức" ${ducPhone.local} duc.nguyen@shop.vn #findtag`);
    await newLead('"Trần Thị Bích" #findtag');
  });

  it('finds a name by the start of any word, without diacritics or case', async () => {
    const reply = await say(sales, 'find nguyen');
    expect(reply).toContain(`${duc} Nguyễn Văn Đức · +84 912 000 ${ducPhone.local.slice(-3)} · #findtag`);
    expect(await say(sales, 'find DUC')).toContain(`${duc} Nguyễn Văn Đức`);
    expect(await say(sales, 'find guyen')).toBe('No customer matches "guyen".');
  });

  it('finds by phone written in another format', async () => {
    expect(await say(sales, `find ${ducPhone.e164}`)).toContain(`${duc} Nguyễn Văn Đức`);
    expect(await say(sales, `find ${ducPhone.local.replace(/ /g, '-')}`)).toContain(`${duc} Nguyễn Văn Đức`);
  });

  it('runs under its Vietnamese name "tìm", in any case and Unicode form, with or without accents', async () => {
    const english = await say(sales, 'find nguyen');
    for (const typed of ['tìm nguyen', 'TÌM nguyen', 'tim nguyen', 'ti\u0300m nguyen', '/tìm nguyen']) expect(await say(sales, typed), typed).toBe(english);
    expect(await say(sales, 'tìm')).toBe('Say what to look for\nUsage: find <name | phone | e-mail | #tag | C12>');
  });

  it('finds by e-mail typed in upper case', async () => {
    expect(await say(sales, 'find DUC.NGUYEN@SHOP.VN')).toContain(`${duc} Nguyễn Văn Đức`);
  });

  it('finds every customer with a #tag', async () => {
    const reply = await say(sales, 'find #FindTag');
    expect(reply.split('\n')).toHaveLength(3);
    expect(reply).toContain('Nguyễn Văn Đức');
    expect(reply).toContain('Trần Thị Bích');
  });

  it('finds by customer number', async () => {
    const reply = await say(sales, `find ${duc}`);
    expect(reply).toBe(`Customers matching "${duc}":\n${duc} Nguyễn Văn Đức · +84 912 000 ${ducPhone.local.slice(-3)} · #findtag`);
  });

  it('pages results beyond ten, with a Next button and the "page 2" form', async () => {
    const ids: string[] = [];
    for (let i = 1; i <= 12; i++) ids.push(await newLead(`Pagetest Person${String(i).padStart(2, '0')}`));
    const first = await send(sales, 'find pagetest');
    const firstText = replyText(first);
    expect(firstText).toContain('Page 1 of 2 · 12 in all');
    expect(firstText.split('\n').filter((l) => /^C\d+ /.test(l))).toHaveLength(10);
    expect(buttonActions(first)).toContain('find pagetest page 2');
    const second = await say(sales, 'find pagetest page 2');
    const lines = second.split('\n').filter((l) => /^C\d+ /.test(l));
    expect(lines).toEqual([`${ids[10]} Pagetest Person11`, `${ids[11]} Pagetest Person12`]);
    expect(second).toContain('Page 2 of 2 · 12 in all');
  });

  it('answers plainly when nothing matches', async () => {
    expect(await say(sales, 'find zzzz')).toBe('No customer matches "zzzz".');
  });
});

describe('customer card', () => {
  it('shows contact details, tags, owner, consent, totals and the latest note', async () => {
    const phone = freshPhone();
    const reply = await say(sales, `lead Hai Do ${phone.local} hai@do.vn #vip wants a red scarf`);
    const id = customerIdIn(reply);
    const card = await say(OWNER, `customer hai@do.vn`);
    const lines = card.split('\n');
    expect(lines.slice(0, 7)).toEqual([
      `${id} · Hai Do`,
      `Phone: +84 912 000 ${phone.local.slice(-3)}`,
      'E-mail: hai@do.vn',
      'Tags: #vip',
      'Owner: Lan',
      'Promotions: no',
      '0 order(s), —',
    ]);
    expect(card).toContain('Latest interactions:');
    expect(card).toMatch(/note: wants a red scarf/);
  });

  it('says so when no customer matches', async () => {
    expect(await say(OWNER, 'customer C99999')).toBe('No customer matches "C99999".');
  });
});

describe('note', () => {
  it('stores a note on the customer named by number, with the staff member and platform', async () => {
    const id = await newLead(`Khoa Bui ${freshPhone().local}`);
    expect(await say(sales, `note ${id} called back, wants delivery on Friday`)).toBe(`Note saved on ${id}.`);
    const note = await Interaction.findOne({ customerId: id, kind: 'note' }).lean();
    const lan = await Identity.findById('telegram:1002').lean();
    expect(note).toMatchObject({ text: 'called back, wants delivery on Friday', staffId: lan?.refId, platform: 'telegram' });
  });

  it('finds the customer by a phone written with spaces', async () => {
    const phone = freshPhone();
    const id = await newLead(`Lam Ngo ${phone.local}`);
    expect(await say(sales, `note ${phone.local} prefers Zalo`)).toBe(`Note saved on ${id}.`);
    expect(await Interaction.countDocuments({ customerId: id, text: 'prefers Zalo' })).toBe(1);
  });

  it('refuses an empty note with the usage line and stores nothing', async () => {
    const id = await newLead(`Mai Ly ${freshPhone().local}`);
    expect(await say(sales, `note ${id}`)).toBe('Write the note after the customer\nUsage: note <customer> <text>');
    expect(await Interaction.countDocuments({ customerId: id })).toBe(0);
  });
});

describe('tag and untag', () => {
  it('adds normalised tags once and removes them again', async () => {
    const id = await newLead(`Nam Vu ${freshPhone().local}`);
    expect(await say(sales, `tag ${id} #VIP #Khách-Sỉ`)).toBe(`${id} tagged #vip #khach-si.`);
    expect(await say(sales, `tag ${id} #vip`)).toBe(`${id} already had those tags.`);
    expect((await customerDoc(id)).tags).toEqual(['vip', 'khach-si']);
    expect(await say(sales, `untag ${id} #vip #nothere`)).toBe(`Removed #vip from ${id}.`);
    expect((await customerDoc(id)).tags).toEqual(['khach-si']);
    expect(await say(sales, `untag ${id} #vip`)).toBe(`${id} had none of those tags.`);
  });
});

describe('order', () => {
  it('records an order with items and updates orders count, revenue per currency and lastOrderAt', async () => {
    const id = await newLead(`Oanh Ta ${freshPhone().local}`);
    clock.now = new Date('2026-03-02T05:00:00.000Z');
    const first = await send(sales, `order ${id} 350k 2x áo dài, khăn lụa`);
    const o1 = orderIdIn(replyText(first));
    expect(replyText(first)).toBe(`Order ${o1} for ${id} Oanh Ta: ₫350,000 (new).`);
    expect(buttonActions(first)).toEqual([`order status ${o1} paid`, `order status ${o1} shipped`, `order status ${o1} cancelled`]);
    const stored = await Order.findById(o1).lean();
    expect(stored).toMatchObject({
      customerId: id,
      amountMinor: 350_000,
      currency: 'VND',
      status: 'new',
      items: [
        { name: 'áo dài', qty: 2 },
        { name: 'khăn lụa', qty: 1 },
      ],
    });

    clock.now = new Date('2026-03-03T05:00:00.000Z');
    const second = await say(sales, `order ${id} 19.99 EUR gift card`);
    expect(second).toMatch(new RegExp(`^Order O\\d+ for ${id} Oanh Ta: €19\\.99 \\(new\\)\\.$`));
    const c = await customerDoc(id);
    expect(c.totals?.orders).toBe(2);
    expect(c.totals?.revenue).toEqual({ VND: 350_000, EUR: 1999 });
    expect(c.totals?.lastOrderAt).toEqual(new Date('2026-03-03T05:00:00.000Z'));
    expect(c.totals?.firstOrderAt).toEqual(new Date('2026-03-02T05:00:00.000Z'));

    const card = await say(sales, `customer ${id}`);
    expect(card).toContain('2 order(s), ₫350,000 + €19.99');
    expect(card).toContain('Last order: 2026-03-03 12:00');
  });

  it('refuses an amount it cannot read and records nothing', async () => {
    const id = await newLead(`Phuc Quach ${freshPhone().local}`);
    const reply = await say(sales, `order ${id} abc shoes`);
    expect(reply).toBe('"abc" is not an amount. Try 350k, 350000, 19.99 EUR.\nUsage: order <customer> <amount> [items]');
    expect(await Order.countDocuments({ customerId: id })).toBe(0);
    expect((await customerDoc(id)).totals?.orders).toBe(0);
  });
});

describe('order status', () => {
  let id: string;
  let paidOrder: string;
  let cancelledOrder: string;
  beforeAll(async () => {
    id = await newLead(`Quynh Son ${freshPhone().local}`);
    paidOrder = orderIdIn(await say(sales, `order ${id} 500k`));
    cancelledOrder = orderIdIn(await say(sales, `order ${id} 200k`));
  });

  it('moves an order along its path and records each step in the history', async () => {
    expect(await say(support, `order status ${paidOrder} paid`)).toBe(`Order ${paidOrder}: new → paid.`);
    expect(await say(support, `status ${refNumber(paidOrder)} shipped`)).toBe(`Order ${paidOrder}: paid → shipped.`);
    const o = await Order.findById(paidOrder).lean();
    expect(o?.status).toBe('shipped');
    expect(o?.history.map((h) => h.status)).toEqual(['new', 'paid', 'shipped']);
  });

  it('refuses a transition the path does not allow and leaves the order as it was', async () => {
    const reply = await say(support, `order status ${paidOrder} new`);
    expect(reply).toContain(`${paidOrder} is shipped; it can go to delivered, cancelled`);
    expect(reply).toContain('Usage: order status <O7>');
    expect((await Order.findById(paidOrder).lean())?.status).toBe('shipped');
    expect(await say(support, `order status ${paidOrder} lost`)).toContain('Status must be one of new, paid, shipped, delivered, cancelled');
  });

  it('takes a cancelled order out of the totals once, however often it is cancelled', async () => {
    expect((await customerDoc(id)).totals).toMatchObject({ orders: 2, revenue: { VND: 700_000 } });
    expect(await say(support, `order status ${cancelledOrder} cancelled`)).toBe(`Order ${cancelledOrder}: new → cancelled.`);
    expect((await customerDoc(id)).totals).toMatchObject({ orders: 1, revenue: { VND: 500_000 } });
    expect(await say(support, `order status ${cancelledOrder} cancelled`)).toBe(`Order ${cancelledOrder} is already cancelled.`);
    expect(await say(OWNER, `status ${cancelledOrder} cancelled`)).toBe(`Order ${cancelledOrder} is already cancelled.`);
    expect((await customerDoc(id)).totals).toMatchObject({ orders: 1, revenue: { VND: 500_000 } });
    expect(await say(support, `order status ${cancelledOrder} paid`)).toContain(`${cancelledOrder} is cancelled; it can go to no other status`);
  });

  it('says so for an order that does not exist', async () => {
    expect(await say(support, 'order status O999999 paid')).toBe('No order matches "O999999".');
  });
});

describe('orders', () => {
  let id: string;
  let otherId: string;
  let phone: ReturnType<typeof freshPhone>;
  let own: string[];
  let others: string;
  beforeAll(async () => {
    phone = freshPhone();
    id = await newLead(`Son Kim ${phone.local}`);
    otherId = await newLead(`Tam Lu ${freshPhone().local}`);
    own = [orderIdIn(await say(sales, `order ${id} 100k`)), orderIdIn(await say(sales, `order ${id} 120k`))];
    others = orderIdIn(await say(sales, `order ${otherId} 999k`));
  });

  it('lists a customer’s orders for staff', async () => {
    const reply = await say(support, `orders ${id}`);
    expect(reply.split('\n')[0]).toBe(`Orders of ${id} Son Kim:`);
    for (const o of own) expect(reply).toContain(`${o} · `);
    expect(reply).not.toContain(`${others} `);
  });

  it('shows a customer only their own orders, whatever they type after "orders"', async () => {
    const anna = tg('7001', 'Son');
    expect(await say(anna, '', { contact: { phone: phone.e164, firstName: 'Son' } })).toBe('Thanks, Son Kim! We found your customer record.');
    const mine = await say(anna, 'orders');
    expect(mine.split('\n')[0]).toBe('Your orders:');
    for (const o of own) expect(mine).toContain(`${o} · `);
    expect(mine).not.toContain(`${others} `);
    const peeking = await say(anna, `orders ${otherId}`);
    expect(peeking).toBe(mine);
    expect(peeking).not.toContain('999,000');
  });

  it('tells a customer without orders that they have none', async () => {
    expect(await say(tg('7002', 'Stranger'), 'orders')).toBe('You have no orders with us yet.');
  });
});

describe('merge and unmerge', () => {
  it('moves every order, interaction and contact key to the kept customer, totals following, and unmerge puts it all back', async () => {
    const phone = freshPhone();
    const kept = await newLead(`Uyen Mac ${phone.local} #regular`);
    const merged = await newLead('Uyen M. uyen@mac.vn #vip first contact at the fair');
    const keptOrder = orderIdIn(await say(sales, `order ${kept} 300k`));
    const mergedOrders = [orderIdIn(await say(sales, `order ${merged} 150k`)), orderIdIn(await say(sales, `order ${merged} 20 EUR`))];
    await say(sales, `note ${merged} asked for a catalogue`);
    const mergedInteractions = (await Interaction.find({ customerId: merged }).lean()).map((i) => String(i._id));
    expect(mergedInteractions).toHaveLength(2);

    expect(await say(sales, `merge ${kept} ${merged}`)).toBe('Sorry, your role cannot use "merge".');
    const reply = await say(manager, `merge ${kept} ${merged}`);
    expect(reply).toBe(`${merged} merged into ${kept}: 2 order(s) and 2 interaction(s) moved. Undo with: unmerge ${merged}`);

    expect(await Order.countDocuments({ customerId: merged })).toBe(0);
    expect((await Order.find({ customerId: kept }).lean()).map((o) => o._id).sort()).toEqual([keptOrder, ...mergedOrders].sort());
    expect(await Interaction.countDocuments({ customerId: merged })).toBe(0);
    expect(await Interaction.countDocuments({ customerId: kept, _id: { $in: mergedInteractions } })).toBe(2);
    expect(await ContactKey.findById('email:uyen@mac.vn').lean()).toMatchObject({ customerId: kept });
    const k = await customerDoc(kept);
    expect(k.totals).toMatchObject({ orders: 3, revenue: { VND: 450_000, EUR: 2000 } });
    expect(k.emails).toEqual(['uyen@mac.vn']);
    expect([...k.tags].sort()).toEqual(['regular', 'vip']);
    expect(await customerDoc(merged)).toMatchObject({ status: 'merged', mergedInto: kept, totals: { orders: 0, revenue: {} } });
    expect(await say(sales, 'find uyen@mac.vn')).toContain(`${kept} Uyen Mac`);
    expect(await say(sales, `note ${merged} follows the kept customer`)).toBe(`Note saved on ${kept}.`);

    expect(await say(manager, `unmerge ${merged}`)).toBe(`${merged} is separate from ${kept} again.`);
    expect((await Order.find({ customerId: merged }).lean()).map((o) => o._id).sort()).toEqual([...mergedOrders].sort());
    expect((await Order.find({ customerId: kept }).lean()).map((o) => o._id)).toEqual([keptOrder]);
    expect((await Interaction.find({ customerId: merged }).lean()).map((i) => String(i._id)).sort()).toEqual([...mergedInteractions].sort());
    expect(await ContactKey.findById('email:uyen@mac.vn').lean()).toMatchObject({ customerId: merged });
    expect(await ContactKey.findById(`phone:${phone.e164}`).lean()).toMatchObject({ customerId: kept });
    const k2 = await customerDoc(kept);
    expect(k2).toMatchObject({ emails: [], tags: ['regular'], phones: [phone.e164], totals: { orders: 1, revenue: { VND: 300_000 } } });
    const m2 = await customerDoc(merged);
    expect(m2).toMatchObject({ status: 'active', emails: ['uyen@mac.vn'], totals: { orders: 2, revenue: { VND: 150_000, EUR: 2000 } } });
    expect(m2.mergedInto ?? undefined).toBeUndefined();
    expect(await say(sales, 'find uyen@mac.vn')).toContain(`${merged} Uyen M.`);
  });

  it('moves a chatting customer’s identity too: their messages land on the kept customer until unmerged', async () => {
    const phone = freshPhone();
    const kept = await newLead(`Thao Dinh ${phone.local}`);
    const thao = tg('7601', 'Thao');
    await say(thao, 'Hi, I ordered by phone last week');
    const chatting = String((await Identity.findById('telegram:7601').lean())?.refId);
    expect(chatting).not.toBe(kept);

    expect(await say(OWNER, `merge ${kept} ${chatting}`)).toBe(`${chatting} merged into ${kept}: 0 order(s) and 1 interaction(s) moved. Undo with: unmerge ${chatting}`);
    expect(await Identity.findById('telegram:7601').lean()).toMatchObject({ refId: kept });
    expect(await say(thao, 'whoami')).toBe(`You are customer ${kept} Thao Dinh.`);
    await say(thao, 'Any news on the delivery?');
    expect(await Interaction.countDocuments({ customerId: kept, kind: 'message' })).toBe(2);

    await say(OWNER, `unmerge ${chatting}`);
    expect(await Identity.findById('telegram:7601').lean()).toMatchObject({ refId: chatting });
    expect(await say(thao, 'whoami')).toBe(`You are customer ${chatting} Thao.`);
  });

  it('refuses to merge a customer into itself', async () => {
    const id = await newLead(`Vinh Cao ${freshPhone().local}`);
    expect(await say(OWNER, `merge ${id} ${id}`)).toBe('Give two different customers\nUsage: merge <keep C12> <merge-in C15>');
  });
});

describe('invite and join', () => {
  it('lets an invite code be used once, making its user staff with the invited role', async () => {
    const invite = await say(OWNER, 'invite support');
    const code = /: (\w+)\n/.exec(invite)?.[1] ?? '';
    expect(invite).toContain(`They send "join ${code}" to the bot before`);
    expect(await say(tg('3001', 'Phuong'), `join ${code.toLowerCase()}`)).toBe('Welcome to the team, Phuong! You are now support. Send "help" to start.');
    expect(await say(tg('3001', 'Phuong'), 'whoami')).toBe('You are Phuong, support.');
    const staffBefore = await Staff.countDocuments();
    expect(await say(tg('3002', 'Quang'), `join ${code}`)).toBe(`No invite code matches "${code}".`);
    expect(await Staff.countDocuments()).toBe(staffBefore);
    expect(await Identity.findById('telegram:3002').lean()).toBeNull();
  });

  it('refuses an expired code', async () => {
    const invite = await say(OWNER, 'invite sales');
    const code = /: (\w+)\n/.exec(invite)?.[1] ?? '';
    const staffBefore = await Staff.countDocuments();
    const saved = clock.now;
    clock.now = new Date(saved.getTime() + 73 * 3_600_000);
    try {
      expect(await say(tg('3003', 'Rin'), `join ${code}`)).toBe(`No invite code matches "${code}".`);
    } finally {
      clock.now = saved;
    }
    expect(await Staff.countDocuments()).toBe(staffBefore);
    expect((await Invite.findById(code).lean())?.usedBy).toBeUndefined();
  });

  it('does not let a manager invite an owner', async () => {
    const before = await Invite.countDocuments();
    expect(await say(manager, 'invite owner')).toBe('Sorry, your role cannot use "invite an owner".');
    expect(await Invite.countDocuments()).toBe(before);
  });

  it('refuses an unknown role with the usage line', async () => {
    expect(await say(OWNER, 'invite boss')).toBe('Role must be one of owner, manager, sales, support\nUsage: invite <owner|manager|sales|support>');
  });
});

describe('link', () => {
  it('makes a staff member’s account on another platform the same person', async () => {
    const codeReply = await say(sales, 'link');
    const code = /link code: (\w+)/.exec(codeReply)?.[1] ?? '';
    expect(code).toMatch(/^[A-Z0-9]{8}$/);
    const lanOnSlack = slack('T01:U0LAN', 'lan.slack');
    expect(await say(lanOnSlack, `link ${code}`)).toBe('Linked. Both accounts are now the same person for us.');
    expect(await say(lanOnSlack, 'whoami')).toBe('You are Lan, sales.');
    const [a, b] = await Promise.all([Identity.findById('telegram:1002').lean(), Identity.findById('slack:T01:U0LAN').lean()]);
    expect(b).toMatchObject({ kind: 'staff', refId: a?.refId });
    expect(await say(slack('T01:U0OTHER', 'other'), `link ${code}`)).toBe(`No link code matches "${code}".`);
  });

  it('makes a customer’s account on another platform the same customer', async () => {
    const onTelegram = tg('7101', 'Xuan');
    await say(onTelegram, 'start');
    const whoTg = await say(onTelegram, 'whoami');
    const id = customerIdIn(whoTg);
    const code = /link code: (\w+)/.exec(await say(onTelegram, 'link'))?.[1] ?? '';
    const onSlack = slack('T01:U0XUAN', 'xuan');
    expect(await say(onSlack, `link ${code}`)).toBe('Linked. Both accounts are now the same person for us.');
    expect(await say(onSlack, 'whoami')).toBe(`You are customer ${id} Xuan.`);
  });

  it('refuses a code sent from the account that asked for it, and the code still works from the other account', async () => {
    const onTelegram = tg('7201', 'Yen');
    const code = /link code: (\w+)/.exec(await say(onTelegram, 'link'))?.[1] ?? '';
    expect(await say(onTelegram, `link ${code}`)).toBe('Send the code from your other account, not this one\nUsage: link            (get a code)\nlink <CODE>     (from your other account)');
    expect(await say(slack('T01:U0YEN', 'yen'), `link ${code}`)).toBe('Linked. Both accounts are now the same person for us.');
  });
});

describe('whoami', () => {
  it('tells staff their name and role, customers their number, and strangers how to start', async () => {
    expect(await say(OWNER, 'whoami')).toBe('You are Owner, owner.');
    expect(await say(manager, 'whoami')).toBe('You are Minh, manager.');
    expect(await say(tg('7301', 'Nobody'), 'whoami')).toBe('You are not registered yet. Staff join with "join CODE"; customers just write to us.');
  });
});

describe('customer messages', () => {
  it('stores free text from a new customer and tells support', async () => {
    notifier.clear();
    const zoe = tg('7401', 'Zoe');
    expect(await say(zoe, 'Hello, do you have the blue dress in size M?')).toBe('Thanks, we got your message and will answer soon.');
    const identity = await Identity.findById('telegram:7401').lean();
    expect(identity).toMatchObject({ kind: 'customer' });
    const id = String(identity?.refId);
    expect(await customerDoc(id)).toMatchObject({ name: 'Zoe', source: 'telegram' });
    expect(await Interaction.find({ customerId: id }).lean()).toEqual([
      expect.objectContaining({ kind: 'message', text: 'Hello, do you have the blue dress in size M?', priority: 'normal', platform: 'telegram' }),
    ]);
    const supportIds = (await Staff.find({ role: 'support', active: true }).lean()).map((s) => s._id).sort();
    expect(supportIds.length).toBeGreaterThanOrEqual(1);
    expect(notifier.sent.map((n) => (n.to.kind === 'staff' ? n.to.staffId : 'customer')).sort()).toEqual(supportIds);
    for (const staffId of supportIds) {
      expect(notifier.textsForStaff(staffId)).toEqual([`💬 ${id} Zoe (telegram): Hello, do you have the blue dress in size M?`]);
    }
  });

  it('stores a message from a customer whose platform shows no name, as "(no name)" for staff', async () => {
    notifier.clear();
    const nameless = slack('T01:U0NONAME', '');
    expect(await say(nameless, 'Do you ship to Da Nang?')).toBe('Thanks, we got your message and will answer soon.');
    const id = String((await Identity.findById('slack:T01:U0NONAME').lean())?.refId);
    expect(await customerDoc(id)).toMatchObject({ name: '', source: 'slack' });
    expect(await Interaction.countDocuments({ customerId: id, kind: 'message' })).toBe(1);
    const hoa = await Identity.findById('telegram:1003').lean();
    expect(notifier.textsForStaff(hoa!.refId)).toEqual([`💬 ${id} (no name) (slack): Do you ship to Da Nang?`]);
  });

  it('sends a message from a customer with an owner to that owner, not to support', async () => {
    const phone = freshPhone();
    const id = customerIdIn(await say(sales, `lead Bich Ngoc ${phone.local}`));
    const bich = tg('7402', 'Bich');
    await say(bich, '', { contact: { phone: phone.local } });
    notifier.clear();
    expect(await say(bich, 'Is my parcel on its way?')).toBe('Thanks, we got your message and will answer soon.');
    const lan = await Identity.findById('telegram:1002').lean();
    expect(notifier.sent.map((n) => n.to)).toEqual([{ kind: 'staff', staffId: lan?.refId }]);
    expect(notifier.textsForStaff(lan!.refId)[0]).toBe(`💬 ${id} Bich Ngoc (telegram): Is my parcel on its way?`);
  });

  it('logs a complaint with high priority and tells support at once', async () => {
    notifier.clear();
    const cus = tg('7403', 'Chau');
    expect(await say(cus, 'complaint the parcel arrived broken')).toBe(
      'We are sorry. Your complaint is logged with priority and our support team has been told right away.',
    );
    const id = String((await Identity.findById('telegram:7403').lean())?.refId);
    expect(await Interaction.find({ customerId: id }).lean()).toEqual([
      expect.objectContaining({ kind: 'complaint', priority: 'high', text: 'the parcel arrived broken' }),
    ]);
    const hoa = await Identity.findById('telegram:1003').lean();
    expect(notifier.textsForStaff(hoa!.refId)).toEqual([`⚠️ Complaint from ${id} Chau (telegram): the parcel arrived broken`]);
  });

  it('recognises a complaint in free text', async () => {
    const cus = tg('7404', 'Duyen');
    expect(await say(cus, 'Tôi muốn hoàn tiền, hàng bị hỏng')).toContain('Your complaint is logged with priority');
    const id = String((await Identity.findById('telegram:7404').lean())?.refId);
    expect((await Interaction.findOne({ customerId: id }).lean())?.priority).toBe('high');
  });

  it('treats a customer sentence that starts with a Vietnamese staff alias as a message, and "/tìm" as a refusal', async () => {
    notifier.clear();
    const cus = tg('7407', 'Quoc');
    expect(await say(cus, 'Tìm giúp em cái áo màu xanh')).toBe('Thanks, we got your message and will answer soon.');
    expect(await say(cus, 'đơn hôm qua em đặt sao chưa thấy')).toBe('Thanks, we got your message and will answer soon.');
    const id = String((await Identity.findById('telegram:7407').lean())?.refId);
    expect((await Interaction.find({ customerId: id }).lean()).map((i) => i.text)).toEqual(['Tìm giúp em cái áo màu xanh', 'đơn hôm qua em đặt sao chưa thấy']);
    expect(await say(cus, '/tìm anna')).toBe('Sorry, that command is for staff only. Send "help" to see what you can do.');
  });

  it('treats a customer sentence that starts with a staff command word as a message, and a /command as a refusal', async () => {
    notifier.clear();
    const cus = tg('7406', 'Phuong');
    expect(await say(cus, 'find my order please, it is late')).toBe('Thanks, we got your message and will answer soon.');
    const id = String((await Identity.findById('telegram:7406').lean())?.refId);
    expect(await Interaction.find({ customerId: id }).lean()).toEqual([expect.objectContaining({ kind: 'message', text: 'find my order please, it is late' })]);
    expect(notifier.sent.length).toBeGreaterThanOrEqual(1);
    const before = await Interaction.countDocuments();
    expect(await say(cus, '/find anna')).toBe('Sorry, that command is for staff only. Send "help" to see what you can do.');
    expect(await Interaction.countDocuments()).toBe(before);
  });

  it('asks what went wrong for an empty complaint and stores nothing', async () => {
    const before = await Interaction.countDocuments();
    expect(await say(tg('7405', 'Em'), 'complaint')).toBe('Tell us what went wrong, e.g. "complaint the parcel arrived broken".');
    expect(await Interaction.countDocuments()).toBe(before);
  });
});

describe('start, consent and stop', () => {
  it('greets with consent buttons, then records yes, and stop withdraws it', async () => {
    const cus = tg('7501', 'Giao');
    const start = await send(cus, '/start');
    expect(replyText(start)).toContain('Welcome to our shop!');
    expect(buttonActions(start)).toEqual(['consent yes', 'consent no']);
    expect(start[1]).toMatchObject({ kind: 'text', requestContact: 'Share my phone number' });
    const id = String((await Identity.findById('telegram:7501').lean())?.refId);
    expect((await customerDoc(id)).consent?.promotions).toBe(false);

    expect(await say(cus, 'consent yes', { fromButton: true })).toBe('Thank you! You will get our offers. Send /stop at any time to stop them.');
    expect((await customerDoc(id)).consent?.promotions).toBe(true);
    expect(await say(cus, '/stop')).toBe('Done: you will receive no more promotions or order updates. You can still write to us any time; send start to hear from us again.');
    expect((await customerDoc(id)).consent?.promotions).toBe(false);
    expect(await say(cus, 'consent maybe')).toBe('Answer yes or no\nUsage: consent <yes|no>');
    expect(await Customer.countDocuments({ _id: id })).toBe(1);
  });
});

describe('opting out in Vietnamese', () => {
  const stopped = 'Done: you will receive no more promotions or order updates. You can still write to us any time; send start to hear from us again.';

  it('withdraws consent for "hủy đăng ký", "dừng lại ạ", "không nhận tin nữa" — and keeps "dừng giao hàng giúp em" a message', async () => {
    let user = 7510;
    for (const [typed, optsOut] of [
      ['hủy đăng ký', true],
      ['Dừng lại ạ!', true],
      ['không nhận tin nữa nhé', true],
      ['dừng giao hàng giúp em', false],
      ['Đúng rồi', false],
    ] as const) {
      const cus = tg(String(++user), 'Giang');
      await send(cus, '/start');
      await say(cus, 'consent yes', { fromButton: true });
      const id = String((await Identity.findById(`telegram:${cus.userId}`).lean())?.refId);
      expect(await say(cus, typed), typed).toBe(optsOut ? stopped : 'Thanks, we got your message and will answer soon.');
      expect((await customerDoc(id)).consent?.promotions, typed).toBe(!optsOut);
      expect(await Interaction.countDocuments({ customerId: id, kind: 'message' }), typed).toBe(optsOut ? 0 : 1);
    }
  });
});

describe('consent across a phone link', () => {
  it('keeps the answer a customer gave before sharing the phone that links them to a staff-made record', async () => {
    const phone = freshPhone();
    const id = customerIdIn(await say(sales, `lead Quynh Anh ${phone.local}`));
    const cus = tg('7601', 'Quynh');
    await send(cus, '/start');
    await say(cus, 'consent yes', { fromButton: true });
    expect(await say(cus, '', { contact: { phone: phone.e164, firstName: 'Quynh' } })).toContain('We found your customer record');
    expect((await customerDoc(id)).consent?.promotions).toBe(true);
  });
});

describe('de-duplication and unknown input', () => {
  it('answers a delivery once: the same deliveryId again returns nothing and writes nothing', async () => {
    const incoming = {
      platform: 'console' as const,
      chatId: 'owner',
      userId: 'owner',
      displayName: 'Owner',
      text: `lead Duplicate Test ${freshPhone().local} #dup note: once`,
      deliveryId: 'test:dup:1',
    };
    const first = await chat.core.handle(incoming);
    expect(replyText(first)).toMatch(/^New lead C\d+ Duplicate Test saved\.$/);
    const before = await countAll();
    expect(await chat.core.handle(incoming)).toEqual([]);
    expect(await countAll()).toEqual(before);
  });

  it('tells staff it does not know a command', async () => {
    expect(await say(sales, 'frobnicate C1')).toBe('I don\'t know "frobnicate". Send "help" to see what you can do.');
  });
});

describe('order amounts as Vietnamese shops type them', () => {
  let id: string;
  beforeAll(async () => {
    id = await newLead(`Thao Amount ${freshPhone().local}`);
    clock.now = new Date('2026-03-02T03:00:00.000Z');
  });

  /** Records an order and returns the stored amount and items. */
  async function recorded(line: string) {
    const reply = await say(sales, `order ${id} ${line}`);
    expect(reply, line).toMatch(/^Order O\d+ for C\d+ Thao Amount: .* \(new\)\.$/);
    const o = await Order.findById(orderIdIn(reply)).lean();
    return { amountMinor: o?.amountMinor, currency: o?.currency, items: o?.items.map((i) => ({ name: i.name, qty: i.qty })) };
  }

  it.each([
    ['500 nghìn đầm', 500_000, [{ name: 'đầm', qty: 1 }]],
    ['500 ngàn đầm', 500_000, [{ name: 'đầm', qty: 1 }]],
    ['2 triệu', 2_000_000, []],
    ['2tr áo dài', 2_000_000, [{ name: 'áo dài', qty: 1 }]],
    ['2 củ', 2_000_000, []],
    ['350 000', 350_000, []],
    ['350.000 2x khăn', 350_000, [{ name: 'khăn', qty: 2 }]],
    ['350,000', 350_000, []],
    ['1tr2 váy', 1_200_000, [{ name: 'váy', qty: 1 }]],
    ['1,5tr', 1_500_000, []],
    ['2tr5', 2_500_000, []],
    ['1.2m', 1_200_000, []],
  ])('records "%s" as %i VND with no amount word among the items', async (line, minor, items) => {
    expect(await recorded(line)).toEqual({ amountMinor: minor, currency: 'VND', items });
  });

  it('keeps other currencies', async () => {
    expect(await recorded('19.99 EUR gift card')).toEqual({ amountMinor: 1999, currency: 'EUR', items: [{ name: 'gift card', qty: 1 }] });
    expect(await recorded('$5 sticker')).toEqual({ amountMinor: 500, currency: 'USD', items: [{ name: 'sticker', qty: 1 }] });
  });

  it.each([
    ['19.99 BTC gift', '"BTC" is not a currency I know'],
    ['1.005 USD', '"1.005 USD" can be read two ways, and USD has 2 decimals'],
    ['350.5', 'VND has none'],
    ['0.5 JPY', 'JPY has none'],
    ['0', 'is not an amount above zero'],
    ['-500k', 'is not an amount above zero'],
    ['10000000000k', 'is more than the largest amount accepted'],
    ['1 triệu 2 áo', 'is 2 part of the amount?'],
    ['2 500k áo', 'can be read two ways'],
  ])('refuses "%s" with its reason and the usage line, recording nothing', async (line, why) => {
    const before = await Order.countDocuments({ customerId: id });
    const reply = await say(sales, `order ${id} ${line}`);
    expect(reply).toContain(why);
    expect(reply).toContain('Usage: order <customer> <amount> [items]');
    expect(await Order.countDocuments({ customerId: id })).toBe(before);
  });

  it('asks before recording an amount above the ceiling, and records it once confirmed with the button', async () => {
    const before = await Order.countDocuments({ customerId: id });
    const question = await send(sales, `order ${id} 150tr áo cưới`);
    expect(replyText(question)).toBe(
      `₫150,000,000 for ${id} Thao Amount is more than ₫100,000,000. Nothing is recorded yet: press the button to record it, or send the order again with --confirm.`,
    );
    expect(buttonActions(question)).toEqual([`order ${id} 150tr áo cưới --confirm`]);
    expect(await Order.countDocuments({ customerId: id })).toBe(before);
    const confirmed = await say(sales, buttonActions(question)[0]!, { fromButton: true });
    expect(confirmed).toMatch(/: ₫150,000,000 \(new\)\.$/);
    const o = await Order.findById(orderIdIn(confirmed)).lean();
    expect(o).toMatchObject({ amountMinor: 150_000_000, currency: 'VND', items: [{ name: 'áo cưới', qty: 1 }] });
    expect(await recorded('100tr')).toMatchObject({ amountMinor: 100_000_000 }); // at the ceiling: no question
  });

  it('asks about a VND amount so small it probably lacks its "k", offering both readings', async () => {
    const before = await Order.countDocuments({ customerId: id });
    const question = await send(sales, `order ${id} 500 đầm`);
    expect(replyText(question)).toBe(
      `₫500 for ${id} Thao Amount is less than ₫1,000: did you mean ₫500,000? Nothing is recorded yet: press the amount you mean.`,
    );
    expect(buttonActions(question)).toEqual([`order ${id} 500000 VND đầm`, `order ${id} 500 đầm --confirm`]);
    expect(await Order.countDocuments({ customerId: id })).toBe(before);
    expect(await recorded('500000 VND đầm')).toEqual({ amountMinor: 500_000, currency: 'VND', items: [{ name: 'đầm', qty: 1 }] });
    expect(await recorded('500 đầm --confirm')).toEqual({ amountMinor: 500, currency: 'VND', items: [{ name: 'đầm', qty: 1 }] });
  });
});

describe('order amount ceiling from configuration', () => {
  it('asks above ORDER_AMOUNT_CONFIRM_ABOVE in the base currency only', async () => {
    const small = createTestChat({ ORDER_AMOUNT_CONFIRM_ABOVE: '1000000' });
    const reply = await small.say(OWNER, `lead Ceiling Test ${freshPhone().local}`);
    const cid = customerIdIn(reply);
    expect(await small.say(OWNER, `order ${cid} 1tr`)).toMatch(/: ₫1,000,000 \(new\)\.$/);
    expect(await small.say(OWNER, `order ${cid} 1tr2`)).toContain('is more than ₫1,000,000');
    expect(await small.say(OWNER, `order ${cid} 5000 EUR`)).toMatch(/: €5,000\.00 \(new\)\.$/);
  });
});

describe('order status in Vietnamese', () => {
  let id: string;
  beforeAll(async () => {
    id = await newLead(`Vu Status ${freshPhone().local}`);
  });

  it('moves an order with Vietnamese status words, with or without diacritics', async () => {
    const o = orderIdIn(await say(sales, `order ${id} 300k`));
    expect(await say(support, `order status ${o} đã thanh toán`)).toBe(`Order ${o}: new → paid.`);
    expect(await say(support, `order status ${o} đang giao`)).toBe(`Order ${o}: paid → shipped.`);
    expect(await say(support, `order status ${o} da giao`)).toBe(`Order ${o}: shipped → delivered.`);
    expect((await Order.findById(o).lean())?.history.map((h) => h.status)).toEqual(['new', 'paid', 'shipped', 'delivered']);
  });

  it.each(['hủy', 'huỷ', 'hủy đơn', 'HUY DON'])('cancels with "%s"', async (word) => {
    const o = orderIdIn(await say(sales, `order ${id} 200k`));
    expect(await say(support, `order status ${o} ${word}`)).toBe(`Order ${o}: new → cancelled.`);
  });

  it('refuses a word it does not know, naming the English and Vietnamese statuses', async () => {
    const o = orderIdIn(await say(sales, `order ${id} 100k`));
    const reply = await say(support, `order status ${o} giao`);
    expect(reply).toContain('Status must be one of new, paid, shipped, delivered, cancelled');
    expect(reply).toContain('đã giao');
    expect((await Order.findById(o).lean())?.status).toBe('new');
  });
});

describe('followup times in Vietnamese and English', () => {
  let id: string;
  beforeAll(async () => {
    id = await newLead(`Xuan Time ${freshPhone().local}`);
  });

  // Monday 2026-03-02 10:00 in Hồ Chí Minh City (the staff member's zone)
  const monday = new Date('2026-03-02T03:00:00.000Z');

  it.each([
    ['2h call back', 'Mon 2026-03-02 12:00', 'call back'],
    ['30m check stock', 'Mon 2026-03-02 10:30', 'check stock'],
    ['mai 9h gọi lại hỏi size', 'Tue 2026-03-03 09:00', 'gọi lại hỏi size'],
    ['ngày mai 9h gọi lại', 'Tue 2026-03-03 09:00', 'gọi lại'],
    ['9 giờ sáng mai gửi mẫu', 'Tue 2026-03-03 09:00', 'gửi mẫu'],
    ['chiều nay 3h gọi', 'Mon 2026-03-02 15:00', 'gọi'],
    ['tối nay 8h nhắn Zalo', 'Mon 2026-03-02 20:00', 'nhắn Zalo'],
    ['thứ hai tuần sau gửi catalogue', 'Mon 2026-03-09 09:00', 'gửi catalogue'],
    ['chủ nhật hỏi thăm', 'Sun 2026-03-08 09:00', 'hỏi thăm'],
    ['2 tiếng nữa gọi lại', 'Mon 2026-03-02 12:00', 'gọi lại'],
    ['3 ngày nữa hỏi giao hàng', 'Thu 2026-03-05 10:00', 'hỏi giao hàng'],
    ['25/12 14:30 chúc Noel', 'Fri 2026-12-25 14:30', 'chúc Noel'],
  ])('"followup C %s" is due %s', async (line, due, what) => {
    clock.now = monday;
    const reply = await say(sales, `followup ${id} ${line}`);
    expect(reply).toMatch(new RegExp(`^Follow-up F[A-Z0-9]{6} for ${id} Xuan Time: ${due} \\(Asia/Ho_Chi_Minh\\)\\.$`));
    expect(await FollowUp.findById(/F[A-Z0-9]{6}/.exec(reply)![0]).lean()).toMatchObject({ text: what });
  });

  it.each([
    ['tomorrow 25:00 call back', 'there is no hour 25'],
    ['25:00 call back', 'there is no hour 25'],
    ['31/02 giao hàng', 'February has no 31st'],
    ['2026-02-31 giao hàng', 'February has no 31st'],
    ['fri 13pm call', 'there is no 13pm'],
    ['9999-12-31 check', 'more than 2 years ahead'],
    ['15h sáng mai gọi', '15 o\'clock is not "sáng"'],
  ])('refuses "followup C %s": %s, storing nothing', async (line, why) => {
    clock.now = monday;
    const before = await FollowUp.countDocuments({ customerId: id });
    const reply = await say(sales, `followup ${id} ${line}`);
    expect(reply).toContain(why);
    expect(reply).not.toContain('has already passed');
    expect(reply).toContain('Usage: followup <customer> <when> <what to do>');
    expect(await FollowUp.countDocuments({ customerId: id })).toBe(before);
  });

  it('still says "has already passed" for a past time', async () => {
    clock.now = monday;
    expect(await say(sales, `followup ${id} hôm nay 8h gọi`)).toContain('"hôm nay 8h" has already passed');
  });

  it('snoozes by a Vietnamese duration', async () => {
    clock.now = monday;
    const f = /F[A-Z0-9]{6}/.exec(await say(sales, `followup ${id} mai 9h gọi`))![0];
    expect(await say(sales, `followup snooze ${f} 2 tiếng`)).toBe(`${f} snoozed until Mon 2026-03-02 12:00; you'll be reminded then.`);
  });
});

describe('lead entry loses nothing', () => {
  it('keeps a phone and an e-mail separated by commas out of the name', async () => {
    const reply = await say(OWNER, 'lead Quang +84913111777, quang@x.vn, #vip');
    const id = customerIdIn(reply);
    expect(reply).toBe(`New lead ${id} Quang saved.`);
    expect(await customerDoc(id)).toMatchObject({ name: 'Quang', phones: ['+84913111777'], emails: ['quang@x.vn'], tags: ['vip'] });
  });

  it('reads details separated by ; / and |', async () => {
    const reply = await say(OWNER, 'lead Trần Thị Hạnh; 0913 222 333 / hanh@x.vn | #si');
    const id = customerIdIn(reply);
    expect(await customerDoc(id)).toMatchObject({ name: 'Trần Thị Hạnh', phones: ['+84913222333'], emails: ['hanh@x.vn'], tags: ['si'] });
  });

  it('stores an old 11-digit mobile number as today’s 10-digit one', async () => {
    const id = customerIdIn(await say(OWNER, 'lead Old Number 0168 777 0001'));
    expect((await customerDoc(id)).phones).toEqual(['+84387770001']);
    expect(await say(OWNER, 'find 0387770001')).toContain(`${id} Old Number`);
  });

  it('keeps a Vietnamese number whose prefix the numbering metadata does not know', async () => {
    const id = customerIdIn(await say(OWNER, 'lead New Range 0551 777 001'));
    expect((await customerDoc(id)).phones).toEqual(['+84551777001']);
  });
});

describe('digest on in Vietnamese', () => {
  it('subscribes for "thứ hai 8h" and refuses an impossible time with the reason', async () => {
    clock.now = new Date('2026-03-02T03:00:00.000Z'); // Monday 10:00 in Hồ Chí Minh City
    expect(await say(manager, 'digest on thứ hai 8h')).toBe(
      'Weekly digest is on: Monday 08:00 (Asia/Ho_Chi_Minh). Next one: Mon 2026-03-09 08:00.',
    );
    expect(await say(manager, 'digest on t6 17h30')).toContain('Weekly digest is on: Friday 17:30');
    expect(await say(manager, 'digest on thứ hai 25h')).toContain('there is no hour 25');
    expect(await say(manager, 'digest off')).toBe('Weekly digest is off.');
    expect(await DigestSubscription.countDocuments({ active: true })).toBe(0);
  });
});
