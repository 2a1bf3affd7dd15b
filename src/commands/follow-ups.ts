/**
 * Follow-up commands: `followup <customer> <when> <text>` (the time in English or Vietnamese,
 * src/values/when.ts: `tomorrow 10:00`, `2h`, `mai 9h`, `chiều nay 3h`, `2 tiếng nữa`), `followups`,
 * `followup done <id>`, `followup snooze <id> <1h|1d|…>` (the reminder's
 * buttons run the last two), and the digest's hidden `followups for C1 C2 …`.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { MANAGERS, STAFF, staffCommand } from '../core/command.js';
import { messagesFor } from '../core/messages.js';
import { text } from '../core/types.js';
import { followUpButtons, formatDue } from '../views/follow-ups.js';
import { followUpText } from '../views/follow-up-text.js';
import { ValidationError } from '../errors.js';
import { customersById, resolveCustomer } from '../services/contacts.js';
import { completeFollowUp, createFollowUp, listFollowUps, snoozeFollowUp } from '../services/follow-ups.js';
import { customerIdOf } from '../values/refs.js';
import { parseSpan, takeWhen } from '../values/when.js';
import { takeCustomerRef } from './args.js';
import { check } from './validate.js';

/** Usage lines come from the catalogue (the reader's are shown by the core: `usageOf`); these are the English ones. */
const usages = messagesFor('en').usages;
/** Longest follow-up text. */
const MAX_TEXT = 1000;
/** Most customers one digest button makes follow-ups for. */
const MAX_CUSTOMERS = 50;

export const followup = staffCommand({
  name: 'followup',
  aliases: ['follow-up', 'hẹn'],
  usage: usages.followup,
  summary: 'followup',
  examples: [
    'followup C12 tomorrow 10:00 call about the blue dress',
    'followup +84 912 345 678 in 3 days check the delivery',
    'followup "Anna Nguyen" fri 9am send the new catalogue',
    'followup C12 2026-12-01 14:30 confirm the wholesale order',
    'followup C12 2h call back',
    'followup C12 mai 9h gọi lại hỏi size',
    'followup C12 thứ hai tuần sau gửi mẫu mới',
  ],
  allow: STAFF,
  async run(ctx) {
    const { ref, rest } = takeCustomerRef(ctx.args, ctx.region);
    if (!ref) throw new ValidationError('customer', ctx.msg.commandArgs.whichCustomer());
    const now = ctx.deps.now();
    const { at, rest: body } = takeWhen(rest, { now, zone: ctx.zone, monthFirst: ctx.region === 'US' });
    const { what } = check(z.object({ what: z.string().min(1, ctx.msg.followUp.needText()).max(MAX_TEXT, ctx.msg.commandArgs.textTooLong(MAX_TEXT)) }), { what: body });
    const c = await resolveCustomer(ref, ctx.region);
    const { followUp } = await createFollowUp({ customerId: c._id, assigneeId: ctx.staff.staffId, dueAt: at, text: what, createdBy: ctx.by }, now);
    return [
      text(
        ctx.msg.followUp.created(followUp._id, c._id, c.name || ctx.msg.noName(), formatDue(at, ctx.zone), ctx.zone),
        followUpButtons(followUp._id, c._id, ctx.msg),
      ),
    ];
  },
});

export const followups = staffCommand({
  name: 'followups',
  usage: usages.followups,
  summary: 'followups',
  allow: STAFF,
  async run(ctx) {
    const items = await listFollowUps(ctx.staff.staffId, 30);
    if (items.length === 0) return [text(ctx.msg.followUp.listNone())];
    const names = await customerNames(items.map((f) => f.customerId));
    const now = ctx.deps.now().getTime();
    const days = ctx.deps.config.AUTO_FOLLOWUP_DAYS;
    const lines = items.map((f) =>
      ctx.msg.followUp.line(f._id, formatDue(f.dueAt, ctx.zone), f.customerId, names.get(f.customerId) || ctx.msg.noName(), followUpText(f, ctx.msg, days), f.dueAt.getTime() <= now),
    );
    const buttons = items.slice(0, 3).map((f) => [
      { label: `${ctx.msg.followUp.doneButton()} ${f._id}`, action: `followup done ${f._id}` },
      { label: ctx.msg.followUp.snoozeDayButton(), action: `followup snooze ${f._id} 1d` },
    ]);
    return [text([ctx.msg.followUp.listTitle(items.length), ...lines].join('\n'), buttons)];
  },
});

