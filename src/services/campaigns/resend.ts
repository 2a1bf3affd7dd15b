/**
 * Uncertain sends, and resending them when a person decides to.
 *
 * A send is *uncertain* when its platform call was marked (`sending`, see
 * drain.ts) and no outcome was ever recorded: the process died during the
 * call. We cannot ask Telegram or Slack whether the message arrived, so the
 * drain never resends it (at most once, automatically); once the mark is 15
 * minutes old it is recorded `failed: interrupted`. After a kill -9 these are
 * the few sends that were in flight — claims not yet at their call are simply
 * sent by the next run.
 *
 * `promo stats P7` lists them (count and a few customers); `promo
 * resend-uncertain P7` resends them, each at most once more: a `resend` mark
 * (unique `_id`, `by` the person) is written just before the call and a
 * `resent` outcome after it, so two managers asking at once, or twice, send
 * nothing twice. Left out, and said so: customers who have since opted out or
 * become unreachable there, customers in quiet hours now (ask again after
 * 08:00 their time), platforms not connected in this process, and marks
 * younger than 15 minutes (maybe still in flight on a live worker).
 *
 * @example
 *   const r = await resendUncertain('P7', { by: 'staff:s_1', now: new Date(), senders, log });
 *   // → { campaignId: 'P7', resent: 3, failed: 0, optedOut: 0, unreachable: 0, quiet: 0, notConnected: 0, alreadyResent: 0, inFlight: 0 }
 */
