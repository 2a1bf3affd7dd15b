/**
 * The two-way shop inbox through the one primitive, `createApp(deps).handle(incoming)`, with the
 * real routing notifier and recording platform senders: a customer's message opens their
 * conversation and reaches the staff on duty; `reply` reaches the customer's chat exactly once and
 * is stored with its author; notes never leave the shop; first responses, the inbox, assign and
 * resolve, a blocked customer, saved replies, order updates and `stop`.
 */
import '../../models/index.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { alertUnansweredComplaints } from '../../jobs/auto-follow-ups.js';
import { Conversation, Customer, Identity, Interaction, NotificationRef, OpenConversations, Order, Outbox } from '../../models/index.js';
import { createApp } from '../../src/app.js';
import type { Config } from '../../src/config.js';
import type { Incoming, Reply, SendResult } from '../../src/core/types.js';
import { conversationForReply, notifyOrderUpdate, platformMessageKey, replyToCustomer } from '../../src/services/conversations.js';
import { RoutingNotifier } from '../../src/services/notifier.js';
import { staffStats } from '../../src/services/stats.js';
import { buttonActions, customerIdIn, orderIdIn, replyText, type Person } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';
import { FakeSender } from '../support/fake-sender.js';
import { nextDeliveryId, testDeps, type TestClock } from '../support/test-app.js';

useTestDatabase('inbox');

/** A sender that, like the real ones will, reports the id of the message it sent. */
class KeyedSender extends FakeSender {
  private seq = 100;
  override async send(chatId: string, replies: Reply[]): Promise<SendResult> {
    const result = await super.send(chatId, replies);
    return result.ok ? { ...result, messageId: String(++this.seq), chatId } : result;
  }
}

const telegram = new KeyedSender('telegram');
const slack = new FakeSender('slack');
const consoleChat = new FakeSender('console');
const clock: TestClock = { now: new Date('2026-03-02T03:00:00.000Z') };
const notifier = new RoutingNotifier([telegram, slack, consoleChat]);

/** An app over the shared senders; `extra` adds configuration keys (the inbox's, before src/config.ts declares them). */
function app(env: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  const deps = testDeps({ env, notifier, clock });
  const config = Object.freeze({ ...deps.config, ...extra }) as Config;
  const core = createApp({ ...deps, config });
  const send = (who: Person, text: string, extra2: Partial<Incoming> = {}) =>
    core.handle({ platform: who.platform, userId: who.userId, chatId: who.userId, displayName: who.displayName, text, deliveryId: nextDeliveryId(), ...extra2 });
  const say = async (who: Person, text: string, extra2?: Partial<Incoming>) => replyText(await send(who, text, extra2));
  return { core, deps: { ...deps, config }, send, say };
}

const shop = app();
const { say, send } = shop;

const OWNER: Person = { platform: 'console', userId: 'owner', displayName: 'Owner' };
const hoa: Person = { platform: 'slack', userId: 'T01:U1003', displayName: 'Hoa' }; // support, on Slack
const lan: Person = { platform: 'telegram', userId: '1002', displayName: 'Lan' }; // sales
const minh: Person = { platform: 'telegram', userId: '1004', displayName: 'Minh' }; // sales
const tg = (userId: string, displayName: string): Person => ({ platform: 'telegram', userId, displayName });
const ids: Record<string, string> = {};

async function hire(role: 'sales' | 'support' | 'manager', who: Person): Promise<string> {
  const code = /: (\w+)\n/.exec(await say(OWNER, `invite ${role}`))?.[1];
  expect(await say(who, `join ${code}`)).toMatch(/^Welcome to the team/);
  const identity = await Identity.findById(`${who.platform}:${who.userId}`).lean();
  return (ids[who.displayName] = identity!.refId);
}

/** What a chat got from the shop, as texts. */
const textsTo = (sender: FakeSender, chatId: string) =>
  sender.delivered.filter((d) => d.chatId === chatId).flatMap((d) => d.replies.flatMap((r) => (r.kind === 'text' ? [r.text] : [])));

