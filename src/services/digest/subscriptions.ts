/**
 * Managers' weekly digest subscriptions (`digest on|off`) and the send loop's
 * bookkeeping. The schedule lives in the manager's own zone; see
 * digest-schedule.ts for how the next run is computed.
 *
 * @example
 *   await subscribeDigest({ staffId: 's_1', timeZone: 'Europe/Berlin' }, { day: 1, time: '09:00' }, now);
 */
import { DigestSubscription, type DigestSubscriptionDoc } from '../../../models/digest-subscription.js';
import { nextDigestRun } from './schedule.js';
import { retryBusy } from '../../db/writes.js';

/** Subscribes (or reschedules) a staff member; returns the stored subscription. */
export async function subscribeDigest(
  staff: { staffId: string; timeZone: string },
  schedule: { day: number; time: string },
  now: Date,
): Promise<DigestSubscriptionDoc> {
  const doc = {
    day: schedule.day,
    time: schedule.time,
    timeZone: staff.timeZone,
    active: true,
    nextRunAt: nextDigestRun({ ...schedule, timeZone: staff.timeZone }, now),
    updatedAt: now,
  };
  await retryBusy(() => DigestSubscription.updateOne({ _id: staff.staffId }, { $set: doc }, { upsert: true }));
  return { _id: staff.staffId, ...doc };
}

/** Turns the digest off; false when there was no active subscription. */
export async function unsubscribeDigest(staffId: string, now: Date): Promise<boolean> {
  const result = await retryBusy(() => DigestSubscription.updateOne({ _id: staffId, active: true }, { $set: { active: false, updatedAt: now } }));
  return result.modifiedCount > 0;
}

/** Active subscriptions whose run time has come. */
export async function dueSubscriptions(now: Date): Promise<DigestSubscriptionDoc[]> {
  return DigestSubscription.find({ active: true, nextRunAt: { $lte: now } }).lean<DigestSubscriptionDoc[]>();
}

/**
 * Moves a subscription past the slot it ran for. Every worker computes the
 * same next run, so a repeated or concurrent call writes the same value.
 */
export async function advanceSubscription(sub: DigestSubscriptionDoc, slot: Date, now: Date, sent: boolean): Promise<Date> {
  const next = nextDigestRun({ day: sub.day, time: sub.time, timeZone: sub.timeZone }, now);
  await retryBusy(() =>
    DigestSubscription.updateOne({ _id: sub._id, nextRunAt: slot }, { $set: { nextRunAt: next, ...(sent ? { lastSentAt: now } : {}) } }),
  );
  return next;
}
