/**
 * Follow-ups: "get back to this customer at that time". Created by staff
 * (`followup C12 tomorrow 10:00 call back`), by the automatic job (a lead left
 * alone, `_id: auto:lead:<customerId>`) or from the digest's lapsed list;
 * reminded once per due time by jobs/follow-up-reminders.ts.
 *
 * @example
 *   const f = await createFollowUp({ customerId: 'C12', assigneeId: 's_1', dueAt, text: 'call back', createdBy: 'staff:s_1' }, now);
 *   await snoozeFollowUp(f._id, parseSpan('1h'), actor, now);
 */
import { randomBytes } from 'node:crypto';
import { FollowUp, type FollowUpDoc } from '../../models/follow-up.js';
import { Staff } from '../../models/staff.js';
import type { Actor } from '../core/actor.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { addSpan, type Span } from '../values/when.js';
import { isDuplicateKey, retryBusy } from '../db/writes.js';

export interface FollowUpInput {
  customerId: string;
  assigneeId: string;
  dueAt: Date;
  text: string;
  createdBy: string;
  source?: 'manual' | 'auto-lead' | 'lapsed';
  /** A deterministic id makes creation idempotent (`auto:lead:12`); omit for a fresh code. */
  id?: string;
}

/** Follow-ups still to do (open or snoozed). */
export const PENDING = ['open', 'snoozed'] as const;

// Crockford-style alphabet: no 0/O, 1/I confusion when typed from a phone.
const ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';

/** A short code like `F7K2QM`. */
export function newFollowUpId(): string {
  return `F${[...randomBytes(6)].map((b) => ALPHABET[b % ALPHABET.length]).join('')}`;
}

/**
 * Creates a follow-up. With a deterministic `id`, a second call returns
 * `{ created: false }` and the existing one (insert-or-skip on `_id`).
 */
export async function createFollowUp(input: FollowUpInput, now: Date): Promise<{ followUp: FollowUpDoc; created: boolean }> {
  for (let attempt = 0; ; attempt++) {
    const id = input.id ?? newFollowUpId();
    const doc = {
      _id: id,
      customerId: input.customerId,
      assigneeId: input.assigneeId,
      dueAt: input.dueAt,
      text: input.text,
      status: 'open' as const,
      createdBy: input.createdBy,
      source: input.source ?? 'manual',
      createdAt: now,
    };
    try {
      await retryBusy(() => FollowUp.create(doc));
      await Staff.updateOne({ _id: input.assigneeId }, { $addToSet: { pendingFollowUpIds: id } });
      return { followUp: doc, created: true };
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      if (input.id) return { followUp: await getFollowUp(input.id), created: false };
      if (attempt >= 3) throw error;
    }
  }
}

/** One follow-up by its code (case-insensitive for typed codes). */
export async function getFollowUp(id: string): Promise<FollowUpDoc> {
  const ref = id.trim();
  const found =
    (await FollowUp.findById(ref).lean<FollowUpDoc>()) ??
    (/^f[a-z0-9]{6}$/i.test(ref) ? await FollowUp.findById(ref.toUpperCase()).lean<FollowUpDoc>() : null);
  if (!found) throw new NotFoundError({ code: 'FOLLOW_UP_NOT_FOUND', params: { ref } });
  return found;
}

/** How many pending follow-ups of one person `followups` reads at most (the earliest-due of these are listed). */
const MAX_PENDING_READ = 200;

/**
 * A staff member's pending follow-ups, earliest due first (so overdue ones lead): the ids listed
 * on the staff document, each read by `_id` — never a scan of all follow-ups.
 */
export async function listFollowUps(assigneeId: string, limit = 50): Promise<FollowUpDoc[]> {
  const staff = await Staff.findById(assigneeId, { pendingFollowUpIds: 1 }).lean<{ pendingFollowUpIds?: string[] }>();
  const ids = (staff?.pendingFollowUpIds ?? []).slice(-MAX_PENDING_READ);
  const docs: FollowUpDoc[] = [];
  for (let i = 0; i < ids.length; i += 20) {
    const batch = await Promise.all(ids.slice(i, i + 20).map((id) => FollowUp.findById(id).lean<FollowUpDoc>()));
    for (const f of batch) if (f && f.assigneeId === assigneeId && (PENDING as readonly string[]).includes(f.status)) docs.push(f);
  }
  return docs.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime()).slice(0, limit);
}

/** Pending follow-ups due by `now` whose reminder has not gone out, earliest first. */
export async function dueForReminder(now: Date, limit = 500): Promise<FollowUpDoc[]> {
  return FollowUp.find({ status: { $in: PENDING }, dueAt: { $lte: now }, remindedAt: { $exists: false } })
    .sort({ dueAt: 1 })
    .limit(limit)
    .lean<FollowUpDoc[]>();
}

/** Records that the reminder for this due time went out (or was found already sent by another worker). */
export async function markReminded(id: string, dueAt: Date, now: Date): Promise<void> {
  // Conditional on dueAt: a snooze that moved it meanwhile keeps its own reminder pending.
  await retryBusy(() => FollowUp.updateOne({ _id: id, dueAt }, { $set: { remindedAt: now } }));
}

function mayChange(f: FollowUpDoc, actor: Actor): void {
  if (actor.kind !== 'staff') throw new ForbiddenError({ code: 'COMMAND_NOT_ALLOWED', params: { command: 'followup' } });
  if (f.assigneeId !== actor.staffId && actor.role !== 'owner' && actor.role !== 'manager') {
    throw new ForbiddenError({ code: 'FOLLOW_UP_NOT_YOURS' });
  }
}

/** Marks a follow-up done. Done twice is fine (a second button tap) and reports `already`. */
export async function completeFollowUp(id: string, actor: Actor, now: Date): Promise<{ followUp: FollowUpDoc; already: boolean }> {
  const f = await getFollowUp(id);
  mayChange(f, actor);
  if (f.status === 'done') return { followUp: f, already: true };
  if (f.status === 'cancelled') throw new ValidationError('follow-up', { code: 'FOLLOW_UP_CANCELLED', params: { ref: f._id } });
  await retryBusy(() => FollowUp.updateOne({ _id: f._id }, { $set: { status: 'done', doneAt: now } }));
  await Staff.updateOne({ _id: f.assigneeId }, { $pull: { pendingFollowUpIds: f._id } });
  return { followUp: { ...f, status: 'done', doneAt: now }, already: false };
}

/**
 * Snoozes: due again `span` after now (days keep the local clock time in the
 * assignee's zone), and a fresh reminder at that time.
 */
export async function snoozeFollowUp(id: string, span: Span, actor: Actor, now: Date, zone: string): Promise<FollowUpDoc> {
  const f = await getFollowUp(id);
  mayChange(f, actor);
  if (f.status === 'done' || f.status === 'cancelled') throw new ValidationError('follow-up', { code: 'FOLLOW_UP_CLOSED', params: { ref: f._id, status: f.status } });
  const dueAt = addSpan(now, span, zone);
  await retryBusy(() => FollowUp.updateOne({ _id: f._id }, { $set: { status: 'snoozed', dueAt }, $unset: { remindedAt: '' } }));
  return { ...f, status: 'snoozed', dueAt, remindedAt: undefined };
}
