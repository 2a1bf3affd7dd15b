import { DateTime } from 'luxon';
import mongoose from 'mongoose';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Customer } from '../../models/customer.js';
import { FollowUp } from '../../models/follow-up.js';
import { Interaction } from '../../models/interaction.js';
import '../../models/index.js';
import { Outbox } from '../../models/outbox.js';
import { createAgenda, runJobOnce, type JobDefinition } from '../../jobs/agenda.js';
import { alertUnansweredComplaints, autoFollowUps, followUpQuietLeads } from '../../jobs/auto-follow-ups.js';
import { followUpReminders } from '../../jobs/follow-up-reminders.js';
import '../../models/follow-up.js';
import '../../models/outbox.js';
import { upsertLead } from '../../src/services/contacts.js';
import { recordInteraction } from '../../src/services/interactions.js';
import { addStaff, backdateCustomer, createJobsTest, type StaffPerson } from '../support/jobs-fixtures.js';
import { useTestDatabase } from '../support/db.js';

useTestDatabase('follow_ups');

const BERLIN = 'Europe/Berlin';
const t = createJobsTest({ DEFAULT_TIMEZONE: BERLIN, AUTO_FOLLOWUP_DAYS: '3', COMPLAINT_ALERT_HOURS: '4' });
const berlin = (iso: string) => DateTime.fromISO(iso, { zone: BERLIN }).toJSDate();
const idIn = (text: string) => /Follow-up (F[A-Z0-9]{6})/.exec(text)?.[1] ?? '';

let lan: StaffPerson;
let mai: StaffPerson;
let boss: StaffPerson;

beforeAll(async () => {
  lan = await addStaff('s_lan', 'Lan', 'sales', BERLIN);
  mai = await addStaff('s_mai', 'Mai', 'support', 'America/New_York');
  boss = await addStaff('s_boss', 'Boss', 'manager', BERLIN);
  t.clock.now = berlin('2026-03-20T08:00');
  await upsertLead({ name: 'Anna Nguyen', phones: ['+84912345678'], emails: [], tags: [] }, 'staff:s_lan', t.clock.now); // C1
});

beforeEach(() => t.notifier.clear());

describe('followup command through core.handle', () => {
  it('creates a follow-up in the staff member’s zone and lists it', async () => {
    t.clock.now = berlin('2026-03-28T12:00'); // Saturday; clocks go forward tonight
    const reply = await t.say(lan, 'followup C1 tomorrow 10:00 call about the blue dress');
    expect(reply).toMatch(/^Follow-up F[A-Z0-9]{6} for C1 Anna Nguyen: Sun 2026-03-29 10:00 \(Europe\/Berlin\)\.$/);
    const f = await FollowUp.findById(idIn(reply)).lean();
    expect(f).toMatchObject({ customerId: 'C1', assigneeId: 's_lan', status: 'open', text: 'call about the blue dress', createdBy: 'staff:s_lan' });
    expect(f!.dueAt.toISOString()).toBe('2026-03-29T08:00:00.000Z'); // 10:00 CEST
    expect(await t.say(lan, 'followups')).toContain(`${idIn(reply)} · Sun 2026-03-29 10:00 · C1 Anna Nguyen · call about the blue dress`);
    await FollowUp.deleteMany({});
  });

  it('answers an unreadable time with examples and the usage line', async () => {
    const reply = await t.say(lan, 'followup C1 someday call back');
    expect(reply).toContain('I can\'t read "someday call back" as a time');
    expect(reply).toContain('"tomorrow 10:00"');
    expect(reply).toContain('Usage: followup <customer> <when> <what to do>');
    expect(await t.say(lan, 'followup C1 tomorrow 10:00')).toContain('Say what to do after the time');
  });

  it('lists overdue follow-ups first and only the caller’s own', async () => {
    t.clock.now = berlin('2026-03-28T12:00');
    const later = idIn(await t.say(lan, 'followup C1 in 3 days later one'));
    const soon = idIn(await t.say(lan, 'followup C1 in 1 hour soon one'));
    await t.say(boss, 'followup C1 in 2 hours boss one');
    t.clock.now = berlin('2026-03-28T14:00');
    const list = (await t.say(lan, 'followups')).split('\n');
    expect(list[0]).toBe('Your follow-ups (2), earliest first:');
    expect(list[1]).toMatch(new RegExp(`^⏰ overdue · ${soon} `));
    expect(list[2]).toMatch(new RegExp(`^${later} `));
    await FollowUp.deleteMany({});
  });
});

