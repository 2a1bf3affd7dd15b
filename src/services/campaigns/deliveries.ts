/**
 * Reading deliveries back: a delivery's live state is its frozen record
 * folded with its events (see models/delivery.ts for why state changes are
 * inserts, models/delivery-event.ts for what each event means). One delivery
 * is one `_id` lookup per event kind; a whole campaign is one pass over its
 * events into a Map, then one pass over its deliveries.
 *
 * Live status: `pending` (to send; also claimed by a drain that has not called
 * the platform yet), `sending` (its platform call is marked and has no
 * outcome yet), `sent`, `failed`, `skipped`. A send a crash caught is
 * `failed` with reason `interrupted` and `uncertain: true` — it may or may not
 * have arrived — until a person resends it.
 *
 * @example
 *   const v = await deliveryView('P7', 'C1042'); // → { status: 'sent', sentAt, respondedAt, … }
 *   for await (const d of campaignDeliveries('P7')) tally(d);
 */
import { Delivery, deliveryId, type DeliveryDoc, type DeliveryStatus, type DeliveryVariant } from '../../../models/delivery.js';
import { DeliveryEvent, deliveryEventId, DELIVERY_EVENT_KINDS, type DeliveryEventDoc } from '../../../models/delivery-event.js';
import { OPT_OUT_CLAIM } from './drain-writes.js';

export interface DeliveryView {
  _id: string;
  campaignId: string;
  customerId: string;
  variant: DeliveryVariant;
  platform?: string;
  chatId?: string;
  status: DeliveryStatus;
  /** Why it failed or was skipped: the platform's words, `interrupted`, `opted-out`, `holdout`. */
  reason?: string;
  notBefore?: Date;
  /** When its platform call was marked (status `sending` until a result exists). */
  attemptedAt?: Date;
  /** A crash caught its platform call: it may or may not have arrived (failed: interrupted, not resent). */
  uncertain?: boolean;
  /** When a person resent it (`promo resend-uncertain`). */
  resentAt?: Date;
  sentAt?: Date;
  respondedAt?: Date;
  optedOutAt?: Date;
}

/** What the events of one delivery say. */
export interface DeliveryFacts {
  /** The claim: when, by whom, and whether its platform call is marked apart (`lease`). */
  attemptAt?: Date;
  attemptBy?: string;
  attemptLease?: boolean;
  /** The mark written just before the platform call. */
  sendingAt?: Date;
  sendingBy?: string;
  result?: { status: 'sent' | 'failed' | 'skipped'; reason?: string; at: Date };
  /** A person's resend: its mark, then its outcome. */
  resendAt?: Date;
  resendBy?: string;
  resent?: { status: 'sent' | 'failed' | 'skipped'; reason?: string; at: Date };
  respondedAt?: Date;
  optedOutAt?: Date;
}

/**
 * When the platform call of a delivery was (or may have been) made: its `sending` mark, or a claim
 * written before marks existed (such claims were made just before the call). A claim with `lease`
 * and no mark never reached the platform; an opt-out's claim or mark is no call at all.
 */
export function callMarkedAt(f: DeliveryFacts): Date | undefined {
  if (f.sendingAt) return f.sendingBy === OPT_OUT_CLAIM ? undefined : f.sendingAt;
  return f.attemptAt && !f.attemptLease && f.attemptBy !== OPT_OUT_CLAIM ? f.attemptAt : undefined;
}

/** Whether a crash caught the delivery's call and nobody resent it: it may or may not have arrived. */
export function isUncertain(f: DeliveryFacts | undefined): boolean {
  return f?.result?.status === 'failed' && f.result.reason === INTERRUPTED && !f.resendAt;
}

/** The reason a send caught by a crash is recorded with. */
export const INTERRUPTED = 'interrupted';

type EventRow = Pick<DeliveryEventDoc, 'deliveryId' | 'kind' | 'at' | 'by' | 'lease' | 'status' | 'reason'>;

function outcome(e: EventRow): NonNullable<DeliveryFacts['result']> {
  return { status: e.status ?? 'failed', at: e.at, ...(e.reason ? { reason: e.reason } : {}) };
}

