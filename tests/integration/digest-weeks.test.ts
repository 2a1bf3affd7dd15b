/**
 * The digest a manager reads in 30 seconds, on the real database: a shop's first day shows
 * today's leads and orders; last week and this week so far side by side; per salesperson leads,
 * orders and revenue (from the sales counters, cancellations taken out) and conversations
 * answered with first-response time; who became At risk and who came back; the weekly job
 * writes each reader's digest in their language (vi or en), dates and money their way.
 */
import { DateTime } from 'luxon';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../models/index.js';
import { Conversation } from '../../models/conversation.js';
import { SalesDay } from '../../models/sales-day.js';
import { SegmentRun, SegmentState } from '../../models/segment-state.js';
import { Staff } from '../../models/staff.js';
import { runJobOnce } from '../../jobs/agenda.js';
import { weeklyDigest } from '../../jobs/weekly-digest.js';
import { messagesFor } from '../../src/core/messages.js';
import { upsertLead } from '../../src/services/contacts.js';
import { gatherDigest, type DigestData } from '../../src/services/digest/data.js';
import { salesBetween } from '../../src/services/digest/sales-counters.js';
import { recordOrder, setOrderStatus } from '../../src/services/orders.js';
import { renderDigest, renderDigestText } from '../../src/views/digest.js';
import { addStaff, backdateCustomer, createJobsTest, type StaffPerson } from '../support/jobs-fixtures.js';
import { useTestDatabase } from '../support/db.js';

useTestDatabase('digest-weeks');

const ZONE = 'Asia/Ho_Chi_Minh';
const t = createJobsTest({ DEFAULT_TIMEZONE: ZONE, BASE_CURRENCY: 'VND', LAPSED_DAYS: '90', SHOP_LANGUAGE: 'en' });
const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toJSDate();
const vnd = (minor: number) => ({ minor, currency: 'VND' });
const en = messagesFor('en');
const vi = messagesFor('vi');

let boss: StaffPerson;
let lan: StaffPerson;
const ids: string[] = [];

async function lead(name: string, phone: string, ownerId: string | undefined, at: string, by = 'staff:s_boss'): Promise<string> {
  const { customer } = await upsertLead({ name, phones: [phone], emails: [], tags: [], ownerId }, by, local(at));
  await backdateCustomer(customer._id, local(at));
  ids.push(customer._id);
  return customer._id;
}

/** The text's lines, non-breaking spaces (Vietnamese money: `350.000 ₫`) as plain ones. */
const lines = (data: DigestData, msg = en) => renderDigestText(data, msg).text.replace(/\u00a0/g, ' ').split('\n');
const section = (text: string[], title: string) => {
  const start = text.findIndex((l) => l.startsWith(title));
  if (start === -1) return [];
  const end = text.findIndex((l, i) => i > start && l === '');
  return text.slice(start, end === -1 ? undefined : end);
};

beforeAll(async () => {
  boss = await addStaff('s_boss', 'Boss', 'manager', ZONE);
  lan = await addStaff('s_lan', 'Lan', 'sales', ZONE);
  await addStaff('s_minh', 'Minh', 'sales', ZONE);
  await addStaff('s_vy', 'Vy', 'manager', ZONE);
  await Staff.updateOne({ _id: 's_vy' }, { $set: { lang: 'vi' } });

  // The shop's first day, Wednesday 2 December 2026: 13 leads (8 Lan's, 4 Minh's, 1 nobody's) and three orders.
  for (let i = 0; i < 8; i++) await lead(`Lan Lead ${i}`, `+8490100000${i}`, 's_lan', `2026-12-02T0${i + 1}:00`, 'staff:s_lan');
  for (let i = 0; i < 4; i++) await lead(`Minh Lead ${i}`, `+8490200000${i}`, 's_minh', `2026-12-02T1${i}:00`, 'staff:s_minh');
  await lead('Walk In', '+84903000000', undefined, '2026-12-02T14:00');
  await recordOrder({ customerId: ids[0]!, amount: vnd(350_000), items: [{ name: 'Áo dài', qty: 1 }], at: local('2026-12-02T15:00') }, 'staff:s_lan');
  await recordOrder({ customerId: ids[1]!, amount: vnd(1_200_000), items: [{ name: 'Đầm', qty: 1 }], at: local('2026-12-02T15:30') }, 'staff:s_lan');
  await recordOrder({ customerId: ids[8]!, amount: vnd(500_000), items: [{ name: 'Khăn', qty: 2 }], at: local('2026-12-02T16:00') }, 'staff:s_minh');
}, 60_000);

