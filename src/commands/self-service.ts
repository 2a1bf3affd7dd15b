/**
 * What customers do in the shop's chat: /start (greeting, offer consent,
 * phone sharing), /stop, /complaint, and free text — stored as an interaction,
 * opening the customer's conversation, and told to its assignee (the
 * customer's owner, or the staff on duty when there is none).
 */
import { z } from 'zod';
import { CUSTOMERS, EVERYONE, type Command, type CommandContext } from '../core/command.js';
import { text, type Reply } from '../core/types.js';
import { setConsent } from '../services/contacts.js';
import { recordPromoOptOut, recordPromoResponse } from '../services/campaigns/responses.js';
import { customerWrote, inboxSettings, notifyStaff, silenceCustomer, unsilenceCustomer } from '../services/conversations.js';
import { isComplaint, recordInteraction } from '../services/interactions.js';
import { ensureCustomer, linkCustomerByPhone } from '../services/people.js';
import { normalisePhone } from '../values/phone.js';
import { customerMessageNotice } from '../views/inbox.js';
import { check } from './validate.js';

export const start: Command = {
  name: 'start',
  usage: 'start',
  summary: 'start',
  allow: EVERYONE,
  hidden: true, // Telegram sends it by itself; nobody needs it in the help list
  async run(ctx) {
    // Staff open the bot with /start too (Telegram sends it first): tell them who they are.
    if (ctx.staff) return [text(`${ctx.msg.whoamiStaff(ctx.staff.name, ctx.staff.role)} ${ctx.msg.helpFooter()}`)];
    const c = await ensureCustomer(ctx.actor, ctx.incoming);
    await unsilenceCustomer(c._id); // after a `stop`, starting again lets the shop write to them again
    return [
      text(ctx.msg.welcome('our shop'), [
        [
          { label: ctx.msg.consentYesButton(), action: 'consent yes' },
          { label: ctx.msg.consentNoButton(), action: 'consent no' },
        ],
      ]),
      { kind: 'text', text: ctx.msg.sharePhonePrompt(), requestContact: ctx.msg.sharePhoneButton() },
    ];
  },
};

export const consent: Command = {
  name: 'consent',
  usage: 'consent <yes|no>',
  summary: 'consent',
  allow: CUSTOMERS,
  hidden: true,
  async run(ctx) {
    const { answer } = check(z.object({ answer: z.enum(['yes', 'no'], { error: 'answer yes or no' }) }), { answer: ctx.args.trim().toLowerCase() });
    const c = await ensureCustomer(ctx.actor, ctx.incoming);
    await setConsent(c._id, answer === 'yes', ctx.by, ctx.deps.now());
    if (answer === 'yes') await unsilenceCustomer(c._id);
    return [text(answer === 'yes' ? ctx.msg.consentGiven() : ctx.msg.consentDeclined())];
  },
};

export const stop: Command = {
  name: 'stop',
  aliases: ['unsubscribe'],
  usage: 'stop',
  summary: 'stop',
  allow: CUSTOMERS,
  async run(ctx) {
    const c = await ensureCustomer(ctx.actor, ctx.incoming);
    await setConsent(c._id, false, ctx.by, ctx.deps.now());
    // Everything the shop sends by itself stops too (order updates); staff may still answer what they write next.
    await silenceCustomer(c._id, ctx.deps.now());
    // Pending promotion sends to them are cancelled; the opt-out counts for their latest promotion.
    await recordPromoOptOut(c._id, ctx.deps.now());
    return [text(ctx.msg.stopped())];
  },
};

export const complaint: Command = {
  name: 'complaint',
  aliases: ['complain'],
  usage: 'complaint <what went wrong>',
  summary: 'complaint',
  examples: ['complaint the parcel arrived broken'],
  allow: CUSTOMERS,
  async run(ctx) {
    const body = ctx.args.trim();
    if (!body) return [text(ctx.msg.complaintNeedsText())];
    return customerMessage(ctx, body, true);
  },
};

/**
 * Free text from a customer: stored, classified (complaint or not), the customer's conversation
 * opened, and told to its assignee — the customer's owner, or the staff on duty when there is
 * none; complaints to the staff on duty at once, with priority (and to the assignee).
 */
export async function customerMessage(ctx: CommandContext, body: string, forceComplaint = false): Promise<Reply[]> {
  // "Stop!", "STOP." opt out like /stop (a bare "stop" already reaches the stop command).
  if (!forceComplaint && /^\s*(stop|unsubscribe)[\s.!]*$/i.test(body)) return stop.run(ctx);
  const c = await ensureCustomer(ctx.actor, ctx.incoming);
  const now = ctx.deps.now();
  // A message in the chat a promotion went to is a response to it (counted once, live).
  await recordPromoResponse(c._id, { platform: ctx.incoming.platform, chatId: ctx.incoming.chatId }, now);
  const complaintFlag = forceComplaint || isComplaint(body);
  await recordInteraction({
    customerId: c._id,
    kind: complaintFlag ? 'complaint' : 'message',
    text: body,
    platform: ctx.incoming.platform,
    priority: complaintFlag ? 'high' : 'normal',
    at: now,
  });
  const { recipients } = await customerWrote({
    customer: c,
    channel: { platform: ctx.incoming.platform, identityId: ctx.actor.identityId, chatId: ctx.incoming.chatId },
    text: body,
    complaint: complaintFlag,
    now,
    settings: inboxSettings(ctx.deps.config),
  });
  const notice = customerMessageNotice({ ref: c._id, name: c.name, platform: ctx.incoming.platform, body, complaint: complaintFlag }, ctx.msg);
  await notifyStaff(ctx.deps.notifier, recipients, [notice], c._id, now, ctx.deps.log);
  return [text(complaintFlag ? ctx.msg.complaintReceived() : ctx.msg.messageReceived())];
}

/** A contact card a customer shared from their own account: link or save the phone. */
export async function customerSharedContact(ctx: CommandContext, phoneRaw: string): Promise<Reply[]> {
  const phone = normalisePhone(phoneRaw, ctx.region);
  if (!phone) return [text(ctx.msg.phoneInvalid())];
  const { customer, linked } = await linkCustomerByPhone(ctx.actor, ctx.incoming, phone);
  return [text(linked === 'existing' ? ctx.msg.phoneLinked(customer.name) : ctx.msg.phoneAdded())];
}
