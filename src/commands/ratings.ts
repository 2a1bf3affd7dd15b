/**
 * Satisfaction from the chat's side: after `resolve`, the customer is asked once to rate the
 * conversation ({@link afterResolve}); their button press (`rate <1–5> <opened ms>`, a hidden
 * customer command) stores the rating once and thanks them, and a second rating of the same
 * conversation is refused politely. See src/services/ratings.ts.
 */
import type { ConversationDoc } from '../../models/conversation.js';
import type { CustomerDoc } from '../../models/customer.js';
import { CUSTOMERS, type Command, type StaffContext } from '../core/command.js';
import { messagesFor } from '../core/messages.js';
import { text } from '../core/types.js';
import { askForRating, rateConversation, recordResolution } from '../services/ratings.js';
import { customerLanguageOf } from '../services/recipient-language.js';
import { ratingRequest } from '../views/service-levels.js';
import { customerMessage } from './self-service.js';

/**
 * What follows a resolved conversation: it is recorded (once), and its customer — when they have
 * a chat with the bot and did not send `stop` — is asked to rate it, in their language, once.
 * A failed send is logged, never thrown: the resolve stands.
 *
 * @example
 *   const before = await getConversation(c._id);
 *   if (await resolveConversation(c._id)) await afterResolve(ctx, c, before);
 */
export async function afterResolve(ctx: StaffContext, customer: Pick<CustomerDoc, '_id' | 'identityIds' | 'locale' | 'lang'>, before: ConversationDoc | null): Promise<void> {
  const now = ctx.deps.now();
  const resolution = await recordResolution({ customerId: customer._id, before, by: ctx.staff.staffId, now, hasChat: (customer.identityIds ?? []).length > 0 });
  if (!resolution.recorded || !resolution.askable) return;
  const msg = messagesFor(customerLanguageOf(customer, ctx.deps.config));
  const openedMs = resolution.key.slice(customer._id.length + 1);
  const outcome = await askForRating({ key: resolution.key, customerId: customer._id, replies: [ratingRequest(openedMs, msg)], notifier: ctx.deps.notifier, now, by: ctx.by });
  if (outcome.status === 'failed') ctx.deps.log.warn({ customerId: customer._id, reason: outcome.reason }, 'could not ask a customer for a rating');
}

export const rate: Command = {
  name: 'rate',
  usage: 'rate <1-5> <conversation>',
  summary: 'rate',
  allow: CUSTOMERS,
  hidden: true, // a button target: customers press it, nobody types it
  async run(ctx) {
    const m = /^(\d+)\s+(\d{1,15})$/.exec(ctx.args.trim());
    // Not a button's words ("rate of shipping to Hue?"): a message for the shop like any other.
    if (!m) return customerMessage(ctx, ctx.incoming.text.trim());
    const [, valueText = '', openedMs = ''] = m;
    const value = Number(valueText);
    if (value < 1 || value > 5) return [text(ctx.msg.rating.invalid())];
    if (ctx.actor.kind !== 'customer') return [text(ctx.msg.rating.unknown())];
    const outcome = await rateConversation(ctx.actor.customerId, openedMs, value, ctx.deps.now());
    return [text(outcome === 'thanks' ? ctx.msg.rating.thanks(value) : outcome === 'already' ? ctx.msg.rating.already() : ctx.msg.rating.unknown())];
  },
};
