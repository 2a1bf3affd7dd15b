/**
 * What the jobs tell staff is written in each reader's language: their own `lang`, else the shop's
 * `SHOP_LANGUAGE` (src/services/recipient-language.ts) — a follow-up reminder to a Vietnamese-speaking
 * salesperson is in Vietnamese, with Vietnamese dates and buttons, while a colleague's stays English;
 * a follow-up the CRM made itself reads in whoever's language it reaches. Argument errors and usage
 * lines of the follow-up, order and segment commands come from the catalogue in the reader's language.
 */
import { DateTime } from 'luxon';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import '../../models/index.js';
import { FollowUp } from '../../models/follow-up.js';
import { Staff } from '../../models/staff.js';
import { runJobOnce } from '../../jobs/agenda.js';
import { alertUnansweredComplaints, followUpQuietLeads } from '../../jobs/auto-follow-ups.js';
import { followUpReminders } from '../../jobs/follow-up-reminders.js';
import { messagesFor } from '../../src/core/messages.js';
import type { Reply } from '../../src/core/types.js';
import { upsertLead } from '../../src/services/contacts.js';
import { recordInteraction } from '../../src/services/interactions.js';
import { addStaff, backdateCustomer, createJobsTest, type StaffPerson } from '../support/jobs-fixtures.js';
import { useTestDatabase } from '../support/db.js';

useTestDatabase('job_languages');

const SAIGON = 'Asia/Ho_Chi_Minh';
const t = createJobsTest({ DEFAULT_TIMEZONE: SAIGON, SHOP_LANGUAGE: 'en', AUTO_FOLLOWUP_DAYS: '3' });
const saigon = (iso: string) => DateTime.fromISO(iso, { zone: SAIGON }).toJSDate();
const idIn = (text: string) => /\b(F[A-Z0-9]{6})\b/.exec(text)?.[1] ?? '';
const textOf = (r: Reply | undefined) => (r?.kind === 'text' ? r.text : '');
const labelsOf = (r: Reply | undefined) => (r?.kind === 'text' ? (r.buttons ?? []).flat().map((b) => b.label) : []);

let hoa: StaffPerson; // chose Vietnamese
let lan: StaffPerson; // chose nothing: the shop's English

beforeAll(async () => {
  hoa = await addStaff('s_hoa', 'Hoa', 'sales', SAIGON);
  lan = await addStaff('s_lan', 'Lan', 'sales', SAIGON);
  t.clock.now = saigon('2026-03-27T08:00');
  await upsertLead({ name: 'Nguyễn Thị Mai', phones: ['+84912345678'], emails: [], tags: [] }, 'staff:s_hoa', t.clock.now); // C1
  expect(await t.say(hoa, 'lang vi')).toMatch(/tiếng Việt/);
});

beforeEach(async () => {
  t.notifier.clear();
  await FollowUp.deleteMany({});
});

describe('follow-up reminders in the reader’s language', () => {
  it('reach a Vietnamese-speaking salesperson in Vietnamese and an English-speaking one in English', async () => {
    t.clock.now = saigon('2026-03-27T08:00'); // a Friday
    const vi = await t.say(hoa, 'followup C1 mai 9h gọi lại hỏi size');
    expect(vi).toMatch(/^Đã hẹn chăm sóc F[A-Z0-9]{6} cho C1 Nguyễn Thị Mai: /);
    const en = await t.say(lan, 'followup C1 tomorrow 9:00 send the catalogue');
    expect(en).toMatch(/^Follow-up F[A-Z0-9]{6} for C1 Nguyễn Thị Mai: Sat 2026-03-28 09:00/);

    await runJobOnce(followUpReminders, t.deps, { now: saigon('2026-03-28T09:00') });
    const due = saigon('2026-03-28T09:00');

    const [toHoa] = t.notifier.sent.filter((n) => n.to.kind === 'staff' && n.to.staffId === 's_hoa').map((n) => n.replies[0]);
    expect(textOf(toHoa)).toBe(`⏰ Chăm sóc C1 Nguyễn Thị Mai: gọi lại hỏi size (hạn ${messagesFor('vi').format.due(due, SAIGON)})`);
    expect(textOf(toHoa)).toContain('28/03/2026 09:00');
    expect(labelsOf(toHoa)).toEqual(['Xong', 'Hoãn 1 giờ', 'Hoãn 1 ngày', messagesFor('vi').openCustomerButton()]);

    const [toLan] = t.notifier.sent.filter((n) => n.to.kind === 'staff' && n.to.staffId === 's_lan').map((n) => n.replies[0]);
    expect(textOf(toLan)).toBe('⏰ Follow up with C1 Nguyễn Thị Mai: send the catalogue (due Sat 2026-03-28 09:00)');
    expect(labelsOf(toLan)).toEqual(['Done', 'Snooze 1 h', 'Snooze 1 day', 'Open customer']);
    expect(idIn(vi)).not.toBe(idIn(en));
  });

  it('a follow-up the CRM made for a quiet lead reads in the language of whoever it reaches', async () => {
    t.clock.now = saigon('2026-03-20T08:00');
    const lead = { name: 'Trần Văn Bình', phones: ['+84987654321'], emails: [], tags: [], ownerId: 's_hoa' };
    const { customer } = await upsertLead(lead, 'staff:s_hoa', t.clock.now);
    await backdateCustomer(customer._id, saigon('2026-03-20T08:00'));
    const now = saigon('2026-03-27T10:00');
    const job = { name: 'auto-follow-ups', data: {}, now, worker: 'test', touch: async () => undefined };
    expect(await followUpQuietLeads(job, t.deps)).toBe(1);

    await runJobOnce(followUpReminders, t.deps, { now });
    const reminder = textOf(t.notifier.sent[0]?.replies[0]);
    expect(t.notifier.sent[0]?.to).toEqual({ kind: 'staff', staffId: 's_hoa' });
    expect(reminder).toContain(`⏰ Chăm sóc ${customer._id} Trần Văn Bình: ${messagesFor('vi').followUp.autoLead(3)}`);
    // Hoa's list shows it in Vietnamese too; handed to Lan, it reads in English.
    expect(await t.say(hoa, 'followups')).toContain(messagesFor('vi').followUp.autoLead(3));
    await FollowUp.updateMany({}, { $set: { assigneeId: 's_lan' } });
    await Staff.updateOne({ _id: 's_lan' }, { $addToSet: { pendingFollowUpIds: `auto:lead:${customer._id}` } });
    expect(await t.say(lan, 'followups')).toContain(messagesFor('en').followUp.autoLead(3));
  });
});

