/**
 * Satisfaction: when staff resolve a conversation it is recorded once ({@link recordResolution}),
 * the customer — if they have a chat with the bot and did not send `stop` — is asked once to rate
 * it 1–5 ({@link askForRating}), and their button press is stored once ({@link rateConversation}).
 *
 * A conversation is named by its customer and the moment it opened (`"C12:1772420400000"`,
 * {@link conversationKey}): the customer's conversation document is reused by their next
 * conversation, so the key is what tells two conversations of one customer apart. Every step is
 * a bounded number of exact `_id` reads and writes; what happens once is a unique `_id` insert
 * (the resolution, the outbox claim of the question, the rating claim).
 *
 * @example
 *   const r = await recordResolution({ customerId: 'C12', before, by: 's_lan', now });
 *   if (r.recorded && r.askable) await askForRating({ key: r.key, customerId: 'C12', replies, notifier, now });
 *   await rateConversation('C12', '1772420400000', 5, now); // → 'thanks'
 */
import { RatingClaim, Resolution, type ResolutionDoc } from '../../models/resolution.js';
import type { ConversationDoc } from '../../models/conversation.js';
import type { Notifier, Reply } from '../core/types.js';
import { isDuplicateKey, retryBusy } from '../db/writes.js';
import { sendOnce, type SendOnceResult } from './outbox.js';

/**
 * The key of a customer's conversation: their id and when it opened, in epoch milliseconds.
 *
 * @example
 *   conversationKey('C12', new Date('2026-03-02T03:00:00Z')) // → 'C12:1772420400000'
 */
export function conversationKey(customerId: string, openedAt: Date): string {
  return `${customerId}:${openedAt.getTime()}`;
}

export interface ResolutionInput {
  customerId: string;
  /** The conversation as it was just before `resolve` (it carries the opening time and assignee). */
  before: Pick<ConversationDoc, 'openedAt' | 'assigneeId' | 'silenced' | 'lastInboundAt' | 'silencedAt'> | null;
  /** The staff member who resolved it. */
  by: string;
  now: Date;
  /** Whether the customer has a chat with the bot (any identity). */
  hasChat: boolean;
}

/**
 * Records a resolved conversation once (a second resolve of the same conversation records
 * nothing), crediting its assignee — else the resolver — with it. `askable` says whether its
 * customer may be asked to rate it: they have a chat and did not send `stop` (or wrote since).
 *
 * @example
 *   await recordResolution({ customerId: 'C12', before, by: 's_lan', now, hasChat: true }) // → { key: 'C12:…', recorded: true, askable: true }
 */
export async function recordResolution(input: ResolutionInput): Promise<{ key: string; recorded: boolean; askable: boolean }> {
  const { before, now } = input;
  const openedAt = before?.openedAt ?? now;
  const key = conversationKey(input.customerId, openedAt);
  const silenced = Boolean(before?.silenced) && !(before?.lastInboundAt && before.silencedAt && before.lastInboundAt.getTime() > before.silencedAt.getTime());
  try {
    await retryBusy(() =>
      Resolution.create({ _id: key, customerId: input.customerId, openedAt, resolvedAt: now, resolvedBy: input.by, creditedTo: before?.assigneeId || input.by }),
    );
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return { key, recorded: false, askable: false };
  }
  return { key, recorded: true, askable: input.hasChat && !silenced };
}

/**
 * Asks the customer to rate the conversation, at most once per conversation (outbox key
 * `rating-ask:<conversation key>`), through the notifier (their chats in turn). Never throws for
 * a send the platform refused: the outcome says so.
 */
export async function askForRating(input: { key: string; customerId: string; replies: Reply[]; notifier: Notifier; now: Date; by?: string }): Promise<SendOnceResult> {
  const outcome = await sendOnce({
    key: `rating-ask:${input.key}`,
    kind: 'rating-ask',
    to: { kind: 'customer', customerId: input.customerId },
    replies: input.replies,
    notifier: input.notifier,
    now: input.now,
    by: input.by,
  });
  if (outcome.status === 'sent') await Resolution.updateOne({ _id: input.key }, { $set: { askedAt: input.now } });
  return outcome;
}

export type RatingOutcome = 'thanks' | 'already' | 'unknown';

/**
 * A customer's rating of one of their conversations (`openedMs` from the button): stored once.
 * `already` for a second rating of it — another button pressed later, or a press racing the
 * first; `unknown` when the customer has no such resolved conversation (an old or forged button).
 * Two `_id` reads and writes at most.
 *
 * @example
 *   await rateConversation('C12', '1772420400000', 4, now) // → 'thanks'; again → 'already'
 */
export async function rateConversation(customerId: string, openedMs: string, value: number, now: Date): Promise<RatingOutcome> {
  if (!/^\d{1,15}$/.test(openedMs)) return 'unknown';
  const key = `${customerId}:${openedMs}`;
  const resolution = await Resolution.findById(key, { rating: 1 }).lean<Pick<ResolutionDoc, '_id' | 'rating'>>();
  if (!resolution) return 'unknown';
  if (resolution.rating) return 'already';
  try {
    await retryBusy(() => RatingClaim.create({ _id: key, value, at: now }));
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    return 'already';
  }
  await retryBusy(() => Resolution.updateOne({ _id: key }, { $set: { rating: value, ratedAt: now } }));
  return 'thanks';
}

/** One person's resolved conversations and ratings over a period. */
export interface ResolutionFigures {
  /** Conversations they resolved. */
  resolved: number;
  /** Ratings of the conversations credited to them (theirs when resolved). */
  ratings: number[];
}

/**
 * Resolutions in `[from, to)` per staff member: one streaming pass over the period's resolutions
 * (a report, not an interactive path). With `staffId`, that person's only.
 *
 * @example
 *   (await resolutionFigures(from, to)).get('s_lan') // → { resolved: 3, ratings: [5, 4] }
 */
export async function resolutionFigures(from: Date, to: Date, staffId?: string): Promise<Map<string, ResolutionFigures>> {
  const figures = new Map<string, ResolutionFigures>();
  const of = (id: string) => {
    let f = figures.get(id);
    if (!f) figures.set(id, (f = { resolved: 0, ratings: [] }));
    return f;
  };
  const cursor = Resolution.find({ resolvedAt: { $gte: from, $lt: to } }, { resolvedBy: 1, creditedTo: 1, rating: 1 })
    .lean<Pick<ResolutionDoc, '_id' | 'resolvedBy' | 'creditedTo' | 'rating'>[]>()
    .cursor({ batchSize: 1000 });
  for await (const r of cursor) {
    if (!staffId || r.resolvedBy === staffId) of(r.resolvedBy).resolved++;
    if (r.rating && (!staffId || r.creditedTo === staffId)) of(r.creditedTo).ratings.push(r.rating);
  }
  return figures;
}
