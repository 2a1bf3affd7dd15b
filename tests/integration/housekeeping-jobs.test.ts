/**
 * The housekeeping jobs: cleanup removes what a TTL index would have removed
 * (and nothing younger), and the nightly segment recompute runs once per
 * local day, after 02:00 in the shop's zone.
 */
import '../../models/index.js';
import { describe, expect, it } from 'vitest';
import { Invite } from '../../models/invite.js';
import { LeadQuestion } from '../../models/lead-question.js';
import { ProcessedDelivery } from '../../models/processed-delivery.js';
import { SegmentRun } from '../../models/segment-state.js';
import { TelegramCallback } from '../../models/telegram-callback.js';
import { runJobOnce } from '../../jobs/agenda.js';
import { cleanup } from '../../jobs/cleanup.js';
import { dueSince, segmentRecompute } from '../../jobs/segment-recompute.js';
import { useTestDatabase } from '../support/db.js';
import { createJobsTest } from '../support/jobs-fixtures.js';

useTestDatabase('housekeeping_jobs');

const day = 24 * 3_600_000;

describe('cleanup job', () => {
  it('removes expired codes, week-old delivery records and month-old button actions and lead questions, and keeps the rest', async () => {
    const t = createJobsTest();
    const now = new Date('2026-12-10T12:00:00Z');
    await Invite.create([
      { _id: 'OLDCODE1', kind: 'invite', role: 'sales', createdBy: 's_1', expiresAt: new Date(now.getTime() - 1000) },
      { _id: 'NEWCODE1', kind: 'link', createdBy: 's_1', expiresAt: new Date(now.getTime() + day) },
    ]);
    await ProcessedDelivery.create([
      { _id: 'tg:1:old', at: new Date(now.getTime() - 8 * day) },
      { _id: 'tg:1:new', at: new Date(now.getTime() - 1 * day) },
    ]);
    await TelegramCallback.create([
      { _id: 'h-old', action: 'customer C1', at: new Date(now.getTime() - 31 * day) },
      { _id: 'h-new', action: 'customer C2', at: new Date(now.getTime() - 2 * day) },
    ]);
    const lead = { kind: 'same-name', input: { name: 'Hoa', phones: [], emails: [], tags: [] }, by: 'staff:s_1' } as const;
    await LeadQuestion.create([
      { _id: 'Qold', ...lead, createdAt: new Date(now.getTime() - 31 * day) },
      { _id: 'Qnew', ...lead, createdAt: new Date(now.getTime() - 2 * day) },
    ]);
    await runJobOnce(cleanup, t.deps, { now });
    expect((await Invite.find().lean()).map((d) => d._id)).toEqual(['NEWCODE1']);
    expect((await LeadQuestion.find().lean()).map((d) => d._id)).toEqual(['Qnew']);
    expect((await ProcessedDelivery.find().lean()).map((d) => d._id)).toEqual(['tg:1:new']);
    expect((await TelegramCallback.find().lean()).map((d) => d._id)).toEqual(['h-new']);
    // Running it again changes nothing.
    await runJobOnce(cleanup, t.deps, { now });
    expect(await Invite.countDocuments()).toBe(1);
  });
});

describe('segment recompute job', () => {
  it('is due from 02:00 local: before that the previous day’s slot counts', () => {
    // 01:30 in Berlin (UTC+1): today's 02:00 has not come yet, so yesterday's slot is the due one.
    expect(dueSince(new Date('2026-12-10T00:30:00Z'), 'Europe/Berlin').toISOString()).toBe('2026-12-09T01:00:00.000Z');
    expect(dueSince(new Date('2026-12-10T01:30:00Z'), 'Europe/Berlin').toISOString()).toBe('2026-12-10T01:00:00.000Z');
    expect(dueSince(new Date('2026-12-10T01:30:00Z'), 'Asia/Ho_Chi_Minh').toISOString()).toBe('2026-12-09T19:00:00.000Z');
  });

  it('recomputes once per local day however often it is run', async () => {
    const t = createJobsTest({ DEFAULT_TIMEZONE: 'Asia/Ho_Chi_Minh' });
    const first = new Date('2026-12-10T03:00:00Z');
    await runJobOnce(segmentRecompute, t.deps, { now: first });
    const run1 = await SegmentRun.findById('latest').lean();
    expect(run1?.at?.toISOString()).toBe(first.toISOString());
    await runJobOnce(segmentRecompute, t.deps, { now: new Date('2026-12-10T10:00:00Z') });
    expect((await SegmentRun.findById('latest').lean())?.at?.toISOString()).toBe(first.toISOString());
    const nextDay = new Date('2026-12-11T03:00:00Z');
    await runJobOnce(segmentRecompute, t.deps, { now: nextDay });
    expect((await SegmentRun.findById('latest').lean())?.at?.toISOString()).toBe(nextDay.toISOString());
  });
});