describe("a shop's first day", () => {
  it('digest now shows today’s 13 leads and 3 orders as this week so far, beside an empty last week', async () => {
    t.clock.now = local('2026-12-02T17:00');
    const replies = await t.send(boss, 'digest now');
    const text = replies[0]!.kind === 'text' ? replies[0]!.text.split('\n') : [];
    expect(text[0]).toBe('📊 Weekly digest · 2026-11-23 – 2026-11-29');
    expect(text[1]).toBe('Last week 2026-11-23 – 2026-11-29 | This week so far 2026-11-30 – 2026-12-02');
    expect(section(text, 'New leads')).toEqual(['New leads: 0 | 13', 'Orders: 0 | 3', 'Revenue: ₫0 | ₫2,050,000']);
    expect(replies[1]!.kind).toBe('image');
  });

  it('per salesperson: new leads, orders and revenue, last week | this week so far', async () => {
    const data = await gatherDigest(local('2026-12-02T17:00'), t.deps.config);
    expect(section(lines(data), 'Per salesperson')).toEqual([
      'Per salesperson (last week | this week so far):',
      '  Lan: new leads 0 | 8 · orders 0 | 2 · revenue ₫0 | ₫1,550,000',
      '  Minh: new leads 0 | 4 · orders 0 | 1 · revenue ₫0 | ₫500,000',
      '  Boss: new leads 0 | 1 · orders 0 | 0 · revenue ₫0 | ₫0', // no owner: credited to who logged it
    ]);
    expect(data.countedSince).toBeUndefined(); // the counters began with the shop
  });
});