describe('follow-up reminders', () => {
  it('are delivered once, at the due local time, with Done / Snooze / Open buttons', async () => {
    t.clock.now = berlin('2026-03-28T12:00');
    const id = idIn(await t.say(lan, 'followup C1 tomorrow 10:00 call back'));
    const run = (iso: string) => runJobOnce(followUpReminders, t.deps, { now: berlin(iso) });

    await run('2026-03-29T09:59');
    expect(t.notifier.sent).toHaveLength(0);
    await run('2026-03-29T10:00');
    expect(t.notifier.sent).toHaveLength(1);
    const sent = t.notifier.sent[0]!;
    expect(sent.to).toEqual({ kind: 'staff', staffId: 's_lan' });
    const reply = sent.replies[0]!;
    expect(reply.kind === 'text' && reply.text).toBe('⏰ Follow up with C1 Anna Nguyen: call back (due Sun 2026-03-29 10:00)');
    expect(reply.kind === 'text' && reply.buttons).toEqual([
      [
        { label: 'Done', action: `followup done ${id}` },
        { label: 'Snooze 1 h', action: `followup snooze ${id} 1h` },
        { label: 'Snooze 1 day', action: `followup snooze ${id} 1d` },
      ],
      [{ label: 'Open customer', action: 'customer C1' }],
    ]);
    // Later runs, and a run that lost its remindedAt write, send nothing again.
    await run('2026-03-29T10:01');
    await FollowUp.updateOne({ _id: id }, { $unset: { remindedAt: '' } });
    await run('2026-03-29T10:02');
    expect(t.notifier.sent).toHaveLength(1);
    expect(await Outbox.findById(`reminder:${id}:${berlin('2026-03-29T10:00').getTime()}`).lean()).toMatchObject({ state: 'sent', kind: 'follow-up-reminder' });
    await FollowUp.deleteMany({});
  });

  it('snooze 1 h reminds again an hour later; done stops reminders', async () => {
    t.clock.now = berlin('2026-03-30T08:00');
    const id = idIn(await t.say(lan, 'followup C1 today 9:00 send the catalogue'));
    await runJobOnce(followUpReminders, t.deps, { now: berlin('2026-03-30T09:00') });
    expect(t.notifier.sent).toHaveLength(1);

    t.clock.now = berlin('2026-03-30T09:02');
    expect(await t.say(lan, `followup snooze ${id} 1h`)).toBe(`${id} snoozed until Mon 2026-03-30 10:02; you'll be reminded then.`);
    await runJobOnce(followUpReminders, t.deps, { now: berlin('2026-03-30T10:01') });
    expect(t.notifier.sent).toHaveLength(1);
    await runJobOnce(followUpReminders, t.deps, { now: berlin('2026-03-30T10:02') });
    expect(t.notifier.sent).toHaveLength(2);

    t.clock.now = berlin('2026-03-30T10:05');
    expect(await t.say(lan, `followup snooze ${id} 1d`)).toBe(`${id} snoozed until Tue 2026-03-31 10:05; you'll be reminded then.`);
    expect(await t.say(lan, `followup done ${id}`)).toBe(`Done: ${id}. Nice work.`);
    expect(await t.say(lan, `followup done ${id}`)).toBe(`${id} was already done.`);
    await runJobOnce(followUpReminders, t.deps, { now: berlin('2026-04-01T12:00') });
    expect(t.notifier.sent).toHaveLength(2);
    expect(await FollowUp.findById(id).lean()).toMatchObject({ status: 'done', doneAt: berlin('2026-03-30T10:05') });
    expect(await t.say(mai, `followup done ${id}`)).toMatch(/your role cannot use "change someone else’s follow-up"/);
    await FollowUp.deleteMany({});
  });

  it('two concurrent runs of the job body never send a reminder twice', async () => {
    const due = berlin('2026-04-02T09:00');
    await FollowUp.insertMany(
      Array.from({ length: 12 }, (_, i) => ({ _id: `Frace${i}`, customerId: 'C1', assigneeId: 's_lan', dueAt: due, text: `race ${i}`, status: 'open', createdBy: 'test', createdAt: due })),
    );
    t.notifier.delayMs = 15; // a slow platform widens the window between finding and claiming
    try {
      const now = berlin('2026-04-02T09:01');
      await Promise.all([
        runJobOnce(followUpReminders, t.deps, { now, worker: 'w1' }),
        runJobOnce(followUpReminders, t.deps, { now, worker: 'w2' }),
        runJobOnce(followUpReminders, t.deps, { now, worker: 'w3' }),
      ]);
    } finally {
      t.notifier.delayMs = 0;
    }
    const texts = t.notifier.textsFor('s_lan');
    expect(texts).toHaveLength(12);
    expect(new Set(texts).size).toBe(12);
    await FollowUp.deleteMany({});
  });
});

