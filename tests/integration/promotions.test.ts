/**
 * Promotions on the real database: audience rules, hold-out, quiet hours, two
 * workers, a killed worker, opt-outs, responses, conversions and uplift, and
 * the `promo` commands through `core.handle`.
 *
 * The delivery guarantee tested here is the one services/campaign-drain.ts
 * states: at most once per recipient, ever; exactly once for every recipient
 * whose send was not in flight when a worker died — those few are recorded
 * `failed: interrupted`, never resent.
 */
import '../../models/index.js';
import mongoose from 'mongoose';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Campaign, type CampaignDoc } from '../../models/campaign.js';
import { Customer } from '../../models/customer.js';
import { Delivery } from '../../models/delivery.js';
import { DeliveryEvent } from '../../models/delivery-event.js';
import { Identity } from '../../models/identity.js';
import { SegmentState } from '../../models/segment-state.js';
import { runJobOnce } from '../../jobs/agenda.js';
import { promotionSend } from '../../jobs/promotion-send.js';
import type { Platform } from '../../src/core/types.js';
import { silentLogger } from '../../src/log.js';
import { assignGroup, evaluateAudience, freezeCampaign } from '../../src/services/campaigns/audience.js';
import { campaignDeliveries, deliveryView, type DeliveryView } from '../../src/services/campaigns/deliveries.js';
import { drainCampaign } from '../../src/services/campaigns/drain.js';
import { campaignStats, createCampaign, parsePromoNew, runDueCampaigns } from '../../src/services/campaigns/campaigns.js';
import { RoutingNotifier } from '../../src/services/notifier.js';
import { recordOrder, setOrderStatus } from '../../src/services/orders.js';
import { customerIdFor, refNumber } from '../../src/values/refs.js';
import { createApp } from '../../src/app.js';
import type { PlatformSender, Reply, SendResult } from '../../src/core/types.js';
import { campaignFacts, callMarkedAt } from '../../src/services/campaigns/deliveries.js';
import { deliveryId } from '../../models/delivery.js';
import { deliveryEventId } from '../../models/delivery-event.js';
import { nextDeliveryId, testDeps } from '../support/test-app.js';
import { buttonActions, createTestChat, replyText, type Person } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';
import { FakeSender } from '../support/fake-sender.js';

useTestDatabase('promotions');

const chat = createTestChat();
const { clock, say, send } = chat;
const config = chat.deps.config;
const log = silentLogger();
const START = new Date('2026-03-02T03:00:00.000Z'); // Monday 10:00 in Ho Chi Minh City (the default zone)
const DAY = 86_400_000;

let telegram: FakeSender;
let slack: FakeSender;
const senders = (p: Platform) => (p === 'telegram' ? telegram : p === 'slack' ? slack : undefined);
const now = () => new Date(clock.now.getTime());
/** The Telegram chat of a customer made by {@link addCustomers}: `C100001` chats in `100001`. */
const chatOf = (customerId: string) => String(refNumber(customerId));

let nextCustomer = 100_000;

interface Fixture {
  /** The customer's `_id`, `C100001`. */
  id: string;
  /** Telegram user id = chat id of the customer's (first) identity. */
  chatId: string;
  person: Person;
}

/** Customers written straight to the database (fast), each with a Telegram identity unless told otherwise. */
async function addCustomers(
  n: number,
  o: { tags?: string[]; consent?: boolean; unreachable?: string[]; timeZone?: string; identities?: Platform[] } = {},
): Promise<Fixture[]> {
  const fixtures: Fixture[] = [];
  const customers: Record<string, unknown>[] = [];
  const identities: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i++) {
    const n = ++nextCustomer;
    const id = customerIdFor(n);
    const userId = String(n);
    customers.push({
      _id: id,
      name: `Customer ${n}`,
      nameKey: `customer ${n}`,
      tags: o.tags ?? [],
      consent: { promotions: o.consent ?? true },
      unreachable: o.unreachable ?? [],
      ...(o.timeZone ? { timeZone: o.timeZone } : {}),
      totals: { orders: 0, revenue: {} },
      status: 'active',
    });
    (o.identities ?? ['telegram']).forEach((platform, k) => {
      identities.push({
        _id: `${platform}:${userId}`,
        platform,
        platformUserId: userId,
        kind: 'customer',
        refId: id,
        chatId: userId,
        // The last listed identity is the one used most recently.
        updatedAt: new Date(START.getTime() - 1000 + k),
      });
    });
    fixtures.push({ id, chatId: userId, person: { platform: 'telegram', userId, displayName: `Customer ${n}` } });
  }
  await Customer.insertMany(customers);
  if (identities.length) await Identity.collection.insertMany(identities);
  return fixtures;
}

