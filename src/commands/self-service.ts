/**
 * What customers do in the shop's chat: /start (greeting, offer consent,
 * phone sharing), /stop, /complaint, and free text — stored as an interaction,
 * opening the customer's conversation, and told to its assignee (the
 * customer's owner, or the staff on duty when there is none), each staff member
 * in their own language.
 *
 * Customers write in Vietnamese as much as in English: `khiếu nại …` is `complaint …`, and a whole
 * message that only asks to opt out ("hủy đăng ký", "dừng lại ạ") or to see their orders ("đơn hàng
 * của tôi") does that instead of reaching staff as chat ({@link customerIntent}).
 */
import { z } from 'zod';
import { CUSTOMERS, EVERYONE, type Command, type CommandContext } from '../core/command.js';
import type { Messages } from '../core/messages.js';
import { text, type Reply } from '../core/types.js';
import { setConsent } from '../services/contacts.js';
import { recordPromoOptOut, recordPromoResponse } from '../services/campaigns/responses.js';
import { customerWrote, inboxSettings, notifyStaff, silenceCustomer, unsilenceCustomer } from '../services/conversations.js';
import { isComplaint, recordInteraction, sentWith } from '../services/interactions.js';
import { ensureCustomer, linkCustomerByPhone } from '../services/people.js';
import { normalisePhone } from '../values/phone.js';
import { foldName } from '../values/names.js';
import { customerMessageNotice } from '../views/inbox.js';
import { awayMessageDue } from '../services/away-messages.js';
import { rememberCustomerLocale } from '../services/customer-locale.js';
import { awayText } from '../views/service-levels.js';
import { looksLikeStartCode } from '../services/start-links.js';
import { orders } from './orders.js';
import { startWithCode } from './start-links.js';
import { check } from './validate.js';

export const start: Command = {
  name: 'start',
  usage: 'start',
  summary: 'start',
  allow: EVERYONE,
  hidden: true, // Telegram sends it by itself; nobody needs it in the help list
  async run(ctx) {
    // A chat link opened (`t.me/<bot>?start=<code>`): that account becomes the customer's (./start-links.ts).
    const code = ctx.args.trim();
    if (looksLikeStartCode(code)) return startWithCode(ctx, code);
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
  aliases: ['complain', 'khiếu nại'],
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
  // "Stop!", "hủy đăng ký ạ" opt out like /stop (a bare "stop" already reaches the stop command);
  // "đơn hàng của tôi" shows their orders like "orders".
  const intent = forceComplaint ? undefined : customerIntent(body);
  if (intent === 'stop') return stop.run(ctx);
  if (intent === 'orders') return orders.run(ctx);
  const c = await ensureCustomer(ctx.actor, ctx.incoming);
  const now = ctx.deps.now();
  // Their chat app's language, for what the shop sends them later (the rating request, order updates).
  await rememberCustomerLocale(c, ctx.incoming.locale);
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
    ...sentWith(ctx.incoming), // what was sent besides words: files, a location, an edit
  });
  const { recipients } = await customerWrote({
    customer: c,
    channel: { platform: ctx.incoming.platform, identityId: ctx.actor.identityId, chatId: ctx.incoming.chatId },
    text: body,
    complaint: complaintFlag,
    now,
    settings: inboxSettings(ctx.deps.config),
  });
  // Each staff member reads the notice in their own language (their `lang`, else the shop's), not the customer's.
  const notice = (msg: Messages) => customerMessageNotice({ ref: c._id, name: c.name, platform: ctx.incoming.platform, body, complaint: complaintFlag }, msg);
  // The customer's photo, voice note or file goes to staff too: copied natively on the same platform,
  // carried over as a file across platforms (bots/*), never only as the summary line.
  const files = ctx.incoming.attachments ?? [];
  const media: Reply[] = ctx.incoming.source && files.length > 0 ? [{ kind: 'forward', from: ctx.incoming.source, attachments: files, caption: files[0]?.caption }] : [];
  await notifyStaff(
    ctx.deps.notifier,
    recipients,
    { shopLanguage: ctx.deps.config.SHOP_LANGUAGE, render: (msg) => [notice(msg), ...media] },
    c._id,
    now,
    ctx.deps.log,
  );
  // Outside opening hours, once per conversation: when the shop opens (src/services/away-messages.ts).
  const opensAt = await awayMessageDue(c._id, now, ctx.deps.config);
  const away = opensAt ? awayText(opensAt, now, ctx.deps.config.DEFAULT_TIMEZONE, ctx.msg) : undefined;
  if (complaintFlag) return [text(ctx.msg.complaintReceived()), ...(away ? [text(away)] : [])];
  return [text(away ?? ctx.msg.messageReceived())];
}

