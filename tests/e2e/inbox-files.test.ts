/**
 * Replies with a photo or file, end to end (issue 11, item 2), over real HTTP through the real
 * grammY and Bolt stacks against the emulators, on a real database:
 * - Telegram: the owner answers a customer's notification (reply-to, with its real message id) with
 *   a photo — the customer gets it once through `sendPhoto`, with the words as its caption, and the
 *   same update delivered again sends nothing; a photo captioned `reply C12 …` does the same;
 * - Slack: the owner shares a file in the notification's thread — the Slack customer gets it
 *   through `files.uploadV2` (getUploadURLExternal → upload → completeUploadExternal); and a
 *   Telegram customer is answered from Slack with a file shared as `reply C12 …` (`sendDocument`).
 */
import '../../models/index.js';
import '../../models/telegram-callback.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Identity } from '../../models/identity.js';
import { Interaction } from '../../models/interaction.js';
import { useTestDatabase } from '../support/db.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { startTelegramHarness, type TelegramHarness } from '../support/telegram-harness.js';

useTestDatabase('inbox_files_e2e');

const OWNER = 1001;

/** The customer id a platform account belongs to. */
async function customerOf(identity: string): Promise<string> {
  const found = await Identity.findById(identity).lean();
  if (!found) throw new Error(`no identity ${identity}`);
  return found.refId;
}

