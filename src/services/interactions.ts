/**
 * Interactions: every customer message, complaint, staff note and reply,
 * stored against the customer. Complaints are recognised by a small,
 * transparent keyword rule (English and Vietnamese) so a human can predict it.
 *
 * @example
 *   isComplaint('the parcel arrived broken, I want a refund') // → true
 */
import { Interaction, type InteractionDoc } from '../../models/interaction.js';
import { foldName } from '../values/names.js';
import { pushRecent } from './recent.js';

const COMPLAINT_WORDS = [
  'complain', 'complaint', 'refund', 'broken', 'damaged', 'defective', 'terrible', 'awful', 'scam', 'wrong item',
  'never arrived', 'not arrived', 'late delivery', 'disappointed', 'angry', 'unacceptable',
  'khieu nai', 'hoan tien', 'bi hong', 'hong roi', 'that vong', 'lua dao', 'giao cham', 'sai hang', 'te qua',
];

/** Whether free text reads like a complaint. */
export function isComplaint(text: string): boolean {
  const folded = foldName(text);
  return COMPLAINT_WORDS.some((w) => folded.includes(w));
}

export interface InteractionInput {
  customerId: string;
  kind: 'message' | 'complaint' | 'note' | 'reply';
  text: string;
  platform?: string;
  staffId?: string;
  priority?: 'normal' | 'high';
  at?: Date;
}

/** Stores one interaction and adds it to the customer's recent list (two `_id` writes). */
export async function recordInteraction(input: InteractionInput): Promise<InteractionDoc> {
  const doc = await Interaction.create({ ...input, at: input.at ?? new Date() });
  await pushRecent(input.customerId, 'recentInteractionIds', doc._id);
  return doc.toObject();
}
