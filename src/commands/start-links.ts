/**
 * Reaching a lead who never wrote to the bot: `chat link <customer>` (also the card's "Chat link"
 * button) gives staff a one-time `t.me/<bot>?start=<code>` link to send by SMS or any messenger;
 * the customer opening it sends the bot `/start <code>`, which `start` hands to
 * {@link startWithCode}: that account becomes the customer's, they are greeted in their language,
 * and the salesperson who made the link hears it. Named `chat link` so it stays apart from
 * `invite` (staff) and `link` (your own accounts). See src/services/start-links.ts.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { STAFF, staffCommand, type CommandContext } from '../core/command.js';
import { chooseLanguage, messagesFor } from '../core/messages.js';
import { text, type Reply } from '../core/types.js';
import { resolveCustomer } from '../services/contacts.js';
import { notifyStaff } from '../services/conversations.js';
import { createStartLink, redeemStartLink, startLinkUrl, telegramBotUsername } from '../services/start-links.js';
import { check } from './validate.js';

export const chatLink = staffCommand({
  name: 'chat link',
  aliases: ['chatlink'],
  usage: 'chat link <customer>',
  summary: 'chatLink',
  examples: ['chat link C12'],
  allow: STAFF,
  async run(ctx) {
    const { ref } = check(z.object({ ref: z.string().min(1, 'say which customer') }), { ref: ctx.args.trim() });
    const found = await resolveCustomer(ref, ctx.region);
    const { code, expiresAt, customer } = await createStartLink(found._id, ctx.staff.staffId, ctx.deps.config.START_LINK_TTL_DAYS, ctx.deps.now());
    const name = customer.name || ctx.msg.noName();
    const expires = DateTime.fromJSDate(expiresAt).setZone(ctx.zone).toFormat('yyyy-LL-dd HH:mm');
    const bot = telegramBotUsername(ctx.deps.config);
    if (!bot) return [text(ctx.msg.startLink.noTelegram(customer._id, name, code, expires))];
    const created = text(ctx.msg.startLink.created(customer._id, name, startLinkUrl(bot, code), expires));
    // Slack has no link a stranger can open (only workspace members reach the app); the code works there typed.
    return ctx.deps.config.SLACK_BOT_TOKEN ? [created, text(ctx.msg.startLink.slackToo(code))] : [created];
  },
});

/**
 * `/start <code>`: a chat link opened. The answer is in the customer's language — their `lang`,
 * else their chat app's, else the shop's; the staff member who made the link is told when it
 * linked, and when the account turned out to be another customer's (nothing is moved then).
 */
export async function startWithCode(ctx: CommandContext, code: string): Promise<Reply[]> {
  const now = ctx.deps.now();
  const outcome = await redeemStartLink(code, ctx.incoming, now);
  switch (outcome.status) {
    case 'unknown':
      return [text(ctx.msg.startLink.unknown())];
    case 'used':
      return [text(ctx.msg.startLink.used())];
    case 'expired':
      return [text(ctx.msg.startLink.expired())];
    case 'staff':
      return [text(ctx.msg.startLink.staffAccount())];
    case 'elsewhere': {
      const c = outcome.customer;
      await tellStaff(ctx, outcome.createdBy, c._id, (msg) => msg.startLink.toStaffConflict(c._id, c.name || msg.noName(), ctx.incoming.platform, outcome.otherId));
      return [text(ctx.msg.startLink.linkedElsewhere())];
    }
    case 'already':
    case 'linked': {
      const c = outcome.customer;
      const msg = messagesFor(chooseLanguage(c.lang, ctx.incoming.locale, ctx.deps.config.SHOP_LANGUAGE));
      const name = c.name || ctx.incoming.displayName;
      if (outcome.status === 'already') return [text(msg.startLink.welcomeBack(name))];
      await tellStaff(ctx, outcome.createdBy, c._id, (m) => m.startLink.toStaffLinked(c._id, c.name || m.noName(), ctx.incoming.platform));
      return [text(msg.startLink.welcome(name))];
    }
  }
}

/** One notice to the link's maker, in their language; a failure is logged, never the customer's problem. */
async function tellStaff(ctx: CommandContext, staffId: string, customerId: string, say: (msg: ReturnType<typeof messagesFor>) => string): Promise<void> {
  await notifyStaff(ctx.deps.notifier, [staffId], { shopLanguage: ctx.deps.config.SHOP_LANGUAGE, render: (msg) => [text(say(msg))] }, customerId, ctx.deps.now(), ctx.deps.log).catch(
    (e: unknown) => ctx.deps.log.warn({ err: e, customerId }, 'could not tell staff about a chat link'),
  );
}