describe('Telegram: a photo reply reaches the customer once', () => {
  let h: TelegramHarness;
  beforeAll(async () => {
    h = await startTelegramHarness({ ownerIds: [OWNER] });
    await h.say(OWNER, '/whoami', { firstName: 'Olga' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('answering the notification (reply-to) with a photo sends it with sendPhoto, its words as caption, once', async () => {
    const CUSTOMER = 3001;
    const wrote = await h.say(CUSTOMER, 'Do you have the dress in blue?', { firstName: 'Binh' });
    const notice = wrote.sent.find((s) => String(s.chat_id) === String(OWNER) && /^💬/.test(s.text ?? ''))!;
    expect(notice).toBeDefined();
    const id = await customerOf(`telegram:${CUSTOMER}`);

    h.tg.addFile('STAFF-PHOTO-1', Buffer.from('blue dress jpeg'), 'photos/blue.jpg');
    const update = h.tg.mediaUpdate({ fromId: OWNER, kind: 'photo', fileId: 'STAFF-PHOTO-1', caption: 'Here it is in blue', replyToMessageId: notice.message_id });
    const d = await h.deliver(update);
    expect(d.texts).toEqual([expect.stringMatching(new RegExp(`^Sent to ${id} Binh \\(telegram\\)`))]);
    const toCustomer = d.sent.filter((s) => String(s.chat_id) === String(CUSTOMER));
    expect(toCustomer.map((s) => [s.method, s.caption])).toEqual([['sendPhoto', 'Here it is in blue']]);
    const photo = h.tg.getMessage(CUSTOMER, toCustomer[0]!.message_id!)?.photo?.at(-1);
    expect(h.tg.fileBytes(photo!.file_id)?.toString()).toBe('blue dress jpeg');

    // Telegram delivers the same update again (a webhook timeout): nothing more reaches the customer.
    const again = await h.tg.postWebhook(update);
    await h.adapter.idle();
    expect(again.status).toBe(200);
    expect(h.tg.sent(CUSTOMER).filter((s) => s.method === 'sendPhoto')).toHaveLength(1);

    const stored = await Interaction.find({ customerId: id, kind: 'reply' }).lean();
    expect(stored).toEqual([expect.objectContaining({ text: 'Here it is in blue', delivery: 'sent', platform: 'telegram', media: expect.objectContaining({ kind: 'image' }) })]);
  });

  it('a photo captioned "reply C12 …" is that reply', async () => {
    const CUSTOMER = 3002;
    await h.say(CUSTOMER, 'and in red?', { firstName: 'Chi' });
    const id = await customerOf(`telegram:${CUSTOMER}`);
    h.tg.addFile('STAFF-PHOTO-2', Buffer.from('red dress jpeg'), 'photos/red.jpg');
    const d = await h.deliver(h.tg.mediaUpdate({ fromId: OWNER, kind: 'photo', fileId: 'STAFF-PHOTO-2', caption: `reply ${id} Red, size M and L` }));
    expect(d.texts).toEqual([expect.stringMatching(new RegExp(`^Sent to ${id} Chi \\(telegram\\)`))]);
    expect(d.sent.filter((s) => String(s.chat_id) === String(CUSTOMER)).map((s) => [s.method, s.caption])).toEqual([['sendPhoto', 'Red, size M and L']]);
  });
});

describe('Telegram: a one-time chat link for a lead who never wrote', () => {
  let h: TelegramHarness;
  beforeAll(async () => {
    h = await startTelegramHarness({ ownerIds: [OWNER], emulator: { token: '777001:LINK-BOT' } });
    await h.say(OWNER, '/whoami', { firstName: 'Olga' });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('the link names the bot from getMe; opening it (/start <code>) links the account and greets them in their language', async () => {
    const lead = await h.say(OWNER, '/lead Giang Vo +84 913 555 010');
    const id = /C\d+/.exec(lead.texts[0] ?? '')![0];
    const made = await h.say(OWNER, `/chat link ${id}`);
    const bot = h.tg.options.botUsername;
    const code = new RegExp(`https://t\\.me/${bot}\\?start=([A-Z0-9]{12})`).exec(made.texts[0] ?? '')?.[1];
    expect(code).toBeDefined();
    const opened = await h.say(3201, `/start ${code}`, { firstName: 'Giang', languageCode: 'vi' });
    expect(opened.texts).toEqual([expect.stringMatching(/^Xin chào Giang Vo! Anh\/chị đã được kết nối với cửa hàng/)]);
    expect(await customerOf('telegram:3201')).toBe(id);
    expect(opened.sent.filter((s) => String(s.chat_id) === String(OWNER)).map((s) => s.text)).toEqual([
      `🔗 ${id} Giang Vo opened their chat link and is now connected on telegram. Write to them with: reply ${id} <text>`,
    ]);
    expect((await h.say(3202, `/start ${code}`, { firstName: 'Other' })).texts).toEqual([
      'This link has already been used. If that was not you, or you need a new one, please ask the shop.',
    ]);
  });
});

describe('Slack: a file reply, to a Slack customer and to a Telegram customer', () => {
  let slack: SlackHarness;
  let tg: TelegramHarness;
  const SOWNER = 'UOWNER';
  beforeAll(async () => {
    slack = await startSlackHarness({ ownerIds: [SOWNER] });
    // Another bot than the first describe's: its update ids (and so delivery ids) start over.
    tg = await startTelegramHarness({ ownerIds: [], emulator: { token: '654321:SECOND-BOT' } });
    // One shop: each app process reaches people on both platforms.
    slack.notifier.register(tg.adapter.sender);
    tg.notifier.register(slack.adapter.sender);
    slack.slack.options.perChannelRatePerSec = 0; // limits are tested elsewhere; here they would only slow the story
    slack.slack.addUser({ id: SOWNER, name: 'olivia', realName: 'Olivia Owner' });
    slack.slack.addUser({ id: 'UCUST1', name: 'dao', realName: 'Dao Customer' });
    await slack.slash(SOWNER, 'whoami');
  });
  afterAll(async () => {
    await tg?.stop();
    await slack?.stop();
  });

  it('a file shared in the notification’s thread is uploaded to the customer’s DM with files.uploadV2', async () => {
    const since = slack.slack.calls.length;
    await slack.dm('UCUST1', 'Can I get the invoice for my order?');
    const notice = slack.slack.calls.slice(since).find((c) => c.ok && c.method === 'chat.postMessage' && c.channel === `D${SOWNER}` && /^💬/.test(c.text ?? ''))!;
    expect(notice?.ts).toBeDefined();
    const id = await customerOf(`slack:${slack.slack.options.teamId}:UCUST1`);

    const file = slack.slack.addSharedFile({ name: 'invoice.pdf', mimetype: 'application/pdf', bytes: Buffer.from('%PDF-1.4 invoice') });
    const before = slack.slack.calls.length;
    await slack.dm(SOWNER, '', { event: slack.slack.fileShareEvent({ userId: SOWNER, text: '', files: [file], threadTs: notice.ts }) });
    const uploaded = slack.slack.files.filter((f) => f.channel_id === 'DUCUST1');
    expect(uploaded).toHaveLength(1);
    expect(uploaded[0]).toMatchObject({ filename: 'invoice.pdf', completed: true });
    expect(uploaded[0]!.bytes?.toString()).toBe('%PDF-1.4 invoice');
    const methods = slack.slack.calls.slice(before).filter((c) => c.ok).map((c) => c.method);
    expect(methods).toEqual(expect.arrayContaining(['files.getUploadURLExternal', 'files.completeUploadExternal']));
    // The owner hears it went out, in the thread they answered in.
    const told = slack.slack.calls.slice(before).filter((c) => c.ok && c.method === 'chat.postMessage' && c.channel === `D${SOWNER}`);
    expect(told.map((c) => [c.text, c.params['thread_ts']])).toEqual([[expect.stringMatching(new RegExp(`^Sent to ${id} Dao Customer \\(slack\\)`)), notice.ts]]);
    expect(await Interaction.findOne({ customerId: id, kind: 'reply' }).lean()).toMatchObject({ text: '📎 invoice.pdf', media: { kind: 'file', fileName: 'invoice.pdf' } });
  });

  it('a Telegram customer answered from Slack with a file shared as "reply C12 …" gets it with sendDocument', async () => {
    const CUSTOMER = 3101;
    const wrote = await tg.say(CUSTOMER, 'Do you have a price list?', { firstName: 'Em' });
    expect(wrote.texts).toEqual(['Thanks, we got your message and will answer soon.']);
    const id = await customerOf(`telegram:${CUSTOMER}`);
    expect(slack.slack.posted(`D${SOWNER}`).some((p) => (p.text ?? '').startsWith(`💬 ${id} Em (telegram)`))).toBe(true);

    const file = slack.slack.addSharedFile({ name: 'price-list.pdf', mimetype: 'application/pdf', bytes: Buffer.from('%PDF-1.4 prices') });
    const since = tg.tg.calls.length;
    const ex = await slack.dm(SOWNER, '', { event: slack.slack.fileShareEvent({ userId: SOWNER, text: `reply ${id} Here is our price list`, files: [file] }) });
    await tg.adapter.idle();
    expect(ex.texts).toEqual([expect.stringMatching(new RegExp(`^Sent to ${id} Em \\(telegram\\)`))]);
    const sent = tg.tg.calls.slice(since).filter((c) => c.ok && String(c.chat_id) === String(CUSTOMER));
    expect(sent.map((c) => [c.method, c.caption])).toEqual([['sendDocument', 'Here is our price list']]);
    const document = tg.tg.getMessage(CUSTOMER, sent[0]!.message_id!)?.document;
    expect(document?.file_name).toBe('price-list.pdf');
    expect(tg.tg.fileBytes(document!.file_id)?.toString()).toBe('%PDF-1.4 prices');
  });
});