describe('the week after: side by side, cancellations, conversations, movements', () => {
  let data: DigestData;
  beforeAll(async () => {
    // Next week, Tuesday 8 December: one more order for Lan, one of last week's cancelled.
    await lead('Tue Lead', '+84904000000', 's_minh', '2026-12-08T09:00', 'staff:s_minh');
    const o = await recordOrder({ customerId: ids[2]!, amount: vnd(800_000), items: [{ name: 'Túi', qty: 1 }], at: local('2026-12-08T10:00') }, 'staff:s_lan');
    expect(o.customerId).toBe(ids[2]);
    const cancelled = await recordOrder({ customerId: ids[9]!, amount: vnd(100_000), items: [], at: local('2026-12-03T10:00') }, 'staff:s_minh');
    await setOrderStatus(cancelled._id, 'cancelled', 'staff:s_boss', local('2026-12-08T11:00'));
    // Conversations first answered last week (Lan: 10 and 30 minutes) and this week (Minh: 5 minutes).
    const conversation = (id: string, assigneeId: string, at: string, minutes: number) =>
      Conversation.create({ _id: id, state: 'answered', assigneeId, firstResponseAt: local(at), firstResponseMs: minutes * 60_000 });
    await conversation(ids[0]!, 's_lan', '2026-12-02T10:00', 10);
    await conversation(ids[1]!, 's_lan', '2026-12-04T10:00', 30);
    await conversation(ids[8]!, 's_minh', '2026-12-08T09:30', 5);
    await conversation(ids[3]!, 's_lan', '2026-11-20T09:30', 99); // before both weeks
    // Segment movements this week: two slid into At risk, one came back (the other moves do not matter here).
    await SegmentRun.collection.updateOne({ _id: 'latest' as never }, { $set: { at: local('2026-12-08T01:00'), baseCurrency: 'VND' } }, { upsert: true });
    const state = (id: string, segment: string, from: string, at: string) =>
      SegmentState.collection.updateOne(
        { _id: id.slice(1) as never },
        { $set: { customerId: id, segment, segmentSince: local(at), computedAt: local(at), orders: 1, value: 1, history: [{ segment: from, at: local('2026-10-01T00:00') }, { segment, from, at: local(at) }] } },
        { upsert: true },
      );
    await state(ids[4]!, 'At risk', 'Loyal', '2026-12-07T01:00');
    await state(ids[5]!, "Can't lose", 'Champions', '2026-12-08T01:00');
    await state(ids[6]!, 'Potential loyalist', 'Hibernating', '2026-12-08T01:00');
    await state(ids[7]!, 'New', 'Lead', '2026-12-08T01:00');
    // Two customers whose last order was 90 days before last week: lapsed last week, the more valuable one first.
    const small = await lead('Small Lapsed', '+84905000001', 's_lan', '2026-08-01T10:00');
    const big = await lead('Big Lapsed', '+84905000002', 's_minh', '2026-08-01T10:00');
    await recordOrder({ customerId: small, amount: vnd(300_000), items: [], at: local('2026-09-02T10:00') }, 'staff:s_lan');
    await recordOrder({ customerId: big, amount: vnd(3_000_000), items: [], at: local('2026-09-03T10:00') }, 'staff:s_minh');
    data = await gatherDigest(local('2026-12-08T17:00'), t.deps.config);
  }, 60_000);

  it('lapsed valuable customers to call: most valuable first, with the follow-ups button', () => {
    const [small, big] = ids.slice(-2);
    expect(data.lapsed.newly.map((c) => c.id)).toEqual([big, small]);
    expect(section(lines(data), 'Lapsed')).toEqual([
      'Lapsed (no order for 90 days): 2 in all, 2 newly last week — worth a call, most valuable first:',
      `  ${big} Big Lapsed · ₫3,000,000 · Minh`,
      `  ${small} Small Lapsed · ₫300,000 · Lan`,
    ]);
    expect(renderDigestText(data, en).buttons).toEqual([[{ label: 'Create follow-ups for these 2', action: `followups for ${big} ${small}` }]]);
  });

  it('last week and this week so far, side by side, with last week from the counters while snapshots are missing', () => {
    expect(data.lastWeek).toEqual({ orders: 3, revenue: { VND: 2_050_000 } }); // the cancelled order left the week it was recorded in
    expect(data.soFar).toEqual({ orders: 1, revenue: { VND: 800_000 } });
    expect(section(lines(data), 'New leads')).toEqual(['New leads: 13 | 1', 'Orders: 3 | 1', 'Revenue: ₫2,050,000 | ₫800,000']);
  });

  it('a cancellation is taken out of the counters of the hour the order was recorded in', async () => {
    const week = await salesBetween(local('2026-11-30T00:00'), local('2026-12-07T00:00'), ZONE);
    expect(week.byStaff.s_minh).toEqual({ orders: 1, revenue: { VND: 500_000 } });
    expect(week.byDay['2026-12-03']).toEqual({ VND: 0 });
    expect(await SalesDay.findById('since').lean()).toMatchObject({ at: local('2026-12-02T15:00') });
  });

  it('per salesperson with conversations answered and the median first response', () => {
    expect(section(lines(data), 'Per salesperson')).toEqual([
      'Per salesperson (last week | this week so far):',
      '  Lan: new leads 8 | 0 · orders 2 | 1 · revenue ₫1,550,000 | ₫800,000',
      '      conversations answered 2 | 0 · first response 20 min | —',
      '  Minh: new leads 4 | 1 · orders 1 | 0 · revenue ₫500,000 | ₫0',
      '      conversations answered 0 | 1 · first response — | 5 min',
      '  Boss: new leads 1 | 0 · orders 0 | 0 · revenue ₫0 | ₫0',
    ]);
  });

  it('names who became At risk and who came back', () => {
    const text = lines(data);
    expect(section(text, 'Became At risk')).toEqual([
      'Became At risk this week: 2 — call them before they are lost:',
      `  ${ids[5]} Lan Lead 5 (Champions → Can't lose)`,
      `  ${ids[4]} Lan Lead 4 (Loyal → At risk)`,
    ]);
    expect(section(text, 'Came back')).toEqual(['Came back this week: 1', `  ${ids[6]} Lan Lead 6 (Hibernating → Potential loyalist)`]);
  });

  it('in Vietnamese: the catalogue’s words, dates and money written the Vietnamese way', () => {
    const text = lines(data, vi);
    expect(text[0]).toBe('📊 Báo cáo tuần · 30/11/2026 – 06/12/2026');
    expect(section(text, 'Khách tiềm năng mới')).toEqual(['Khách tiềm năng mới: 13 | 1', 'Đơn hàng: 3 | 1', 'Doanh thu: 2.050.000 ₫ | 800.000 ₫']);
    expect(text).toContain('  Lan: khách mới 8 | 0 · đơn hàng 2 | 1 · doanh thu 1.550.000 ₫ | 800.000 ₫');
    expect(text.some((l) => l.startsWith('Chuyển sang nhóm có nguy cơ rời bỏ trong tuần: 2'))).toBe(true);
  });

  it('the chart: 800 px wide, a panel each for days, salespeople and segments, not blank', async () => {
    const [, image] = renderDigest(data, vi);
    if (image?.kind !== 'image') throw new Error('no chart');
    if (process.env.DIGEST_CHART_OUT) (await import('node:fs')).writeFileSync(process.env.DIGEST_CHART_OUT, image.data);
    const png = PNG.sync.read(image.data);
    expect([png.width, png.height]).toEqual([800, 900]);
    const colours = new Set<number>();
    for (let i = 0; i < png.data.length; i += 4 * 97) colours.add(png.data.readUInt32BE(i));
    expect(colours.size).toBeGreaterThan(5);
    expect(image.caption).toMatch(/^Doanh thu theo ngày và theo nhân viên/);
  });
});

