/**
 * What customers do in the shop's chat: /start (greeting, offer consent,
 * phone sharing), /stop, /complaint, and free text — stored as an interaction
 * and forwarded to the customer's owner (or support when unassigned).
 */
import { z } from 'zod';
import type { CustomerDoc } from '../../models/customer.js';
import { CUSTOMERS, EVERYONE, type Command, type CommandContext } from '../core/command.js';
import { text, type Reply } from '../core/types.js';
import { setConsent } from '../services/contacts.js';
import { recordPromoOptOut, recordPromoResponse } from '../services/campaigns/responses.js';
import { isComplaint, recordInteraction } from '../services/interactions.js';
import { ensureCustomer, linkCustomerByPhone } from '../services/people.js';
import { complaintHandlers } from '../services/staff-notices.js';

import { normalisePhone } from '../values/phone.js';
import { truncate } from '../views/customers.js';
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
    await ensureCustomer(ctx.actor, ctx.incoming);
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
 * Free text from a customer: stored, classified (complaint or not), and
 * forwarded — complaints to support at once with priority, other messages to
 * the customer's owner (support when nobody owns the customer).
 */
export async function customerMessage(ctx: CommandContext, body: string, forceComplaint = false): Promise<Reply[]> {
  // "Stop!", "STOP." opt out like /stop (a bare "stop" already reaches the stop command).
  if (!forceComplaint && /^\s*(stop|unsubscribe)[\s.!]*$/i.test(body)) return stop.run(ctx);
  const c = await ensureCustomer(ctx.actor, ctx.incoming);
  // A message in the chat a promotion went to is a response to it (counted once, live).
  await recordPromoResponse(c._id, { platform: ctx.incoming.platform, chatId: ctx.incoming.chatId }, ctx.deps.now());
  const complaintFlag = forceComplaint || isComplaint(body);
  await recordInteraction({
    customerId: c._id,
    kind: complaintFlag ? 'complaint' : 'message',
    text: body,
    platform: ctx.incoming.platform,
    priority: complaintFlag ? 'high' : 'normal',
    at: ctx.deps.now(),
  });
  await forwardToStaff(ctx, c, body, complaintFlag);
  return [text(complaintFlag ? ctx.msg.complaintReceived() : ctx.msg.messageReceived())];
}

async function forwardToStaff(ctx: CommandContext, c: CustomerDoc, body: string, complaintFlag: boolean): Promise<void> {
  const ref = c._id;
  const name = c.name || ctx.msg.noName();
  const message = complaintFlag
    ? ctx.msg.notifyComplaint(ref, name, ctx.incoming.platform, truncate(body, 1500))
    : ctx.msg.notifyMessage(ref, name, ctx.incoming.platform, truncate(body, 1500));
  const recipients = new Set<string>();
  if (c.ownerId && !complaintFlag) recipients.add(c.ownerId);
  if (complaintFlag || recipients.size === 0) {
    for (const s of await complaintHandlers()) recipients.add(s._id);
    if (complaintFlag && c.ownerId) recipients.add(c.ownerId);
  }
  const reply = text(message, [[{ label: ctx.msg.openCustomerButton(), action: `customer ${ref}` }]]);
  for (const staffId of recipients) {
    const result = await ctx.deps.notifier.notify({ kind: 'staff', staffId }, [reply]);
    if (!result.ok) ctx.deps.log.warn({ staffId, reason: result.reason }, 'could not forward a customer message');
  }
}

/** A contact card a customer shared from their own account: link or save the phone. */
export async function customerSharedContact(ctx: CommandContext, phoneRaw: string): Promise<Reply[]> {
  const phone = normalisePhone(phoneRaw, ctx.region);
  if (!phone) return [text(ctx.msg.phoneInvalid())];
  const { customer, linked } = await linkCustomerByPhone(ctx.actor, ctx.incoming, phone);
  return [text(linked === 'existing' ? ctx.msg.phoneLinked(customer.name) : ctx.msg.phoneAdded())];
}
