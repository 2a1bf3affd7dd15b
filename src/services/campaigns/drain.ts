/**
 * Draining a campaign: sending its frozen, pending deliveries through the
 * platform senders at the platform's pace, each at most once.
 *
 * ## The guarantee: at most once, and exactly once for everyone a crash does not catch mid-send
 * For each delivery, in this order:
 * 1. **claim** — insert `<deliveryId>:attempt` (batched: one insert per group
 *    of `claimBatch`). Its unique `_id` means one worker wins, whatever the
 *    number of workers; it is written *before* the platform call;
 * 2. **send** — `PlatformSender.send` (the adapter's throttler keeps the rate
 *    and waits out 429 `retry_after`);
 * 3. **record** — insert `<deliveryId>:result` (`sent` with the time, or
 *    `failed` with the platform's reason), group-committed.
 * A delivery with a claim is never claimed again, so nobody is messaged twice
 * — not by two workers, not by a rerun, not after a crash. A claim without a
 * result is either in flight on a live worker or was caught by a crash; we
 * cannot ask Telegram which, so after `staleAfterMs` (15 min) the next run
 * records it `failed: interrupted` instead of resending it. A claimed group is
 * sent at once, so a crash strands at most the sends in flight (≤
 * `concurrency`) plus one group; everyone else ends with exactly one message.
 *
 * Why at-most-once for promotions: a lost promotion costs a little reach and
 * shows in `promo stats` as failed/interrupted; a duplicate annoys the
 * customer, invites "report spam" (which gets bots limited) and breaks the
 * rule that a job sends nothing twice. (Follow-up reminders choose the same,
 * see services/outbox.ts.) A sender that *throws* (rather than returning a
 * failed result) is a bug or a dying process: the drain stops claiming,
 * records what finished, and rethrows — the thrown send stays ambiguous.
 *
 * Quiet hours (21:00–08:00 in the customer's zone): such deliveries are left
 * pending and the campaign's `nextRunAt` moves to the earliest 08:00 among
 * them — deferred, not dropped.
 *
 * Database cost per group of `claimBatch` recipients: one claim insert and
 * about one result insert; counters are `$inc`ed once a second. No
 * per-recipient update, no per-recipient lookup.
 *
 * @example
 *   const summary = await drainCampaign('P7', { senders: (p) => senders.get(p), now: () => new Date(), worker: 'w1', log });
 *   // → { sent: 1180, failed: 20, deferred: 0, done: true, … }
 */
import { randomBytes } from 'node:crypto';
import { Campaign, type CampaignDoc } from '../../../models/campaign.js';
import { Customer } from '../../../models/customer.js';
import { Delivery, type DeliveryDoc } from '../../../models/delivery.js';
import { DeliveryEvent, deliveryEventId } from '../../../models/delivery-event.js';
import { messagesFor } from '../../core/messages.js';
import { text, type Platform, type PlatformSender, type Reply, type SendResult } from '../../core/types.js';
import type { Logger } from '../../log.js';
import { campaignFacts } from './deliveries.js';
import { QuietHoursCache } from './quiet-hours.js';
import { insertUnique, retryBusy } from '../../db/writes.js';

/** The platform senders a drain may use (the RoutingNotifier's, in the app). */
export type SenderLookup = (platform: Platform) => PlatformSender | undefined;

/** The claim an opt-out writes on a customer's pending deliveries, so no drain sends them. */
export const OPT_OUT_CLAIM = 'opt-out';

/** The action of the unsubscribe button every promotion carries (the `stop` command). */
export const UNSUBSCRIBE_ACTION = 'stop';

/** What a recipient sees: the variant's text and an unsubscribe button. */
export function promotionReplies(body: string, locale?: string): Reply[] {
  const msg = messagesFor(locale);
  return [text(body, [[{ label: msg.promo.unsubscribeButton(), action: UNSUBSCRIBE_ACTION }]])];
}

