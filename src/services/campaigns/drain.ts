/**
 * Draining a campaign: sending its frozen, pending deliveries through the
 * platform senders at the platform's pace, each at most once.
 *
 * ## The guarantee: at most once; after a crash, only the sends in flight are uncertain
 * For each delivery, in this order (events in models/delivery-event.ts):
 * 1. **claim** — insert `<deliveryId>:attempt` (`lease: true`), for a group of
 *    `claimBatch` deliveries in one insert. Its unique `_id` splits the work
 *    between workers; it is taken shortly before the group is sent (at most
 *    one group waits), and says nothing about the platform yet;
 * 2. **mark** — insert `<deliveryId>:sending`, for this delivery alone, just
 *    before its own platform call (marks wanted at the same moment share an
 *    insert; none is written ahead of its call). Its unique `_id` is the
 *    at-most-once guarantee: whoever inserts it makes the call, nobody else —
 *    not a second worker, not a rerun, not a person;
 * 3. **send** — `PlatformSender.send` (the adapter's throttler keeps the rate
 *    and waits out 429 `retry_after`);
 * 4. **record** — insert `<deliveryId>:result` (`sent` with the time, or
 *    `failed` with the platform's reason), group-committed.
 *
 * After a crash (kill -9) the next run sees three kinds of unfinished
 * delivery: claimed but not marked — never called, so it simply sends them
 * (`resumed`); marked without a result — the call may or may not have
 * happened, and we cannot ask Telegram which, so they are left alone while
 * they may still be in flight on a live worker and recorded `failed:
 * interrupted` after `staleAfterMs` (15 min), never resent automatically
 * (`promo stats` lists them as uncertain; `promo resend-uncertain` lets a
 * person resend them, see ./resend.ts); and untouched — sent as usual. How
 * many are marked at once is kept small by ./send-window.ts: just enough
 * sends in flight to keep the sender busy (about rate × latency + 2, capped
 * by `concurrency`), so a crash catches a handful, not a throttler queue.
 *
 * Why at-most-once for promotions: a lost promotion costs a little reach and
 * shows in `promo stats`; a duplicate annoys the customer, invites "report
 * spam" (which gets bots limited) and breaks the rule that a job sends nothing
 * twice. (Follow-up reminders choose the same, see services/outbox.ts.) A
 * sender that *throws* (rather than returning a failed result) is a bug or a
 * dying process: the drain stops, gives back the claims it has not called
 * yet, records what finished, and rethrows — the thrown send stays uncertain.
 *
 * Quiet hours (21:00–08:00 in the customer's zone): such deliveries are left
 * pending and the campaign's `nextRunAt` moves to the earliest 08:00 among
 * them — deferred, not dropped.
 *
 * Database cost (./drain-writes.ts): one claim insert per group, about one
 * mark insert per send (fewer under load: marks wanted together share one),
 * about one result insert per group; counters are `$inc`ed once a second. No
 * per-recipient update, no per-recipient lookup.
 *
 * @example
 *   const summary = await drainCampaign('P7', { senders: (p) => senders.get(p), now: () => new Date(), worker: 'w1', log });
 *   // → { sent: 1180, failed: 20, deferred: 0, done: true, … }
 */
import { randomBytes } from 'node:crypto';
import { Campaign, type CampaignDoc } from '../../../models/campaign.js';
import { Delivery, deliveryLanguage } from '../../../models/delivery.js';
import { messagesFor } from '../../core/messages.js';
import { text, type Platform, type PlatformSender, type Reply, type SendResult } from '../../core/types.js';
import type { Logger } from '../../log.js';
import { callMarkedAt, campaignFacts, INTERRUPTED } from './deliveries.js';
import { claim, CounterBuffer, MarkLog, markUnreachable, releaseClaims, ResultLog, toError, type Outcome, type Pending } from './drain-writes.js';
import { QuietHoursCache } from './quiet-hours.js';
import { SendWindow } from './send-window.js';
import { retryBusy } from '../../db/writes.js';

/** The platform senders a drain may use (the RoutingNotifier's, in the app). */
export type SenderLookup = (platform: Platform) => PlatformSender | undefined;

export { OPT_OUT_CLAIM } from './drain-writes.js';

/** The action of the unsubscribe button every promotion carries (the `stop` command). */
export const UNSUBSCRIBE_ACTION = 'stop';

