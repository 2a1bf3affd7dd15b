/**
 * Reading deliveries back: a delivery's live state is its frozen record
 * folded with its events (see models/delivery.ts for why state changes are
 * inserts). One delivery is five `_id` lookups; a whole campaign is one pass
 * over its events into a Map, then one pass over its deliveries.
 *
 * @example
 *   const v = await deliveryView('P7', 1042); // → { status: 'sent', sentAt, respondedAt, … }
 *   for await (const d of campaignDeliveries('P7')) tally(d);
 */
import { Delivery, deliveryId, type DeliveryDoc, type DeliveryStatus, type DeliveryVariant } from '../../../models/delivery.js';
import { DeliveryEvent, deliveryEventId, DELIVERY_EVENT_KINDS, type DeliveryEventDoc } from '../../../models/delivery-event.js';

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
  /** When the claim was taken (status `sending` until a result exists). */
  attemptedAt?: Date;
  sentAt?: Date;
  respondedAt?: Date;
  optedOutAt?: Date;
}

/** What the events of one delivery say. */
export interface DeliveryFacts {
  attemptAt?: Date;
  attemptBy?: string;
  result?: { status: 'sent' | 'failed' | 'skipped'; reason?: string; at: Date };
  respondedAt?: Date;
  optedOutAt?: Date;
}

type EventRow = Pick<DeliveryEventDoc, 'deliveryId' | 'kind' | 'at' | 'by' | 'status' | 'reason'>;

function addFact(facts: DeliveryFacts, e: EventRow): void {
  switch (e.kind) {
    case 'attempt':
      facts.attemptAt = e.at;
      if (e.by) facts.attemptBy = e.by;
      break;
    case 'result':
      facts.result = { status: (e.status ?? 'failed'), at: e.at, ...(e.reason ? { reason: e.reason } : {}) };
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
  if (facts.attemptAt) {
    view.attemptedAt = facts.attemptAt;
    view.status = 'sending';
  }
  if (facts.result) {
    view.status = facts.result.status;
    if (facts.result.reason) view.reason = facts.result.reason;
    if (facts.result.status === 'sent') view.sentAt = facts.result.at;
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
  const cursor = DeliveryEvent.find({ campaignId, kind: { $in: kinds } }, { deliveryId: 1, kind: 1, at: 1, by: 1, status: 1, reason: 1 })
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
