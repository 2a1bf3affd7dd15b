/**
 * Who a promotion will reach, said before it is scheduled, and the promotion in each customer's
 * language — through `core.handle`, in English and in Vietnamese:
 * - an audience that names nobody (`#nonexistent`) or that nobody in it can receive is refused,
 *   with the reasons counted (no consent, opted out, no chat with the bot, blocked, frequency cap);
 * - an audience of which under half can receive it is scheduled, with the same breakdown;
 * - `promo preview` shows the breakdown too;
 * - the unsubscribe button is in the customer's language (`lang`, else their chat app's `locale`,
 *   else the shop's), and a delivery frozen before deliveries carried `lang` still reads its `locale`.
 */
import mongoose from 'mongoose';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import '../../models/index.js';
import { Campaign } from '../../models/campaign.js';
import { Customer } from '../../models/customer.js';
import { Delivery } from '../../models/delivery.js';
import { DeliveryEvent } from '../../models/delivery-event.js';
import { Identity } from '../../models/identity.js';
import { runJobOnce } from '../../jobs/agenda.js';
import { promotionSend } from '../../jobs/promotion-send.js';
import { freezeCampaign } from '../../src/services/campaigns/audience.js';
import { getCampaign } from '../../src/services/campaigns/campaigns.js';
import { RoutingNotifier } from '../../src/services/notifier.js';
import { silentLogger } from '../../src/log.js';
import { customerIdFor } from '../../src/values/refs.js';
import type { Reply } from '../../src/core/types.js';
import { createTestChat, type Person } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';
import { FakeSender } from '../support/fake-sender.js';

useTestDatabase('promo_reach');

const chat = createTestChat({ SHOP_LANGUAGE: 'en', PROMO_FREQUENCY_DAYS: '7' });
const { say } = chat;
const mai: Person = { platform: 'telegram', userId: '3001', displayName: 'Mai' }; // reads English
const hung: Person = { platform: 'telegram', userId: '3002', displayName: 'Hùng' }; // chose Vietnamese

let next = 500_000;

/** Customers written straight to the database, each with a Telegram chat unless told otherwise. */
async function customers(
  n: number,
  tag: string,
  o: { consent?: boolean; optedOut?: boolean; chat?: boolean; blocked?: boolean; lang?: 'vi' | 'en'; locale?: string } = {},
): Promise<{ id: string; chatId: string }[]> {
  const made: { id: string; chatId: string }[] = [];
  for (let i = 0; i < n; i++) {
    const k = ++next;
    const id = customerIdFor(k);
    const consent = o.optedOut ? { promotions: false, changedAt: new Date('2026-02-01T00:00:00Z') } : { promotions: o.consent ?? true };
    await Customer.create({
      _id: id,
      name: `Khách ${k}`,
      nameKey: `khach ${k}`,
      tags: [tag],
      consent,
      unreachable: o.blocked ? ['telegram'] : [],
      ...(o.lang ? { lang: o.lang } : {}),
      ...(o.locale ? { locale: o.locale } : {}),
      status: 'active',
    });
    if (o.chat ?? true) {
      await Identity.create({ _id: `telegram:${k}`, platform: 'telegram', platformUserId: String(k), kind: 'customer', refId: id, chatId: String(k) });
    }
    made.push({ id, chatId: String(k) });
  }
  return made;
}

const buttonLabel = (replies: Reply[] | undefined) => (replies?.[0]?.kind === 'text' ? replies[0].buttons?.[0]?.[0]?.label : undefined);

beforeAll(async () => {
  await chat.hire('manager', mai);
  await chat.hire('manager', hung);
  expect(await say(hung, 'lang vi')).toMatch(/tiếng Việt/);
});

beforeEach(async () => {
  for (const model of [Campaign, Delivery, DeliveryEvent]) {
    await mongoose.connection.db!.dropCollection(model.collection.collectionName).catch(() => undefined);
  }
});

