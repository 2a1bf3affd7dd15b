/**
 * Interactions: every customer message, complaint, staff note and reply,
 * stored against the customer. Complaints are recognised by a small,
 * transparent keyword rule (English and Vietnamese) so a human can predict it.
 *
 * @example
 *   isComplaint('the parcel arrived broken, I want a refund') // → true
 */
import type { Types } from 'mongoose';
import { Interaction, type InteractionDoc } from '../../models/interaction.js';
import type { AttachmentKind, Incoming } from '../core/types.js';
import { foldName } from '../values/names.js';
import { pushRecent } from './recent.js';

/** English complaint words, found anywhere in the folded text ("complain" is in "complained"). */
const COMPLAINT_WORDS = [
  'complain', 'complaint', 'refund', 'broken', 'damaged', 'defective', 'terrible', 'awful', 'scam', 'wrong item',
  'never arrived', 'not arrived', 'late delivery', 'disappointed', 'angry', 'unacceptable',
];

/**
 * Vietnamese complaint and anger phrases, folded (no accents), found as whole words: "qua te" is
 * "quá tệ" but not "quà tết". A phrase right after a negation ("không thất vọng") does not count.
 */
const COMPLAINT_PHRASES_VI = [
  // complaining, refunds
  'khieu nai', 'phan nan', 'hoan tien', 'tra lai tien', 'boc phot',
  // faulty or broken goods
  'hang loi', 'bi loi', 'bi hong', 'hong roi', 'hang hong', 'bi vo', 'bi rach', 'hang nhai', 'kem chat luong', 'chat luong kem',
  // wrong, missing or late delivery
  'khong nhan duoc hang', 'giao sai', 'sai hang', 'giao nham', 'nham hang', 'giao thieu', 'giao cham',
  // anger, disappointment
  'lua dao', 'that vong', 'qua te', 'te qua', 'rat te', 'te hai', 'buc minh', 'buc boi', 'tuc gian', 'tuc qua',
  'khong chap nhan duoc', 'vo trach nhiem', 'lam an kieu gi', 'khong bao gio mua',
];
const NEGATED = new Set(['khong', 'chang', 'cha', 'khong he', 'chang he']);

/** Whether free text reads like a complaint. */
export function isComplaint(text: string): boolean {
  const folded = foldName(text);
  if (COMPLAINT_WORDS.some((w) => folded.includes(w))) return true;
  const words = folded.replace(/[^\p{L}\p{N}]+/gu, ' ').trim().split(' ');
  return COMPLAINT_PHRASES_VI.some((phrase) => {
    const want = phrase.split(' ');
    for (let i = 0; i + want.length <= words.length; i++) {
      if (!want.every((w, k) => words[i + k] === w)) continue;
      const before = [words.slice(Math.max(0, i - 2), i).join(' '), words[i - 1] ?? ''];
      if (!before.some((b) => NEGATED.has(b))) return true;
    }
    return false;
  });
}

export interface InteractionInput {
  customerId: string;
  kind: 'message' | 'complaint' | 'note' | 'reply';
  text: string;
  platform?: string;
  staffId?: string;
  priority?: 'normal' | 'high';
  at?: Date;
  /** A reply: `sending` when stored before its send (see {@link settleReply}). */
  delivery?: 'sending' | 'sent' | 'failed';
  /** A reply: the outbox key that sends it once. */
  outboxKey?: string;
  /** What was sent besides words (see {@link sentWith}). */
  media?: InteractionMedia;
  /** Where the message is on its platform (see {@link sentWith}). */
  sourceRef?: string;
  /** An edit: the earlier message's platform id, and its old text when known. */
  editOf?: string;
  previousText?: string;
}

/** A photo, voice note, file, sticker or location a customer sent, as stored. */
export interface InteractionMedia {
  kind: AttachmentKind | 'location';
  caption?: string;
  fileRef?: string;
  fileName?: string;
  mimeType?: string;
  latitude?: number;
  longitude?: number;
}

