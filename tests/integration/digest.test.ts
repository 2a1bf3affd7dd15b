import { DateTime } from 'luxon';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import '../../models/index.js';
import { DigestSubscription } from '../../models/digest-subscription.js';
import { FollowUp } from '../../models/follow-up.js';
import { Outbox } from '../../models/outbox.js';
import { TotalsSnapshot } from '../../models/totals-snapshot.js';
import { runJobOnce } from '../../jobs/agenda.js';
import { totalsSnapshot } from '../../jobs/totals-snapshot.js';
import { weeklyDigest } from '../../jobs/weekly-digest.js';
import { messagesFor } from '../../src/core/messages.js';
import { upsertLead } from '../../src/services/contacts.js';
import { renderDigest, renderDigestText } from '../../src/views/digest.js';
import type { DigestData } from '../../src/services/digest/data.js';
import { gatherDigest } from '../../src/services/digest/data.js';
import { nextDigestRun, parseDigestSchedule } from '../../src/services/digest/schedule.js';
import { recordOrder } from '../../src/services/orders.js';
import { recomputeSegments } from '../../src/services/segments/segments.js';
import { Campaign } from '../../models/campaign.js';
import { addStaff, backdateCustomer, createJobsTest, type StaffPerson } from '../support/jobs-fixtures.js';
import { useTestDatabase } from '../support/db.js';

useTestDatabase('digest');

const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';
const t = createJobsTest({ DEFAULT_TIMEZONE: BERLIN, BASE_CURRENCY: 'VND', LAPSED_DAYS: '90' });
const berlin = (iso: string) => DateTime.fromISO(iso, { zone: BERLIN }).toJSDate();
const vnd = (minor: number) => ({ minor, currency: 'VND' });
const msg = messagesFor('en');

describe('next digest run stays at the local time across DST', () => {
  const monday9 = (zone: string) => ({ day: 1, time: '09:00', timeZone: zone });
  const runs = (zone: string, from: string, n: number) => {
    const out: string[] = [];
    let at = DateTime.fromISO(from, { zone }).toJSDate();
    for (let i = 0; i < n; i++) {
      at = nextDigestRun(monday9(zone), at);
      out.push(at.toISOString());
    }
    return out;
  };

  it('Europe/Berlin: Monday 09:00 is 08:00Z in winter and 07:00Z after 29 March and before 25 October', () => {
    expect(runs(BERLIN, '2026-03-18T12:00', 3)).toEqual(['2026-03-23T08:00:00.000Z', '2026-03-30T07:00:00.000Z', '2026-04-06T07:00:00.000Z']);
    expect(runs(BERLIN, '2026-10-14T12:00', 3)).toEqual(['2026-10-19T07:00:00.000Z', '2026-10-26T08:00:00.000Z', '2026-11-02T08:00:00.000Z']);
  });

  it('America/New_York: Monday 09:00 is 14:00Z in winter and 13:00Z after 8 March and before 1 November', () => {
    expect(runs(NEW_YORK, '2026-02-25T12:00', 3)).toEqual(['2026-03-02T14:00:00.000Z', '2026-03-09T13:00:00.000Z', '2026-03-16T13:00:00.000Z']);
    expect(runs(NEW_YORK, '2026-10-21T12:00', 3)).toEqual(['2026-10-26T13:00:00.000Z', '2026-11-02T14:00:00.000Z', '2026-11-09T14:00:00.000Z']);
  });

  it('a run exactly at the slot moves to the next week; other days and times work', () => {
    expect(nextDigestRun(monday9(BERLIN), new Date('2026-03-23T08:00:00.000Z')).toISOString()).toBe('2026-03-30T07:00:00.000Z');
    expect(nextDigestRun({ day: 7, time: '02:30', timeZone: BERLIN }, berlin('2026-03-27T12:00')).toISOString()).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST: the gap moves forward
    expect(parseDigestSchedule('')).toEqual({ day: 1, time: '09:00' });
    expect(parseDigestSchedule('friday 5pm')).toEqual({ day: 5, time: '17:00' });
    expect(() => parseDigestSchedule('someday')).toThrow(/not a weekday or a time/);
  });
});