/**
 * What a recipient sees: the variant's text (as the manager wrote it) and an unsubscribe button in
 * the recipient's language (`vi`, `en`, or an old delivery's locale such as `vi-VN`; English when unknown).
 *
 * @example
 *   promotionReplies('Giảm 20% tuần này!', 'vi') // → [{ kind: 'text', text: 'Giảm 20% tuần này!', buttons: [[{ label: 'Hủy nhận tin', action: 'stop' }]] }]
 */
export function promotionReplies(body: string, lang?: string): Reply[] {
  const msg = messagesFor(lang);
  return [text(body, [[{ label: msg.promo.unsubscribeButton(), action: UNSUBSCRIBE_ACTION }]])];
}

export interface DrainOptions {
  senders: SenderLookup;
  /** The clock (claims, results, quiet hours); tests drive it. */
  now: () => Date;
  /** Who drains (Agenda worker name); stored on claims. */
  worker: string;
  log: Logger;
  /**
   * The most sends in flight at once (default 64). Fewer are kept when fewer keep the sender busy
   * (./send-window.ts): a send in flight at a crash is uncertain.
   */
  concurrency?: number;
  /** Deliveries claimed per insert (default 32, at most `concurrency`); one such group waits ahead of the sends. */
  claimBatch?: number;
  /** A mark without a result older than this is a dead worker's (default {@link STALE_AFTER_MS}, 15 min). */
  staleAfterMs?: number;
  /** How often the campaign's status is re-read, so a cancel stops the drain (default 250 ms; 0: before every group and send). */
  statusEveryMs?: number;
  /** Extends the job's lock; called between groups, at most every 30 s. */
  touch?: () => Promise<void>;
}

export interface DrainSummary {
  campaignId: string;
  sent: number;
  failed: number;
  /** Left pending for quiet hours. */
  deferred: number;
  /** Stale marks of dead workers (calls that may or may not have happened) recorded as failed/interrupted by this run. */
  interrupted: number;
  /** Marked sends without a result that may still be in flight on another worker. */
  inFlightElsewhere: number;
  /** Claimed by a run that stopped before calling the platform for them, and sent by this one. */
  resumed: number;
  /** Claims this run gave back without calling the platform (it was cancelled or a send threw). */
  released: number;
  done: boolean;
  cancelled: boolean;
  /** When the campaign needs another run (quiet hours end, a mark goes stale). */
  nextRunAt?: Date;
}

/** A mark without a result older than this is a dead worker's: longer than any throttled, retried send. */
export const STALE_AFTER_MS = 15 * 60_000;
const DEFAULTS = { concurrency: 64, claimBatch: 32, staleAfterMs: STALE_AFTER_MS, statusEveryMs: 250 };
const TOUCH_EVERY_MS = 30_000;

/**
 * Sends what is due of a campaign in `sending`. Safe to run twice at once,
 * after a crash, or again and again: see the module comment.
 */
