/**
 * One-time chat links for a lead who never wrote (issue 11, item 6), through the one primitive
 * `createApp(deps).handle(incoming)` on the real database with the routing notifier over
 * recording senders: `chat link C12` (and the card's button) gives a `t.me/<bot>?start=<code>`
 * link; `/start <code>` from a Telegram account links that account to the customer and greets them
 * in their language; the link works once, expires, and never moves an account that is already
 * another customer's (the maker is told). Also: a reply with a photo or file reaches the customer
 * once and is stored with its kind and name.
 */
import '../../models/index.js';
import { describe, expect, it } from 'vitest';
import { AuditEvent, Customer, Identity, Interaction, Invite, Outbox } from '../../models/index.js';
import { createApp } from '../../src/app.js';
import type { Attachment, Incoming, Reply } from '../../src/core/types.js';
import { RoutingNotifier } from '../../src/services/notifier.js';
import { buttonActions, customerIdIn, replyText, type Person } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';
import { FakeSender } from '../support/fake-sender.js';
import { nextDeliveryId, testDeps, type TestClock } from '../support/test-app.js';

useTestDatabase('start_links');

const telegram = new FakeSender('telegram');
const consoleChat = new FakeSender('console');
const clock: TestClock = { now: new Date('2026-03-02T03:00:00.000Z') };
const notifier = new RoutingNotifier([telegram, consoleChat]);
const deps = testDeps({ env: { TELEGRAM_BOT_USERNAME: 'shop_bot', START_LINK_TTL_DAYS: '7' }, notifier, clock });
const core = createApp(deps);

const OWNER: Person = { platform: 'console', userId: 'owner', displayName: 'Owner' };
const tg = (userId: string, displayName: string): Person => ({ platform: 'telegram', userId, displayName });

const send = (who: Person, text: string, extra: Partial<Incoming> = {}) =>
  core.handle({ platform: who.platform, userId: who.userId, chatId: who.userId, displayName: who.displayName, text, deliveryId: nextDeliveryId(), ...extra });
const say = async (who: Person, text: string, extra?: Partial<Incoming>) => replyText(await send(who, text, extra));

/** A lead logged by the owner; returns its id. */
async function lead(line: string): Promise<string> {
  return customerIdIn(await say(OWNER, `lead ${line}`));
}

/** The code of the t.me link in `chat link`'s answer. */
function codeIn(answer: string): string {
  const m = /https:\/\/t\.me\/shop_bot\?start=([A-Z0-9]{12})/.exec(answer);
  if (!m) throw new Error(`no chat link in: ${answer}`);
  return m[1]!;
}

const textsTo = (sender: FakeSender, chatId: string) =>
  sender.delivered.filter((d) => d.chatId === chatId).flatMap((d) => d.replies.flatMap((r) => (r.kind === 'text' ? [r.text] : [])));

