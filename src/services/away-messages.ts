/**
 * The away message: a customer who writes while the shop is closed (`BUSINESS_HOURS` in
 * `DEFAULT_TIMEZONE`) hears when it opens — once per conversation, however many messages they
 * send before anyone answers or the conversation is resolved.
 *
 * "Once" is an outbox claim keyed by the conversation (`away:C12:<openedAt ms>`), a unique `_id`
 * insert: two messages arriving at the same moment, or a message delivered twice, claim it once.
 * The message itself goes back as the reply to the customer's own message.
 *
 * @example
 *   const opensAt = await awayMessageDue('C12', now, config);
 *   if (opensAt) replies.push(text(awayText(opensAt, now, config.DEFAULT_TIMEZONE, ctx.msg)));
 */
import type { Config } from '../config.js';
import { isOpenAt, nextOpening } from '../values/opening-hours.js';
import { getConversation } from './conversations.js';
import { claimSend, finishSend } from './outbox.js';

/**
 * When the shop opens next, if the customer (whose message was just recorded) should get the
 * away message now: the shop is closed, their conversation is open, and it has had no away
 * message yet. Undefined otherwise. One `_id` read and, when due, one insert and one update.
 *
 * @example
 *   await awayMessageDue('C12', new Date('2026-03-07T14:00:00Z'), config) // Saturday 21:00 → 2026-03-09T01:00:00Z (Monday 08:00)
 */
export async function awayMessageDue(customerId: string, now: Date, config: Pick<Config, 'BUSINESS_HOURS' | 'DEFAULT_TIMEZONE'>): Promise<Date | undefined> {
  const hours = config.BUSINESS_HOURS;
  const zone = config.DEFAULT_TIMEZONE;
  if (isOpenAt(hours, zone, now)) return undefined;
  const conversation = await getConversation(customerId);
  if (conversation?.state !== 'open') return undefined;
  const key = `away:${customerId}:${(conversation.openedAt ?? now).getTime()}`;
  if (!(await claimSend(key, 'away', { kind: 'customer', customerId }, now))) return undefined;
  await finishSend(key, { state: 'sent', finishedAt: now });
  return nextOpening(hours, zone, now);
}