export const followupDone = staffCommand({
  name: 'followup done',
  usage: usages['followup done'],
  summary: 'followupDone',
  examples: ['followup done F7K2QM'],
  allow: STAFF,
  async run(ctx) {
    const { id } = check(z.object({ id: z.string().min(1, ctx.msg.commandArgs.whichFollowUp()) }), { id: ctx.args.trim() });
    const { followUp, already } = await completeFollowUp(id, ctx.actor, ctx.deps.now());
    return [text(already ? ctx.msg.followUp.alreadyDone(followUp._id) : ctx.msg.followUp.done(followUp._id))];
  },
});

export const followupSnooze = staffCommand({
  name: 'followup snooze',
  usage: usages['followup snooze'],
  summary: 'followupSnooze',
  examples: ['followup snooze F7K2QM 1h', 'followup snooze F7K2QM 2d', 'followup snooze F7K2QM 2 tiếng'],
  allow: STAFF,
  async run(ctx) {
    const [id = '', ...spanWords] = ctx.args.trim().split(/\s+/);
    const args = check(z.object({ id: z.string().min(1, ctx.msg.commandArgs.whichFollowUp()), span: z.string().min(1, ctx.msg.commandArgs.snoozeHowLong()) }), {
      id,
      span: spanWords.join(' '),
    });
    const f = await snoozeFollowUp(args.id, parseSpan(args.span), ctx.actor, ctx.deps.now(), ctx.zone);
    return [text(ctx.msg.followUp.snoozed(f._id, formatDue(f.dueAt, ctx.zone)))];
  },
});

/**
 * The digest's "Create follow-ups for these" button: one follow-up per
 * customer for its owner (the manager pressing it when nobody owns the
 * customer), due now. Keyed by customer and day, so a second tap (or two
 * managers tapping) creates nothing twice.
 */
export const followupsFor = staffCommand({
  name: 'followups for',
  usage: usages['followups for'],
  summary: 'followupsFor',
  allow: MANAGERS,
  hidden: true,
  async run(ctx) {
    const parsed = ctx.args.split(/[\s,]+/).filter(Boolean).map((r) => customerIdOf(r));
    if (parsed.length === 0 || parsed.some((id) => id === undefined)) throw new ValidationError('customers', ctx.msg.commandArgs.customerList());
    const ids = [...new Set(parsed as string[])];
    if (ids.length > MAX_CUSTOMERS) throw new ValidationError('customers', ctx.msg.commandArgs.customersAtMost(MAX_CUSTOMERS));
    const now = ctx.deps.now();
    const day = DateTime.fromJSDate(now).setZone(ctx.zone).toISODate();
    const customers = [...(await customersById(ids, { name: 1, ownerId: 1 })).values()];
    let created = 0;
    for (const c of customers) {
      const result = await createFollowUp(
        {
          id: `lapsed:${c._id}:${day}`,
          customerId: c._id,
          assigneeId: c.ownerId ?? ctx.staff.staffId,
          dueAt: now,
          text: ctx.msg.followUp.lapsed(),
          createdBy: ctx.by,
          source: 'lapsed',
        },
        now,
      );
      if (result.created) created++;
    }
    return [text(ctx.msg.followUp.lapsedCreated(created, customers.length - created))];
  },
});

async function customerNames(ids: string[]): Promise<Map<string, string>> {
  const docs = await customersById(ids, { name: 1 });
  return new Map([...docs.values()].map((d) => [d._id, d.name]));
}