import { Campaign } from '../../../models/campaign.js';
import { Customer } from '../../../models/customer.js';
import { Delivery, deliveryLanguage, type DeliveryDoc } from '../../../models/delivery.js';
import { DeliveryEvent, deliveryEventId } from '../../../models/delivery-event.js';
import type { Platform, SendResult } from '../../core/types.js';
import { ConflictError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { insertUnique, retryBusy } from '../../db/writes.js';
import { getCampaign } from './campaigns.js';
import { callMarkedAt, campaignFacts, INTERRUPTED, isUncertain } from './deliveries.js';
import { audit } from '../audit.js';
import { promotionReplies, STALE_AFTER_MS, type SenderLookup } from './drain.js';
import { quietUntil } from './quiet-hours.js';

export interface ResendOptions {
  /** Who resends (`staff:s_1`): stored on each resend mark. */
  by: string;
  now: Date;
  senders: SenderLookup;
  log: Logger;
  /** A mark without a result younger than this may still be in flight (default 15 min, as the drain). */
  staleAfterMs?: number;
}

export interface ResendSummary {
  campaignId: string;
  /** Resent and accepted by the platform. */
  resent: number;
  /** Resent and refused by the platform. */
  failed: number;
  /** Left out: opted out of promotions since. */
  optedOut: number;
  /** Left out: the platform refused them for good since. */
  unreachable: number;
  /** Left out for now: in quiet hours; `quietUntil` is the earliest end. */
  quiet: number;
  quietUntil?: Date;
  /** Left out for now: their platform is not connected in this process. */
  notConnected: number;
  /** Resent meanwhile by someone else (two people asking at once): not a second time. */
  alreadyResent: number;
  /** Marked less than 15 minutes ago without a result: maybe still in flight, not uncertain yet. */
  inFlight: number;
}

type Target = Pick<DeliveryDoc, '_id' | 'customerId' | 'variant' | 'platform' | 'chatId' | 'timeZone' | 'lang' | 'locale'>;

/**
 * Resends a campaign's uncertain sends (see the module comment), one at a time.
 *
 * @throws NotFoundError for an unknown campaign; ConflictError when it was cancelled
 */
export async function resendUncertain(ref: string, options: ResendOptions): Promise<ResendSummary> {
  const campaign = await getCampaign(ref);
  if (campaign.status === 'cancelled') throw new ConflictError({ code: 'PROMO_RESEND_CANCELLED', params: { ref: campaign._id } });
  const summary: ResendSummary = { campaignId: campaign._id, resent: 0, failed: 0, optedOut: 0, unreachable: 0, quiet: 0, notConnected: 0, alreadyResent: 0, inFlight: 0 };
  if (!campaign.sendingStartedAt) return summary;
  const staleAfterMs = options.staleAfterMs ?? STALE_AFTER_MS;
  const texts = new Map(campaign.variants.map((v) => [v.key, v.text ?? '']));

  const candidates: string[] = [];
  const sweep: { id: string; customerId: string }[] = [];
  for (const [id, f] of await campaignFacts(campaign._id)) {
    if (f.resendAt) continue; // resent before: never a second time
    const marked = callMarkedAt(f);
    if (marked && !f.result) {
      if (options.now.getTime() - marked.getTime() < staleAfterMs) summary.inFlight++;
      else sweep.push({ id, customerId: customerOf(id) });
      continue;
    }
    if (isUncertain(f)) candidates.push(id);
  }
  // Stale marks no drain has swept yet: record them interrupted first, as the drain would.
  if (sweep.length) {
    const { inserted } = await insertUnique(
      DeliveryEvent,
      sweep.map((s) => ({ _id: deliveryEventId(s.id, 'result'), deliveryId: s.id, campaignId: campaign._id, customerId: s.customerId, kind: 'result', at: options.now, status: 'failed', reason: INTERRUPTED })),
    );
    if (inserted.length) await retryBusy(() => Campaign.updateOne({ _id: campaign._id }, { $inc: { 'counters.failed': inserted.length } }));
    candidates.push(...inserted.map((e) => e.deliveryId));
  }

  for (const id of candidates.sort()) {
    const d = await Delivery.findById(id, { customerId: 1, variant: 1, platform: 1, chatId: 1, timeZone: 1, lang: 1, locale: 1 }).lean<Target>();
    if (!d?.chatId) continue;
    const customer = await Customer.findById(d.customerId, { consent: 1, unreachable: 1 }).lean<{ consent?: { promotions?: boolean }; unreachable?: string[] }>();
    if (!customer?.consent?.promotions) {
      summary.optedOut++;
      continue;
    }
    if (d.platform && customer.unreachable?.includes(d.platform)) {
      summary.unreachable++;
      continue;
    }
    const quiet = quietUntil(options.now, d.timeZone);
    if (quiet) {
      summary.quiet++;
      if (!summary.quietUntil || quiet < summary.quietUntil) summary.quietUntil = quiet;
      continue;
    }
    const sender = options.senders(d.platform as Platform);
    if (!sender) {
      summary.notConnected++;
      continue;
    }
    const base = { deliveryId: id, campaignId: campaign._id, customerId: d.customerId };
    const mark = await insertUnique(DeliveryEvent, [{ _id: deliveryEventId(id, 'resend'), ...base, kind: 'resend', at: options.now, by: options.by }]);
    if (mark.inserted.length === 0) {
      summary.alreadyResent++;
      continue;
    }
    // A throw here leaves this resend as uncertain as the send it repeated; it is not tried a third time.
    const result: SendResult = await sender.send(d.chatId, promotionReplies(texts.get(d.variant === 'B' ? 'B' : 'A') ?? '', deliveryLanguage(d)));
    const status = result.ok ? 'sent' : 'failed';
    await insertUnique(DeliveryEvent, [
      { _id: deliveryEventId(id, 'resent'), ...base, kind: 'resent', at: options.now, status, ...(result.ok ? {} : { reason: result.reason ?? 'not delivered' }) },
    ]);
    if (result.ok) {
      summary.resent++;
      await retryBusy(() => Campaign.updateOne({ _id: campaign._id }, { $inc: { 'counters.sent': 1, 'counters.failed': -1 } }));
    } else {
      summary.failed++;
      if (result.permanent && d.platform) await retryBusy(() => Customer.updateOne({ _id: d.customerId }, { $addToSet: { unreachable: d.platform } }));
    }
  }
  options.log.info({ ...summary, by: options.by }, 'uncertain promotion sends resent by a person');
  await audit(options.by, 'promo.resend-uncertain', `campaign:${campaign._id}`, { ...summary });
  return summary;
}

/** The customer of a delivery: `P7:C12` → `C12`. */
function customerOf(deliveryId: string): string {
  return deliveryId.slice(deliveryId.lastIndexOf(':') + 1);
}
