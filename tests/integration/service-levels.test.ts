/**
 * Opening hours, response times and satisfaction through the one primitive,
 * `createApp(deps).handle(incoming)`, on the real database with the real routing notifier:
 * the away message (once per conversation, in the customer's language), the waiting-alerts job
 * driven by an injected clock (the assignee, then the owners and managers, once each, counting
 * opening hours only), the rating buttons after `resolve` (once, re-presses refused politely),
 * and what `stats` shows of it all.
 *
 * The shop opens Monday–Friday 08:00–20:00 and Saturday 08:00–12:00 in Asia/Ho_Chi_Minh (UTC+7).
 */
import '../../models/index.js';
import { describe, expect, it } from 'vitest';
import { runJobOnce } from '../../jobs/agenda.js';
import { alertWaitingConversations, waitingAlerts } from '../../jobs/waiting-alerts.js';
import { Identity, Resolution } from '../../models/index.js';
import { createApp } from '../../src/app.js';
import type { Incoming, Reply } from '../../src/core/types.js';
import { RoutingNotifier } from '../../src/services/notifier.js';
import { buttonActions, replyText, type Person } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';
import { FakeSender } from '../support/fake-sender.js';
import { nextDeliveryId, testDeps, type TestClock } from '../support/test-app.js';

useTestDatabase('service_levels');

const telegram = new FakeSender('telegram');
const slack = new FakeSender('slack');
const consoleChat = new FakeSender('console');
const clock: TestClock = { now: new Date('2026-03-07T14:00:00.000Z') };
const deps = testDeps({
  env: { BUSINESS_HOURS: 'mon-fri 08:00-20:00; sat 08:00-12:00', WAITING_ALERT_MINUTES: '30', DEFAULT_TIMEZONE: 'Asia/Ho_Chi_Minh' },
  notifier: new RoutingNotifier([telegram, slack, consoleChat]),
  clock,
});
const core = createApp(deps);

const send = (who: Person, text: string, extra: Partial<Incoming> = {}): Promise<Reply[]> =>
  core.handle({ platform: who.platform, userId: who.userId, chatId: who.userId, displayName: who.displayName, text, deliveryId: nextDeliveryId(), ...extra });
const say = async (who: Person, text: string, extra?: Partial<Incoming>) => replyText(await send(who, text, extra));

const OWNER: Person = { platform: 'console', userId: 'owner', displayName: 'Owner' };
const hoa: Person = { platform: 'slack', userId: 'T01:U1003', displayName: 'Hoa' }; // support
const lan: Person = { platform: 'telegram', userId: '1002', displayName: 'Lan' }; // sales
const mai: Person = { platform: 'telegram', userId: '1005', displayName: 'Mai' }; // manager, reads Vietnamese
const tg = (userId: string, displayName: string): Person => ({ platform: 'telegram', userId, displayName });

/** Local time in Ho Chi Minh City (UTC+7) → the instant. */
const local = (isoLocal: string) => new Date(`${isoLocal}+07:00`);
const setClock = (isoLocal: string) => (clock.now = local(isoLocal));

/** Texts a chat got from the shop since `from` (an index into the sender's log). */
const textsTo = (sender: FakeSender, chatId: string, from = 0) =>
  sender.delivered.slice(from).filter((d) => d.chatId === chatId).flatMap((d) => d.replies.flatMap((r) => (r.kind === 'text' ? [r.text] : [])));

async function customerId(who: Person): Promise<string> {
  return (await Identity.findById(`${who.platform}:${who.userId}`).lean())!.refId;
}

async function hire(role: 'sales' | 'support' | 'manager', who: Person): Promise<void> {
  const code = /: (\w+)\n/.exec(await say(OWNER, `invite ${role}`))?.[1];
  expect(await say(who, `join ${code}`)).toMatch(/^Welcome to the team/);
}

const runAlerts = (isoLocal: string) => alertWaitingConversations({ name: 'waiting-alerts', data: {}, worker: 'test', touch: async () => {}, now: local(isoLocal) }, deps);

describe('set-up', () => {
  it('hires the team', async () => {
    expect(await say(OWNER, 'whoami')).toBe('You are Owner, owner.');
    await hire('support', hoa);
    await hire('sales', lan);
    await hire('manager', mai);
    expect(await say(mai, 'lang vi')).toMatch(/tiếng Việt/);
  });
});