describe('automatic follow-ups and complaint alerts', () => {
  it('a lead with no interaction for 3 days gets one follow-up for its owner', async () => {
    const created = berlin('2026-04-01T10:00');
    const quiet = (await upsertLead({ name: 'Quiet Lead', phones: ['+84911111111'], emails: [], tags: [], ownerId: 's_lan' }, 'staff:s_lan', created)).customer;
    const talked = (await upsertLead({ name: 'Talked Lead', phones: ['+84922222222'], emails: [], tags: [], ownerId: 's_lan' }, 'staff:s_lan', created)).customer;
    await backdateCustomer(quiet._id, created);
    await backdateCustomer(talked._id, created);
    await recordInteraction({ customerId: talked._id, kind: 'message', text: 'hi', at: berlin('2026-04-03T10:00') });

    const job = { name: 'auto-follow-ups', data: {}, worker: 'test', touch: async () => {} };
    expect(await followUpQuietLeads({ ...job, now: berlin('2026-04-04T09:00') }, t.deps)).toBe(0); // not 3 days yet
    expect(await followUpQuietLeads({ ...job, now: berlin('2026-04-04T10:30') }, t.deps)).toBe(1);
    expect(await followUpQuietLeads({ ...job, now: berlin('2026-04-04T11:30') }, t.deps)).toBe(0); // once
    const f = await FollowUp.findById(`auto:lead:${quiet._id}`).lean();
    expect(f).toMatchObject({ customerId: quiet._id, assigneeId: 's_lan', status: 'open', source: 'auto-lead', text: 'New lead with no contact for 3 day(s) — reach out.' });
    expect(await FollowUp.countDocuments({ customerId: talked._id })).toBe(0);
    await runJobOnce(followUpReminders, t.deps, { now: berlin('2026-04-04T11:31') });
    expect(t.notifier.textsFor('s_lan')).toEqual([`⏰ Follow up with ${quiet._id} Quiet Lead: New lead with no contact for 3 day(s) — reach out. (due Sat 2026-04-04 10:30)`]);
    await Customer.deleteMany({ _id: { $in: [quiet._id, talked._id] } });
    await FollowUp.deleteMany({});
  });

  it('a complaint without a reply after 4 hours alerts support again, once; an answered one does not', async () => {
    const open = (await upsertLead({ name: 'Angry', phones: ['+84933333333'], emails: [], tags: [] }, 'system', berlin('2026-04-05T08:00'))).customer;
    const handled = (await upsertLead({ name: 'Calmed', phones: ['+84944444444'], emails: [], tags: [] }, 'system', berlin('2026-04-05T08:00'))).customer;
    await recordInteraction({ customerId: open._id, kind: 'complaint', text: 'the parcel arrived broken', priority: 'high', at: berlin('2026-04-05T09:00') });
    await recordInteraction({ customerId: handled._id, kind: 'complaint', text: 'wrong item', priority: 'high', at: berlin('2026-04-05T09:00') });
    // A note alone is not an answer (the customer never sees it); the reply is.
    await recordInteraction({ customerId: handled._id, kind: 'note', text: 'called, sending the right one', staffId: 's_mai', at: berlin('2026-04-05T09:59') });
    await recordInteraction({ customerId: handled._id, kind: 'reply', text: 'We are sending the right one today.', staffId: 's_mai', at: berlin('2026-04-05T10:00') });

    const job = { name: 'auto-follow-ups', data: {}, worker: 'test', touch: async () => {} };
    expect(await alertUnansweredComplaints({ ...job, now: berlin('2026-04-05T12:59') }, t.deps)).toBe(0);
    expect(await alertUnansweredComplaints({ ...job, now: berlin('2026-04-05T13:00') }, t.deps)).toBe(1);
    await runJobOnce(autoFollowUps, t.deps, { now: berlin('2026-04-05T14:00') });
    expect(t.notifier.textsFor('s_mai')).toEqual([
      `⚠️ Still unanswered after 4 h — complaint from ${open._id} Angry: the parcel arrived broken\nReply to the customer (reply ${open._id} …) when handled.`,
    ]);
    await Interaction.deleteMany({});
  });
});