describe('chat links for leads who never wrote', () => {
  it('the card has a "Chat link" button, and chat link gives a one-time t.me link with its expiry', async () => {
    const id = await lead('Anna Link +84 912 000 101');
    const card = await send(OWNER, `customer ${id}`);
    expect(buttonActions(card)).toContain(`chat link ${id}`);
    const answer = await say(OWNER, `chat link ${id}`);
    expect(answer).toContain(`One-time chat link for ${id} Anna Link, valid until 2026-03-09`);
    const code = codeIn(answer);
    const stored = await Invite.findById(code).lean();
    expect(stored).toMatchObject({ kind: 'start', targetRef: id });
    expect(stored!.expiresAt.toISOString()).toBe('2026-03-09T03:00:00.000Z');
  });

  it('opening it links that Telegram account to the customer, greets them in their language, and tells the maker', async () => {
    const id = await lead('Bích Ngọc +84 912 000 102');
    const code = codeIn(await say(OWNER, `chat link ${id}`));
    const ngoc = tg('5102', 'Ngoc T');
    const greeting = await say(ngoc, `/start ${code}`, { locale: 'vi' });
    expect(greeting).toMatch(/^Xin chào Bích Ngọc! Anh\/chị đã được kết nối với cửa hàng/);
    expect(await Identity.findById('telegram:5102').lean()).toMatchObject({ kind: 'customer', refId: id, chatId: '5102' });
    const customer = await Customer.findById(id).lean();
    expect(customer!.identityIds).toContain('telegram:5102');
    expect(customer!.locale).toBe('vi');
    expect(textsTo(consoleChat, 'owner').at(-1)).toBe(`🔗 ${id} Bích Ngọc opened their chat link and is now connected on telegram. Write to them with: reply ${id} <text>`);
    // They are that customer now: a reply reaches their Telegram chat.
    expect(await say(OWNER, `reply ${id} Chào chị, váy xanh còn size M ạ.`)).toMatch(new RegExp(`^Sent to ${id} Bích Ngọc \\(telegram\\)`));
    expect(textsTo(telegram, '5102')).toEqual(['Chào chị, váy xanh còn size M ạ.']);
    expect(await AuditEvent.countDocuments({ action: 'identity.link', target: `customer:${id}` })).toBe(1);
  });

  it('works once: another account gets "already used"; the same account opening it again is welcomed back', async () => {
    const id = await lead('Chau One +84 912 000 103');
    const code = codeIn(await say(OWNER, `chat link ${id}`));
    expect(await say(tg('5103', 'Chau'), `/start ${code}`)).toMatch(/^Hello Chau One! You are now connected/);
    expect(await say(tg('5104', 'Someone Else'), `/start ${code}`)).toBe(
      'This link has already been used. If that was not you, or you need a new one, please ask the shop.',
    );
    expect(await Identity.findById('telegram:5104').lean()).toBeNull();
    expect(await say(tg('5103', 'Chau'), `/start ${code}`)).toMatch(/^Hello again, Chau One!/);
  });

  it('of several accounts opening it at the same moment, exactly one is linked', async () => {
    const id = await lead('Dung Race +84 912 000 104');
    const code = codeIn(await say(OWNER, `chat link ${id}`));
    const answers = await Promise.all(['5201', '5202', '5203', '5204'].map((u) => say(tg(u, `Racer ${u}`), `/start ${code}`)));
    expect(answers.filter((a) => a.startsWith('Hello Dung Race!'))).toHaveLength(1);
    expect(answers.filter((a) => a.startsWith('This link has already been used'))).toHaveLength(3);
    expect((await Customer.findById(id).lean())!.identityIds).toHaveLength(1);
  });

  it('expires (START_LINK_TTL_DAYS) with a clear answer, and an unknown code is "not valid"', async () => {
    const id = await lead('Em Late +84 912 000 105');
    const code = codeIn(await say(OWNER, `chat link ${id}`));
    clock.now = new Date(clock.now.getTime() + 8 * 86_400_000);
    expect(await say(tg('5105', 'Em'), `/start ${code}`)).toBe('This link has expired. Please ask the shop to send you a new one.');
    expect(await Identity.findById('telegram:5105').lean()).toBeNull();
    expect(await say(tg('5105', 'Em'), '/start ZZZZZZZZZZZZ')).toMatch(/^This link is not valid/);
    // A plain /start is still the ordinary greeting.
    expect(await say(tg('5106', 'Plain'), '/start')).toMatch(/^Welcome to our shop!/);
  });

  it('an account that already belongs to another customer is not moved: they are told, and so is the maker', async () => {
    const id = await lead('Giang Linked +84 912 000 106');
    const code = codeIn(await say(OWNER, `chat link ${id}`));
    const giang = tg('5107', 'Giang');
    expect(await say(giang, 'hi, is the shop open today?')).toMatch(/^Thanks, we got your message/);
    const other = (await Identity.findById('telegram:5107').lean())!.refId;
    expect(await say(giang, `/start ${code}`)).toMatch(/^This account is already connected to another customer record/);
    expect((await Identity.findById('telegram:5107').lean())!.refId).toBe(other);
    expect((await Customer.findById(id).lean())!.identityIds).toEqual([]);
    expect(textsTo(consoleChat, 'owner').at(-1)).toBe(
      `⚠️ The telegram account that opened the chat link for ${id} Giang Linked already belongs to customer ${other}; nothing was moved. If they are the same person: merge ${id} ${other}`,
    );
    // Not used up: after staff merged the records, it would still work from the right account.
    expect((await Invite.findById(code).lean())!.usedAt).toBeUndefined();
  });

  it('a staff account cannot take a customer’s link', async () => {
    const id = await lead('Hanh Staff +84 912 000 107');
    const code = codeIn(await say(OWNER, `chat link ${id}`));
    expect(await say(OWNER, `start ${code}`)).toMatch(/^This is a staff account/);
  });

  it('without a Telegram bot the staff member gets the bare code, which works typed as "start CODE"', async () => {
    const bare = createApp(testDeps({ env: {}, notifier, clock }));
    const id = await lead('Khanh Bare +84 912 000 108');
    const answer = replyText(
      await bare.handle({ platform: 'console', userId: 'owner', chatId: 'owner', displayName: 'Owner', text: `chat link ${id}`, deliveryId: nextDeliveryId() }),
    );
    const code = /: ([A-Z0-9]{12})\n/.exec(answer)?.[1];
    expect(answer).toMatch(/there is no t\.me link/);
    expect(code).toBeDefined();
    expect(await say(tg('5108', 'Khanh'), `start ${code}`)).toMatch(/^Hello Khanh Bare!/);
  });
});