function addFact(facts: DeliveryFacts, e: EventRow): void {
  switch (e.kind) {
    case 'attempt':
      facts.attemptAt = e.at;
      if (e.by) facts.attemptBy = e.by;
      if (e.lease) facts.attemptLease = true;
      break;
    case 'sending':
      facts.sendingAt = e.at;
      if (e.by) facts.sendingBy = e.by;
      break;
    case 'result':
      facts.result = outcome(e);
      break;
    case 'resend':
      facts.resendAt = e.at;
      if (e.by) facts.resendBy = e.by;
      break;
    case 'resent':
      facts.resent = outcome(e);
      break;
    case 'response':
      facts.respondedAt = e.at;
      break;
    case 'optout':
      facts.optedOutAt = e.at;
      break;
  }
}

/** The frozen record plus its facts, as one view. */
export function foldDelivery(d: Pick<DeliveryDoc, '_id' | 'campaignId' | 'customerId' | 'variant' | 'platform' | 'chatId' | 'status' | 'reason' | 'notBefore'>, facts: DeliveryFacts | undefined): DeliveryView {
  const view: DeliveryView = {
    _id: d._id,
    campaignId: d.campaignId,
    customerId: d.customerId,
    variant: d.variant,
    status: d.status === 'skipped' ? 'skipped' : 'pending',
    ...(d.platform ? { platform: d.platform } : {}),
    ...(d.chatId ? { chatId: d.chatId } : {}),
    ...(d.reason ? { reason: d.reason } : {}),
    ...(d.notBefore ? { notBefore: d.notBefore } : {}),
  };
  if (!facts) return view;
  const marked = callMarkedAt(facts);
  if (marked) {
    view.attemptedAt = marked;
    view.status = 'sending';
  }
  if (facts.result) {
    view.status = facts.result.status;
    if (facts.result.reason) view.reason = facts.result.reason;
    if (facts.result.status === 'sent') view.sentAt = facts.result.at;
  }
  if (isUncertain(facts)) view.uncertain = true;
  if (facts.resendAt) {
    view.resentAt = facts.resendAt;
    // A resend whose outcome was never recorded is as unknown as the send it repeated.
    view.status = facts.resent?.status ?? 'sending';
    delete view.reason;
    if (facts.resent?.reason) view.reason = facts.resent.reason;
    if (facts.resent?.status === 'sent') view.sentAt = facts.resent.at;
  }
  if (facts.respondedAt) view.respondedAt = facts.respondedAt;
  if (facts.optedOutAt) view.optedOutAt = facts.optedOutAt;
  return view;
}

/** One delivery's live view, by `_id` lookups only; `undefined` when the customer was not frozen into the campaign. */
export async function deliveryView(campaignId: string, customerId: string): Promise<DeliveryView | undefined> {
  const id = deliveryId(campaignId, customerId);
  const [d, ...events] = await Promise.all([
    Delivery.findById(id).lean<DeliveryDoc>(),
    ...DELIVERY_EVENT_KINDS.map((kind) => DeliveryEvent.findById(deliveryEventId(id, kind)).lean<DeliveryEventDoc>()),
  ]);
  if (!d) return undefined;
  const facts: DeliveryFacts = {};
  for (const e of events) if (e) addFact(facts, e);
  return foldDelivery(d, facts);
}

/** Every event of a campaign (of some kinds), folded per delivery: one pass. */
export async function campaignFacts(campaignId: string, kinds: readonly DeliveryEventDoc['kind'][] = DELIVERY_EVENT_KINDS): Promise<Map<string, DeliveryFacts>> {
  const facts = new Map<string, DeliveryFacts>();
  const cursor = DeliveryEvent.find({ campaignId, kind: { $in: kinds } }, { deliveryId: 1, kind: 1, at: 1, by: 1, lease: 1, status: 1, reason: 1 })
    .lean<EventRow[]>()
    .cursor({ batchSize: 2000 });
  for await (const e of cursor) {
    let f = facts.get(e.deliveryId);
    if (!f) facts.set(e.deliveryId, (f = {}));
    addFact(f, e);
  }
  return facts;
}

/** Every delivery of a campaign with its live state: one pass over its events, one over its deliveries. */
export async function* campaignDeliveries(campaignId: string): AsyncGenerator<DeliveryView> {
  const facts = await campaignFacts(campaignId);
  const cursor = Delivery.find({ campaignId }, { campaignId: 1, customerId: 1, variant: 1, platform: 1, chatId: 1, status: 1, reason: 1, notBefore: 1 })
    .lean<DeliveryDoc[]>()
    .cursor({ batchSize: 2000 });
  for await (const d of cursor) yield foldDelivery(d, facts.get(d._id));
}