describe('weekly digest over a fixture fortnight (Berlin, the week clocks change)', () => {
  let boss: StaffPerson;
  let lan: StaffPerson;
  const ids: Record<string, string> = {};

  async function customer(key: string, name: string, phone: string, ownerId: string | undefined, createdAt: Date, by = 'staff:s_boss') {
    const { customer: c } = await upsertLead({ name, phones: [phone], emails: [], tags: [], ownerId }, by, createdAt);
    await backdateCustomer(c._id, createdAt);
    ids[key] = c._id;
    return c._id;
  }

  beforeAll(async () => {
    boss = await addStaff('s_boss', 'Boss', 'manager', BERLIN);
    lan = await addStaff('s_lan', 'Lan', 'sales', BERLIN);
    await addStaff('s_minh', 'Minh', 'sales', BERLIN);

    // Before the fortnight.
    await customer('anna', 'Anna', '+84900000001', 's_lan', berlin('2025-12-01T10:00'));
    await customer('binh', 'Binh', '+84900000002', 's_minh', berlin('2026-01-10T10:00'));
    await customer('cuong', 'Cuong', '+84900000003', 's_lan', berlin('2025-11-01T10:00'));
    await customer('dung', 'Dung', '+84900000004', 's_minh', berlin('2025-08-01T10:00'));
    await recordOrder({ customerId: ids.cuong!, amount: vnd(900_000), items: [{ name: 'Áo dài', qty: 1 }], at: berlin('2025-12-25T11:00') }, 'staff:s_lan'); // lapses on 25 March
    await recordOrder({ customerId: ids.dung!, amount: vnd(2_000_000), items: [{ name: 'Set', qty: 1 }], at: berlin('2025-10-01T11:00') }, 'staff:s_minh'); // lapsed long ago

    t.clock.now = berlin('2026-03-20T12:00');
    expect(await t.say(boss, 'digest on')).toBe('Weekly digest is on: Monday 09:00 (Europe/Berlin). Next one: Mon 2026-03-23 09:00.');

    // Day by day: the snapshot job after midnight, the digest job around 09:00, then the day's business.
    const business: Record<string, () => Promise<unknown>> = {
      '2026-03-18': async () => {
        await recordOrder({ customerId: ids.anna!, amount: vnd(300_000), items: [{ name: 'Scarf', qty: 1 }], at: berlin('2026-03-18T15:00') }, 'staff:s_lan');
        await customer('oldLead', 'Old Lead', '+84900000005', 's_lan', berlin('2026-03-18T16:00'), 'staff:s_lan');
      },
      '2026-03-24': async () => {
        await recordOrder({ customerId: ids.anna!, amount: vnd(600_000), items: [{ name: 'Dress', qty: 1 }], at: berlin('2026-03-24T11:00') }, 'staff:s_lan');
        await customer('lead1', 'Lead One', '+84900000006', 's_lan', berlin('2026-03-24T12:00'), 'staff:s_lan');
      },
      '2026-03-25': async () => {
        await recordOrder({ customerId: ids.binh!, amount: vnd(1_000_000), items: [{ name: 'Bag', qty: 2 }], at: berlin('2026-03-25T10:30') }, 'staff:s_minh');
      },
      '2026-03-26': () => customer('lead2', 'Lead Two', '+84900000007', 's_lan', berlin('2026-03-26T12:00'), 'staff:s_lan'),
      '2026-03-27': async () => {
        await customer('lead3', 'Lead Three', '+84900000008', 's_minh', berlin('2026-03-27T12:00'), 'staff:s_minh');
        await customer('lead4', 'Lead Four', '+84900000009', undefined, berlin('2026-03-27T13:00'), 'staff:s_boss');
      },
      '2026-03-29': () => recordOrder({ customerId: ids.anna!, amount: vnd(200_000), items: [{ name: 'Belt', qty: 1 }], at: berlin('2026-03-29T18:00') }, 'staff:s_lan'),
    };
    for (let day = DateTime.fromISO('2026-03-16', { zone: BERLIN }); day.toISODate()! <= '2026-03-30'; day = day.plus({ days: 1 })) {
      await runJobOnce(totalsSnapshot, t.deps, { now: day.set({ hour: 0, minute: 5 }).toJSDate() });
      for (const [h, m] of [[8, 55], [9, 0], [9, 5]] as const) {
        await runJobOnce(weeklyDigest, t.deps, { now: day.set({ hour: h, minute: m }).toJSDate() });
      }
      await business[day.toISODate()!]?.();
    }

    // Follow-ups: Lan has two overdue and one ahead, Minh one overdue, one done.
    const f = (id: string, assigneeId: string, due: string, status = 'open') =>
      ({ _id: id, customerId: ids.anna!, assigneeId, dueAt: berlin(due), text: id, status, createdBy: 'test', createdAt: berlin('2026-03-20T10:00') });
    await FollowUp.insertMany([
      f('Fo1', 's_lan', '2026-03-27T10:00'),
      f('Fo2', 's_lan', '2026-03-28T10:00', 'snoozed'),
      f('Fo3', 's_lan', '2026-04-02T10:00'),
      f('Fo4', 's_minh', '2026-03-29T10:00'),
      f('Fo5', 's_minh', '2026-03-25T10:00', 'done'),
    ]);
    // Marked reminded so the reminder job in other tests would not care; irrelevant to the digest.
  }, 120_000);

  it('went out once per Monday at 09:00 local: 08:00Z before the change and 07:00Z after', async () => {
    const sends = await Outbox.find({ kind: 'digest' }).sort({ claimedAt: 1 }).lean();
    expect(sends.map((s) => [s._id, s.state])).toEqual([
      ['digest:s_boss:2026-03-23T08:00:00.000Z', 'sent'],
      ['digest:s_boss:2026-03-30T07:00:00.000Z', 'sent'],
    ]);
    expect(t.notifier.textsFor('s_boss').filter((x) => x.startsWith('📊'))).toHaveLength(2);
    expect((await DigestSubscription.findById('s_boss').lean())!.nextRunAt.toISOString()).toBe('2026-04-06T07:00:00.000Z');
    expect(await TotalsSnapshot.countDocuments()).toBe(15);
  });

  it('runs again for the same slot, on two workers at once, send nothing twice', async () => {
    await DigestSubscription.updateOne({ _id: 's_boss' }, { $set: { nextRunAt: new Date('2026-03-30T07:00:00.000Z') } });
    const now = berlin('2026-03-30T09:10');
    t.notifier.clear();
    await Promise.all([runJobOnce(weeklyDigest, t.deps, { now, worker: 'w1' }), runJobOnce(weeklyDigest, t.deps, { now, worker: 'w2' })]);
    expect(t.notifier.sent).toHaveLength(0);
    expect((await DigestSubscription.findById('s_boss').lean())!.nextRunAt.toISOString()).toBe('2026-04-06T07:00:00.000Z');
  });

  describe('the digest of Monday 30 March, section by section', () => {
    let data: DigestData;
    let text: string;
    beforeAll(async () => {
      data = await gatherDigest(berlin('2026-03-30T09:00'), t.deps.config);
      text = renderDigestText(data, msg).text;
    });
    const section = (title: string) => {
      const lines = text.split('\n');
      const start = lines.findIndex((l) => l.startsWith(title));
      const end = lines.findIndex((l, i) => i > start && l === '');
      return lines.slice(start, end === -1 ? undefined : end);
    };

    it('covers the seven days before the Monday, in the shop’s zone', () => {
      expect(text.split('\n')[0]).toBe('📊 Weekly digest · 2026-03-23 – 2026-03-29');
      expect(data.from.toISOString()).toBe('2026-03-22T23:00:00.000Z');
      expect(data.to.toISOString()).toBe('2026-03-29T22:00:00.000Z'); // a 167-hour week
    });

    it('orders and revenue against the previous week', () => {
      expect(data.lastWeek).toEqual({ orders: 3, revenue: { VND: 1_800_000 } });
      expect(data.weekBefore).toEqual({ orders: 1, revenue: { VND: 300_000 } });
      // Side by side with this week so far (Monday 09:00: nothing yet).
      expect(section('New leads')).toEqual(['New leads: 4 | 0', 'Orders: 3 | 0', 'Revenue: ₫1,800,000 (▲ 500% on the week before) | ₫0']);
    });

    it('revenue per day', () => {
      expect(data.revenuePerDay).toEqual([
        { date: '2026-03-23', minor: 0 },
        { date: '2026-03-24', minor: 600_000 },
        { date: '2026-03-25', minor: 1_000_000 },
        { date: '2026-03-26', minor: 0 },
        { date: '2026-03-27', minor: 0 },
        { date: '2026-03-28', minor: 0 },
        { date: '2026-03-29', minor: 200_000 },
      ]);
    });

    it('new leads, orders and revenue by salesperson', () => {
      expect(section('Per salesperson')).toEqual([
        'Per salesperson (last week | this week so far):',
        '  Minh: new leads 1 | 0 · orders 1 | 0 · revenue ₫1,000,000 | ₫0',
        '  Lan: new leads 2 | 0 · orders 2 | 0 · revenue ₫800,000 | ₫0',
        '  Boss: new leads 1 | 0 · orders 0 | 0 · revenue ₫0 | ₫0',
      ]);
    });

    it('segment sizes and their change over the week', () => {
      expect(section('Segments')).toEqual(['Segments (customers, change this week):', '  Leads: 5 (+3)', '  New: 2 (+1)', '  Active: 0 (-1)', '  Lapsed: 2 (+1)']);
    });

    it('top customers who ordered this week', () => {
      expect(section('Top customers').map((l) => l.replace(/\s+₫|₫\s*/g, ' ₫').replace(/\s+/g, ' ').trim())).toEqual([
        'Top customers who ordered last week (lifetime revenue):',
        expect.stringMatching(new RegExp(`^${ids.anna} Anna · .*1,100,000.* · 3 order\\(s\\)$`)),
        expect.stringMatching(new RegExp(`^${ids.binh} Binh · .*1,000,000.* · 1 order\\(s\\)$`)),
      ]);
    });

    it('lapsed customers, the newly lapsed listed with a one-tap follow-up button', () => {
      const lines = section('Lapsed');
      expect(lines[0]).toBe('Lapsed (no order for 90 days): 2 in all, 1 newly last week — worth a call, most valuable first:');
      expect(lines.slice(1)).toEqual([expect.stringMatching(new RegExp(`^  ${ids.cuong} Cuong · .*900,000.* · Lan$`))]);
      expect(renderDigestText(data, msg).buttons).toEqual([[{ label: 'Create follow-ups for these 1', action: `followups for ${ids.cuong}` }]]);
    });

    it('overdue follow-ups per salesperson', () => {
      expect(section('Overdue')).toEqual(['Overdue follow-ups: 3', '  Lan: 2', '  Minh: 1']);
    });

    it('no campaign section while there are no campaign results', () => {
      expect(text).not.toContain('Campaigns');
    });

    it('comes with a PNG chart of revenue per day and segment sizes', () => {
      const replies = renderDigest(data, msg);
      expect(replies).toHaveLength(2);
      const image = replies[1]!;
      expect(image.kind).toBe('image');
      if (image.kind !== 'image') return;
      expect(image.data.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      const png = PNG.sync.read(image.data);
      expect([png.width, png.height]).toEqual([800, 900]); // days, salespeople, segments
      expect(image.caption).toBe('Revenue per day and per salesperson, last week against this week so far, and segment sizes · 2026-03-23 – 2026-03-30');
    });
  });

  it('uses the RFM segments with their moves once a recompute has run, and shows recent campaign results', async () => {
    await recomputeSegments(berlin('2026-03-23T01:00'), { baseCurrency: 'VND' });
    await recomputeSegments(berlin('2026-03-30T01:00'), { baseCurrency: 'VND' });
    await Campaign.create({
      _id: 'P1', audience: { kind: 'tag', value: 'vip' }, variants: [{ key: 'A', text: 'Spring sale' }], holdoutPercent: 10, attributionDays: 7,
      scheduledAt: berlin('2026-03-25T10:00'), status: 'done', createdBy: 'staff:s_boss', sendingStartedAt: berlin('2026-03-25T10:00'),
      counters: { frozen: 40, heldOut: 4, attempted: 40, sent: 38, failed: 2, responded: 6, optedOut: 1 },
      results: { recipients: 38, converted: 5, revenue: { VND: 2_500_000 }, holdout: 4, holdoutConverted: 0, upliftPoints: 13.2, computedAt: berlin('2026-03-29T10:00') },
    });
    const data = await gatherDigest(berlin('2026-03-30T09:00'), t.deps.config);
    const text = renderDigestText(data, msg).text;
    const names = data.segments.map((s) => s.name);
    expect(names).toContain('Lead');
    expect(data.segments.reduce((n, s) => n + s.size, 0)).toBe(9); // every active customer is in one segment
    const lead = data.segments.find((s) => s.name === 'Lead')!;
    expect(lead.size).toBe(5);
    expect(text).toMatch(/\n {2}Lead: 5 \((?:[+-]\d+|±0)\)/);
    expect(text).toContain('Campaigns (sent in the last two weeks):');
    expect(text).toMatch(/ {2}P1 \(#vip\): sent 38, responded 6, opted out 1, converted 5 \(.*2,500,000.*\), uplift \+13\.2 pts/);
  });

  it('the lapsed button creates one follow-up per customer for its owner, once', async () => {
    t.clock.now = berlin('2026-03-30T09:30');
    expect(await t.say(boss, `followups for ${ids.cuong}`)).toBe('Created 1 follow-up(s). Their owners will be reminded.');
    expect(await t.say(boss, `followups for ${ids.cuong}`)).toBe('Created 0 follow-up(s); 1 already existed. Their owners will be reminded.');
    expect(await FollowUp.findById(`lapsed:${ids.cuong}:2026-03-30`).lean()).toMatchObject({ assigneeId: 's_lan', source: 'lapsed', status: 'open' });
    expect(await t.say(lan, `followups for ${ids.cuong}`)).toMatch(/your role cannot use "followups for"/);
  });

  it('digest now answers at once; digest off stops it; sales cannot subscribe', async () => {
    t.clock.now = berlin('2026-03-30T10:00');
    const replies = await t.send(boss, 'digest now');
    expect(replies.map((r) => r.kind)).toEqual(['text', 'image']);
    expect(replies[0]!.kind === 'text' && replies[0]!.text).toMatch(/^📊 Weekly digest · 2026-03-23 – 2026-03-29/);
    expect(await t.say(boss, 'digest on fri 17:30')).toBe('Weekly digest is on: Friday 17:30 (Europe/Berlin). Next one: Fri 2026-04-03 17:30.');
    expect(await t.say(boss, 'digest off')).toBe('Weekly digest is off.');
    expect(await t.say(boss, 'digest off')).toBe('You were not subscribed to the weekly digest.');
    expect(await t.say(lan, 'digest on')).toMatch(/your role cannot use "digest"/);
  });
});
