/**
 * The writes of a drain (./drain.ts), each batched the way FerretDB can take
 * them — an insert is one transaction for many documents, an update one per
 * document: claims (a group per insert), `sending` marks (one per platform
 * call, shared by the calls starting together), results (group-committed),
 * counters (`$inc`ed at most once a second), and the customers a platform
 * refused for good.
 *
 * @example
 *   const marks = new MarkLog('P7', token);
 *   if ((await marks.mark(delivery, new Date())) === 'won') await sender.send(…);
 */
import { Campaign } from '../../../models/campaign.js';
import { Customer } from '../../../models/customer.js';
import type { DeliveryDoc } from '../../../models/delivery.js';
import { DeliveryEvent, deliveryEventId } from '../../../models/delivery-event.js';
import type { Logger } from '../../log.js';
import { insertUnique, retryBusy } from '../../db/writes.js';

/** The `by` of the claim (or mark) an opt-out writes on a customer's pending deliveries, so no drain sends them. */
export const OPT_OUT_CLAIM = 'opt-out';

const COUNTER_EVERY_MS = 1000;

/** What a drain needs of a delivery. */
export type Pending = Pick<DeliveryDoc, '_id' | 'customerId' | 'variant' | 'platform' | 'chatId' | 'timeZone' | 'lang' | 'locale'>;

/** How a send ended, to be recorded. */
export interface Outcome {
  d: Pending;
  status: 'sent' | 'failed';
  reason?: string;
  permanent?: boolean;
  at: Date;
}

/**
 * Claims a group: inserts their attempt records; returns the deliveries this
 * worker won. A duplicate is normally another worker's claim — or our own,
 * when a "database is locked" retry repeated an insert that had half
 * succeeded, which the claim token tells apart.
 */
export async function claim(group: Pending[], token: string, campaignId: string, at: Date): Promise<Pending[]> {
  if (group.length === 0) return [];
  const docs = group.map((d) => ({ _id: deliveryEventId(d._id, 'attempt'), deliveryId: d._id, campaignId, customerId: d.customerId, kind: 'attempt', at, by: token, lease: true }));
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

export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

/**
 * Deletes our own claims of deliveries we never called the platform for, by `_id` (each is ours:
 * nobody else writes a claim whose `_id` is taken). Only tidiness: a claim left behind is sent by
 * the next run all the same.
 */
export async function releaseClaims(unsent: Pending[]): Promise<void> {
  const ops = unsent.map((d) => ({ deleteOne: { filter: { _id: deliveryEventId(d._id, 'attempt') } } }));
  for (let i = 0; i < ops.length; i += 50) await retryBusy(() => DeliveryEvent.bulkWrite(ops.slice(i, i + 50), { ordered: false }));
}

/**
 * The `sending` marks, each written just before its delivery's platform call. Marks asked for
 * while an insert runs share the next one (so under load a mark costs a fraction of an insert),
 * but a mark is only ever asked for by a send about to call the platform.
 */
export class MarkLog {
  private waiting: { d: Pending; at: Date; settle: (outcome: MarkOutcome, error?: Error) => void }[] = [];
  private running = false;

  constructor(
    private readonly campaignId: string,
    private readonly token: string,
  ) {}

  /** Marks `d` as being sent now: `won` (call the platform), `lost` (another worker has it) or `opted-out`. */
  mark(d: Pending, at: Date): Promise<MarkOutcome> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ d, at, settle: (outcome, error) => (error ? reject(error) : resolve(outcome)) });
      if (!this.running) void this.flush();
    });
  }

  /** Removes our mark of a delivery whose call was not made after all (the run is stopping). */
  async unmark(d: Pending): Promise<void> {
    await retryBusy(() => DeliveryEvent.deleteOne({ _id: deliveryEventId(d._id, 'sending') }));
  }

  private async flush(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length) {
        const batch = this.waiting.splice(0);
        try {
          const outcomes = await this.insert(batch);
          batch.forEach((w, i) => w.settle(outcomes[i]!));
        } catch (error) {
          for (const w of batch) w.settle('lost', toError(error));
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async insert(batch: { d: Pending; at: Date }[]): Promise<MarkOutcome[]> {
    const docs = batch.map(({ d, at }) => ({
      _id: deliveryEventId(d._id, 'sending'), deliveryId: d._id, campaignId: this.campaignId, customerId: d.customerId, kind: 'sending', at, by: this.token,
    }));
    const { duplicates } = await insertUnique(DeliveryEvent, docs);
    if (duplicates.length === 0) return batch.map(() => 'won');
    // A duplicate is another worker's mark, an opt-out's, or ours repeated by a "database is locked" retry.
    const taken = new Map<string, MarkOutcome>();
    await Promise.all(
      duplicates.map(async (e) => {
        const owner = await DeliveryEvent.findById(e._id, { by: 1 }).lean<{ by?: string }>();
        taken.set(e._id, owner?.by === this.token ? 'won' : owner?.by === OPT_OUT_CLAIM ? 'opted-out' : 'lost');
      }),
    );
    return docs.map((doc) => taken.get(doc._id) ?? 'won');
  }
}

export type MarkOutcome = 'won' | 'lost' | 'opted-out';

/**
 * Results, group-committed: while one insert is running the next results
 * gather, so there are about as many inserts as the database can take, not
 * one per message.
 */
export class ResultLog {
  private buffer: Outcome[] = [];
  private running: Promise<void> | undefined;
  private failure: Error | undefined;
  readonly permanentFailures = new Map<string, Set<string>>();

  constructor(
    private readonly campaignId: string,
    private readonly counters: CounterBuffer,
    /** Where the results this run recorded are counted (the drain's summary). */
    private readonly summary: { sent: number; failed: number },
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
export class CounterBuffer {
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
export async function markUnreachable(byPlatform: Map<string, Set<string>>, log: Logger): Promise<void> {
  for (const [platform, ids] of byPlatform) {
    await retryBusy(() => Customer.updateMany({ _id: { $in: [...ids] } }, { $addToSet: { unreachable: platform } }));
    log.info({ platform, customers: ids.size }, 'customers marked unreachable after a permanent refusal');
  }
}