export async function drainCampaign(campaignId: string, options: DrainOptions): Promise<DrainSummary> {
  const concurrency = Math.max(1, options.concurrency ?? DEFAULTS.concurrency);
  const claimBatch = Math.max(1, Math.min(options.claimBatch ?? DEFAULTS.claimBatch, concurrency));
  const staleAfterMs = options.staleAfterMs ?? DEFAULTS.staleAfterMs;
  const statusEveryMs = options.statusEveryMs ?? DEFAULTS.statusEveryMs;
  const { log, now } = options;
  const summary: DrainSummary = {
    campaignId, sent: 0, failed: 0, deferred: 0, interrupted: 0, inFlightElsewhere: 0, resumed: 0, released: 0, done: false, cancelled: false,
  };

  const campaign = await Campaign.findById(campaignId).lean<CampaignDoc>();
  if (!campaign || campaign.status !== 'sending') {
    return { ...summary, done: campaign?.status === 'done', cancelled: campaign?.status === 'cancelled' };
  }
  const texts = new Map(campaign.variants.map((v) => [v.key, v.text ?? '']));
  const token = `${options.worker}:${randomBytes(4).toString('hex')}`;
  const counters = new CounterBuffer(campaignId);
  const results = new ResultLog(campaignId, counters, summary);
  const marks = new MarkLog(campaignId, token);
  const nextRun = (at: Date) => {
    if (!summary.nextRunAt || at < summary.nextRunAt) summary.nextRunAt = at;
  };

  // What earlier runs (or other workers) did: claims, marks and results of this campaign, in one pass.
  const facts = await campaignFacts(campaignId, ['attempt', 'sending', 'result', 'resend', 'resent']);
  // Drains are the only writers of these three counters (besides a person's resend), so the run that finishes can set them exactly.
  const exact = { attempted: 0, sent: 0, failed: 0 };
  const stale: Outcome[] = [];
  /** Claimed by a run that never called the platform for them: this run sends them. */
  const abandoned = new Set<string>();
  for (const [id, f] of facts) {
    const marked = callMarkedAt(f);
    if (marked) exact.attempted++;
    const end = f.resent ?? f.result;
    if (end) {
      if (end.status !== 'skipped') exact[end.status]++;
      continue;
    }
    if (marked) {
      if (now().getTime() - marked.getTime() >= staleAfterMs) {
        stale.push({ d: { _id: id, customerId: id.slice(id.lastIndexOf(':') + 1) } as Pending, status: 'failed', reason: INTERRUPTED, at: now() });
      } else {
        summary.inFlightElsewhere++;
        nextRun(new Date(marked.getTime() + staleAfterMs));
      }
    } else if (f.attemptLease) {
      abandoned.add(id);
    }
  }
  if (stale.length) {
    const recorded = await results.write(stale);
    summary.interrupted = recorded;
    exact.failed += recorded;
    log.warn({ campaign: campaignId, interrupted: recorded }, 'sends caught mid-call by a dead worker recorded as interrupted (uncertain; not resent automatically)');
  }

  // Sending: claimed deliveries wait in `ready`; each is marked and sent when the window has room.
  const window = new SendWindow(concurrency);
  const ready: Pending[] = [];
  /** Deliveries this run claimed (not the resumed ones): only these may it give back. */
  const claimedHere = new Set<string>();
  let inFlight = 0;
  let aborted: Error | undefined;
  let stopping = false;
  let lostClaims = 0;
  let lastTouch = Date.now();
  let lastStatusCheck = 0;
  const sends = new Set<Promise<void>>();
  const quiet = new QuietHoursCache();
  const noSender = new Set<string>();
  /** The campaign left `sending` (cancelled): nothing more is marked. */
  let halted = false;
  let statusRead: Promise<boolean> | undefined;
  /** Whether the campaign is still sending, read at most every `statusEveryMs` (one read shared by the sends asking meanwhile). */
  const stillSending = (): Promise<boolean> | boolean => {
    if (halted) return false;
    if (Date.now() - lastStatusCheck < statusEveryMs) return true;
    statusRead ??= (async () => {
      lastStatusCheck = Date.now();
      const current = await Campaign.findById(campaignId, { status: 1 }).lean<{ status: string }>();
      if (current?.status !== 'sending') {
        halted = true;
        summary.cancelled = current?.status === 'cancelled';
      }
      return !halted;
    })().finally(() => (statusRead = undefined));
    return statusRead;
  };
  let wake: (() => void) | undefined;
  const changed = () => new Promise<void>((resolve) => (wake = resolve));
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const sendOne = async (d: Pending): Promise<void> => {
    if (!(await stillSending())) {
      ready.unshift(d); // not marked: given back with the other claims not called
      return;
    }
    const mark = await marks.mark(d, now());
    if (mark !== 'won') {
      // Someone else marked it first: another worker sends it, or an opt-out stopped it.
      if (mark === 'lost') lostClaims++;
      return;
    }
    if (aborted) {
      // Marked, but the run is stopping and the call was not made: give it back whole.
      await marks.unmark(d);
      if (claimedHere.has(d._id)) {
        await releaseClaims([d]);
        summary.released++;
      }
      return;
    }
    counters.add({ attempted: 1 });
    exact.attempted++;
    const sender = options.senders(d.platform as Platform);
    let result: SendResult;
    if (!sender) {
      result = { ok: false, reason: `platform ${d.platform ?? '?'} not connected`, permanent: false };
      noSender.add(d.platform ?? '?');
    } else {
      const startedAt = window.now();
      try {
        result = await sender.send(d.chatId!, promotionReplies(texts.get(d.variant === 'B' ? 'B' : 'A') ?? '', deliveryLanguage(d)));
      } catch (error) {
        // A throw is a bug or a dying process, not a platform answer: stop; this mark stays without a result (uncertain).
        aborted ??= toError(error);
        return;
      }
      window.done(startedAt, inFlight - 1);
    }
    results.add({ d, status: result.ok ? 'sent' : 'failed', ...(result.ok ? {} : { reason: result.reason ?? 'not delivered', permanent: result.permanent ?? false }), at: now() });
  };

  /** Starts as many waiting sends as the window allows. */
  const pump = () => {
    while (!stopping && !aborted && !halted && ready.length > 0 && inFlight < window.limit()) {
      const d = ready.shift()!;
      inFlight++;
      const p: Promise<void> = sendOne(d)
        .catch((error: unknown) => {
          aborted ??= toError(error);
        })
        .finally(() => {
          inFlight--;
          sends.delete(p);
          pump();
          notify();
        });
      sends.add(p);
    }
  };

  /** Claims a group (the part no stopped run left claimed) and queues it; false when the run must stop. */
  const dispatch = async (group: Pending[]): Promise<boolean> => {
    // One group waits ahead of the sends, no more: a claim is a promise to send soon.
    while (ready.length >= claimBatch && !aborted && !halted) await changed();
    if (aborted || !(await stillSending())) return false;
    if (options.touch && Date.now() - lastTouch > TOUCH_EVERY_MS) {
      lastTouch = Date.now();
      await options.touch();
    }
    const resumed = group.filter((d) => abandoned.has(d._id));
    const fresh = group.filter((d) => !abandoned.has(d._id));
    const won = await claim(fresh, token, campaignId, now());
    lostClaims += fresh.length - won.length;
    summary.resumed += resumed.length;
    for (const d of won) claimedHere.add(d._id);
    ready.push(...won, ...resumed);
    pump();
    return !aborted && !halted;
  };

  let group: Pending[] = [];
  let stopped = false;
  const cursor = Delivery.find({ campaignId, status: 'pending' }, { customerId: 1, variant: 1, platform: 1, chatId: 1, timeZone: 1, lang: 1, locale: 1 })
    .lean<Pending[]>()
    .cursor({ batchSize: 1000 });
  try {
    for await (const d of cursor) {
      const f = facts.get(d._id);
      // Skip what has an outcome, a mark, or someone else's claim (an opt-out's); a stopped run's claim is ours to send.
      if (f && (f.result || callMarkedAt(f) || (f.attemptAt && !abandoned.has(d._id)))) continue;
      const until = quiet.until(now(), d.timeZone);
      if (until) {
        summary.deferred++;
        nextRun(until);
        continue;
      }
      group.push(d);
      if (group.length >= claimBatch) {
        const batch = group;
        group = [];
        if (!(await dispatch(batch))) {
          stopped = true;
          break;
        }
      }
    }
    if (!stopped && group.length) stopped = !(await dispatch(group));
    while (!stopped && !aborted && !halted && (ready.length > 0 || sends.size > 0)) await changed();
    if (halted) stopped = true;
  } finally {
    stopping = true;
    await cursor.close().catch(() => undefined);
    // Whatever happens, what was handed to a sender finishes and is recorded; claims not called yet are given back.
    while (sends.size) await Promise.all([...sends]);
    const unsent = ready.splice(0).filter((d) => claimedHere.has(d._id));
    await releaseClaims(unsent);
    summary.released += unsent.length;
    await results.close();
    await counters.flush();
    await markUnreachable(results.permanentFailures, log);
  }
  if (aborted) throw aborted;
  if (noSender.size) log.warn({ campaign: campaignId, platforms: [...noSender] }, 'promotion deliveries failed: platform not connected in this process');

  exact.sent += summary.sent;
  exact.failed += summary.failed - summary.interrupted;
  if (lostClaims > 0) {
    // Another worker is draining the same campaign right now; look again shortly.
    nextRun(new Date(now().getTime() + 60_000));
  }
  if (!stopped && summary.deferred === 0 && summary.inFlightElsewhere === 0 && lostClaims === 0) {
    // Nothing is left and nobody else is at it: finish, with counters made exact from the events.
    await retryBusy(() =>
      Campaign.updateOne(
        { _id: campaignId, status: 'sending' },
        {
          $set: {
            status: 'done',
            finishedAt: now(),
            'counters.attempted': exact.attempted,
            'counters.sent': exact.sent,
            'counters.failed': exact.failed,
          },
          $unset: { nextRunAt: '' },
        },
      ),
    );
    summary.done = true;
  } else if (summary.nextRunAt) {
    const at = summary.nextRunAt;
    await retryBusy(() => Campaign.updateOne({ _id: campaignId, status: 'sending' }, { $set: { nextRunAt: at } }));
  }
  log.info({ ...summary, lostClaims }, 'campaign drained');
  return summary;
}