async function newCampaign(line: string): Promise<CampaignDoc> {
  return createCampaign(parsePromoNew(line, { now: now(), zone: config.DEFAULT_TIMEZONE }), { by: 'staff:test', now: now(), config });
}

const run = (extra: { worker?: string; concurrency?: number; claimBatch?: number } = {}) =>
  runDueCampaigns({ senders, now, worker: extra.worker ?? 'w1', log, config, ...extra });

async function campaign(id: string): Promise<CampaignDoc> {
  return (await Campaign.findById(id).lean<CampaignDoc>())!;
}

async function views(campaignId: string): Promise<DeliveryView[]> {
  const all: DeliveryView[] = [];
  for await (const v of campaignDeliveries(campaignId)) all.push(v);
  return all;
}

beforeAll(async () => {
  await chat.hire('manager', { platform: 'telegram', userId: '3001', displayName: 'Mai' });
  await chat.hire('sales', { platform: 'telegram', userId: '3002', displayName: 'Lan' });
});

beforeEach(async () => {
  clock.now = new Date(START);
  telegram = new FakeSender('telegram');
  slack = new FakeSender('slack');
  // Campaigns of earlier tests would cap these tests' customers: start each test without any.
  for (const model of [Campaign, Delivery, DeliveryEvent]) {
    await mongoose.connection.db!.dropCollection(model.collection.collectionName).catch(() => undefined);
  }
});

describe('audience', () => {
  it('takes only customers with consent, a reachable chat and no promotion within the frequency cap', async () => {
    const [earlier] = await addCustomers(1, { tags: ['spring'] });
    // Two days ago, `earlier` got another promotion: capped for 7 days.
    clock.now = new Date(START.getTime() - 2 * DAY);
    await newCampaign(`#spring at now: Last week's offer`);
    await run();
    expect(telegram.messagesTo(earlier!.chatId)).toBe(1);
    await Customer.updateMany({ _id: earlier!.id }, { $set: { tags: ['spring2'] } });
    clock.now = new Date(START);

    const capped = earlier;
    const [ok] = await addCustomers(1, { tags: ['spring2'] });
    await addCustomers(1, { tags: ['spring2'], consent: false });
    const [blockedTg] = await addCustomers(1, { tags: ['spring2'], unreachable: ['telegram'] });
    await addCustomers(1, { tags: ['spring2'], identities: [] });
    const [viaSlack] = await addCustomers(1, { tags: ['spring2'], identities: ['slack', 'telegram'], unreachable: ['telegram'] });
    await addCustomers(2, { tags: ['other'] });

    const c = await newCampaign('#spring2 at now: Spring sale — 20% off');
    const counts = await evaluateAudience(c, { now: now(), config });
    expect(counts).toEqual({ matched: 6, noConsent: 1, optedOut: 0, noChat: 1, unreachable: 1, capped: 1, recipients: 2, variantA: 2, variantB: 0, holdout: 0 });

    const [summary] = await run();
    expect(summary).toMatchObject({ sent: 2, failed: 0, done: true });
    expect(telegram.messagesTo(ok!.chatId)).toBe(1);
    expect(telegram.messagesTo(capped!.chatId)).toBe(1); // only last week's
    expect(telegram.messagesTo(blockedTg!.chatId)).toBe(0);
    expect(slack.messagesTo(viaSlack!.chatId)).toBe(1);
    expect(telegram.messagesTo(viaSlack!.chatId)).toBe(0);
    expect((await campaign(c._id)).counters).toMatchObject({ frozen: 2, heldOut: 0, attempted: 2, sent: 2, failed: 0 });
  });

  it('resolves a segment audience from the customers’ segment states', async () => {
    const [champion, championNoConsent, atRisk] = [
      ...(await addCustomers(1)),
      ...(await addCustomers(1, { consent: false })),
      ...(await addCustomers(1)),
    ];
    const state = (c: Fixture, segment: string) => ({ _id: c.id, customerId: c.id, segment, segmentSince: START, computedAt: START });
    await SegmentState.insertMany([state(champion!, 'Champions'), state(championNoConsent!, 'Champions'), state(atRisk!, 'At risk')]);

    const c = await newCampaign('champions at now: Thank you — early access for you');
    expect(await evaluateAudience(c, { now: now(), config })).toMatchObject({ matched: 2, noConsent: 1, recipients: 1 });
    await run();
    expect(telegram.delivered.map((d) => d.chatId)).toEqual([champion!.chatId]);
  });

  it('marks a customer who blocked the bot unreachable there, with the reason on the delivery', async () => {
    const [blocker, fine] = await addCustomers(2, { tags: ['blockers'] });
    telegram.blocked.add(blocker!.chatId);
    const c = await newCampaign('#blockers at now: Hi');
    const [summary] = await run();
    expect(summary).toMatchObject({ sent: 1, failed: 1, done: true });
    expect((await deliveryView(c._id, blocker!.id))?.reason).toBe('Forbidden: bot was blocked by the user');
    expect((await Customer.findById(blocker!.id).lean())?.unreachable).toEqual(['telegram']);
    expect((await Customer.findById(fine!.id).lean())?.unreachable).toEqual([]);
  });
});

