/**
 * Send-once for jobs: every message a job sends goes through {@link sendOnce}
 * with a key that names the message (not the attempt), so a job that runs
 * twice, on two workers at once, or is killed and retried, sends it once.
 *
 * The guarantee is **at-most-once per key**:
 * 1. claim — insert `{_id: key, state: 'sending'}`; E11000 means another run
 *    claimed it, so we send nothing (`duplicate`);
 * 2. send through the Notifier;
 * 3. record `sent` or `failed` (with the platform's reason).
 * A crash between 1 and 3 leaves a `sending` record and the message is not
 * retried: we cannot know whether the platform delivered it, and a duplicate
 * reminder or digest is worse than a missing one that still shows in
 * `followups`. {@link staleSends} lists those records for a human.
 *
 * Jobs that tell staff something use `sendToStaffOnce` (./staff-notices.ts),
 * which loads and filters the recipients and sends each through this.
 *
 * Why an insert: on FerretDB v1 only a unique `_id` insert is atomic across
 * connections; conditional updates and findOneAndUpdate can have two winners.
 *
 * @example
 *   const r = await sendOnce({ key: `reminder:${f._id}:${f.dueAt.getTime()}`, kind: 'follow-up-reminder',
 *     to: { kind: 'staff', staffId: f.assigneeId }, replies, notifier: deps.notifier, now, by: job.worker });
 *   if (r.status === 'duplicate') …
 */
import { Outbox, type OutboxDoc } from '../../models/outbox.js';
import type { Notifier, Recipient, Reply } from '../core/types.js';
import { isDuplicateKey, retryBusy } from '../db/writes.js';

export interface SendOnceInput {
  /** What makes this message unique, e.g. `reminder:<followUpId>:<dueAt ms>`. */
  key: string;
  /** A short label for the record (`follow-up-reminder`, `digest`, …). */
  kind: string;
  to: Recipient;
  replies: Reply[];
  notifier: Notifier;
  now: Date;
  /** The worker or command that claims it (for tracing). */
  by?: string;
}

export type SendOnceResult =
  | { status: 'sent'; platform?: string }
  | { status: 'failed'; reason: string; permanent: boolean }
  | { status: 'duplicate' };

/** Sends `replies` to `to` unless a message with this `key` was already claimed. */
export async function sendOnce(input: SendOnceInput): Promise<SendOnceResult> {
  if (!(await claimSend(input.key, input.kind, input.to, input.now, input.by))) return { status: 'duplicate' };
  let result;
  try {
    result = await input.notifier.notify(input.to, input.replies);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await finishSend(input.key, { state: 'failed', reason, finishedAt: new Date() });
    return { status: 'failed', reason, permanent: false };
  }
  if (result.ok) {
    await finishSend(input.key, { state: 'sent', platform: result.platform, finishedAt: new Date() });
    return { status: 'sent', platform: result.platform };
  }
  const reason = result.reason ?? 'not delivered';
  await finishSend(input.key, { state: 'failed', reason, platform: result.platform, finishedAt: new Date() });
  return { status: 'failed', reason, permanent: result.permanent ?? false };
}

/**
 * Claims a send key: true for the first caller, false for everyone after
 * (also across processes). Exposed for senders that render their message
 * only after winning the claim.
 */
export async function claimSend(key: string, kind: string, to: Recipient, now: Date, by?: string): Promise<boolean> {
  try {
    await retryBusy(() => Outbox.create({ _id: key, kind, to: recipientRef(to), state: 'sending', claimedAt: now, claimedBy: by }));
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

/** Records how a claimed send ended. */
export async function finishSend(key: string, set: { state: 'sent' | 'failed'; finishedAt: Date; platform?: string; reason?: string }): Promise<void> {
  await retryBusy(() => Outbox.updateOne({ _id: key }, { $set: set }));
}

/** Whether a key was claimed already (a cheap check before expensive rendering). */
export async function wasClaimed(key: string): Promise<boolean> {
  return (await Outbox.exists({ _id: key })) !== null;
}

/** Sends claimed longer ago than `olderThanMs` that never finished (a worker died mid-send). */
export async function staleSends(now: Date, olderThanMs = 10 * 60_000): Promise<OutboxDoc[]> {
  return Outbox.find({ state: 'sending', claimedAt: { $lt: new Date(now.getTime() - olderThanMs) } }).lean<OutboxDoc[]>();
}

/** `staff:<id>` / `customer:<id>`. */
export function recipientRef(to: Recipient): string {
  return to.kind === 'staff' ? `staff:${to.staffId}` : `customer:${to.customerId}`;
}