describe('complaint re-alerts in the reader’s language', () => {
  it('reach each support member in the language they chose', async () => {
    const thu = await addStaff('s_thu', 'Thu', 'support', SAIGON);
    await addStaff('s_kim', 'Kim', 'support', SAIGON);
    expect(await t.say(thu, 'lang vi')).toMatch(/tiếng Việt/);
    const { customer } = await upsertLead({ name: 'Phạm Văn Nam', phones: ['+84933333333'], emails: [], tags: [] }, 'system', saigon('2026-04-05T08:00'));
    await recordInteraction({ customerId: customer._id, kind: 'complaint', text: 'hàng bị vỡ', priority: 'high', at: saigon('2026-04-05T09:00') });
    const job = { name: 'auto-follow-ups', data: {}, now: saigon('2026-04-06T09:00'), worker: 'test', touch: async () => undefined };
    expect(await alertUnansweredComplaints(job, t.deps)).toBe(2);
    const hours = t.deps.config.COMPLAINT_ALERT_HOURS;
    expect(t.notifier.textsFor('s_thu')).toEqual([messagesFor('vi').followUp.complaintAlert(customer._id, 'Phạm Văn Nam', hours, 'hàng bị vỡ')]);
    expect(t.notifier.textsFor('s_thu')[0]).toMatch(/^⚠️ Sau \d+ giờ vẫn chưa được trả lời/);
    expect(t.notifier.textsFor('s_kim')).toEqual([messagesFor('en').followUp.complaintAlert(customer._id, 'Phạm Văn Nam', hours, 'hàng bị vỡ')]);
  });
});

describe('argument errors and usage lines of the follow-up, order and segment commands', () => {
  it('are in the reader’s language', async () => {
    expect(await t.say(hoa, 'order C1')).toBe('Ghi số tiền, ví dụ 350k hoặc 1tr2\nCách dùng: order <khách hàng> <số tiền> [sản phẩm]');
    expect(await t.say(lan, 'order C1')).toBe('Give the amount, e.g. 350k\nUsage: order <customer> <amount> [items]');
    expect(await t.say(hoa, 'order status O1 bay')).toMatch(/^Trạng thái phải là một trong new, paid, shipped, delivered, cancelled .*\nCách dùng: order status <O7>/);
    expect(await t.say(hoa, 'lapsed 0')).toBe('Ít nhất 1 ngày\nCách dùng: lapsed [số ngày]');
    expect(await t.say(lan, 'lapsed abc')).toBe('Days must be a number, e.g. lapsed 60\nUsage: lapsed [days]');
    expect(await t.say(hoa, 'segment')).toBe('Cho biết nhóm khách nào, ví dụ "segment At risk"\nCách dùng: segment <tên nhóm> [sort value|recency] [page N]');
    expect(await t.say(hoa, 'help lapsed')).toContain('Cách dùng: lapsed [số ngày]');
    expect(await t.say(hoa, 'followup snooze')).toBe(
      'Cho biết lịch chăm sóc nào, ví dụ F7K2QM\nCách dùng: followup snooze <mã> <30m|1h|3h|1d|2d|1w|2 tiếng>',
    );
    expect(await t.say(lan, 'followup snooze')).toBe('Say which follow-up, e.g. F7K2QM\nUsage: followup snooze <id> <30m|1h|3h|1d|2d|1w>');
    expect(await t.say(hoa, 'followup')).toContain('Cách dùng: followup <khách hàng> <thời điểm> <việc cần làm>');
  });
});