describe('hold-out and variants', () => {
  it('sends nothing to the hold-out, splits A/B by the hash, and a re-freeze changes nobody’s group', async () => {
    const customers = await addCustomers(120, { tags: ['ho'] });
    const c = await newCampaign('#ho holdout 25% at now: Variant A text | Variant B text');
    await run();
    const all = await views(c._id);
    expect(all).toHaveLength(120);
    const holdout = all.filter((v) => v.variant === 'holdout');
    expect(holdout.length).toBeGreaterThan(12);
    expect(holdout.length).toBeLessThan(50);
    for (const v of all) expect(v.variant).toBe(assignGroup(c._id, v.customerId, 25, true));
    for (const v of holdout) {
      expect(v.status).toBe('skipped');
      expect(telegram.messagesTo(chatOf(v.customerId))).toBe(0);
    }
    for (const v of all.filter((x) => x.variant !== 'holdout')) {
      expect(v.status).toBe('sent');
      expect(telegram.textTo(chatOf(v.customerId))).toBe(v.variant === 'A' ? 'Variant A text' : 'Variant B text');
    }
    expect(all.some((v) => v.variant === 'B') && all.some((v) => v.variant === 'A')).toBe(true);
    expect(telegram.delivered).toHaveLength(120 - holdout.length);
    expect(buttonActions(telegram.delivered[0]!.replies)).toEqual(['stop']);
    expect((await campaign(c._id)).counters).toMatchObject({ frozen: 120 - holdout.length, heldOut: holdout.length, sent: 120 - holdout.length });

    // A crashed freeze is resumed: nothing is inserted or counted twice, and every group stays.
    await Campaign.updateOne({ _id: c._id }, { $set: { status: 'freezing' } });
    const again = await freezeCampaign(await campaign(c._id), { now: now(), config, log });
    expect(again).toMatchObject({ insertedRecipients: 0, insertedHoldout: 0 });
    expect(await Delivery.countDocuments({ campaignId: c._id })).toBe(120);
    expect((await campaign(c._id)).counters?.heldOut).toBe(holdout.length);
    expect(customers).toHaveLength(120);
  });
});

describe('quiet hours', () => {
  it('defers a customer in quiet hours to 08:00 in their zone and sends then — not dropped', async () => {
    const [hcm] = await addCustomers(1, { tags: ['quiet'] }); // 10:00 in Ho Chi Minh City
    const [ny] = await addCustomers(1, { tags: ['quiet'], timeZone: 'America/New_York' }); // 22:00 the evening before
    const c = await newCampaign('#quiet at now: Good morning offer');
    const [first] = await run();
    expect(first).toMatchObject({ sent: 1, deferred: 1, done: false });
    expect(telegram.messagesTo(hcm!.chatId)).toBe(1);
    expect(telegram.messagesTo(ny!.chatId)).toBe(0);
    const deferred = await deliveryView(c._id, ny!.id);
    expect(deferred?.status).toBe('pending');
    expect(deferred?.notBefore).toEqual(new Date('2026-03-02T13:00:00Z')); // 08:00 EST
    expect((await campaign(c._id)).nextRunAt).toEqual(new Date('2026-03-02T13:00:00Z'));

    clock.now = new Date('2026-03-02T12:59:00Z');
    expect(await run()).toEqual([]); // not due yet
    clock.now = new Date('2026-03-02T13:00:00Z');
    const [second] = await run();
    expect(second).toMatchObject({ sent: 1, deferred: 0, done: true });
    expect(telegram.messagesTo(ny!.chatId)).toBe(1);
    expect((await deliveryView(c._id, ny!.id))?.sentAt).toEqual(new Date('2026-03-02T13:00:00Z'));
  });
});