describe('promo new says who it will reach', () => {
  it('refuses an audience that names nobody, in English and in Vietnamese', async () => {
    expect(await say(mai, 'promo new #nonexistent at now: Flash sale')).toBe(
      '#nonexistent matches no customer — nothing would be sent, so nothing was scheduled.',
    );
    expect(await say(hung, 'promo new #nonexistent at now: Giảm giá')).toBe(
      'Không có khách hàng nào thuộc #nonexistent — sẽ không có tin nào được gửi, nên chưa lên lịch.',
    );
    expect(await Campaign.countDocuments({})).toBe(0);
  });

  it('refuses an audience nobody in it can receive, with the reasons counted', async () => {
    await customers(2, 'zero', { consent: false });
    await customers(1, 'zero', { optedOut: true });
    await customers(1, 'zero', { chat: false });
    await customers(1, 'zero', { blocked: true });

    expect(await say(mai, 'promo new #zero at tomorrow 10:00: New collection')).toBe(
      'None of the 5 customer(s) in #zero can receive it — 2 never agreed to offers, 1 opted out, 1 never wrote to the bot (no chat), ' +
        '1 blocked the bot or lost their chat. Nothing was scheduled.\n' +
        'Customers agree to offers by sending "start" to the bot; only people who have written to the bot can be reached.',
    );
    expect(await say(hung, 'promo new #zero at tomorrow 10:00: Bộ sưu tập mới')).toBe(
      'Không ai trong 5 khách hàng thuộc #zero nhận được tin này — 2 chưa đồng ý nhận ưu đãi, 1 đã hủy nhận tin, ' +
        '1 chưa từng nhắn cho bot (chưa có kênh chat), 1 đã chặn bot hoặc mất kênh chat. Chưa lên lịch.\n' +
        'Khách đồng ý nhận ưu đãi bằng cách nhắn "start" cho bot; chỉ những người đã từng nhắn cho bot mới nhận được tin.',
    );
    expect(await Campaign.countDocuments({})).toBe(0);
  });

  it('schedules an audience few of whom can receive it, and says who is left out and why', async () => {
    await customers(1, 'few');
    await customers(2, 'few', { consent: false });
    await customers(1, 'few', { chat: false });

    const en = await say(mai, 'promo new #few at tomorrow 10:00: New collection');
    expect(en).toMatch(/^Promotion P\d+ scheduled for 2026-03-03 10:00/);
    expect(en).toContain(
      '\nHeads-up: only 1 of the 4 customer(s) in #few can receive it — left out: 2 never agreed to offers, 1 never wrote to the bot (no chat).',
    );
    const vi = await say(hung, 'promo new #few at tomorrow 10:00: Bộ sưu tập mới');
    expect(vi).toMatch(/^Đã lên lịch khuyến mãi P\d+ lúc 03\/03\/2026 10:00/);
    expect(vi).toContain('\nLưu ý: chỉ 1 trên 4 khách hàng thuộc #few nhận được tin này — không gửi: 2 chưa đồng ý nhận ưu đãi, 1 chưa từng nhắn cho bot (chưa có kênh chat).');
    expect(await Campaign.countDocuments({ status: 'scheduled' })).toBe(2);

    const id = /P\d+/.exec(vi)![0];
    const preview = await say(hung, `promo preview ${id}`);
    expect(preview).toContain('Không gửi: 2 chưa đồng ý nhận ưu đãi, 1 chưa từng nhắn cho bot (chưa có kênh chat).');
    expect(preview).toContain('Chỉ 1 trên 4 khách nhận được tin này.');
    expect(await say(mai, `promo preview ${id}`)).toContain('Left out: 2 never agreed to offers, 1 never wrote to the bot (no chat).\nWould receive it: 1.\nOnly 1 of the 4 can receive it.');
  });

  it('counts customers capped by a recent promotion as left out', async () => {
    await customers(2, 'cap');
    const first = await say(mai, 'promo new #cap at now: First');
    expect(first).toMatch(/starts within a minute/);
    expect(first).not.toContain('Heads-up');
    await runJobOnce(promotionSend, { ...chat.deps, notifier: new RoutingNotifier([new FakeSender('telegram')]) });
    expect(await say(mai, 'promo new #cap at tomorrow 10:00: Second')).toContain('— 2 had a promotion in the last 7 day(s). Nothing was scheduled.');
  });

  it('says a reach of half or more nothing more than it always did', async () => {
    await customers(2, 'half');
    await customers(2, 'half', { consent: false });
    const reply = await say(mai, 'promo new #half at tomorrow 10:00: Hello');
    expect(reply).toMatch(/^Promotion P\d+ scheduled for/);
    expect(reply).not.toContain('Heads-up');
  });
});