describe('the away message', () => {
  it('tells a customer writing while the shop is closed when it opens — once per conversation', async () => {
    setClock('2026-03-07T21:00'); // Saturday evening; Sunday closed
    const zoe = tg('7001', 'Zoe');
    expect(await say(zoe, 'Hello, is the blue dress in size M?')).toBe("Thanks, we got your message. We're closed now; we open on Monday at 08:00 and will answer you then.");
    expect(await say(zoe, 'Also in red?')).toBe('Thanks, we got your message and will answer soon.');
    setClock('2026-03-08T10:00'); // Sunday: still the same conversation
    expect(await say(zoe, 'Hello??')).toBe('Thanks, we got your message and will answer soon.');
    // Answered, but not resolved: the same conversation, no second away message.
    setClock('2026-03-09T08:05');
    expect(await say(OWNER, `reply ${await customerId(zoe)} Yes, both are in stock.`)).toMatch(/^Sent to/);
    setClock('2026-03-09T21:00');
    expect(await say(zoe, 'Great, I will order tomorrow')).toBe('Thanks, we got your message and will answer soon.');
    // Resolved: the next message is a new conversation, with its own away message.
    expect(await say(OWNER, `resolve ${await customerId(zoe)}`)).toMatch(/resolved/);
    expect(await say(zoe, 'One more question')).toBe("Thanks, we got your message. We're closed now; we open tomorrow at 08:00 and will answer you then.");
  });

  it('says "today" before opening, nothing during opening hours, and speaks the customer’s language', async () => {
    setClock('2026-03-10T06:30'); // Tuesday before opening
    expect(await say(tg('7002', 'Yen'), 'hi')).toBe("Thanks, we got your message. We're closed now; we open today at 08:00 and will answer you then.");
    setClock('2026-03-10T09:00');
    expect(await say(tg('7003', 'Xuan'), 'hi')).toBe('Thanks, we got your message and will answer soon.');
    setClock('2026-03-14T13:00'); // Saturday afternoon
    expect(await say(tg('7004', 'Vy'), 'chào shop', { locale: 'vi' })).toBe(
      'Cảm ơn anh/chị đã nhắn tin. Hiện cửa hàng đã đóng cửa; chúng em sẽ mở cửa lúc 08:00 Thứ Hai và trả lời anh/chị khi đó ạ.',
    );
  });

  it('comes after a complaint’s acknowledgement, and goes out once when two messages race or one is delivered twice', async () => {
    setClock('2026-03-10T22:00');
    expect(await say(tg('7005', 'Uyen'), 'complaint the box was crushed')).toBe(
      "We are sorry. Your complaint is logged with priority and our support team has been told right away.\nThanks, we got your message. We're closed now; we open tomorrow at 08:00 and will answer you then.",
    );
    const tam = tg('7006', 'Tam');
    const deliveryId = nextDeliveryId();
    const [a, b, again] = await Promise.all([send(tam, 'first', { deliveryId }), send(tam, 'second'), send(tam, 'first', { deliveryId })]);
    const texts = [a, b, again].map(replyText);
    expect(texts.filter((t) => t.includes("We're closed now"))).toHaveLength(1);
  });
});