describe('delivery guarantee', () => {
  it('two workers freezing and draining the same campaign at once never send twice', async () => {
    const customers = await addCustomers(150, { tags: ['race'] });
    const c = await newCampaign('#race at now: One message each');
    telegram.delayMs = 1; // let the two drains interleave
    const [a, b] = await Promise.all([run({ worker: 'w1', claimBatch: 5, concurrency: 10 }), run({ worker: 'w2', claimBatch: 5, concurrency: 10 })]);
    expect(telegram.duplicates()).toEqual([]);
    expect(telegram.delivered).toHaveLength(150);
    for (const x of customers) expect(telegram.messagesTo(x.chatId)).toBe(1);
    expect((a[0]?.sent ?? 0) + (b[0]?.sent ?? 0)).toBe(150);
    // Each saw the other's claims, so the one finishing last (or the next run) closes the campaign.
    if ((await campaign(c._id)).status !== 'done') {
      clock.now = new Date(START.getTime() + 61_000);
      await run();
    }
    expect((await campaign(c._id)).status).toBe('done');
    expect((await campaign(c._id)).counters).toMatchObject({ frozen: 150, attempted: 150, sent: 150, failed: 0 });
    expect(telegram.delivered).toHaveLength(150);
  });

  it('a worker killed mid-broadcast: the restart messages everyone else exactly once; sends in flight at the kill are recorded interrupted, never resent', async () => {
    const customers = await addCustomers(100, { tags: ['killed'] });
    const c = await newCampaign('#killed at now: Flash sale');
    telegram.dieAfter = 37;
    await expect(run({ concurrency: 8, claimBatch: 4 })).rejects.toThrow('worker killed');
    expect(telegram.delivered).toHaveLength(37);
    const inFlight = new Set(telegram.killedCalls);
    expect(inFlight.size).toBeGreaterThanOrEqual(1);
    expect(inFlight.size).toBeLessThanOrEqual(8);

    // A fresh worker right away: sends to everyone not yet attempted, leaves the in-flight claims alone.
    telegram.dieAfter = undefined;
    const [restart] = await run({ worker: 'w2' });
    expect(restart).toMatchObject({ sent: 100 - 37 - inFlight.size, inFlightElsewhere: inFlight.size, done: false });
    expect(telegram.duplicates()).toEqual([]);

    // 15 minutes later those claims are stale: recorded as interrupted, not resent; the campaign is done.
    clock.now = new Date(START.getTime() + 15 * 60_000 + 1000);
    const [sweep] = await run({ worker: 'w3' });
    expect(sweep).toMatchObject({ sent: 0, interrupted: inFlight.size, done: true });

    for (const x of customers) {
      const view = (await deliveryView(c._id, x.id))!;
      if (inFlight.has(x.chatId)) {
        expect(telegram.messagesTo(x.chatId)).toBe(0); // the dead worker's call never completed
        expect(view).toMatchObject({ status: 'failed', reason: 'interrupted' });
      } else {
        expect(telegram.messagesTo(x.chatId)).toBe(1);
        expect(view.status).toBe('sent');
      }
    }
    expect((await campaign(c._id)).counters).toMatchObject({ frozen: 100, sent: 100 - inFlight.size, failed: inFlight.size });
  });

  it('a rerun of a finished campaign sends nothing', async () => {
    await addCustomers(5, { tags: ['rerun'] });
    const c = await newCampaign('#rerun at now: Once');
    await run();
    await Campaign.updateOne({ _id: c._id }, { $set: { status: 'sending', nextRunAt: now() } });
    const [again] = await run();
    expect(again).toMatchObject({ sent: 0, failed: 0, done: true });
    expect(telegram.delivered).toHaveLength(5);
  });
});