export interface DrainOptions {
  senders: SenderLookup;
  /** The clock (claims, results, quiet hours); tests drive it. */
  now: () => Date;
  /** Who drains (Agenda worker name); stored on claims. */
  worker: string;
  log: Logger;
  /** Sends handed to the senders at once (default 64). The senders' throttlers set the pace; this only has to cover it. */
  concurrency?: number;
  /** Deliveries claimed per insert (default 32). */
  claimBatch?: number;
  /** A claim without a result older than this is a dead worker's (default 15 min — longer than any throttled, retried send). */
  staleAfterMs?: number;
  /** How often the campaign's status is re-read, so a cancel stops the drain (default 250 ms; 0: before every group). */
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
  /** Stale claims of dead workers recorded as failed/interrupted by this run. */
  interrupted: number;
  /** Claims without a result that may still be in flight on another worker. */
  inFlightElsewhere: number;
  done: boolean;
  cancelled: boolean;
  /** When the campaign needs another run (quiet hours end, a claim goes stale). */
  nextRunAt?: Date;
}

type Pending = Pick<DeliveryDoc, '_id' | 'customerId' | 'variant' | 'platform' | 'chatId' | 'timeZone' | 'locale'>;

interface Outcome {
  d: Pending;
  status: 'sent' | 'failed';
  reason?: string;
  permanent?: boolean;
  at: Date;
}

