/**
 * Telegram end to end: the real grammY stack (webhookCallback, throttler, auto-retry) inside the
 * app's HTTP server, updates posted over real HTTP by the Bot API emulator with the secret header,
 * the core on a real database, and the bot's answers read from the emulator's recorded calls.
 *
 * The tests of one `describe` share a story (an owner, a salesperson, support, customers), so they
 * run in order; names and phone numbers are unique per test so none depends on another's data
 * except where the story says so.
 */
import '../../models/index.js';
import '../../models/telegram-callback.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Customer } from '../../models/customer.js';
import { ProcessedDelivery } from '../../models/processed-delivery.js';
import { createTelegramAdapter, TELEGRAM_LIMITS, TELEGRAM_WEBHOOK_PATH } from '../../bots/telegram/index.js';
import { loadConfig } from '../../src/config.js';
import { createApp } from '../../src/app.js';
import { text, type Incoming } from '../../src/core/types.js';
import { createHttpServer } from '../../src/http/server.js';
import { silentLogger } from '../../src/log.js';
import { RoutingNotifier } from '../../src/services/notifier.js';
import { useTestDatabase } from '../support/db.js';
import { TelegramEmulator } from '../support/telegram-emulator.js';
import { startTelegramHarness, type Delivery, type TelegramHarness } from '../support/telegram-harness.js';

useTestDatabase('telegram_e2e');

const STAFF_ONLY = 'Sorry, that command is for staff only. Send "help" to see what you can do.';
const OWNER = 1001;
const SALES = 1002;
const SUPPORT = 1003;

/** The first `C12`/`O7`-style reference in a text. */
function refIn(body: string | undefined, letter: 'C' | 'O'): string {
  const m = new RegExp(`\\b${letter}\\d+\\b`).exec(body ?? '');
  if (!m) throw new Error(`no ${letter} reference in: ${body ?? '(nothing)'}`);
  return m[0];
}

function only(d: Delivery): string {
  expect(d.status).toBe(200);
  expect(d.texts).toHaveLength(1);
  return d.texts[0]!;
}