describe('a promotion reaches each customer in their language', () => {
  it('the unsubscribe button follows lang, else the chat app’s locale, else the shop’s', async () => {
    const [vi] = await customers(1, 'lang', { lang: 'vi' });
    const [viApp] = await customers(1, 'lang', { locale: 'vi-VN' });
    const [enChosen] = await customers(1, 'lang', { lang: 'en', locale: 'vi' });
    const [plain] = await customers(1, 'lang');
    const started = await say(mai, 'promo new #lang at now: Giảm 20% tuần này!');
    expect(started).toMatch(/starts within a minute/);
    const telegram = new FakeSender('telegram');
    await runJobOnce(promotionSend, { ...chat.deps, notifier: new RoutingNotifier([telegram]) });
    const to = (chatId: string) => telegram.delivered.find((d) => d.chatId === chatId)?.replies;
    expect(to(vi!.chatId)?.[0]).toMatchObject({ kind: 'text', text: 'Giảm 20% tuần này!' });
    expect(buttonLabel(to(vi!.chatId))).toBe('Hủy nhận tin');
    expect(buttonLabel(to(viApp!.chatId))).toBe('Hủy nhận tin');
    expect(buttonLabel(to(enChosen!.chatId))).toBe('Unsubscribe');
    expect(buttonLabel(to(plain!.chatId))).toBe('Unsubscribe');
    expect(await Delivery.findById(`${/P\d+/.exec(started)![0]}:${vi!.id}`).lean()).toMatchObject({ lang: 'vi' });
  });

  it('a delivery frozen with the old `locale` field still sends in that language', async () => {
    const [old] = await customers(1, 'old');
    const reply = await say(mai, 'promo new #old at now: Khuyến mãi');
    const id = /P\d+/.exec(reply)![0];
    await freezeCampaign(await getCampaign(id), { now: chat.deps.now(), config: chat.deps.config, log: silentLogger() });
    // As a delivery written before `lang` existed: the customer's chat-app locale only.
    await Delivery.collection.updateOne({ _id: `${id}:${old!.id}` as never }, { $unset: { lang: '' }, $set: { locale: 'vi' } });
    const telegram = new FakeSender('telegram');
    await runJobOnce(promotionSend, { ...chat.deps, notifier: new RoutingNotifier([telegram]) });
    expect(buttonLabel(telegram.delivered.find((d) => d.chatId === old!.chatId)?.replies)).toBe('Hủy nhận tin');
  });
});

describe('argument errors and usage lines of the promo commands', () => {
  it('are in the reader’s language', async () => {
    expect(await say(hung, 'promo preview xyz')).toBe('Cho biết chương trình khuyến mãi nào, ví dụ P7\nCách dùng: promo preview <P7>');
    expect(await say(mai, 'promo preview xyz')).toBe('Say which promotion, e.g. P7\nUsage: promo preview <P7>');
    expect(await say(hung, 'promo new all at whenever: x')).toContain(
      '\nCách dùng: promo new <all | #nhãn | nhóm khách> [holdout N%] at <now | thời điểm>: <nội dung> [| <nội dung phiên bản B>]',
    );
  });
});