const DEFAULTS = { concurrency: 64, claimBatch: 32, staleAfterMs: 15 * 60_000, statusEveryMs: 250 };
const COUNTER_EVERY_MS = 1000;
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
  const summary: DrainSummary = { campaignId, sent: 0, failed: 0, deferred: 0, interrupted: 0, inFlightElsewhere: 0, done: false, cancelled: false };

  const campaign = await Campaign.findById(campaignId).lean<CampaignDoc>();
  if (!campaign || campaign.status !== 'sending') {
    return { ...summary, done: campaign?.status === 'done', cancelled: campaign?.status === 'cancelled' };
  }
  const texts = new Map(campaign.variants.map((v) => [v.key, v.text ?? '']));
  const token = `${options.worker}:${randomBytes(4).toString('hex')}`;
  const counters = new CounterBuffer(campaignId);
  const results = new ResultLog(campaignId, counters, summary);
  const nextRun = (at: Date) => {
    if (!summary.nextRunAt || at < summary.nextRunAt) summary.nextRunAt = at;
  };

  // What earlier runs (or other workers) did: claims and results of this campaign, in one pass.
  const facts = await campaignFacts(campaignId, ['attempt', 'result']);
  // Drains are the only writers of these three counters, so the run that finishes can set them exactly.
  const exact = { attempted: 0, sent: 0, failed: 0 };
  const stale: Outcome[] = [];
  for (const [id, f] of facts) {
    if (f.attemptAt && f.attemptBy !== OPT_OUT_CLAIM) exact.attempted++;
    if (f.result) {
      if (f.result.status !== 'skipped') exact[f.result.status]++;
      continue;
    }
    if (!f.attemptAt) continue;
    if (now().getTime() - f.attemptAt.getTime() >= staleAfterMs) {
      stale.push({ d: { _id: id, customerId: id.slice(id.lastIndexOf(':') + 1) } as Pending, status: 'failed', reason: 'interrupted', at: now() });
    } else {
      summary.inFlightElsewhere++;
      nextRun(new Date(f.attemptAt.getTime() + staleAfterMs));
    }
  }
  if (stale.length) {
    const recorded = await results.write(stale);
    summary.interrupted = recorded;
    exact.failed += recorded;
    log.warn({ campaign: campaignId, interrupted: recorded }, 'claims of a dead worker recorded as interrupted (not resent: at-most-once)');
  }

  // Sending: groups of claims, each sent at once, the sender's throttler setting the pace.
  let inFlight = 0;
  let roomWaiter: (() => void) | undefined;
  let aborted: Error | undefined;
  let lostClaims = 0;
  let lastTouch = Date.now();
  let lastStatusCheck = 0;
  const sends = new Set<Promise<void>>();
  const quiet = new QuietHoursCache();
  const noSender = new Set<string>();

  const sendOne = async (d: Pending): Promise<void> => {
    const sender = options.senders(d.platform as Platform);
    let result: SendResult;
    if (!sender) {
      result = { ok: false, reason: `platform ${d.platform ?? '?'} not connected`, permanent: false };
      noSender.add(d.platform ?? '?');
    } else {
      try {
        result = await sender.send(d.chatId!, promotionReplies(texts.get(d.variant === 'B' ? 'B' : 'A') ?? '', d.locale ?? undefined));
      } catch (error) {
        // A throw is a bug or a dying process, not a platform answer: stop; this claim stays without a result.
        aborted ??= toError(error);
        return;
      }
    }
    results.add({ d, status: result.ok ? 'sent' : 'failed', ...(result.ok ? {} : { reason: result.reason ?? 'not delivered', permanent: result.permanent ?? false }), at: now() });
  };

  const start = (d: Pending) => {
    inFlight++;
    const p = sendOne(d).finally(() => {
      inFlight--;
      sends.delete(p);
      if (roomWaiter && inFlight + claimBatch <= concurrency) {
        const wake = roomWaiter;
        roomWaiter = undefined;
        wake();
      }
    });
    sends.add(p);
  };

  /** Claims a group and starts its sends; false when the run must stop (cancelled, aborted). */
  const dispatch = async (group: Pending[]): Promise<boolean> => {
    if (inFlight + group.length > concurrency) await new Promise<void>((resolve) => (roomWaiter = resolve));
    if (aborted) return false;
    if (Date.now() - lastStatusCheck >= statusEveryMs) {
      lastStatusCheck = Date.now();
      const current = await Campaign.findById(campaignId, { status: 1 }).lean<{ status: string }>();
      if (current?.status !== 'sending') {
        summary.cancelled = current?.status === 'cancelled';
        return false;
      }
    }
    if (options.touch && Date.now() - lastTouch > TOUCH_EVERY_MS) {
      lastTouch = Date.now();
      await options.touch();
    }
    const won = await claim(group, token, campaignId, now());
    lostClaims += group.length - won.length;
    if (aborted) {
      // A send failed hard while we claimed: these were never handed to a sender, so giving them back is safe.
      await releaseClaims(won, token);
      return false;
    }
    counters.add({ attempted: won.length });
    exact.attempted += won.length;
    for (const d of won) start(d);
    return true;
  };

  let group: Pending[] = [];
  let stopped = false;
  const cursor = Delivery.find({ campaignId, status: 'pending' }, { customerId: 1, variant: 1, platform: 1, chatId: 1, timeZone: 1, locale: 1 })
    .lean<Pending[]>()
    .cursor({ batchSize: 1000 });
  try {
    for await (const d of cursor) {
      if (facts.get(d._id)?.attemptAt) continue;
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
  } finally {
    await cursor.close().catch(() => undefined);
    // Whatever happens, what was handed to a sender finishes and is recorded.
    while (sends.size) await Promise.all([...sends]);
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

/**
 * Claims a group: inserts their attempt records; returns the deliveries this
 * worker won. A duplicate is normally another worker's claim — or our own,
 * when a "database is locked" retry repeated an insert that had half
 * succeeded, which the claim token tells apart.
 */
async function claim(group: Pending[], token: string, campaignId: string, at: Date): Promise<Pending[]> {
  const docs = group.map((d) => ({ _id: deliveryEventId(d._id, 'attempt'), deliveryId: d._id, campaignId, customerId: d.customerId, kind: 'attempt', at, by: token }));
  const { inserted, duplicates } = await insertUnique(DeliveryEvent, docs);
  const won = new Set(inserted.map((e) => e.deliveryId));
  if (duplicates.length) {
    const owners = await Promise.all(duplicates.map((e) => DeliveryEvent.findById(e._id, { by: 1 }).lean<{ by?: string }>()));
    duplicates.forEach((e, i) => {
      if (owners[i]?.by === token) won.add(e.deliveryId);
    });
  }
  return group.filter((d) => won.has(d._id));
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/** Deletes our own claims of deliveries we never handed to a sender. */
async function releaseClaims(won: Pending[], token: string): Promise<void> {
  if (won.length === 0) return;
  await retryBusy(() => DeliveryEvent.deleteMany({ _id: { $in: won.map((d) => deliveryEventId(d._id, 'attempt')) }, by: token }));
}

/**
 * Results, group-committed: while one insert is running the next results
 * gather, so there are about as many inserts as the database can take, not
 * one per message.
 */
class ResultLog {
  private buffer: Outcome[] = [];
  private running: Promise<void> | undefined;
  private failure: Error | undefined;
  readonly permanentFailures = new Map<string, Set<string>>();

  constructor(
    private readonly campaignId: string,
    private readonly counters: CounterBuffer,
    private readonly summary: DrainSummary,
  ) {}

  add(outcome: Outcome): void {
    this.buffer.push(outcome);
    this.running ??= this.drain();
  }

  /** Writes outcomes now (used for interrupted claims); returns how many were new. */
  async write(outcomes: Outcome[]): Promise<number> {
    const docs = outcomes.map((o) => ({
      _id: deliveryEventId(o.d._id, 'result'),
      deliveryId: o.d._id,
      campaignId: this.campaignId,
      customerId: o.d.customerId,
      kind: 'result',
      at: o.at,
      status: o.status,
      ...(o.reason ? { reason: o.reason } : {}),
    }));
    // A duplicate here is a result someone else recorded first (a stale-claim sweep racing a slow send): theirs stands.
    const { inserted } = await insertUnique(DeliveryEvent, docs);
    const ids = new Set(inserted.map((e) => e._id));
    let sent = 0;
    let failed = 0;
    for (const o of outcomes) {
      if (!ids.has(deliveryEventId(o.d._id, 'result'))) continue;
      if (o.status === 'sent') sent++;
      else {
        failed++;
        if (o.permanent && o.d.platform) {
          let set = this.permanentFailures.get(o.d.platform);
          if (!set) this.permanentFailures.set(o.d.platform, (set = new Set()));
          set.add(o.d.customerId);
        }
      }
    }
    this.summary.sent += sent;
    this.summary.failed += failed;
    this.counters.add({ sent, failed });
    return ids.size;
  }

  private async drain(): Promise<void> {
    try {
      while (this.buffer.length) {
        const batch = this.buffer;
        this.buffer = [];
        await this.write(batch);
      }
    } catch (error) {
      this.failure ??= toError(error);
    } finally {
      this.running = undefined;
    }
  }

  /** Waits for everything added so far to be written; rethrows a write failure. */
  async close(): Promise<void> {
    while (this.running) await this.running;
    if (this.buffer.length) await this.drain();
    if (this.failure) throw this.failure;
  }
}

/** Campaign counters, `$inc`ed at most once a second (an update costs a transaction per call on FerretDB). */
class CounterBuffer {
  private pending: Record<string, number> = {};
  private last = Date.now();
  private running: Promise<void> | undefined;
  private failure: Error | undefined;

  constructor(private readonly campaignId: string) {}

  add(delta: Partial<Record<'attempted' | 'sent' | 'failed', number>>): void {
    for (const [k, v] of Object.entries(delta)) if (v) this.pending[`counters.${k}`] = (this.pending[`counters.${k}`] ?? 0) + v;
    if (!this.running && Date.now() - this.last >= COUNTER_EVERY_MS) {
      this.running = this.write()
        .catch((error: unknown) => {
          this.failure ??= toError(error);
        })
        .finally(() => (this.running = undefined));
    }
  }

  /** Writes what is pending; rethrows an earlier background failure. */
  async flush(): Promise<void> {
    if (this.running) await this.running;
    await this.write();
    if (this.failure) throw this.failure;
  }

  private async write(): Promise<void> {
    const inc = this.pending;
    this.pending = {};
    this.last = Date.now();
    if (Object.keys(inc).length === 0) return;
    await retryBusy(() => Campaign.updateOne({ _id: this.campaignId }, { $inc: inc }));
  }
}

/** Customers a platform refused for good (blocked, chat gone): not tried there again. */
async function markUnreachable(byPlatform: Map<string, Set<string>>, log: Logger): Promise<void> {
  for (const [platform, ids] of byPlatform) {
    await retryBusy(() => Customer.updateMany({ _id: { $in: [...ids] } }, { $addToSet: { unreachable: platform } }));
    log.info({ platform, customers: ids.size }, 'customers marked unreachable after a permanent refusal');
  }
}