describe('opt-outs and responses', () => {
  it('STOP, /stop, "Stop!" and the unsubscribe button opt out at once and count for the campaign; a reply counts as one response', async () => {
    const people = await addCustomers(6, { tags: ['optout'] });
    const c = await newCampaign('#optout at now: Weekend deal');
    await run();
    const [p1, p2, p3, p4, p5, p6] = people;
    expect(await say(p1!.person, 'STOP')).toMatch(/no more promotions/);
    expect(await say(p2!.person, '/stop')).toMatch(/no more promotions/);
    expect(await say(p3!.person, 'stop', { fromButton: true })).toMatch(/no more promotions/);
    expect(await say(p4!.person, 'Stop!')).toMatch(/no more promotions/);
    expect(await say(p5!.person, 'Do you have it in red?')).toMatch(/got your message/);
    await say(p5!.person, 'And in blue?');

    for (const p of [p1, p2, p3, p4]) expect((await Customer.findById(p!.id).lean())?.consent?.promotions).toBe(false);
    for (const p of [p5, p6]) expect((await Customer.findById(p!.id).lean())?.consent?.promotions).toBe(true);
    expect((await campaign(c._id)).counters).toMatchObject({ optedOut: 4, responded: 1 });
    expect((await deliveryView(c._id, p5!.id))?.respondedAt).toEqual(START);
    const stats = await campaignStats(c._id, { now: now() });
    expect(stats).toMatchObject({ optedOut: 4, responded: 1 });

    // Opted out: the next promotion leaves them out.
    clock.now = new Date(START.getTime() + 8 * DAY);
    const next = await newCampaign('#optout at now: Another deal');
    expect(await evaluateAudience(next, { now: now(), config })).toMatchObject({ matched: 6, noConsent: 0, optedOut: 4, recipients: 2 }); // they said stop: opted out, not "never agreed"
  });

  it('an opt-out while a send waits for quiet hours to end cancels that send', async () => {
    const [night] = await addCustomers(1, { tags: ['night'], timeZone: 'America/New_York' });
    const c = await newCampaign('#night at now: Morning offer');
    expect((await run())[0]).toMatchObject({ deferred: 1 });
    await say(night!.person, 'STOP');
    clock.now = new Date('2026-03-02T13:00:00Z');
    const [later] = await run();
    expect(later).toMatchObject({ sent: 0, done: true });
    expect(telegram.messagesTo(night!.chatId)).toBe(0);
    expect(await deliveryView(c._id, night!.id)).toMatchObject({ status: 'skipped', reason: 'opted-out' });
    expect((await campaign(c._id)).counters).toMatchObject({ skipped: 1, optedOut: 0, sent: 0 });
  });

  it('a message in another chat, or after the window, is not a response', async () => {
    const [p] = await addCustomers(1, { tags: ['elsewhere'], identities: ['telegram', 'slack'] }); // frozen: slack (used last)
    const c = await newCampaign('#elsewhere at now: Hi');
    await run();
    expect(slack.messagesTo(p!.chatId)).toBe(1);
    await say(p!.person, 'hello from telegram'); // telegram chat, not the promotion's
    expect((await campaign(c._id)).counters?.responded).toBe(0);
    clock.now = new Date(START.getTime() + 8 * DAY);
    await say({ platform: 'slack', userId: p!.chatId, displayName: 'x' }, 'late reply');
    expect((await campaign(c._id)).counters?.responded).toBe(0);
  });
});