describe('Telegram adapter end to end', () => {
  let h: TelegramHarness;
  const seen: Incoming[] = [];

  beforeAll(async () => {
    h = await startTelegramHarness({ ownerIds: [OWNER] });
    const handle = h.core.handle.bind(h.core);
    // Record what reaches the core (the harness's adapter calls core.handle through this object).
    h.core.handle = async (incoming) => {
      seen.push(incoming);
      return handle(incoming);
    };
    await h.say(OWNER, '/whoami', { firstName: 'Olga', lastName: 'Owner' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  describe('start-up', () => {
    it('registers the webhook with its secret and the command menus (customers by default, staff in the owner chat)', async () => {
      expect(h.tg.webhook).toMatchObject({ url: h.webhookUrl, secretToken: 'e2e-webhook-secret', allowedUpdates: ['message', 'edited_message', 'callback_query', 'my_chat_member'] });
      const menu = h.tg.myCommands().map((c) => c.command);
      expect(menu).toEqual(expect.arrayContaining(['stop', 'orders', 'complaint', 'help', 'link']));
      expect(menu).not.toContain('lead');
      const ownerMenu = (await h.adapter.bot.api.getMyCommands({ scope: { type: 'chat', chat_id: OWNER } })).map((c) => c.command);
      expect(ownerMenu).toEqual(expect.arrayContaining(['lead', 'find', 'customer', 'note', 'tag', 'order', 'orders', 'merge', 'unmerge', 'invite']));
      for (const name of [...menu, ...ownerMenu]) expect(name).toMatch(/^[a-z0-9_]{1,32}$/);
    });
  });

  describe('staff commands', () => {
    it('an owner logs a lead with /lead and gets the confirmation with an "Open customer" button', async () => {
      const d = await h.say(OWNER, '/lead Anna Nguyen +84 912 345 678 anna@shop.vn #vip met at the expo');
      expect(only(d)).toMatch(/^New lead C\d+ Anna Nguyen saved\.$/);
      const ref = refIn(d.texts[0], 'C');
      expect(h.buttonsOf(d.sent[0]!)).toEqual([{ label: 'Open customer', data: `customer ${ref}` }]);
      expect(d.sent[0]!.params['parse_mode']).toBeUndefined();
      expect(seen.at(-1)).toMatchObject({ platform: 'telegram', chatId: String(OWNER), userId: String(OWNER), displayName: 'Olga Owner', locale: 'en' });
      expect(seen.at(-1)!.deliveryId).toMatch(/^tg:123456:\d+$/);
    });

    it('accepts /command@botname as Telegram sends it in groups', async () => {
      expect(only(await h.say(OWNER, '/lead@crm_test_bot Bao Vu +84 903 000 111'))).toMatch(/^New lead C\d+ Bao Vu saved\.$/);
    });

    it('pressing "Open customer" shows the card (callback query answered)', async () => {
      const lead = await h.say(OWNER, '/lead Cam Ho +84 903 000 222');
      const ref = refIn(lead.texts[0], 'C');
      const d = await h.press(OWNER, 'Open customer');
      expect(only(d)).toMatch(new RegExp(`^${ref} · Cam Ho\\nPhone: `));
      expect(d.calls.filter((c) => c.method === 'answerCallbackQuery')).toHaveLength(1);
      expect(seen.at(-1)).toMatchObject({ text: `customer ${ref}`, fromButton: true });
    });

    it('find paginates with a Next button', async () => {
      for (let i = 1; i <= 12; i++) await h.say(OWNER, `/lead Pagina Tester${String(i).padStart(2, '0')}`);
      const first = await h.say(OWNER, '/find pagina');
      expect(only(first)).toContain('Page 1 of 2 · 12 in all');
      expect(h.buttonsOf(first.sent[0]!).map((b) => b.label)).toContain('Next ›');
      const second = await h.press(OWNER, 'Next ›');
      expect(only(second)).toContain('Page 2 of 2 · 12 in all');
      expect(second.texts[0]).toContain('Pagina Tester12');
      expect(h.buttonsOf(second.sent[0]!).map((b) => b.label)).toContain('‹ Previous');
    });

    it('a button whose action is longer than 64 bytes travels as a stored hash and still works', async () => {
      const long = 'Langname '.repeat(8).trim();
      for (let i = 0; i < 11; i++) await h.say(OWNER, `/lead "${long} ${i}" -- x`);
      const first = await h.say(OWNER, `/find ${long}`);
      const next = h.buttonsOf(first.sent[0]!).find((b) => b.label === 'Next ›')!;
      expect(next.data).toMatch(/^~/);
      expect(Buffer.byteLength(next.data)).toBeLessThanOrEqual(64);
      const second = await h.press(OWNER, 'Next ›');
      expect(only(second)).toContain('Page 2 of 2');
    });

    it('a stored button that is gone is answered "expired" and runs nothing', async () => {
      const before = seen.length;
      const d = await h.deliver(h.tg.callbackUpdate({ fromId: OWNER, data: '~no-such-button' }));
      expect(d.sent).toEqual([]);
      const answer = d.calls.find((c) => c.method === 'answerCallbackQuery');
      expect(answer?.params['text']).toBe('This button has expired. Please send the command again.');
      expect(seen.length).toBe(before);
    });

    it('customer, note, tag and untag', async () => {
      const ref = refIn((await h.say(OWNER, '/lead Dung Pham +84 903 000 333')).texts[0], 'C');
      expect(only(await h.say(OWNER, `/note ${ref} called back, wants delivery on Friday`))).toBe(`Note saved on ${ref}.`);
      expect(only(await h.say(OWNER, `/tag ${ref} #wholesale #vip`))).toBe(`${ref} tagged #wholesale #vip.`);
      expect(only(await h.say(OWNER, `/untag ${ref} #vip`))).toBe(`Removed #vip from ${ref}.`);
      const card = only(await h.say(OWNER, `/customer ${ref}`));
      expect(card).toContain('Tags: #wholesale');
      expect(card).toContain('note: called back, wants delivery on Friday');
    });

    it('order, then the status buttons move it along, and orders lists it', async () => {
      const ref = refIn((await h.say(OWNER, '/lead Em Do +84 903 000 444')).texts[0], 'C');
      const recorded = await h.say(OWNER, `/order ${ref} 350k 2x áo dài, khăn lụa`);
      expect(only(recorded)).toMatch(new RegExp(`^Order O\\d+ for ${ref} Em Do: ₫350,000 \\(new\\)\\.$`));
      const order = refIn(recorded.texts[0], 'O');
      expect(h.buttonsOf(recorded.sent[0]!).map((b) => b.label)).toContain('Mark paid');
      const paid = await h.press(OWNER, 'Mark paid');
      expect(only(paid)).toBe(`Order ${order}: new → paid.`);
      const list = only(await h.say(OWNER, `/orders ${ref}`));
      expect(list).toContain(`Orders of ${ref} Em Do:`);
      expect(list).toMatch(new RegExp(`${order} · .* · ₫350,000 · paid · 2× áo dài, khăn lụa`));
    });

    it('merge and unmerge', async () => {
      const kept = refIn((await h.say(OWNER, '/lead Giang Ly +84 903 000 555')).texts[0], 'C');
      const dup = refIn((await h.say(OWNER, '/lead Giang L. giang@shop.vn')).texts[0], 'C');
      expect(only(await h.say(OWNER, `/merge ${kept} ${dup}`))).toMatch(new RegExp(`^${dup} merged into ${kept}: `));
      expect(only(await h.say(OWNER, `/unmerge ${dup}`))).toBe(`${dup} is separate from ${kept} again.`);
    });

    it('invite → another Telegram user joins with the code and is staff', async () => {
      const invite = only(await h.say(OWNER, '/invite sales'));
      const code = /code for a new sales: ([A-Z0-9]+)/.exec(invite)?.[1];
      expect(code).toBeDefined();
      expect(only(await h.say(SALES, `/join ${code!}`, { firstName: 'Sam', lastName: 'Sales' }))).toBe('Welcome to the team, Sam Sales! You are now sales. Send "help" to start.');
      expect(only(await h.say(SALES, '/whoami'))).toBe('You are Sam Sales, sales.');
    });

    it('help lists the staff commands for staff', async () => {
      const help = only(await h.say(OWNER, '/help'));
      expect(help).toContain('Commands for you (owner):');
      expect(help).toContain('lead <name>');
    });

    it('a forwarded message from staff becomes a lead with the text as a note', async () => {
      const d = await h.deliver(h.tg.forwardUpdate({ fromId: SALES, text: 'Hi, I want 3 silk scarves', forwardFromName: 'Hoa Mai' }));
      expect(only(d)).toMatch(/^New lead C\d+ Hoa Mai saved\.$/);
      expect(seen.at(-1)?.forwardedFrom).toEqual({ name: 'Hoa Mai' });
      const card = only(await h.say(SALES, `/customer ${refIn(d.texts[0], 'C')}`));
      expect(card).toContain('Owner: Sam Sales');
      const fromUser = await h.deliver(h.tg.forwardUpdate({ fromId: SALES, text: 'ping', forwardFromName: 'Khanh', forwardFromId: 777 }));
      expect(only(fromUser)).toMatch(/^New lead C\d+ Khanh saved\.$/);
      expect(seen.at(-1)?.forwardedFrom).toEqual({ name: 'Khanh', userId: '777' });
    });

    it('a contact card forwarded by staff becomes a lead with the phone', async () => {
      const d = await h.deliver(h.tg.contactUpdate({ fromId: SALES, phone: '+84 903 000 666', firstName: 'Lan', lastName: 'Vo', userId: 4242 }));
      expect(only(d)).toMatch(/^New lead C\d+ Lan Vo saved\.$/);
      expect(only(await h.say(SALES, '/find 0903000666'))).toContain('Lan Vo');
    });

    it('passes documents and photos to the core with a lazy download through getFile', async () => {
      h.tg.addFile('DOC-E2E', Buffer.from('name,phone\nAnn,+1\n'), 'documents/leads.csv');
      await h.deliver(h.tg.documentUpdate({ fromId: OWNER, fileId: 'DOC-E2E', fileName: 'leads.csv', mimeType: 'text/csv', caption: 'import these' }));
      const incoming = seen.at(-1)!;
      expect(incoming.text).toBe('import these');
      expect(incoming.attachments?.[0]).toMatchObject({ kind: 'file', fileName: 'leads.csv', mimeType: 'text/csv', size: 18 });
      expect((await incoming.attachments![0]!.download()).toString()).toBe('name,phone\nAnn,+1\n');
    });
  });

  describe('customer flows', () => {
    const CUSTOMER = 2001;

    it('/start greets, asks for consent with buttons and offers a contact button', async () => {
      const d = await h.say(CUSTOMER, '/start', { firstName: 'Binh', languageCode: 'en' });
      expect(d.texts).toEqual([expect.stringMatching(/^Welcome to our shop!/), 'Share your phone number so we can find your orders.']);
      expect(h.buttonsOf(d.sent[0]!)).toEqual([
        { label: 'Yes, send me offers', data: 'consent yes' },
        { label: 'No, thanks', data: 'consent no' },
      ]);
      expect(d.sent[1]!.reply_markup).toEqual({ keyboard: [[{ text: 'Share my phone number', request_contact: true }]], one_time_keyboard: true, resize_keyboard: true });
      expect(seen.at(-1)?.locale).toBe('en'); // the platform's language is carried to the core
    });

    it('tapping the consent button records consent', async () => {
      const d = await h.press(CUSTOMER, 'Yes, send me offers');
      expect(only(d)).toBe('Thank you! You will get our offers. Send /stop at any time to stop them.');
      expect(d.calls.some((c) => c.method === 'answerCallbackQuery' && c.ok)).toBe(true);
    });

    it('sharing their contact links them to the customer staff created with that phone', async () => {
      const lead = refIn((await h.say(OWNER, '/lead Binh Tran +84 987 654 321')).texts[0], 'C');
      const d = await h.deliver(h.tg.contactUpdate({ fromId: CUSTOMER, phone: '+84987654321', firstName: 'Binh' }));
      expect(only(d)).toBe('Thanks, Binh Tran! We found your customer record.');
      expect(only(await h.say(CUSTOMER, '/whoami'))).toBe(`You are customer ${lead} Binh Tran.`);
    });

    it('/orders shows only their own orders', async () => {
      const mine = refIn((await h.say(CUSTOMER, '/whoami')).texts[0], 'C');
      const myOrder = refIn((await h.say(OWNER, `/order ${mine} 200k blue dress`)).texts[0], 'O');
      const other = refIn((await h.say(OWNER, '/lead Other Person +84 903 000 777')).texts[0], 'C');
      const otherOrder = refIn((await h.say(OWNER, `/order ${other} 990k secret gift`)).texts[0], 'O');
      const list = only(await h.say(CUSTOMER, '/orders'));
      expect(list).toContain('Your orders:');
      expect(list).toContain(myOrder);
      expect(list).not.toContain(otherOrder);
      expect(list).not.toContain('secret gift');
    });

    it('free text is stored and forwarded to the owner (nobody owns the customer and there is no support staff yet)', async () => {
      const d = await h.say(CUSTOMER, 'Do you have the blue dress in size M?');
      expect(d.texts).toEqual(['Thanks, we got your message and will answer soon.']);
      const toOwner = d.sent.filter((s) => s.chat_id === OWNER);
      expect(toOwner.map((s) => s.text)).toEqual([expect.stringMatching(/^💬 C\d+ Binh Tran \(telegram\): Do you have the blue dress in size M\?$/)]);
      const mine = refIn(toOwner[0]!.text, 'C');
      expect(h.buttonsOf(toOwner[0]!)).toEqual([
        { label: 'Open customer', data: `customer ${mine}` },
        { label: 'Assign to me', data: `assign ${mine} me` },
        { label: 'Resolve', data: `resolve ${mine}` },
        { label: 'Reply…', data: `reply ${mine}` },
      ]);
      expect(only(await h.say(OWNER, `/customer ${mine}`))).toContain('message: Do you have the blue dress in size M?');
    });

    it("a customer of a salesperson: their message goes to that salesperson's chat", async () => {
      await h.say(SALES, '/lead Chau Ngo +84 903 000 888');
      const CHAU = 2002;
      expect(only(await h.deliver(h.tg.contactUpdate({ fromId: CHAU, phone: '0903000888', firstName: 'Chau' })))).toBe('Thanks, Chau Ngo! We found your customer record.');
      const d = await h.say(CHAU, 'When will my parcel arrive?');
      expect(d.sent.filter((s) => s.chat_id === SALES).map((s) => s.text)).toEqual([expect.stringMatching(/^💬 C\d+ Chau Ngo \(telegram\): When will my parcel arrive\?$/)]);
      expect(d.sent.filter((s) => s.chat_id === OWNER)).toEqual([]);
    });

    it('a complaint is acknowledged and support is told at once', async () => {
      const supportCode = /: ([A-Z0-9]+)\n/.exec(only(await h.say(OWNER, '/invite support')))?.[1];
      expect(only(await h.say(SUPPORT, `/join ${supportCode!}`, { firstName: 'Sue' }))).toContain('You are now support.');
      const d = await h.say(CUSTOMER, '/complaint the parcel arrived broken');
      expect(d.texts).toEqual(['We are sorry. Your complaint is logged with priority and our support team has been told right away.']);
      expect(d.sent.filter((s) => s.chat_id === SUPPORT).map((s) => s.text)).toEqual([expect.stringMatching(/^⚠️ Complaint from C\d+ Binh Tran \(telegram\): the parcel arrived broken$/)]);
      const classified = await h.say(CUSTOMER, 'This is unacceptable, I want a refund');
      expect(classified.texts[0]).toMatch(/^We are sorry\./);
      expect(classified.sent.some((s) => s.chat_id === SUPPORT && /^⚠️ Complaint/.test(s.text ?? ''))).toBe(true);
    });

    it('/stop withdraws promotion consent', async () => {
      expect(only(await h.say(CUSTOMER, '/stop'))).toBe('Done: you will receive no more promotions or order updates. You can still write to us any time; send start to hear from us again.');
      const mine = refIn((await h.say(CUSTOMER, '/whoami')).texts[0], 'C');
      expect((await Customer.findById(mine).lean())?.consent?.promotions).toBe(false);
    });

    it('/link gives a one-time code that links another account', async () => {
      const code = /Your link code: ([A-Z0-9]+)/.exec(only(await h.say(CUSTOMER, '/link')))?.[1];
      expect(code).toBeDefined();
      const OTHER_ACCOUNT = 2009;
      expect(only(await h.say(OTHER_ACCOUNT, `/link ${code!}`))).toBe('Linked. Both accounts are now the same person for us.');
      expect(only(await h.say(OTHER_ACCOUNT, '/whoami'))).toMatch(/^You are customer C\d+ Binh Tran\.$/);
      expect(only(await h.say(2010, `/link ${code!}`))).toMatch(/^No link code matches/);
    });

    it('/help for a customer lists customer commands only', async () => {
      const help = only(await h.say(CUSTOMER, '/help'));
      expect(help).toContain('Hello! Here is what I can do for you:');
      expect(help).not.toContain('lead <name>');
    });
  });

  describe('a customer never sees another customer’s data', () => {
    const NOSY = 2050;
    let victim = '';

    beforeAll(async () => {
      victim = refIn((await h.say(OWNER, '/lead Victim Secret +84 903 111 222 victim@shop.vn')).texts[0], 'C');
      await h.say(OWNER, `/order ${victim} 5000k diamond ring`);
    });

    it('staff commands are refused with the "staff only" words', async () => {
      for (const line of [`/customer ${victim}`, '/find Victim', `/note ${victim} hi`, `/tag ${victim} #x`, '/lead Fake Person', `/merge ${victim} C1`, '/invite owner']) {
        const reply = only(await h.say(NOSY, line, { firstName: 'Nosy' }));
        expect(reply).toBe(STAFF_ONLY);
      }
    });

    it('/orders with someone else’s number shows only their own (none)', async () => {
      const reply = only(await h.say(NOSY, `/orders ${victim}`));
      expect(reply).toBe('You have no orders with us yet.');
    });

    it('a forged button press gains nothing over typing: no data comes back', async () => {
      const d = await h.deliver(h.tg.callbackUpdate({ fromId: NOSY, data: `customer ${victim}` }));
      // The core refuses it, or (without a slash) takes it as a message to the shop — never the card.
      expect([STAFF_ONLY, 'Thanks, we got your message and will answer soon.']).toContain(only(d));
      expect(d.sent.filter((s) => s.chat_id === NOSY).map((s) => s.text).join('\n')).not.toMatch(/Victim|903 111 222|5,000,000/);
    });

    it("sharing someone else's contact card does not link to their record", async () => {
      const someoneElse = await h.deliver(h.tg.contactUpdate({ fromId: NOSY, phone: '+84903111222', firstName: 'Victim', userId: 9999 }));
      expect(only(someoneElse)).toBe('To link your orders, please share your own number with the "Share my phone number" button.');
      const noAccount = await h.deliver(h.tg.contactUpdate({ fromId: NOSY, phone: '+84903111222', firstName: 'Victim', userId: null }));
      expect(only(noAccount)).toBe('To link your orders, please share your own number with the "Share my phone number" button.');
      const orders = only(await h.say(NOSY, '/orders'));
      expect(orders).toBe('You have no orders with us yet.');
      const me = only(await h.say(NOSY, '/whoami'));
      expect(me).not.toContain('Victim');
    });
  });

  describe('webhook security and exactly-once', () => {
    it('a wrong or missing secret gets 401 and nothing is recorded (the core is not called)', async () => {
      const before = seen.length;
      const update = h.tg.textUpdate({ fromId: OWNER, text: '/lead Mallory Forged' });
      const wrong = await h.deliver(update, { secret: 'not-the-secret' });
      const missing = await h.deliver(update, { secret: null });
      expect([wrong.status, missing.status]).toEqual([401, 401]);
      expect([...wrong.calls, ...missing.calls]).toEqual([]);
      expect(seen.length).toBe(before);
      expect(await ProcessedDelivery.findById(`tg:123456:${update.update_id}`).lean()).toBeNull();
      expect(await Customer.countDocuments({ name: 'Mallory Forged' })).toBe(0);
      // The same update with the right secret is then processed normally.
      expect(only(await h.deliver(update))).toMatch(/^New lead C\d+ Mallory Forged saved\.$/);
    });

    it('the same update_id delivered twice makes one lead and one reply', async () => {
      const update = h.tg.textUpdate({ fromId: OWNER, text: '/lead Twice Delivered +84 903 222 333' });
      const first = await h.deliver(update);
      const again = await h.deliver(update);
      expect(only(first)).toMatch(/^New lead C\d+ Twice Delivered saved\.$/);
      expect(again.status).toBe(200);
      expect(again.calls).toEqual([]);
      expect(await Customer.countDocuments({ name: 'Twice Delivered' })).toBe(1);
    });

    it('duplicates arriving at two app processes at once are processed once', async () => {
      // A second "process": its own adapter and HTTP server, the same database and Bot API.
      const log = silentLogger();
      const core2 = createApp({ config: h.config, notifier: new RoutingNotifier(), log, now: () => new Date() });
      const second = createTelegramAdapter({ config: h.config, core: core2, log, botInfo: h.adapter.bot.botInfo });
      const http2 = createHttpServer({ log, health: async () => ({}) });
      http2.mount(TELEGRAM_WEBHOOK_PATH, second.webhookListener);
      const port2 = await http2.listen(0, '127.0.0.1');
      try {
        const update = h.tg.textUpdate({ fromId: OWNER, text: '/lead Race Condition +84 903 333 444' });
        const since = h.tg.calls.length;
        const [a, b] = await Promise.all([h.tg.postWebhook(update), h.tg.postWebhook(update, { url: `http://127.0.0.1:${port2}${TELEGRAM_WEBHOOK_PATH}` })]);
        await Promise.all([h.adapter.idle(), second.idle()]);
        expect([a.status, b.status]).toEqual([200, 200]);
        const replies = h.tg.calls.slice(since).filter((c) => c.method === 'sendMessage');
        expect(replies.map((c) => c.text)).toEqual([expect.stringMatching(/^New lead C\d+ Race Condition saved\.$/)]);
        expect(await Customer.countDocuments({ name: 'Race Condition' })).toBe(1);
      } finally {
        await second.stop();
        await http2.close();
      }
    });
  });

  describe('outbound: limits, long texts, files, failures', () => {
    it('splits a text over 4,096 characters into several messages, in order, buttons on the last', async () => {
      const lines = Array.from({ length: 300 }, (_, i) => `Line ${String(i).padStart(3, '0')} ${'·'.repeat(20)}`);
      const body = lines.join('\n');
      expect(body.length).toBeGreaterThan(4096 * 2);
      const since = h.tg.calls.length;
      const result = await h.adapter.sender.send(String(OWNER), [text(body, [[{ label: 'Done', action: 'help' }]])]);
      expect(result).toMatchObject({ ok: true, platform: 'telegram' }); // and the last message's id
      const sent = h.tg.calls.slice(since).filter((c) => c.method === 'sendMessage');
      expect(sent.length).toBe(3);
      expect(sent.every((c) => c.ok && (c.text ?? '').length <= 4096)).toBe(true);
      expect(sent.map((c) => c.text).join('\n')).toBe(body);
      expect(sent.map((c) => c.reply_markup === undefined)).toEqual([true, true, false]);
    });

    it('sends files as documents and images as photos', async () => {
      const since = h.tg.calls.length;
      const result = await h.adapter.sender.send(String(OWNER), [
        { kind: 'file', fileName: 'export.csv', mimeType: 'text/csv', data: Buffer.from('a,b\n1,2\n'), caption: 'Your export' },
        { kind: 'image', fileName: 'chart.png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47]) },
      ]);
      expect(result.ok).toBe(true);
      const calls = h.tg.calls.slice(since);
      expect(calls.map((c) => c.method)).toEqual(['sendDocument', 'sendPhoto']);
      expect(calls[0]).toMatchObject({ caption: 'Your export', files: [expect.objectContaining({ filename: 'export.csv', size: 8 })] });
      expect(calls[1]!.files).toEqual([expect.objectContaining({ filename: 'chart.png', size: 4 })]);
    });

    it('a blocked chat is a permanent failure and the customer becomes unreachable on telegram', async () => {
      const BLOCKER = 2060;
      await h.say(BLOCKER, '/start', { firstName: 'Blocker' });
      const id = refIn((await h.say(BLOCKER, '/whoami')).texts[0], 'C');
      h.tg.blockChat(BLOCKER);
      expect(await h.adapter.sender.send(String(BLOCKER), [text('Offer')])).toEqual({
        ok: false,
        platform: 'telegram',
        permanent: true,
        reason: 'Forbidden: bot was blocked by the user',
      });
      const result = await h.notifier.notify({ kind: 'customer', customerId: id }, [text('Our summer sale starts today')]);
      expect(result).toMatchObject({ ok: false, permanent: true, platform: 'telegram' });
      expect((await Customer.findById(id).lean())?.unreachable).toEqual(['telegram']);
      h.tg.markChatNotFound(-100555);
      expect(await h.adapter.sender.send('-100555', [text('hi')])).toMatchObject({ ok: false, permanent: true, reason: 'Bad Request: chat not found' });
      expect(await h.adapter.sender.send(String(OWNER), [text('x'.repeat(10))])).toMatchObject({ ok: true });
    });
  });
});

describe('Telegram rate limits (1 message/s per chat at the emulator)', () => {
  const tg = new TelegramEmulator({ perChatRatePerSec: 1, globalRatePerSec: 30 });
  let apiRoot = '';

  beforeAll(async () => {
    apiRoot = await tg.start();
  });
  afterAll(async () => {
    await tg.stop();
  });

  function adapterWith(limits: typeof TELEGRAM_LIMITS | false) {
    return startTelegramHarness({ tg, limits, ownerIds: [] }).then((h) => {
      expect(h.config.TELEGRAM_API_ROOT).toBe(apiRoot);
      return h;
    });
  }

  it('with the throttler, three messages to one chat are all delivered once, in order', async () => {
    const h = await adapterWith(TELEGRAM_LIMITS);
    try {
      tg.reset();
      const results = await Promise.all(['one', 'two', 'three'].map((t) => h.adapter.sender.send('3001', [text(t)])));
      expect(results.every((r) => r.ok)).toBe(true);
      expect(tg.sent(3001).map((m) => m.text)).toEqual(['one', 'two', 'three']);
      // The throttler spaces them (≥ ~2 s for three); any 429 that still slips through is retried.
      const times = tg.calls.filter((c) => c.ok && c.method === 'sendMessage').map((c) => c.at);
      expect(times[2]! - times[0]!).toBeGreaterThanOrEqual(1900);
    } finally {
      await h.stop();
    }
  });

  it('without the throttler, 429s are retried after retry_after and nothing is duplicated', async () => {
    const h = await adapterWith(false);
    try {
      tg.reset();
      const results = await Promise.all(['a', 'b', 'c'].map((t) => h.adapter.sender.send('3002', [text(t)])));
      expect(results.every((r) => r.ok)).toBe(true);
      expect(tg.stats.tooManyRequests).toBeGreaterThanOrEqual(1);
      const texts = tg.sent(3002).map((m) => m.text);
      expect([...texts].sort()).toEqual(['a', 'b', 'c']);
    } finally {
      await h.stop();
    }
  });
});

describe('Telegram polling mode', () => {
  it('polls getUpdates, answers, and stops cleanly', async () => {
    // Another bot (its own id): delivery ids are per bot, and this database already saw update 1 of bot 123456.
    const tg = new TelegramEmulator({ token: '777777:POLLING-BOT', perChatRatePerSec: 0 });
    const apiRoot = await tg.start();
    const config = loadConfig({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: apiRoot, TELEGRAM_MODE: 'polling', OWNER_TELEGRAM_IDS: '4001' }, { envFile: null });
    const log = silentLogger();
    const core = createApp({ config, notifier: new RoutingNotifier(), log, now: () => new Date() });
    const adapter = createTelegramAdapter({ config, core, log });
    try {
      await adapter.start();
      tg.queueUpdate(tg.textUpdate({ fromId: 4001, text: '/lead Polly Poll' }));
      const reply = await tg.waitFor((c) => c.method === 'sendMessage' && c.chat_id === 4001, 5000);
      expect(reply.text).toMatch(/^New lead C\d+ Polly Poll saved\.$/);
    } finally {
      await adapter.stop();
      await tg.stop();
    }
  });
});
