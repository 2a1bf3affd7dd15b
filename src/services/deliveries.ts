/**
 * Inbound deliveries processed once: `_id` is the platform's delivery id (`tg:<bot>:<update_id>`,
 * `slack:<event_id>`), so a re-delivered update — Telegram re-sends on errors, Slack retries —
 * runs once, also across processes. Inserting a taken `_id` is the check.
 *
 * @example
 *   if (!(await claimDelivery(incoming.deliveryId))) return []; // seen before
 */
import { ProcessedDelivery } from '../../models/processed-delivery.js';
import { isDuplicateKey } from '../db/writes.js';

/** Insert-or-skip on the delivery id: true the first time, false for a duplicate. */
export async function claimDelivery(deliveryId: string): Promise<boolean> {
  try {
    await ProcessedDelivery.create({ _id: deliveryId });
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

/** Gives a delivery id back after a failure that wrote nothing, so the platform's retry runs it. */
export async function releaseDelivery(deliveryId: string): Promise<void> {
  await ProcessedDelivery.deleteOne({ _id: deliveryId });
}
