/**
 * What recipients do after a promotion, recorded live:
 * - a **response**: any message or button tap of theirs in the chat the
 *   promotion went to, after it was sent and within the campaign's attribution
 *   window — the first one sets `respondedAt` and counts once;
 * - an **opt-out** (`/stop`, replying STOP, the unsubscribe button): at once,
 *   their pending deliveries of campaigns being sent are claimed for nobody
 *   (recorded `skipped: opted-out`), and the opt-out counts for the latest
 *   promotion they received within its window.
 *
 * "Once" is a unique insert (`<deliveryId>:response`, `:optout`), and the
 * campaign counter is `$inc`ed only by the insert that won. Finding the
 * customer's latest promotion costs one read of the few campaigns sent within
 * their windows plus `_id` lookups of `<campaignId>:<customerId>` — nothing is
 * written to the customer document on send.
 *
 * @example
 *   await recordPromoResponse('C12', { platform: 'telegram', chatId: '1042' }, now); // → 'P7' (or undefined)
 *   await recordPromoOptOut('C12', now);                                             // → { attributedTo: 'P7', blocked: 1 }
 */
import { Campaign, type CampaignDoc } from '../../../models/campaign.js';
import { Delivery, deliveryId, type DeliveryDoc } from '../../../models/delivery.js';
import { DeliveryEvent, deliveryEventId, type DeliveryEventDoc } from '../../../models/delivery-event.js';
import { OPT_OUT_CLAIM } from './drain.js';
import { scanComment } from '../../db/scans.js';
import { insertUnique, retryBusy } from '../../db/writes.js';

const DAY = 86_400_000;
/** The longest attribution window config allows (PROMO_ATTRIBUTION_DAYS max). */
const MAX_WINDOW_DAYS = 90;

type CampaignRow = Pick<CampaignDoc, '_id' | 'status' | 'sendingStartedAt' | 'attributionDays'>;

/** Campaigns whose sends may still be within their attribution window, newest first. */
async function campaignsInWindow(now: Date): Promise<CampaignRow[]> {
  const rows = await Campaign.find(
    { status: { $in: ['sending', 'done', 'cancelled'] }, sendingStartedAt: { $gte: new Date(now.getTime() - MAX_WINDOW_DAYS * DAY), $lte: now } },
    { status: 1, sendingStartedAt: 1, attributionDays: 1 },
  )
    .comment(scanComment('campaigns-in-window'))
    .lean<CampaignRow[]>();
  return rows.sort((a, b) => b.sendingStartedAt!.getTime() - a.sendingStartedAt!.getTime());
}

export interface SentPromotion {
  campaignId: string;
  deliveryId: string;
  customerId: string;
  platform?: string;
  chatId?: string;
  sentAt: Date;
}

/**
 * The latest promotion sent to a customer whose attribution window contains
 * `now` (optionally: sent to this chat).
 */
export async function latestSentPromotion(customerId: string, now: Date, chat?: { platform: string; chatId: string }): Promise<SentPromotion | undefined> {
  const campaigns = (await campaignsInWindow(now)).filter((c) => c.sendingStartedAt!.getTime() + (c.attributionDays ?? 7) * DAY >= now.getTime());
  if (campaigns.length === 0) return undefined;
  const found = await Promise.all(
    campaigns.map(async (c) => {
      const id = deliveryId(c._id, customerId);
      const [d, result] = await Promise.all([
        Delivery.findById(id, { variant: 1, platform: 1, chatId: 1 }).lean<Pick<DeliveryDoc, '_id' | 'variant' | 'platform' | 'chatId'>>(),
        DeliveryEvent.findById(deliveryEventId(id, 'result'), { status: 1, at: 1 }).lean<Pick<DeliveryEventDoc, 'status' | 'at'>>(),
      ]);
      if (!d || d.variant === 'holdout' || result?.status !== 'sent' || result.at > now) return undefined;
      if (now.getTime() - result.at.getTime() > (c.attributionDays ?? 7) * DAY) return undefined;
      if (chat && (d.platform !== chat.platform || d.chatId !== chat.chatId)) return undefined;
      return { campaignId: c._id, deliveryId: id, customerId, sentAt: result.at, ...(d.platform ? { platform: d.platform } : {}), ...(d.chatId ? { chatId: d.chatId } : {}) };
    }),
  );
  const sent = found.filter((f): f is SentPromotion => f !== undefined);
  return sent.sort((a, b) => b.sentAt.getTime() - a.sentAt.getTime())[0];
}