describe('on real Agenda against the test database', () => {
  it('defines, schedules now, starts, completes and stops a job', async () => {
    const ran: number[] = [];
    const probe: JobDefinition<{ n: number }> = { name: 'probe', lockLifetime: 2000, run: async (job) => void ran.push(job.data.n) };
    const jobs = await createAgenda({ deps: t.deps, definitions: [probe], processEvery: 100, name: 'test-probe', collection: 'agendaJobs_probe' });
    const completed = new Promise<void>((resolve) => jobs.agenda.once('complete:probe', () => resolve()));
    await jobs.now('probe', { n: 7 });
    await jobs.startWorker();
    await completed;
    await jobs.stop();
    expect(ran).toEqual([7]);
    const [doc] = await mongoose.connection.db!.collection('agendaJobs_probe').find({ name: 'probe' }).toArray();
    expect(doc).toMatchObject({ name: 'probe', lockedAt: null, lastModifiedBy: 'test-probe' });
    expect(doc!.lastFinishedAt).toBeInstanceOf(Date);
  });

  it('stop() lets a running job finish and releases jobs it locked but did not start', async () => {
    const finished: string[] = [];
    // The running job holds until stop() has begun draining, so it is still running when stop() is called.
    let release!: () => void;
    const draining = new Promise<void>((resolve) => (release = resolve));
    const slow: JobDefinition<{ id: string }> = {
      name: 'slow',
      concurrency: 1,
      lockLifetime: 5000,
      run: async (job) => {
        await draining;
        finished.push(job.data.id);
      },
    };
    const jobs = await createAgenda({ deps: t.deps, definitions: [slow], processEvery: 100, name: 'test-slow', collection: 'agendaJobs_slow' });
    await jobs.now('slow', { id: 'a' });
    await jobs.now('slow', { id: 'b' });
    const started = new Promise<void>((resolve) => jobs.agenda.once('start:slow', () => resolve()));
    await jobs.startWorker();
    await started;
    // The second run is fetched and locked by this worker, waiting for concurrency: poll until both are locked.
    const slowJobs = mongoose.connection.db!.collection('agendaJobs_slow');
    await vi.waitFor(
      async () => expect(await slowJobs.countDocuments({ name: 'slow', lockedAt: { $ne: null }, lastModifiedBy: 'test-slow' })).toBe(2),
      { timeout: 5000, interval: 20 },
    );
    expect(finished).toEqual([]); // one is running (held), the other locked and waiting
    const drain = jobs.agenda.drain.bind(jobs.agenda);
    jobs.agenda.drain = (options) => {
      const drained = drain(options); // stops fetching and starting jobs at once, then waits for the running one
      release();
      return drained;
    };
    const result = await jobs.stop({ timeoutMs: 5000 });
    expect(result.timedOut).toBe(false);
    expect(finished).toHaveLength(1); // the running one finished; the waiting one never started
    const docs = await mongoose.connection.db!.collection('agendaJobs_slow').find({ name: 'slow' }).toArray();
    expect(docs).toHaveLength(2);
    expect(docs.every((d) => d.lockedAt == null)).toBe(true); // nothing left locked for lockLifetime
  });

  it('two Agenda workers on one database deliver each reminder exactly once', async () => {
    t.clock.now = berlin('2026-04-10T09:05');
    const due = berlin('2026-04-10T09:00');
    await FollowUp.insertMany(
      Array.from({ length: 10 }, (_, i) => ({ _id: `Ftwo${i}`, customerId: 'C1', assigneeId: 's_lan', dueAt: due, text: `two workers ${i}`, status: 'open', createdBy: 'test', createdAt: due })),
    );
    t.notifier.delayMs = 10;
    const reminders = { ...followUpReminders, lockLifetime: 2000 };
    const a = await createAgenda({ deps: t.deps, definitions: [reminders], processEvery: 100, name: 'worker-a', collection: 'agendaJobs_two' });
    const b = await createAgenda({ deps: t.deps, definitions: [reminders], processEvery: 100, name: 'worker-b', collection: 'agendaJobs_two' });
    let completions = 0;
    const enough = new Promise<void>((resolve) => {
      const count = () => {
        if (++completions >= 4) resolve();
      };
      a.agenda.on('complete:follow-up-reminders', count);
      b.agenda.on('complete:follow-up-reminders', count);
    });
    try {
      await Promise.all([a.startWorker(), b.startWorker()]);
      // Extra runs queued by both, so the workers race on the same follow-ups.
      await Promise.all([a.now('follow-up-reminders'), b.now('follow-up-reminders'), a.now('follow-up-reminders')]);
      await enough;
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      t.notifier.delayMs = 0;
    }
    const texts = t.notifier.textsFor('s_lan').filter((x) => x.includes('two workers'));
    expect(texts).toHaveLength(10);
    expect(new Set(texts).size).toBe(10);
  }, 60_000);
});
