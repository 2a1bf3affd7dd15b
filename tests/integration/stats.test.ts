/**
 * Staff performance on the real database. The clock is Wednesday 2026-03-04 12:00 in
 * Asia/Ho_Chi_Minh (05:00 UTC): the week began Monday 00:00 local (2026-03-01 17:00 UTC),
 * the month on the 1st 00:00 local (2026-02-28 17:00 UTC) — so a Sunday-evening lead at
 * 2026-03-01 10:00 UTC counts for the month but not for the week.
 */
import '../../models/index.js';
import mongoose from 'mongoose';
import { beforeAll, describe, expect, it } from 'vitest';
import { Customer, Identity, Staff } from '../../models/index.js';
import { upsertLead } from '../../src/services/contacts.js';
import { recordInteraction } from '../../src/services/interactions.js';
import { recordOrder, setOrderStatus } from '../../src/services/orders.js';
import { median, staffStats, statsRange } from '../../src/services/stats.js';
import { createTestChat, type Person } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';

useTestDatabase('stats');

const chat = createTestChat();
const NOW = new Date('2026-03-04T05:00:00Z');
const ZONE = 'Asia/Ho_Chi_Minh';
const at = (iso: string) => new Date(iso);

const lanTg: Person = { platform: 'telegram', userId: '5001', displayName: 'Lan' };
const maiTg: Person = { platform: 'telegram', userId: '5003', displayName: 'Mai' };
const customerTg: Person = { platform: 'telegram', userId: '5999', displayName: 'Someone' };

const ids: Record<string, string> = {};

/** A customer created by `createdBy` at `createdAt` (backdated in the raw collection: timestamps are immutable). */
async function customer(name: string, createdBy: string, createdAt: string, ownerId?: string): Promise<string> {
  const { customer: c } = await upsertLead({ name, phones: [], emails: [], tags: [], ownerId }, createdBy);
  await Customer.collection.updateOne({ _id: c._id as never }, { $set: { createdAt: at(createdAt) } });
  return (ids[name] = c._id);
}

const order = (name: string, iso: string, minor: number, currency = 'VND') =>
  recordOrder({ customerId: ids[name]!, amount: { minor, currency }, items: [], at: at(iso) }, 'staff:test');

const talk = (name: string, kind: 'message' | 'complaint' | 'note' | 'reply', iso: string, staffId?: string) =>
  recordInteraction({ customerId: ids[name]!, kind, text: kind, staffId, at: at(iso) });