describe('conversions', () => {
  it('counts recipients’ orders within 7 days of their send and the hold-out’s within 7 days of the campaign, and the uplift between them', async () => {
    await addCustomers(40, { tags: ['conv'] });
    const c = await newCampaign('#conv holdout 50% at now: 10% off this week');
    await run();
    const all = await views(c._id);
    const recipients = all.filter((v) => v.variant !== 'holdout').map((v) => v.customerId);
    const holdout = all.filter((v) => v.variant === 'holdout').map((v) => v.customerId);
    expect(recipients.length).toBeGreaterThanOrEqual(6);
    expect(holdout.length).toBeGreaterThanOrEqual(2);
    const at = (days: number) => new Date(START.getTime() + days * DAY);
    const order = (customerId: string, minor: number, when: Date) => recordOrder({ customerId, amount: { minor, currency: 'VND' }, items: [], at: when }, 'staff:test');

    await order(recipients[0]!, 100_000, at(1)); // converted
    await order(recipients[0]!, 50_000, at(2)); //   … a second order: revenue, not a second conversion
    await order(recipients[1]!, 100_000, at(6.9)); // converted
    await order(recipients[2]!, 100_000, at(0.5)); // converted
    await order(recipients[3]!, 999_000, at(-1)); // before the send: no
    await order(recipients[4]!, 999_000, at(7.5)); // after the window: no
    const cancelled = await order(recipients[5]!, 999_000, at(3));
    await setOrderStatus(cancelled._id, 'cancelled', 'staff:test', at(3.5)); // cancelled: no
    await order(holdout[0]!, 200_000, at(2)); // hold-out converted
    await order(holdout[1]!, 999_000, at(9)); // hold-out, after the window: no

    const stats = await campaignStats(c._id, { now: at(10) });
    expect(stats.sent).toEqual({ size: recipients.length, converted: 3, revenue: { VND: 350_000 } });
    expect(stats.holdout).toEqual({ size: holdout.length, converted: 1, revenue: { VND: 200_000 } });
    expect(stats.upliftPoints).toBeCloseTo((100 * 3) / recipients.length - (100 * 1) / holdout.length, 10);
    expect((await campaign(c._id)).results).toMatchObject({ recipients: recipients.length, converted: 3, revenue: { VND: 350_000 }, holdout: holdout.length, holdoutConverted: 1 });
  });
});