describe('the weekly job writes each reader’s digest in their language', () => {
  it('Vy (lang vi) reads Vietnamese, Boss (no choice) the shop’s English — once each', async () => {
    t.clock.now = local('2026-12-08T17:00');
    expect(await t.say(boss, 'digest on wed 9:00')).toMatch(/^Weekly digest is on: Wednesday 09:00/);
    const vy = { staffId: 's_vy', userId: 'u_s_vy' };
    expect(await t.say(vy, 'digest on wed 9:00')).toMatch(/^Đã bật báo cáo tuần/);
    t.notifier.clear();
    await runJobOnce(weeklyDigest, t.deps, { now: local('2026-12-09T09:01') });
    await runJobOnce(weeklyDigest, t.deps, { now: local('2026-12-09T09:06') });
    const forBoss = t.notifier.textsFor('s_boss').filter((x) => x.startsWith('📊'));
    const forVy = t.notifier.textsFor('s_vy').filter((x) => x.startsWith('📊'));
    expect(forBoss).toHaveLength(1);
    expect(forVy).toHaveLength(1);
    expect(forBoss[0]).toMatch(/^📊 Weekly digest · 2026-11-30 – 2026-12-06\nLast week/);
    expect(forVy[0]).toMatch(/^📊 Báo cáo tuần · 30\/11\/2026 – 06\/12\/2026\nTuần trước/);
    expect(forVy[0]!.replace(/\u00a0/g, ' ')).toContain('Doanh thu: 2.050.000 ₫ | 800.000 ₫');
    expect(lan.staffId).toBe('s_lan');
  });
});