beforeAll(async () => {
  await Staff.create([
    { _id: 's_lan', name: 'Lan', role: 'sales', timeZone: ZONE },
    { _id: 's_minh', name: 'Minh', role: 'sales', timeZone: ZONE },
    { _id: 's_mai', name: 'Mai', role: 'manager', timeZone: ZONE },
    { _id: 's_hoa', name: 'Hoa', role: 'support', timeZone: ZONE },
  ]);
  await Identity.create([
    { _id: 'telegram:5001', platform: 'telegram', platformUserId: '5001', kind: 'staff', refId: 's_lan' },
    { _id: 'telegram:5003', platform: 'telegram', platformUserId: '5003', kind: 'staff', refId: 's_mai' },
  ]);

  await customer('C1', 'staff:s_lan', '2026-03-02T02:00:00Z', 's_lan'); // this week
  await customer('C2', 'staff:s_lan', '2026-02-25T02:00:00Z', 's_lan'); // last month
  await customer('C3', 'staff:s_minh', '2026-03-03T02:00:00Z', 's_minh'); // this week
  await customer('C4', 'identity:telegram:777', '2026-03-03T02:00:00Z', 's_minh'); // wrote to us: not a lead added by staff
  await customer('C5', 'staff:s_lan', '2026-03-01T10:00:00Z', 's_lan'); // Sunday 17:00 local: month, not week

  await order('C1', '2026-03-03T03:00:00Z', 500_000);
  await order('C1', '2026-03-03T04:00:00Z', 2000, 'EUR');
  await order('C2', '2026-03-01T18:00:00Z', 1_000_000); // Monday 01:00 local: this week
  await order('C2', '2026-02-20T03:00:00Z', 200_000); // last month
  const cancelled = await order('C2', '2026-03-03T05:00:00Z', 300_000);
  await setOrderStatus(cancelled._id, 'cancelled', 'staff:test', NOW);
  await order('C3', '2026-03-01T12:00:00Z', 700_000); // month, not week
  await order('C4', '2026-03-04T01:00:00Z', 100_000);

  const followUps = mongoose.connection.collection('followups');
  const due = (iso: string) => at(iso);
  await followUps.insertMany([
    { _id: 'F1' as never, customerId: ids.C1, assigneeId: 's_lan', dueAt: due('2026-03-02T02:00:00Z'), status: 'done', doneAt: at('2026-03-03T02:00:00Z') },
    { _id: 'F2' as never, customerId: ids.C2, assigneeId: 's_lan', dueAt: due('2026-03-02T02:00:00Z'), status: 'done', doneAt: at('2026-03-02T09:00:00Z') },
    { _id: 'F3' as never, customerId: ids.C2, assigneeId: 's_lan', dueAt: due('2026-02-19T02:00:00Z'), status: 'done', doneAt: at('2026-02-20T02:00:00Z') },
    { _id: 'F4' as never, customerId: ids.C1, assigneeId: 's_lan', dueAt: due('2026-03-03T02:00:00Z'), status: 'open' },
    { _id: 'F5' as never, customerId: ids.C1, assigneeId: 's_lan', dueAt: due('2026-03-05T02:00:00Z'), status: 'snoozed' },
    { _id: 'F6' as never, customerId: ids.C5, assigneeId: 's_lan', dueAt: due('2026-03-04T04:00:00Z'), status: 'open' },
    { _id: 'F7' as never, customerId: ids.C3, assigneeId: 's_minh', dueAt: due('2026-03-01T02:00:00Z'), status: 'done', doneAt: at('2026-03-01T12:00:00Z') },
    { _id: 'F8' as never, customerId: ids.C3, assigneeId: 's_minh', dueAt: due('2026-03-01T02:00:00Z'), status: 'cancelled' },
  ]);

  // C1: two messages answered by Lan's reply (30 and 20 min), then a complaint Hoa answers after 45 min
  // (her internal note a minute earlier is not a response: the customer never sees notes).
  await talk('C1', 'message', '2026-03-03T01:00:00Z');
  await talk('C1', 'message', '2026-03-03T01:10:00Z');
  await talk('C1', 'reply', '2026-03-03T01:30:00Z', 's_lan');
  await talk('C1', 'reply', '2026-03-03T01:40:00Z', 's_lan'); // a second reply answers nothing new
  await talk('C1', 'complaint', '2026-03-03T03:00:00Z');
  await talk('C1', 'note', '2026-03-03T03:44:00Z', 's_hoa');
  await talk('C1', 'reply', '2026-03-03T03:45:00Z', 's_hoa');
  // C2: answered by Lan in 5 min; a later message still waits.
  await talk('C2', 'message', '2026-03-03T02:00:00Z');
  await talk('C2', 'reply', '2026-03-03T02:05:00Z', 's_lan');
  await talk('C2', 'message', '2026-03-03T05:00:00Z');
  // C3: Minh answers after two hours.
  await talk('C3', 'message', '2026-03-02T00:00:00Z');
  await talk('C3', 'reply', '2026-03-02T02:00:00Z', 's_minh');
  // C4: the message came before the period; the reply in it answers nothing counted.
  await talk('C4', 'message', '2026-02-27T00:00:00Z');
  await talk('C4', 'reply', '2026-03-02T01:00:00Z', 's_minh');
});