/**
 * A customer wrote or tapped in a chat: if it is the chat of a promotion they
 * got (within its window), that delivery has responded — counted once.
 * Returns the campaign it counted for, if any.
 */
export async function recordPromoResponse(customerId: string, chat: { platform: string; chatId: string }, now: Date): Promise<string | undefined> {
  const promo = await latestSentPromotion(customerId, now, chat);
  if (!promo) return undefined;
  const counted = await recordOnce(promo, 'response', now);
  if (counted) await retryBusy(() => Campaign.updateOne({ _id: promo.campaignId }, { $inc: { 'counters.responded': 1 } }));
  return counted ? promo.campaignId : undefined;
}

/**
 * A customer opted out of promotions (consent already withdrawn by the
 * caller): nothing more is sent to them, and the opt-out counts for the
 * latest promotion they got within its window.
 */
export async function recordPromoOptOut(customerId: string, now: Date): Promise<{ attributedTo?: string; blocked: number }> {
  const blocked = await blockPendingDeliveries(customerId, now);
  const promo = await latestSentPromotion(customerId, now);
  if (!promo || !(await recordOnce(promo, 'optout', now))) return { blocked };
  await retryBusy(() => Campaign.updateOne({ _id: promo.campaignId }, { $inc: { 'counters.optedOut': 1 } }));
  return { attributedTo: promo.campaignId, blocked };
}

async function recordOnce(promo: SentPromotion, kind: 'response' | 'optout', at: Date): Promise<boolean> {
  const { inserted } = await insertUnique(DeliveryEvent, [
    { _id: deliveryEventId(promo.deliveryId, kind), deliveryId: promo.deliveryId, campaignId: promo.campaignId, customerId: promo.customerId, kind, at },
  ]);
  return inserted.length === 1;
}

/**
 * Claims the customer's still-pending deliveries in campaigns being frozen
 * or sent, so no drain can send them (a drain's claim of the same `_id` loses),
 * and records them skipped. A drain that claimed first but has not called the
 * platform yet is stopped the same way, with the mark it would write before
 * its call (see drain.ts); once that mark is the drain's, the message is on
 * its way.
 */
async function blockPendingDeliveries(customerId: string, now: Date): Promise<number> {
  const active = await Campaign.find({ status: { $in: ['freezing', 'sending'] } }, { _id: 1 }).comment(scanComment('campaigns-in-window')).lean<{ _id: string }[]>();
  let blocked = 0;
  for (const c of active) {
    const id = deliveryId(c._id, customerId);
    const d = await Delivery.findById(id, { status: 1 }).lean<Pick<DeliveryDoc, 'status'>>();
    if (d?.status !== 'pending') continue;
    const base = { deliveryId: id, campaignId: c._id, customerId, at: now };
    const { inserted } = await insertUnique(DeliveryEvent, [{ _id: deliveryEventId(id, 'attempt'), ...base, kind: 'attempt', by: OPT_OUT_CLAIM }]);
    if (inserted.length === 0) {
      const claim = await DeliveryEvent.findById(deliveryEventId(id, 'attempt'), { lease: 1, by: 1 }).lean<{ lease?: boolean; by?: string }>();
      if (!claim?.lease || claim.by === OPT_OUT_CLAIM) continue;
      const mark = await insertUnique(DeliveryEvent, [{ _id: deliveryEventId(id, 'sending'), ...base, kind: 'sending', by: OPT_OUT_CLAIM }]);
      if (mark.inserted.length === 0) continue;
    }
    await insertUnique(DeliveryEvent, [{ _id: deliveryEventId(id, 'result'), ...base, kind: 'result', status: 'skipped', reason: 'opted-out' }]);
    await retryBusy(() => Campaign.updateOne({ _id: c._id }, { $inc: { 'counters.skipped': 1 } }));
    blocked++;
  }
  return blocked;
}