/** A contact card a customer shared from their own account: link or save the phone. */
export async function customerSharedContact(ctx: CommandContext, phoneRaw: string): Promise<Reply[]> {
  const phone = normalisePhone(phoneRaw, ctx.region);
  if (!phone) return [text(ctx.msg.phoneInvalid())];
  const { customer, linked } = await linkCustomerByPhone(ctx.actor, ctx.incoming, phone);
  return [text(linked === 'existing' ? ctx.msg.phoneLinked(customer.name) : ctx.msg.phoneAdded())];
}

// ---------------------------------------------------------------------------------------------
// What a customer's whole message asks for.

/** "me" as customers write it (folded): tôi, em, mình, tớ, tui. */
const ME = '(?:toi|em|minh|to|tui)';
/** Courtesy before the request: "shop ơi", "cho em", "làm ơn", "em muốn" (folded). */
const LEAD = `(?:(?:shop|ad|admin|em|anh|chi|ban|ca nha) oi|cho ${ME}|giup ${ME}|gium ${ME}|lam on|vui long|xin|${ME} (?:muon|can)|please)`;
/** Courtesy after it: "ạ", "nhé", "nha", "với", "nữa", "giúp em", "cảm ơn" (folded; punctuation is gone by then). */
const TRAIL = `(?:a|nhe|nha|nhen|voi|di|nua|luon|giup ${ME}|gium ${ME}|cho ${ME}|shop|ad|please|pls|thanks|thank you|cam on(?: shop)?)`;
const whole = (core: string) => new RegExp(`^(?:${LEAD} )*(?:${core})(?: ${TRAIL})*$`);

/** Opting out, folded: stop, unsubscribe, hủy/huỷ đăng ký, không/ngừng nhận tin, đừng gửi tin nữa, ngừng lại. */
const OPT_OUT = whole(
  [
    'stop',
    'unsubscribe',
    'huy (?:dang k[iy]|theo doi)(?: nhan tin)?',
    'huy nhan (?:tin|tin nhan|khuyen mai|uu dai)',
    '(?:khong|ngung|thoi) (?:muon )?nhan (?:tin|tin nhan|khuyen mai|uu dai|quang cao)',
    'dung (?:nhan|gui) (?:tin|tin nhan|khuyen mai|uu dai|quang cao)',
    'ngung(?: lai)?',
  ].join('|'),
);
/**
 * "dừng", "dừng lại": without their accents they read as "đúng" (right, yes) or "dùng lại" (use
 * again), so they opt out only as written with "dừng" — "dung" alone goes to staff.
 */
const OPT_OUT_ACCENTED = whole('dung(?: lai)?');
const DUNG = /(?<!\p{L})dừng(?!\p{L})/u;
/** Their orders, folded: đơn hàng, đơn (hàng) của tôi/em/mình, xem đơn, kiểm tra đơn (hàng), my orders. */
const MY_ORDERS = whole(
  [
    `(?:xem|coi|kiem tra|check)(?: lai)?(?: cac| nhung)? don(?: hang)?(?: cua ${ME})?`,
    `(?:cac |nhung )?don hang(?: cua ${ME})?`,
    `(?:cac |nhung )?don cua ${ME}`,
    'my orders?',
  ].join('|'),
);

/**
 * What a customer's message asks for when the whole of it is a request the bot answers itself:
 * `stop` (opt out — "hủy đăng ký", "Dừng lại ạ", "không nhận tin nữa nhé", "Stop!"), `orders` (their
 * orders — "đơn hàng", "xem đơn của em với"), else undefined: a message for staff. Case, diacritics
 * and punctuation aside, with courtesy words around it ("shop ơi", "ạ", "nhé", "giúp em"); anything
 * more makes it a message ("dừng giao hàng giúp em", "đơn hàng của em bị lỗi"). Where a word reads
 * two ways without its accents ("dung": dừng, đúng, dùng) it counts only as written with them.
 *
 * @example
 *   customerIntent('Huỷ đăng ký ạ!')          // → 'stop'
 *   customerIntent('dừng giao hàng giúp em') // → undefined
 *   customerIntent('Đúng ạ')                 // → undefined
 *   customerIntent('kiểm tra đơn hàng nhé')   // → 'orders'
 */
export function customerIntent(body: string): 'stop' | 'orders' | undefined {
  const words = foldName(body).replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
  if (!words || words.length > 80) return undefined;
  if (OPT_OUT.test(words)) return 'stop';
  if (OPT_OUT_ACCENTED.test(words) && DUNG.test(body.normalize('NFC').toLowerCase())) return 'stop';
  if (MY_ORDERS.test(words)) return 'orders';
  return undefined;
}