/** A customer writes; returns their customer id. */
async function writes(who: Person, text: string): Promise<string> {
  expect(await say(who, text)).toMatch(/^(Thanks, we got your message|We are sorry)/);
  const identity = await Identity.findById(`${who.platform}:${who.userId}`).lean();
  return identity!.refId;
}

const minutes = (n: number) => (clock.now = new Date(clock.now.getTime() + n * 60_000));

beforeAll(async () => {
  expect(await say(OWNER, 'whoami')).toBe('You are Owner, owner.');
  await hire('support', hoa);
  await hire('sales', lan);
});

describe('a customer writes', () => {
  it('opens a conversation and tells the staff on duty, with the conversation’s buttons and the message key kept for reply-to', async () => {
    const zoe = tg('7001', 'Zoe');
    const id = await writes(zoe, 'Hello, where is my parcel?');
    ids.zoe = id;
    expect(await Conversation.findById(id).lean()).toMatchObject({
      state: 'open',
      openedAt: clock.now,
      waitingSince: clock.now,
      lastChannel: { platform: 'telegram', identityId: 'telegram:7001', chatId: '7001' },
      preview: 'Hello, where is my parcel?',
    });
    // Zoe has no owner: support (Hoa, on Slack) is on duty.
    const [notice] = slack.delivered.filter((d) => d.chatId === 'T01:U1003').at(-1)!.replies;
    expect(replyText([notice!])).toBe(`💬 ${id} Zoe (telegram): Hello, where is my parcel?`);
    expect(buttonActions([notice!])).toEqual([`customer ${id}`, `assign ${id} me`, `resolve ${id}`, `reply ${id}`]);
    expect((await OpenConversations.findById('open').lean())?.open?.[id]).toMatchObject({ since: clock.now });
  });

  it('keeps the platform message key of a notification, so a reply-to finds the conversation in one lookup', async () => {
    const tam = tg('7009', 'Tam');
    const lead = customerIdIn(await say(lan, 'lead Tam Vo 0912 777 001'));
    expect(await say(tam, '', { contact: { phone: '0912777001' } })).toContain('We found your customer record');
    await writes(tam, 'Is the red one back in stock?');
    const [sent] = telegram.delivered.filter((d) => d.chatId === '1002').slice(-1);
    expect(replyText(sent!.replies)).toBe(`💬 ${lead} Tam Vo (telegram): Is the red one back in stock?`);
    const refs = await NotificationRef.find({ customerId: lead }).lean();
    expect(refs).toHaveLength(1);
    expect(refs[0]!._id).toMatch(/^tg:1002:\d+$/);
    expect(await conversationForReply(refs[0]!._id)).toEqual({ customerId: lead, staffId: ids.Lan });
    expect(await conversationForReply(platformMessageKey('slack', 'D0NOPE', '1.2'))).toBeUndefined();

    // The notification answered the platform's way (reply-to): Tam gets it, text as typed.
    // (The owner answers here, so that Lan's response figures below stay hers alone.)
    const before = telegram.messagesTo('7009');
    expect(await say(OWNER, 'Yes!\nSize M and L are back.', { replyTo: refs[0]!._id })).not.toMatch(/don't know|Sorry/);
    expect(telegram.messagesTo('7009')).toBe(before + 1);
    expect(textsTo(telegram, '7009').at(-1)).toBe('Yes!\nSize M and L are back.');
    // A reply-to of any other message is routed as usual.
    expect(await say(lan, 'find 0912 777 001', { replyTo: platformMessageKey('telegram', '1002', '1') })).toContain(lead);
  });
});

describe('reply', () => {
  it('reaches the customer’s chat exactly once, in the shop’s voice, stored with its author and never as a note', async () => {
    const id = ids.zoe!;
    minutes(12);
    const notesBefore = await Interaction.countDocuments({ kind: 'note' });
    const deliveryId = nextDeliveryId();
    const line = `reply ${id} Your parcel left today — it arrives "on Friday".\nThanks for waiting!`;
    const first = replyText(await send(hoa, line, { deliveryId }));
    expect(first).toBe(`Sent to ${id} Zoe (telegram) — first response, after 12 min.`);
    expect(replyText(await send(hoa, line, { deliveryId }))).toBe(''); // the platform delivered the command again
    expect(textsTo(telegram, '7001')).toEqual(['Your parcel left today — it arrives "on Friday".\nThanks for waiting!']);

    const stored = await Interaction.find({ customerId: id, kind: 'reply' }).lean();
    expect(stored).toEqual([
      expect.objectContaining({ kind: 'reply', staffId: ids.Hoa, delivery: 'sent', platform: 'telegram', outboxKey: `reply:${deliveryId}`, text: 'Your parcel left today — it arrives "on Friday".\nThanks for waiting!' }),
    ]);
    expect(await Interaction.countDocuments({ kind: 'note' })).toBe(notesBefore);
    expect(await Outbox.findById(`reply:${deliveryId}`).lean()).toMatchObject({ kind: 'reply', to: `customer:${id}`, state: 'sent', platform: 'telegram' });
    expect(await Conversation.findById(id).lean()).toMatchObject({ state: 'answered', firstResponseMs: 12 * 60_000 });
    expect((await OpenConversations.findById('open').lean())?.open?.[id]).toBeUndefined();

    // The same claim again (a resumed run of the same delivery): nothing sent, nothing stored.
    const customer = (await Customer.findById(id).lean())!;
    const again = await replyToCustomer({ customer, text: 'x', shown: 'x', authorId: ids.Hoa!, key: `reply:${deliveryId}`, notifier, now: clock.now });
    expect(again).toEqual({ status: 'duplicate' });
    expect(textsTo(telegram, '7001')).toHaveLength(1);
    expect(await Interaction.countDocuments({ customerId: id, kind: 'reply' })).toBe(1);
  });

  it('goes to the chat the customer wrote from last, and works from the console too', async () => {
    const binh: Person = { platform: 'console', userId: 'customer-binh', displayName: 'Binh' };
    const id = await writes(binh, 'do you deliver to Hue?');
    expect(textsTo(consoleChat, 'owner').at(-1)).toBeUndefined(); // Binh has no owner: support is on duty, not the console owner
    expect(await say(OWNER, `reply ${id} Yes, in 2 days.`)).toBe(`Sent to ${id} Binh (console) — first response, after 0 min.`);
    expect(textsTo(consoleChat, 'customer-binh')).toEqual(['Yes, in 2 days.']);
  });

  it('answers a reply without text with how to write one, and refuses a customer who never wrote', async () => {
    expect(await say(hoa, `reply ${ids.zoe}`)).toBe(`Write your answer as: reply ${ids.zoe} <text>\nOr send a saved reply: reply ${ids.zoe} !name (see "snippet list").`);
    const quiet = customerIdIn(await say(OWNER, 'lead Quiet Person 0912 777 002'));
    expect(await say(hoa, `reply ${quiet} hello`)).toBe(`${quiet} has never written to the shop's bot, so there is no chat to answer in; nothing was sent. Call or e-mail them instead.`);
    expect(await Interaction.countDocuments({ customerId: quiet, kind: 'reply' })).toBe(0);
  });

  it('tells the author when the customer blocked the bot, marks them unreachable, and keeps the conversation open', async () => {
    const kim = tg('7002', 'Kim');
    const id = await writes(kim, 'hi?');
    telegram.blocked.add('7002');
    expect(await say(lan, `reply ${id} Hello Kim`)).toBe(
      `Not delivered to ${id} Kim: Forbidden: bot was blocked by the user. They cannot be reached in that chat any more (they may have blocked the bot); try a call or an e-mail.`,
    );
    expect((await Customer.findById(id).lean())?.unreachable).toEqual(['telegram']);
    expect(await Interaction.find({ customerId: id, kind: 'reply' }).lean()).toEqual([
      expect.objectContaining({ delivery: 'failed', failure: 'Forbidden: bot was blocked by the user', staffId: ids.Lan }),
    ]);
    expect(await Conversation.findById(id).lean()).toMatchObject({ state: 'open' });
    expect(await say(lan, `reply ${id} Hello again`)).toBe(
      `Not delivered to ${id} Kim: no identity on a connected platform. They cannot be reached in that chat any more (they may have blocked the bot); try a call or an e-mail.`,
    );
    expect(textsTo(telegram, '7002')).toEqual([]);
  });

  it('can sign with the staff member’s name when the shop says so', async () => {
    const signed = app({}, { REPLY_SHOWS_STAFF_NAME: true });
    const an = tg('7003', 'An');
    const id = await writes(an, 'hello');
    expect(await signed.say(hoa, `reply ${id} Hi An!`)).toContain('Sent to');
    expect(textsTo(telegram, '7003')).toEqual(['Hi An!\n— Hoa']);
  });
});

describe('notes and first responses', () => {
  it('never sends a note; the first response is the first reply the customer received, in stats and on the conversation', async () => {
    const lien = tg('7004', 'Lien');
    const id = await writes(lien, 'Can I change the size?');
    minutes(5);
    expect(await say(lan, `note ${id} checking stock first`)).toBe(`Note saved on ${id}.`);
    expect(textsTo(telegram, '7004')).toEqual([]);
    expect((await Conversation.findById(id).lean())?.state).toBe('open'); // a note answers nothing
    minutes(25);
    expect(await say(lan, `reply ${id} Yes, size M is here.`)).toBe(`Sent to ${id} Lien (telegram) — first response, after 30 min.`);
    minutes(5);
    await say(lan, `reply ${id} Shall I send it today?`); // a second reply answers nothing new
    expect((await Conversation.findById(id).lean())?.firstResponseMs).toBe(30 * 60_000);
    const lanRow = (await staffStats('week', clock.now, 'Asia/Ho_Chi_Minh', ids.Lan)).rows[0]!;
    expect(lanRow).toMatchObject({ responses: 1, medianResponseMinutes: 30 });
  });

  it('re-alerts a complaint answered only by a note, not one answered by a reply', async () => {
    const noted = await writes(tg('7005', 'Phuc'), 'complaint the box was crushed');
    const replied = await writes(tg('7006', 'Quang'), 'complaint wrong colour');
    await say(hoa, `note ${noted} called him, sending a new one`);
    await say(hoa, `reply ${replied} Sorry! The right colour goes out today.`);
    const job = { name: 'auto-follow-ups', data: {}, worker: 'test', touch: async () => {}, now: new Date(clock.now.getTime() + 5 * 3_600_000) };
    const before = slack.delivered.length;
    expect(await alertUnansweredComplaints(job, shop.deps)).toBe(1);
    const alerts = slack.delivered.slice(before).flatMap((d) => d.replies.flatMap((r) => (r.kind === 'text' ? [r.text] : [])));
    expect(alerts).toEqual([expect.stringContaining(`complaint from ${noted} Phuc`)]);
  });
});

describe('inbox, assign, resolve', () => {
  it('lists open conversations longest waiting first, with who has them, and pages them', async () => {
    await Promise.all([Conversation.deleteMany({}), OpenConversations.deleteMany({})]);
    const waiting: string[] = [];
    for (let i = 0; i < 12; i++) {
      minutes(1);
      waiting.push(await writes(tg(`760${String(i).padStart(2, '0')}`, `Guest ${i}`), `question ${i}`));
    }
    minutes(1);
    await say(hoa, `reply ${waiting[1]} answered`); // no longer waiting
    minutes(1);
    await writes(tg('76000', 'Guest 0'), 'still there?'); // still waiting since the first message
    minutes(10);
    const page1 = await send(hoa, 'inbox');
    const lines = replyText(page1).split('\n');
    expect(lines[0]).toBe('Open conversations (11), longest waiting first:');
    expect(lines.slice(1, 4)).toEqual([
      `${waiting[0]} Guest 0 · waiting 23 min · staff on duty · “still there?”`,
      `${waiting[2]} Guest 2 · waiting 21 min · staff on duty · “question 2”`,
      `${waiting[3]} Guest 3 · waiting 20 min · staff on duty · “question 3”`,
    ]);
    expect(lines.at(-1)).toBe('Page 1 of 2 · 11 in all');
    expect(buttonActions(page1)).toEqual([...[0, 2, 3, 4, 5].map((n) => `customer ${waiting[n]}`), 'inbox page 2', 'inbox mine']);
    expect(replyText(await send(hoa, 'inbox page 2')).split('\n').slice(1)).toEqual([`${waiting[11]} Guest 11 · waiting 12 min · staff on duty · “question 11”`, 'Page 2 of 2 · 11 in all']);

    expect(await say(hoa, `assign ${waiting[3]} Lan`)).toBe(`${waiting[3]} Guest 3 is assigned to Lan, now also their owner.`);
    expect(textsTo(telegram, '1002').at(-1)).toBe(`📥 Hoa assigned ${waiting[3]} Guest 3 to you: question 3`);
    expect(replyText(await send(lan, 'inbox mine')).split('\n')).toEqual([`Your open conversations (1), longest waiting first:`, `${waiting[3]} Guest 3 · waiting 20 min · Lan · “question 3”`]);
    expect(await say(hoa, `assign ${waiting[4]} me`)).toBe(`${waiting[4]} Guest 4 is assigned to Hoa, now also their owner.`);
    expect(await say(hoa, 'assign C1 Nobody')).toBe('No active staff member matches "Nobody".');

    expect(await say(hoa, `resolve ${waiting[0]}`)).toBe(`Conversation with ${waiting[0]} Guest 0 resolved.`);
    expect(await say(hoa, `resolve ${waiting[0]}`)).toBe(`${waiting[0]} Guest 0 has no conversation to resolve.`);
    expect(await Conversation.findById(waiting[0]).lean()).toMatchObject({ state: 'resolved' });
    expect(replyText(await send(hoa, 'inbox')).split('\n')[1]).toMatch(new RegExp(`^${waiting[2]} Guest 2 `));
  });

  it('sends the next message of an assigned customer to the assignee only', async () => {
    const rin = tg('7007', 'Rin');
    const id = await writes(rin, 'first');
    await say(hoa, `assign ${id} Lan`);
    const before = slack.delivered.length;
    await writes(rin, 'second');
    expect(textsTo(telegram, '1002').at(-1)).toBe(`💬 ${id} Rin (telegram): second`);
    expect(slack.delivered.length).toBe(before); // support was not told again
  });

  it('makes whoever logged a lead its owner when the customer writes — an owner too, not only sales', async () => {
    const lead = customerIdIn(await say(OWNER, 'lead Son Ha 0912 777 003'));
    const son = tg('7008', 'Son');
    await say(son, '', { contact: { phone: '0912777003' } });
    const before = slack.delivered.length;
    await writes(son, 'is my parcel on the way?');
    expect((await Customer.findById(lead).lean())?.ownerId).toBe((await Identity.findById('console:owner').lean())?.refId);
    expect(textsTo(consoleChat, 'owner').at(-1)).toBe(`💬 ${lead} Son Ha (telegram): is my parcel on the way?`);
    expect(slack.delivered.length).toBe(before);
  });

  it('gives customers who write in to salespeople in turn when the shop says so', async () => {
    await hire('sales', minh);
    const roundRobin = app({}, { NEW_CUSTOMER_OWNER: 'round-robin' });
    const owners: string[] = [];
    for (const n of [1, 2, 3]) {
      expect(await roundRobin.say(tg(`771${n}`, `Walk-in ${n}`), `hello ${n}`)).toMatch(/^Thanks/);
      const identity = await Identity.findById(`telegram:771${n}`).lean();
      owners.push((await Customer.findById(identity!.refId).lean())!.ownerId!);
    }
    expect(new Set(owners.slice(0, 2))).toEqual(new Set([ids.Lan, ids.Minh]));
    expect(owners[2]).toBe(owners[0]);
  });
});

describe('saved replies', () => {
  it('fills {name} and {lastOrder} for the customer, and refuses what it cannot fill', async () => {
    expect(await say(hoa, 'snippet add shipped Hi {name}, your order {lastOrder} is on its way!')).toBe('Saved reply !shipped stored. Send it with: reply C12 !shipped');
    expect(await say(hoa, 'snippet add bad Hello {nickname}')).toBe('{nickname} is not a placeholder; use {name} or {lastOrder}\nUsage: snippet add <name> <text with {name} and {lastOrder}>');
    expect(await say(lan, 'snippet list')).toBe('Saved replies (1); {name} and {lastOrder} are filled in for each customer:\n!shipped · Hi {name}, your order {lastOrder} is on its way!');

    const zoe = ids.zoe!;
    const o = orderIdIn(await say(OWNER, `order ${zoe} 350k 2x áo dài`));
    expect(await say(lan, `reply ${zoe} !shipped`)).toBe(`Sent to ${zoe} Zoe (telegram).`);
    expect(textsTo(telegram, '7001').at(-1)).toBe(`Hi Zoe, your order ${o} is on its way!`);
    expect(await say(lan, `reply ${zoe} !nope`)).toBe('No saved reply is called "nope". See them with: snippet list');

    const nameless = await writes(tg('7010', ''), 'hi');
    expect(await say(lan, `reply ${nameless} !shipped`)).toBe(`${nameless} has nothing to fill {name} with; nothing was sent. Write the reply yourself.`);
    expect(textsTo(telegram, '7010')).toEqual([]);
    expect(await say(hoa, 'snippet remove shipped')).toBe('Saved reply !shipped removed.');
    expect(await say(hoa, 'snippets')).toBe('No saved replies yet. Add one with: snippet add thanks Thank you, {name}!');
  });
});

describe('order updates and stop', () => {
  it('tells a customer with a chat how their order goes, once per event; stop silences them until start', async () => {
    const mai = tg('7011', 'Mai');
    const id = await writes(mai, 'I want to order');
    const o = orderIdIn(await say(OWNER, `order ${id} 1.2m 2x khăn lụa, áo dài`));
    const order = (await Order.findById(o).lean())!;
    const options = { notifier, now: clock.now };
    // `order` may already have told them (once src/commands/orders.ts calls notifyOrderUpdate): either way, once.
    expect(['sent', 'duplicate']).toContain((await notifyOrderUpdate(order, 'created', options)).status);
    expect(await notifyOrderUpdate(order, 'created', options)).toEqual({ status: 'duplicate' });
    expect(await notifyOrderUpdate(order, 'shipped', { ...options, tracking: 'VN123456' })).toMatchObject({ status: 'sent' });
    expect(textsTo(telegram, '7011')).toEqual([
      `Thank you for your order ${o}: 2× khăn lụa, áo dài — ₫1,200,000. We will tell you here when it ships.`,
      `Your order ${o} is on its way. Tracking: VN123456`,
    ]);

    expect(await say(mai, 'stop')).toBe('Done: you will receive no more promotions or order updates. You can still write to us any time; send start to hear from us again.');
    expect(await notifyOrderUpdate(order, 'delivered', options)).toEqual({ status: 'skipped', why: 'silenced' });
    expect(await say(hoa, `reply ${id} Anything else?`)).toBe(`${id} asked us to stop messaging them and has not written since; nothing was sent.`);
    minutes(1);
    await writes(mai, 'one more question: do you gift-wrap?');
    expect(await say(hoa, `reply ${id} Yes, for free.`)).toMatch(/^Sent to/); // they wrote after stop: answering them is fine
    expect(await notifyOrderUpdate(order, 'delivered', options)).toEqual({ status: 'skipped', why: 'silenced' });
    await say(mai, '/start');
    expect(await notifyOrderUpdate(order, 'delivered', options)).toMatchObject({ status: 'sent' });
    expect(textsTo(telegram, '7011').slice(2)).toEqual(['Yes, for free.', `Your order ${o} has been delivered. Enjoy it, and write to us here if anything is wrong.`]);

    const offline = customerIdIn(await say(OWNER, 'lead Offline Buyer 0912 777 004'));
    const offlineOrder = (await Order.findById(orderIdIn(await say(OWNER, `order ${offline} 100k`))).lean())!;
    expect(await notifyOrderUpdate(offlineOrder, 'paid', options)).toEqual({ status: 'skipped', why: 'no-chat' });
  });
});