describe('staffStats', () => {
  it('starts the week on Monday and the month on the 1st, at midnight in the reader’s zone', () => {
    expect(statsRange('week', NOW, ZONE)).toEqual({ from: at('2026-03-01T17:00:00Z'), to: NOW });
    expect(statsRange('month', NOW, ZONE)).toEqual({ from: at('2026-02-28T17:00:00Z'), to: NOW });
  });

  it('counts leads, owned customers’ orders, follow-ups and response times per person for the week', async () => {
    const report = await staffStats('week', NOW, ZONE);
    expect(report.rows.map((r) => r.name)).toEqual(['Hoa', 'Lan', 'Minh']); // Mai did nothing: not listed
    const [hoa, lan, minh] = report.rows;
    expect(lan).toEqual({
      staffId: 's_lan', name: 'Lan', role: 'sales',
      leads: 1, orders: 3, revenue: { VND: 1_500_000, EUR: 2000 },
      followUpsDone: 2, followUpsOverdue: 2,
      responses: 3, medianResponseMinutes: 20,
      resolved: 0, ratings: 0,
    });
    expect(minh).toMatchObject({ leads: 1, orders: 1, revenue: { VND: 100_000 }, followUpsDone: 0, followUpsOverdue: 0, responses: 1, medianResponseMinutes: 120 });
    expect(hoa).toMatchObject({ role: 'support', leads: 0, orders: 0, responses: 1, medianResponseMinutes: 45 });
  });

  it('widens to the month', async () => {
    const report = await staffStats('month', NOW, ZONE);
    const lan = report.rows.find((r) => r.staffId === 's_lan');
    const minh = report.rows.find((r) => r.staffId === 's_minh');
    expect(lan).toMatchObject({ leads: 2, orders: 3, revenue: { VND: 1_500_000, EUR: 2000 }, followUpsDone: 2 });
    expect(minh).toMatchObject({ leads: 1, orders: 2, revenue: { VND: 800_000 }, followUpsDone: 1 });
  });

  it('gives one person’s row, zeros included, when asked for them', async () => {
    expect((await staffStats('week', NOW, ZONE, 's_lan')).rows.map((r) => [r.staffId, r.leads, r.orders, r.medianResponseMinutes])).toEqual([['s_lan', 1, 3, 20]]);
    expect((await staffStats('week', NOW, ZONE, 's_mai')).rows).toEqual([
      { staffId: 's_mai', name: 'Mai', role: 'manager', leads: 0, orders: 0, revenue: {}, followUpsDone: 0, followUpsOverdue: 0, responses: 0, resolved: 0, ratings: 0 },
    ]);
  });

  it('takes the median of an even count as the mean of the middle two', () => {
    expect(median([30, 5, 20, 100])).toBe(25);
    expect(median([7])).toBe(7);
  });
});

describe('stats command', () => {
  it('shows a salesperson only their own figures', async () => {
    chat.clock.now = NOW;
    expect(await chat.say(lanTg, 'stats')).toBe(
      [
        'Staff stats for this week (2026-03-02 – 2026-03-04, Asia/Ho_Chi_Minh):',
        '',
        'Lan (sales)',
        '  1 lead(s) added · 3 order(s) from their customers · ₫1,500,000 + €20.00',
        '  Follow-ups: 2 done, 2 overdue',
        '  First response: median 20 min over 3 message(s)',
        '  Conversations: 0 resolved · no ratings yet',
      ].join('\n'),
    );
  });

  it('shows a manager everyone, for the month when asked', async () => {
    const reply = await chat.say(maiTg, 'stats month');
    expect(reply.split('\n')[0]).toBe('Staff stats for this month (2026-03-01 – 2026-03-04, Asia/Ho_Chi_Minh):');
    expect(reply).toContain('Lan (sales)\n  2 lead(s) added');
    expect(reply).toContain('Minh (sales)\n  1 lead(s) added · 2 order(s) from their customers · ₫800,000');
    expect(reply).toContain('  First response: median 2 h 0 min over 1 message(s)');
    expect(await chat.say(maiTg, 'stats year')).toMatch(/^Say week or month\nUsage: stats \[week\|month\]$/);
  });

  it('is for staff only', async () => {
    expect(await chat.say(customerTg, '/stats')).toBe('Sorry, that command is for staff only. Send "help" to see what you can do.');
  });
});