describe('a reply with a photo or file', () => {
  const photo = (bytes: string, caption?: string): Attachment => ({
    kind: 'image',
    fileName: 'dress.jpg',
    mimeType: 'image/jpeg',
    size: bytes.length,
    fileRef: 'AgAC-STAFF-1',
    download: async () => Buffer.from(bytes),
    ...(caption ? { caption } : {}),
  });

  it('a photo captioned "reply C12 …" reaches the customer once, as a photo with the words as caption, stored with its kind and name', async () => {
    const anh = tg('5301', 'Anh');
    await say(anh, 'do you have it in blue?');
    const id = (await Identity.findById('telegram:5301').lean())!.refId;
    const deliveryId = nextDeliveryId();
    const incoming: Incoming = {
      platform: 'console', userId: 'owner', chatId: 'owner', displayName: 'Owner', text: `[photo] reply ${id} Here it is in blue`,
      attachments: [photo('JPEGBYTES', `reply ${id} Here it is in blue`)], deliveryId,
    };
    expect(replyText(await core.handle(incoming))).toMatch(new RegExp(`^Sent to ${id} Anh \\(telegram\\)`));
    expect(replyText(await core.handle(incoming))).toBe(''); // the same delivery again: nothing
    const got = telegram.delivered.filter((d) => d.chatId === '5301').flatMap((d) => d.replies);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ kind: 'image', fileName: 'dress.jpg', caption: 'Here it is in blue' });
    expect((got[0] as Extract<Reply, { kind: 'image' }>).data.toString()).toBe('JPEGBYTES');
    const stored = await Interaction.findOne({ customerId: id, kind: 'reply' }).lean();
    expect(stored).toMatchObject({ text: 'Here it is in blue', delivery: 'sent', media: { kind: 'image', fileName: 'dress.jpg', mimeType: 'image/jpeg' } });
    expect(await Outbox.findById(`reply:${deliveryId}`).lean()).toMatchObject({ state: 'sent' });
  });

  it('a file with no words is sent as a document; one that cannot be fetched sends and stores nothing and tells the author', async () => {
    const bao = tg('5302', 'Bao');
    await say(bao, 'can I get the invoice?');
    const id = (await Identity.findById('telegram:5302').lean())!.refId;
    const pdf: Attachment = { kind: 'file', fileName: 'invoice.pdf', mimeType: 'application/pdf', download: async () => Buffer.from('%PDF-1.4'), caption: `reply ${id}` };
    expect(await say(OWNER, `reply ${id}`, { attachments: [pdf] })).toMatch(new RegExp(`^Sent to ${id} Bao`));
    expect(telegram.delivered.filter((d) => d.chatId === '5302').flatMap((d) => d.replies)).toEqual([
      { kind: 'file', fileName: 'invoice.pdf', mimeType: 'application/pdf', data: Buffer.from('%PDF-1.4') },
    ]);
    expect(await Interaction.findOne({ customerId: id, kind: 'reply' }).lean()).toMatchObject({ text: '📎 invoice.pdf', media: { kind: 'file', fileName: 'invoice.pdf' } });

    const gone: Attachment = { kind: 'image', download: async () => Promise.reject(new Error('Bad Request: file is too big')), caption: `reply ${id} look` };
    expect(await say(OWNER, `[photo] reply ${id} look`, { attachments: [gone] })).toBe(
      `Nothing was sent to ${id} Bao: your photo could not be fetched (Bad Request: file is too big). Send it again.`,
    );
    expect(await Interaction.countDocuments({ customerId: id, kind: 'reply' })).toBe(1);
    expect(telegram.delivered.filter((d) => d.chatId === '5302')).toHaveLength(1);
  });

  it('a photo the platform refuses (the customer blocked the bot) is told to its author and kept as failed', async () => {
    const cam = tg('5303', 'Cam');
    await say(cam, 'hello?');
    const id = (await Identity.findById('telegram:5303').lean())!.refId;
    telegram.blocked.add('5303');
    expect(await say(OWNER, `[photo] reply ${id} for you`, { attachments: [photo('JPEG', `reply ${id} for you`)] })).toBe(
      `Not delivered to ${id} Cam: Forbidden: bot was blocked by the user. They cannot be reached in that chat any more (they may have blocked the bot); try a call or an e-mail.`,
    );
    expect(await Interaction.findOne({ customerId: id, kind: 'reply' }).lean()).toMatchObject({ delivery: 'failed', media: { kind: 'image' } });
    expect((await Customer.findById(id).lean())!.unreachable).toContain('telegram');
  });
});