describe('waiting alerts', () => {
  it('alert the assignee after 30 minutes of opening time, then the owners and managers after 60, once each', async () => {
    // The conversations of the tests above have long waited: their alerts go out now, once.
    expect(await runAlerts('2026-03-16T19:49')).not.toEqual({ alerts: 0, escalations: 0 });
    expect(await runAlerts('2026-03-16T19:49')).toEqual({ alerts: 0, escalations: 0 });
    setClock('2026-03-16T19:50'); // Monday, ten minutes before closing
    const anh = tg('7010', 'Anh');
    expect(await say(anh, 'Can I pick it up tomorrow?')).toMatch(/^Thanks/);
    const id = await customerId(anh);
    expect(await say(lan, `assign ${id} me`)).toBe(`${id} Anh is assigned to Lan, now also their owner.`);
    const from = telegram.delivered.length;
    const fromConsole = consoleChat.delivered.length;

    expect(await runAlerts('2026-03-16T20:15')).toEqual({ alerts: 0, escalations: 0 }); // closed: nothing, and waiting does not grow
    expect(await runAlerts('2026-03-17T08:10')).toEqual({ alerts: 0, escalations: 0 }); // 10 + 10 minutes of opening time
    expect(await runAlerts('2026-03-17T08:20')).toEqual({ alerts: 1, escalations: 0 }); // 30 minutes: Lan
    expect(textsTo(telegram, '1002', from)).toEqual([`⏳ ${id} Anh has waited 30 min of opening hours for an answer: “Can I pick it up tomorrow?”\nAnswer with: reply ${id} <text>`]);
    const [alert] = telegram.delivered.slice(from).filter((d) => d.chatId === '1002');
    expect(buttonActions(alert!.replies)).toEqual([`customer ${id}`, `assign ${id} me`, `resolve ${id}`, `reply ${id}`]);
    expect(await runAlerts('2026-03-17T08:21')).toEqual({ alerts: 0, escalations: 0 }); // once

    expect(await runAlerts('2026-03-17T08:49')).toEqual({ alerts: 0, escalations: 0 });
    expect(await runAlerts('2026-03-17T08:50')).toEqual({ alerts: 0, escalations: 2 }); // 60 minutes: the owner and Mai
    expect(await runAlerts('2026-03-17T09:30')).toEqual({ alerts: 0, escalations: 0 }); // once
    expect(textsTo(consoleChat, 'owner', fromConsole)).toEqual([
      `⏳ Still unanswered: ${id} Anh has waited 1 h 0 min of opening hours (Lan): “Can I pick it up tomorrow?”\nAnswer with: reply ${id} <text>, or give it to someone: assign ${id} <name>`,
    ]);
    expect(textsTo(telegram, '1005', from)).toEqual([
      `⏳ Vẫn chưa ai trả lời: ${id} Anh đã chờ 1 giờ 0 phút trong giờ mở cửa (Lan): “Can I pick it up tomorrow?”\nTrả lời bằng: reply ${id} <nội dung>, hoặc giao cho người khác: assign ${id} <tên>`,
    ]);
    expect(textsTo(telegram, '1002', from)).toHaveLength(1); // Lan had hers: no escalation to her

    // Answered: nothing more. A new question is a new wait, alerted on its own.
    setClock('2026-03-17T09:31');
    expect(await say(lan, `reply ${id} Yes, from 10:00.`)).toMatch(/^Sent to/);
    expect(await runAlerts('2026-03-17T10:30')).toEqual({ alerts: 0, escalations: 0 });
    setClock('2026-03-17T10:30');
    await say(anh, 'And on Saturday?');
    expect(await runAlerts('2026-03-17T11:00')).toEqual({ alerts: 1, escalations: 0 });
    setClock('2026-03-17T11:01');
    expect(await say(lan, `reply ${id} Saturday too, until noon.`)).toMatch(/^Sent to/);
  });

  it('alert the staff on duty when nobody is assigned, and run as a job with the job’s clock', async () => {
    setClock('2026-03-18T09:00');
    const bao = tg('7011', 'Bao');
    await say(bao, 'Do you ship to Hue?');
    const id = await customerId(bao);
    const fromSlack = slack.delivered.length;
    await runJobOnce(waitingAlerts, deps, { now: local('2026-03-18T09:29') });
    expect(textsTo(slack, 'T01:U1003', fromSlack)).toEqual([]);
    await runJobOnce(waitingAlerts, deps, { now: local('2026-03-18T09:30') });
    await runJobOnce(waitingAlerts, deps, { now: local('2026-03-18T09:31') });
    expect(textsTo(slack, 'T01:U1003', fromSlack)).toEqual([`⏳ ${id} Bao has waited 30 min of opening hours for an answer: “Do you ship to Hue?”\nAnswer with: reply ${id} <text>`]);
    setClock('2026-03-18T09:40');
    expect(await say(hoa, `resolve ${id}`)).toMatch(/resolved/);
    expect(await runAlerts('2026-03-18T11:00')).toEqual({ alerts: 0, escalations: 0 });
  });
});