describe('promo commands through core.handle', () => {
  const manager: Person = { platform: 'telegram', userId: '3001', displayName: 'Mai' };
  const sales: Person = { platform: 'telegram', userId: '3002', displayName: 'Lan' };

  it('schedules, previews, lists, sends (through the job), reports and cancels', async () => {
    await addCustomers(3, { tags: ['cmd'] });
    await addCustomers(1, { tags: ['cmd'], consent: false });

    const scheduled = await say(manager, 'promo new #cmd holdout 10% at tomorrow 10:00: Hi there | Hello there');
    expect(scheduled).toMatch(/^Promotion (P\d+) scheduled for 2026-03-03 10:00 \(Asia\/Ho_Chi_Minh\) to #cmd · variants A\/B · hold-out 10%\./);
    const later = /Promotion (P\d+)/.exec(scheduled)![1]!;

    const preview = await send(manager, `promo preview ${later}`);
    expect(replyText(preview)).toContain('Audience now: 4 customer(s) in #cmd.');
    expect(replyText(preview)).toContain('Left out: 1 never agreed to offers.');
    expect(preview.some((r) => r.kind === 'text' && r.text === 'Hi there' && r.buttons?.[0]?.[0]?.action === 'stop')).toBe(true);
    expect(preview.some((r) => r.kind === 'text' && r.text === 'Hello there')).toBe(true);

    expect(await say(sales, 'promo list')).toBe('Sorry, your role cannot use "promo list".');
    expect(await say(sales, 'promo new all at now: x')).toBe('Sorry, your role cannot use "promo new".');
    expect(await say(manager, 'promo new all at whenever: x')).toMatch(/^I can't read "whenever" as a time.*\nUsage: promo new /s);

    const now1 = await say(manager, 'promo new #cmd at now: Flash sale today');
    const flash = /Promotion (P\d+)/.exec(now1)![1]!;
    expect(now1).toMatch(/starts within a minute/);
    await runJobOnce(promotionSend, { ...chat.deps, notifier: new RoutingNotifier([telegram]) });
    expect(telegram.delivered).toHaveLength(3);
    expect(telegram.delivered.every((d) => d.replies[0]?.kind === 'text' && d.replies[0].text === 'Flash sale today')).toBe(true);

    expect(await say(manager, 'promo list')).toMatch(new RegExp(`${flash} · done · .* · #cmd · sent 3/3\\n${later} · scheduled`));
    const stats = await say(manager, `promo stats ${flash}`);
    expect(stats).toContain('Recipients 3: sent 3 · failed 0');
    expect(stats).toContain('recipients: 0/3 (0.0%) · revenue —');
    expect(stats).toContain('No hold-out group');
    expect(await say(manager, `promo stats ${later}`)).toMatch(/has not started sending yet/);

    expect(await say(manager, `promo cancel ${later}`)).toBe(`Cancelled ${later}. Nothing will be sent.`);
    expect(await say(manager, `promo cancel ${flash}`)).toBe(`${flash} is done already; nothing to cancel.`);
    expect(await say(manager, 'promo stats P999')).toBe('No campaign matches "P999".');
  });

  it('a cancel stops a drain that is under way', async () => {
    await addCustomers(30, { tags: ['cancel'] });
    const c = await newCampaign('#cancel at now: x');
    await freezeCampaign(await campaign(c._id), { now: now(), config, log });
    telegram.delayMs = 2;
    let cancelled = false;
    const original = telegram.send.bind(telegram);
    telegram.send = async (chatId, replies) => {
      if (telegram.delivered.length >= 5 && !cancelled) {
        cancelled = true;
        await say(manager, `promo cancel ${c._id}`);
      }
      return original(chatId, replies);
    };
    const summary = await drainCampaign(c._id, { senders, now, worker: 'w1', log, concurrency: 2, claimBatch: 2, statusEveryMs: 0 });
    expect(summary.cancelled).toBe(true);
    expect(telegram.delivered.length).toBeLessThan(12);
    expect((await campaign(c._id)).status).toBe('cancelled');
  });
});

describe('after a crash: claims, marks and uncertain sends', () => {
  const manager: Person = { platform: 'telegram', userId: '3001', displayName: 'Mai' };
  const sales: Person = { platform: 'telegram', userId: '3002', displayName: 'Lan' };
  const DEAD = 'dead-worker:0000';

  /** What a worker killed with SIGKILL leaves: a group claimed (leases), and marks on the calls it had started. */
  async function leaveDeadWorkerState(campaignId: string, claimed: Fixture[], called: Fixture[]): Promise<void> {
    const at = now();
    const event = (x: Fixture, kind: 'attempt' | 'sending') => ({
      _id: deliveryEventId(deliveryId(campaignId, x.id), kind),
      deliveryId: deliveryId(campaignId, x.id),
      campaignId,
      customerId: x.id,
      kind,
      at,
      by: DEAD,
      ...(kind === 'attempt' ? { lease: true } : {}),
    });
    await DeliveryEvent.collection.insertMany([...claimed.map((x) => event(x, 'attempt')), ...called.map((x) => event(x, 'sending'))] as never[]);
  }

  /** The core with the platform senders (`promo resend-uncertain` sends through them), on the test clock. */
  function managerChat() {
    const core = createApp(testDeps({ notifier: new RoutingNotifier([telegram, slack]), clock }));
    return async (who: Person, text: string) =>
      replyText(await core.handle({ platform: who.platform, userId: who.userId, chatId: who.userId, displayName: who.displayName, text, deliveryId: nextDeliveryId() }));
  }

  it('claims a stopped run never called are sent by the next run; only its marked calls are uncertain, listed by promo stats and resent by a person once', async () => {
    const customers = await addCustomers(20, { tags: ['crashed'] });
    const c = await newCampaign('#crashed at now: Flash sale');
    await freezeCampaign(await campaign(c._id), { now: now(), config, log });
    const claimed = customers.slice(0, 10);
    const called = claimed.slice(0, 3);
    await leaveDeadWorkerState(c._id, claimed, called);

    const [next] = await run({ worker: 'w2' });
    expect(next).toMatchObject({ sent: 17, resumed: 7, inFlightElsewhere: 3, done: false });
    for (const x of customers) expect(telegram.messagesTo(x.chatId)).toBe(called.includes(x) ? 0 : 1);
    for (const x of called) expect(await deliveryView(c._id, x.id)).toMatchObject({ status: 'sending' });

    // Until the marks are 15 minutes old they may still be in flight: not uncertain yet, and a resend leaves them alone.
    const say = managerChat();
    expect(await say(manager, `promo resend-uncertain ${c._id}`)).toBe(
      `${c._id} has no uncertain sends. 3 send(s) have no answer yet and may still be under way; ask again in 15 minutes if they stay so.`,
    );
    expect(await say(sales, `promo resend-uncertain ${c._id}`)).toBe('Sorry, your role cannot use "promo resend-uncertain".');

    clock.now = new Date(START.getTime() + 15 * 60_000 + 1000);
    const [sweep] = await run({ worker: 'w3' });
    expect(sweep).toMatchObject({ sent: 0, interrupted: 3, done: true });
    for (const x of called) expect(await deliveryView(c._id, x.id)).toMatchObject({ status: 'failed', reason: 'interrupted', uncertain: true });
    expect((await campaignStats(c._id, { now: now() })).uncertain).toEqual({ count: 3, customers: called.map((x) => x.id).sort() });
    const statsReply = await managerChat()(manager, `promo stats ${c._id}`);
    expect(statsReply).toContain(`Uncertain 3: sending stopped during their call, so they may or may not have got it (${called.map((x) => x.id).sort().join(', ')}).`);
    expect(telegram.delivered).toHaveLength(17); // never resent automatically

    // One of them opted out meanwhile: left out. The others are resent, once.
    await Customer.updateOne({ _id: called[0]!.id }, { $set: { 'consent.promotions': false } });
    expect(await say(manager, `promo resend-uncertain ${c._id}`)).toBe(`Resent 2 uncertain send(s) of ${c._id}.\nNot resent: 1 opted out since.`);
    expect(telegram.messagesTo(called[0]!.chatId)).toBe(0);
    for (const x of called.slice(1)) {
      expect(telegram.messagesTo(x.chatId)).toBe(1);
      expect(await deliveryView(c._id, x.id)).toMatchObject({ status: 'sent', resentAt: now() });
    }
    expect(await say(manager, `promo resend-uncertain ${c._id}`)).toBe(`Nothing of ${c._id} was resent.\nNot resent: 1 opted out since.`);
    expect(telegram.delivered).toHaveLength(19);
    expect(telegram.duplicates()).toEqual([]);
    expect((await campaign(c._id)).counters).toMatchObject({ frozen: 20, attempted: 20, sent: 19, failed: 1 });
  });

  it('an opt-out between a drain’s claim and its call stops that send', async () => {
    const [x, y] = await addCustomers(2, { tags: ['optclaim'] });
    const c = await newCampaign('#optclaim at now: Weekend deal');
    await freezeCampaign(await campaign(c._id), { now: now(), config, log });
    await leaveDeadWorkerState(c._id, [x!], []);
    await say(x!.person, 'STOP');
    const [summary] = await run();
    expect(summary).toMatchObject({ sent: 1, done: true });
    expect(telegram.messagesTo(x!.chatId)).toBe(0);
    expect(telegram.messagesTo(y!.chatId)).toBe(1);
    expect(await deliveryView(c._id, x!.id)).toMatchObject({ status: 'skipped', reason: 'opted-out' });
  });

  it('a send that throws stops the run and gives back every claim it had not called', async () => {
    await addCustomers(60, { tags: ['giveback'] });
    const c = await newCampaign('#giveback at now: x');
    telegram.dieAfter = 10;
    await expect(run({ claimBatch: 16 })).rejects.toThrow('worker killed');
    const facts = await campaignFacts(c._id);
    const claimedOnly = [...facts.values()].filter((f) => f.attemptAt && !callMarkedAt(f) && !f.result);
    expect(claimedOnly).toEqual([]);
    const uncertain = [...facts.values()].filter((f) => callMarkedAt(f) && !f.result);
    expect(uncertain).toHaveLength(telegram.killedCalls.length);
  });

  it('keeps few sends in flight behind a throttled sender, at the sender’s rate', async () => {
    await addCustomers(200, { tags: ['throttled'] });
    const c = await newCampaign('#throttled at now: x');
    await freezeCampaign(await campaign(c._id), { now: now(), config, log });
    // A sender with a throttler: one call every 4 ms (250/s), each taking 2 ms once it is let through.
    let inside = 0;
    let most = 0;
    let nextSlot = 0;
    const throttled: PlatformSender = {
      platform: 'telegram',
      async send(chatId: string, replies: Reply[]): Promise<SendResult> {
        inside++;
        most = Math.max(most, inside);
        const slot = Math.max(Date.now(), nextSlot);
        nextSlot = slot + 4;
        await new Promise((resolve) => setTimeout(resolve, slot - Date.now() + 2));
        inside--;
        return telegram.send(chatId, replies);
      },
    };
    const started = Date.now();
    const summary = await drainCampaign(c._id, { senders: () => throttled, now, worker: 'w1', log, concurrency: 64 });
    const seconds = (Date.now() - started) / 1000;
    expect(summary).toMatchObject({ sent: 200, done: true });
    expect(most).toBeLessThanOrEqual(16); // not 64 waiting in the throttler, each uncertain if the process died (12 when the machine is idle)
    expect(seconds).toBeLessThan(4); // 0.8 s at the sender's rate
  });
});