/**
 * The interaction fields an incoming message carries besides its text (adapters: real traffic):
 * what was sent (kind, caption, the platform's file reference), where it is on its platform, and —
 * for an edit — which message it changed and the old text. Spread it into {@link recordInteraction}.
 * The text itself (a summary such as `[photo] caption` when there was no caption) stays the caller's.
 *
 * @example
 *   sentWith({ …, text: '[photo] blue dress?', attachments: [{ kind: 'image', fileRef: 'AgAC…', … }], source: { platform: 'telegram', chatId: '42', messageId: '7' } })
 *   // → { media: { kind: 'image', fileRef: 'AgAC…' }, sourceRef: 'telegram:42:7' }
 *   sentWith({ …, text: '✏️ edited: size M', edit: { messageId: '7', previousText: 'size S' } })
 *   // → { editOf: '7', previousText: 'size S' }
 */
export function sentWith(incoming: Pick<Incoming, 'attachments' | 'location' | 'source' | 'edit'>): Partial<InteractionInput> {
  const out: Partial<InteractionInput> = {};
  const file = incoming.attachments?.[0];
  if (file) {
    const media: InteractionMedia = { kind: file.kind };
    if (file.caption) media.caption = file.caption;
    if (file.fileRef) media.fileRef = file.fileRef;
    if (file.fileName) media.fileName = file.fileName;
    if (file.mimeType) media.mimeType = file.mimeType;
    out.media = media;
  } else if (incoming.location) {
    out.media = { kind: 'location', latitude: incoming.location.latitude, longitude: incoming.location.longitude };
    if (incoming.location.title) out.media.caption = incoming.location.title;
  }
  if (incoming.source) out.sourceRef = `${incoming.source.platform}:${incoming.source.chatId}:${incoming.source.messageId}`;
  if (incoming.edit) {
    out.editOf = incoming.edit.messageId;
    if (incoming.edit.previousText !== undefined) out.previousText = incoming.edit.previousText;
  }
  return out;
}

/**
 * Customer messages and complaints, newest first, at most `limit` (and how many there are in
 * all): what the first staff member to open the bot is told about when nobody could be told
 * before. It reads the whole interactions collection — on a shop that has no staff member yet,
 * a small one — so it is for that moment only, never for an interactive path.
 *
 * @example
 *   const { items, total } = await waitingCustomerMessages(20);
 */
export async function waitingCustomerMessages(limit: number): Promise<{ items: InteractionDoc[]; total: number }> {
  const filter = { kind: { $in: ['message', 'complaint'] as ('message' | 'complaint')[] } };
  const [items, total] = await Promise.all([
    Interaction.find(filter).sort({ at: -1 }).limit(limit).lean<InteractionDoc[]>(),
    Interaction.countDocuments(filter),
  ]);
  return { items, total };
}

/**
 * Whether an interaction is a response the customer received: a reply whose send did not fail
 * (replies stored before delivery was tracked count). Notes never are — they stay in the shop.
 *
 * @example
 *   isReceivedReply({ kind: 'note' }) // → false
 *   isReceivedReply({ kind: 'reply', delivery: 'sent' }) // → true
 */
export function isReceivedReply(i: { kind: string; delivery?: string | null }): boolean {
  return i.kind === 'reply' && (i.delivery === undefined || i.delivery === null || i.delivery === 'sent');
}

/** The delivery states a received reply may have, as a query filter value (`{ delivery: RECEIVED_DELIVERY }`). */
export const RECEIVED_DELIVERY = { $nin: ['sending', 'failed'] } as const;

/** Stores one interaction and adds it to the customer's recent list (two `_id` writes). */
export async function recordInteraction(input: InteractionInput): Promise<InteractionDoc & { _id: Types.ObjectId }> {
  const doc = await Interaction.create({ ...input, at: input.at ?? new Date() });
  await pushRecent(input.customerId, 'recentInteractionIds', doc._id);
  return doc.toObject();
}

/**
 * Records how a reply's send ended (one `_id` write): `sent` with the platform it went out on, or
 * `failed` with the platform's words.
 *
 * @example
 *   await settleReply(reply._id, { delivery: 'failed', failure: 'Forbidden: bot was blocked by the user' });
 */
export async function settleReply(
  id: Types.ObjectId,
  outcome: { delivery: 'sent'; platform?: string } | { delivery: 'failed'; failure: string; platform?: string },
): Promise<void> {
  await Interaction.updateOne({ _id: id }, { $set: outcome });
}