describe('ratings', () => {
  it('ask the customer once on resolve, store one rating, and refuse a second one politely', async () => {
    setClock('2026-03-19T10:00');
    const cam = tg('7020', 'Cam');
    await say(cam, 'Where is my parcel?');
    const id = await customerId(cam);
    setClock('2026-03-19T10:05');
    await say(lan, `reply ${id} It arrives today.`);
    const from = telegram.delivered.length;
    const resolveDelivery = nextDeliveryId();
    expect(await say(lan, `resolve ${id}`, { deliveryId: resolveDelivery, fromButton: true })).toBe(`Conversation with ${id} Cam resolved.`);
    expect(await say(lan, `resolve ${id}`, { deliveryId: resolveDelivery, fromButton: true })).toBe(''); // the same press delivered again
    expect(await say(hoa, `resolve ${id}`, { fromButton: true })).toBe(`${id} Cam has no conversation to resolve.`); // pressed again
    const asks = telegram.delivered.slice(from).filter((d) => d.chatId === '7020');
    expect(asks).toHaveLength(1);
    expect(replyText(asks[0]!.replies)).toBe('Your conversation with us is closed. How did we do? Tap a rating from 1 (poor) to 5 (excellent).');
    const actions = buttonActions(asks[0]!.replies);
    expect(actions).toHaveLength(5);
    expect(actions[3]).toMatch(/^rate 4 \d+$/);

    setClock('2026-03-19T10:10');
    const press = nextDeliveryId();
    expect(await say(cam, actions[3]!, { deliveryId: press, fromButton: true })).toBe('Thank you for your rating (4/5)! It helps us do better.');
    expect(await say(cam, actions[3]!, { deliveryId: press, fromButton: true })).toBe(''); // re-delivered
    expect(await say(cam, actions[4]!, { fromButton: true })).toBe('You have already rated this conversation — thank you!');
    expect(await Resolution.find({ customerId: id }).lean()).toEqual([
      expect.objectContaining({ resolvedBy: expect.any(String), rating: 4, ratedAt: local('2026-03-19T10:10'), askedAt: local('2026-03-19T10:05') }),
    ]);
    // Someone else pressing Cam's button rates nothing of Cam's.
    expect(await say(tg('7021', 'Dung'), actions[0]!, { fromButton: true })).toBe('This rating button is no longer valid. Thank you all the same!');
    // Words that only start like the button are a message for the shop.
    expect(await say(cam, 'rate of shipping to Hue?')).toBe('Thanks, we got your message and will answer soon.');
  });

  it('take exactly one of two racing presses, and ask in the customer’s language; nobody who sent stop is asked', async () => {
    setClock('2026-03-19T11:00');
    const duc = tg('7022', 'Duc');
    await say(duc, 'xin chào', { locale: 'vi' });
    const id = await customerId(duc);
    const from = telegram.delivered.length;
    await say(hoa, `resolve ${id}`);
    const [ask] = telegram.delivered.slice(from).filter((d) => d.chatId === '7022');
    expect(replyText(ask!.replies)).toMatch(/^Cuộc trò chuyện của anh\/chị với chúng em đã hoàn tất/);
    const actions = buttonActions(ask!.replies);
    const answers = (await Promise.all([send(duc, actions[4]!, { fromButton: true, locale: 'vi' }), send(duc, actions[0]!, { fromButton: true, locale: 'vi' })])).map(replyText);
    expect(answers.filter((a) => a.startsWith('Cảm ơn anh/chị đã chấm'))).toHaveLength(1);
    expect(answers.filter((a) => a.startsWith('Anh/chị đã chấm điểm cuộc trò chuyện này rồi'))).toHaveLength(1);
    expect([1, 5]).toContain((await Resolution.findOne({ customerId: id }).lean())?.rating);

    const em = tg('7023', 'Em');
    await say(em, 'question');
    await say(em, 'stop');
    const before = telegram.messagesTo('7023');
    await say(hoa, `resolve ${await customerId(em)}`);
    expect(telegram.messagesTo('7023')).toBe(before);
  });
});

describe('stats', () => {
  it('shows the median first response over opening hours, conversations resolved and the average rating per person', async () => {
    // Week of Monday 2026-03-23. Gia writes at 19:50 and Lan answers at 08:10 next morning: 20 minutes.
    const gia = tg('7030', 'Gia');
    const hai = tg('7031', 'Hai');
    const ken = tg('7032', 'Ken');
    setClock('2026-03-23T19:50');
    await say(gia, 'Open tomorrow?');
    setClock('2026-03-24T08:10');
    await say(lan, `reply ${await customerId(gia)} Yes, from 08:00.`);
    // Hai writes at 10:00, Lan answers at 10:40: 40 minutes. Ken is Lan's, resolved by the owner.
    setClock('2026-03-24T10:00');
    await say(hai, 'Price of the red one?');
    await say(ken, 'Thanks for the parcel!');
    await say(lan, `assign ${await customerId(ken)} me`);
    setClock('2026-03-24T10:40');
    await say(lan, `reply ${await customerId(hai)} 350k.`);
    setClock('2026-03-24T11:00');
    const ratings: [Person, Person, string][] = [
      [lan, gia, 'rate 5'],
      [lan, hai, 'rate 4'],
      [OWNER, ken, 'rate 3'],
    ];
    for (const [staff, customer, rating] of ratings) {
      const from = telegram.delivered.length;
      await say(staff, `resolve ${await customerId(customer)}`);
      const [ask] = telegram.delivered.slice(from).filter((d) => d.chatId === customer.userId);
      const action = buttonActions(ask!.replies).find((a) => a.startsWith(`${rating} `))!;
      expect(await say(customer, action, { fromButton: true })).toMatch(/^Thank you for your rating/);
    }

    setClock('2026-03-25T12:00');
    const report = await say(OWNER, 'stats');
    expect(report.split('\n')[0]).toBe('Staff stats for this week (2026-03-23 – 2026-03-25, Asia/Ho_Chi_Minh):');
    expect(report).toContain(
      ['Lan (sales)', '  0 lead(s) added · 0 order(s) from their customers · —', '  Follow-ups: 0 done, 0 overdue', '  First response: median 30 min over 2 message(s)', '  Conversations: 2 resolved · rating 4 of 5 from 3 customer(s)'].join('\n'),
    );
    expect(report).toContain('Owner (owner)');
    expect(report).toMatch(/Owner \(owner\)\n(?:.*\n){3} {2}Conversations: 1 resolved · no ratings yet/);
    // Lan sees her own, in the same words.
    expect(await say(lan, 'stats')).toContain('  Conversations: 2 resolved · rating 4 of 5 from 3 customer(s)');
  });
});
