/**
 * The two-way shop inbox: one conversation per customer (`_id` = the customer's, `"C12"`).
 *
 * Customer → {@link customerWrote}: the conversation opens (or stays open), the customer gets an
 * owner if they had none, and the caller learns whom to tell (the assignee — the customer's
 * owner — or, when there is none, the staff on duty; complaints always reach the staff on duty).
 * Those notifications go out through {@link notifyStaff}, each in its reader's language (their
 * `lang`, else the shop's — never the customer's), which keeps each one's platform message
 * key (`"tg:<chat>:<message_id>"`, `"slack:<channel>:<ts>"`) → customer, so an adapter maps a
 * reply-to or thread reply to its conversation in one lookup ({@link conversationForReply}).
 * Staff → {@link replyToCustomer}: claimed in the outbox under the command's delivery id (it goes
 * out at most once, however often the command is delivered), stored as a `reply` interaction with
 * its author, sent to the chat the customer last wrote from, and the conversation is `answered`.
 * Notes never come here: nothing sends them. Order updates use the same route
 * ({@link notifyOrderUpdate}), once per order and event.
 *
 * Every step is a bounded number of exact `_id` reads and writes; the list of open conversations
 * is one `OpenConversations` document (`inbox` reads it by `_id`), written after the conversation
 * it mirrors, and `inbox` drops the entries their conversation no longer backs.
 *
 * @example
 *   const { recipients } = await customerWrote({ customer, channel, text: 'where is my parcel?', complaint: false, now, settings });
 *   await notifyStaff(notifier, recipients, [notice], customer._id, now);
 *   await replyToCustomer({ customer, text: 'It left today.', shown: 'It left today.', authorId: 's_lan', key: 'reply:tg:1:17', notifier, now });
 */
import { Conversation, NotificationRef, OpenConversations, type ConversationDoc, type OpenConversationsDoc, type OpenEntry } from '../../models/conversation.js';
import { Counter } from '../../models/counter.js';
import { Customer, type CustomerDoc } from '../../models/customer.js';
import { Identity, type IdentityDoc } from '../../models/identity.js';
import { Outbox } from '../../models/outbox.js';
import { Staff, type StaffDoc } from '../../models/staff.js';
import type { Config } from '../config.js';
import { chooseLanguage, messagesFor, type Messages } from '../core/messages.js';
import { text, type Notifier, type Platform, type Recipient, type Reply, type SendResult } from '../core/types.js';
import { scanComment } from '../db/scans.js';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Language } from '../values/format.js';
import { formatMoney } from '../values/money.js';
import { foldName } from '../values/names.js';
import { refNumber, staffIdOf } from '../values/refs.js';
import { customersById, type Page } from './contacts.js';
import { recordInteraction, settleReply, type InteractionMedia } from './interactions.js';
import { claimSend, finishSend, sendOnce, type SendOnceResult } from './outbox.js';
import { staffWithRoles } from './people.js';
import { complaintHandlers } from './staff-notices.js';

/** How the inbox behaves, from the configuration. */
export interface InboxSettings {
  /** Replies end with "— <staff name>" (default: the shop's voice, no name). */
  signReplies: boolean;
  /** Who owns a customer who writes in and has no owner: nobody (the staff on duty answer), or the next salesperson in turn. */
  newCustomerOwner: 'none' | 'round-robin';
}

/**
 * The inbox settings: `REPLY_SHOWS_STAFF_NAME` (boolean) and `NEW_CUSTOMER_OWNER`
 * (`none` | `round-robin`). Until src/config.ts declares them, both have their defaults.
 *
 * @example
 *   inboxSettings(deps.config) // → { signReplies: false, newCustomerOwner: 'none' }
 */
export function inboxSettings(config: Config): InboxSettings {
  return { signReplies: config.REPLY_SHOWS_STAFF_NAME, newCustomerOwner: config.NEW_CUSTOMER_OWNER };
}

/** Where a customer wrote from. */
export interface Channel {
  platform: string;
  identityId: string;
  chatId: string;
}

const OPEN = 'open';
const PREVIEW_CHARS = 120;

/** A conversation by customer id (one `_id` read), or null when the customer never wrote. */
export async function getConversation(customerId: string): Promise<ConversationDoc | null> {
  return Conversation.findById(customerId).lean<ConversationDoc>();
}

// ---------------------------------------------------------------------------------------------
// Platform message keys: a notification's message → its customer.

/**
 * The key of a platform message, as adapters will look it up: `tg:<chat>:<message_id>`,
 * `slack:<channel>:<ts>`, `console:<chat>:<id>`.
 *
 * @example
 *   platformMessageKey('telegram', '1001', '42') // → 'tg:1001:42'
 */
export function platformMessageKey(platform: string, chatId: string, messageId: string): string {
  const prefix = platform === 'telegram' ? 'tg' : platform;
  return `${prefix}:${chatId}:${messageId}`;
}

/**
 * The conversation a staff member's reply-to (Telegram) or thread reply (Slack) belongs to: the
 * customer the replied-to notification was about, in one `_id` read; undefined for any other message.
 *
 * @example
 *   await conversationForReply(platformMessageKey('slack', 'D0OWNER', '1712345678.000100')) // → { customerId: 'C12', staffId: 's_1' }
 */
export async function conversationForReply(platformKey: string): Promise<{ customerId: string; staffId?: string } | undefined> {
  const ref = await NotificationRef.findById(platformKey).lean<{ customerId: string; staffId?: string | null }>();
  return ref ? { customerId: ref.customerId, ...(ref.staffId ? { staffId: ref.staffId } : {}) } : undefined;
}

/** Keeps a sent notification's platform message key → customer, when the sender reported one. */
export async function rememberNotification(result: SendResult, customerId: string, staffId: string, now: Date): Promise<void> {
  if (!result.ok || !result.platform || !result.messageId || !result.chatId) return;
  const key = platformMessageKey(result.platform, result.chatId, result.messageId);
  await NotificationRef.updateOne({ _id: key }, { $set: { customerId, staffId, at: now } }, { upsert: true });
}

/**
 * A notice for staff written in each reader's language: `render` gets the catalogue of the staff
 * member it goes to — their own choice (`lang`), else the shop's `SHOP_LANGUAGE`.
 */
export interface StaffNoticeInTheirLanguage {
  shopLanguage: Language;
  render: (msg: Messages) => Reply[];
}

/**
 * The language a staff member reads notifications in: their `lang`, else the shop's (one `_id` read).
 * Their chat app's language is not known outside a message of theirs.
 *
 * @example
 *   await staffLanguage('s_lan', 'vi') // → 'en' when Lan sent "lang en"
 */
export async function staffLanguage(staffId: string, shopLanguage: Language): Promise<Language> {
  const staff = await Staff.findById(staffId, { lang: 1 }).lean<Pick<StaffDoc, '_id' | 'lang'>>();
  return chooseLanguage(staff?.lang, undefined, shopLanguage);
}

/**
 * Sends a notice about a customer to each staff member (the notifier finds their chats) and keeps
 * each message's key for reply-to. Given as a {@link StaffNoticeInTheirLanguage}, each reads it in
 * their own language (a Vietnamese customer's message reaches an English-speaking owner in English);
 * given as replies, as they are. A failure is logged and reported, never thrown.
 *
 * @example
 *   await notifyStaff(deps.notifier, ['s_lan'], { shopLanguage: 'vi', render: (msg) => [customerMessageNotice(n, msg)] }, 'C12', now, log);
 */
export async function notifyStaff(
  notifier: Notifier,
  staffIds: readonly string[],
  notice: Reply[] | StaffNoticeInTheirLanguage,
  customerId: string,
  now: Date,
  log?: Logger,
): Promise<{ sent: string[]; failed: string[] }> {
  const outcome = { sent: [] as string[], failed: [] as string[] };
  const rendered = new Map<Language, Reply[]>();
  for (const staffId of new Set(staffIds)) {
    let replies: Reply[];
    if (Array.isArray(notice)) {
      replies = notice;
    } else {
      const lang = await staffLanguage(staffId, notice.shopLanguage).catch((e: unknown) => {
        log?.warn({ err: e, staffId }, 'could not read a staff member’s language; the shop’s it is');
        return notice.shopLanguage;
      });
      replies = rendered.get(lang) ?? notice.render(messagesFor(lang));
      rendered.set(lang, replies);
    }
    const result = await notifier.notify({ kind: 'staff', staffId }, replies);
    if (!result.ok) {
      log?.warn({ staffId, reason: result.reason }, 'could not tell staff about a customer');
      outcome.failed.push(staffId);
      continue;
    }
    outcome.sent.push(staffId);
    await rememberNotification(result, customerId, staffId, now).catch((e: unknown) => log?.warn({ err: e, staffId }, 'could not keep a notification key'));
  }
  return outcome;
}

// ---------------------------------------------------------------------------------------------
// A customer writes.

export interface CustomerWrote {
  customer: Pick<CustomerDoc, '_id' | 'ownerId' | 'createdBy'>;
  channel: Channel;
  text: string;
  complaint: boolean;
  now: Date;
  settings: InboxSettings;
}

/**
 * A customer's message: the conversation opens (or stays open, waiting since its oldest unanswered
 * message), the customer gets an owner if they have none (whoever logged them; or, for people who
 * wrote in, the next salesperson when `newCustomerOwner` is `round-robin`), and the staff to tell
 * come back: the assignee, else the staff on duty; for a complaint, the staff on duty and the assignee.
 */
export async function customerWrote(input: CustomerWrote): Promise<{ recipients: string[]; assigneeId?: string; opened: boolean }> {
  const { customer, channel, now } = input;
  const id = customer._id;
  const ownerId = await ensureOwner(customer, input.settings);
  const before = await getConversation(id);
  const wasOpen = before?.state === 'open';
  // The assignee: this conversation's, else the owner — whoever of them is still on the team.
  let assigneeId: string | undefined;
  for (const candidate of new Set([before?.assigneeId, ownerId])) {
    if (candidate && (await isActiveStaff(candidate))) {
      assigneeId = candidate;
      break;
    }
  }
  const set: Record<string, unknown> = { state: 'open', lastInboundAt: now, lastChannel: channel, preview: preview(input.text) };
  const unset: Record<string, ''> = {};
  if (assigneeId && assigneeId !== before?.assigneeId) set.assigneeId = assigneeId;
  if (!assigneeId && before?.assigneeId) unset.assigneeId = '';
  if (input.complaint) set.high = true;
  // A new conversation after a resolved one measures its own first response.
  if (before?.state === 'resolved') Object.assign(unset, { firstResponseAt: '', firstResponseMs: '' });
  const update: Record<string, unknown> = { $set: set, $min: { waitingSince: now, openedAt: now } };
  if (Object.keys(unset).length > 0) update.$unset = unset;
  await Conversation.updateOne({ _id: id }, update, { upsert: true });

  const since = wasOpen && before?.waitingSince ? before.waitingSince : now;
  const high = input.complaint || (wasOpen && Boolean(before?.high));
  if (!wasOpen || high !== Boolean(before?.high) || assigneeId !== (before?.assigneeId ?? undefined)) {
    await OpenConversations.updateOne({ _id: OPEN }, { $set: { [`open.${id}`]: openEntry(since, assigneeId, high) } }, { upsert: true });
  }

  const onDuty = async () => (await complaintHandlers()).map((s) => s._id);
  let recipients: string[];
  if (input.complaint) recipients = [...new Set([...(await onDuty()), ...(assigneeId ? [assigneeId] : [])])];
  else recipients = assigneeId ? [assigneeId] : await onDuty();
  return { recipients, opened: !wasOpen, ...(assigneeId ? { assigneeId } : {}) };
}

/** The customer's owner, giving them one first when they have none and the rule finds one. */
async function ensureOwner(customer: CustomerWrote['customer'], settings: InboxSettings): Promise<string | undefined> {
  if (customer.ownerId) return customer.ownerId;
  const creator = staffIdOf(customer.createdBy ?? '');
  let owner: string | undefined;
  if (creator) owner = (await isActiveStaff(creator)) ? creator : undefined;
  else if (settings.newCustomerOwner === 'round-robin') owner = await nextSalesperson();
  if (owner) await Customer.updateOne({ _id: customer._id }, { $set: { ownerId: owner } });
  return owner;
}

/** The next active salesperson in turn (one counter `$inc` on its `_id`), or undefined without any. */
async function nextSalesperson(): Promise<string | undefined> {
  const sales = (await staffWithRoles(['sales'])).map((s) => s._id).sort();
  if (sales.length === 0) return undefined;
  const turn = await Counter.findOneAndUpdate({ _id: 'owner-round-robin' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' }).lean<{ seq: number }>();
  return sales[((turn?.seq ?? 1) - 1) % sales.length];
}

async function isActiveStaff(staffId: string): Promise<boolean> {
  const s = await Staff.findById(staffId, { active: 1 }).lean<Pick<StaffDoc, '_id' | 'active'>>();
  return Boolean(s?.active);
}

function openEntry(since: Date, assigneeId: string | undefined | null, high: boolean): OpenEntry {
  return { since, ...(assigneeId ? { assigneeId } : {}), ...(high ? { high: true } : {}) };
}

function preview(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length <= PREVIEW_CHARS ? line : `${line.slice(0, PREVIEW_CHARS - 1)}…`;
}

// ---------------------------------------------------------------------------------------------
// The shop answers.

export interface ReplyInput {
  customer: Pick<CustomerDoc, '_id' | 'identityIds'>;
  /** What is stored as the reply (without a signature). */
  text: string;
  /** What the customer reads (the text, signed when the shop says so). */
  shown: string;
  /** The staff member who wrote it. */
  authorId: string;
  /** The outbox key that makes it go out once: `reply:<the command's delivery id>`. */
  key: string;
  notifier: Notifier;
  now: Date;
  /** What the customer receives when it is more than `shown` as text: a photo or file, `shown` as its caption. */
  replies?: Reply[];
  /** The photo or file sent, as stored with the reply (its kind and name). */
  media?: InteractionMedia;
}

export type ReplyOutcome =
  | { status: 'sent'; platform?: string; /** Set when this was the conversation's first response. */ firstResponseMs?: number }
  | { status: 'failed'; reason: string; permanent: boolean; platform?: string }
  | { status: 'duplicate' };

/**
 * Sends a staff member's reply to the customer, once per key, to the chat they last wrote from
 * (falling back to their other chats), and records it: a `reply` interaction with its author and
 * how the send ended, and the conversation `answered` (its first response timed) when it arrived.
 *
 * @throws ConflictError `CUSTOMER_NO_CHAT` (never wrote to the bot), `CUSTOMER_SILENCED` (sent
 *   `stop` and has not written since) — nothing claimed or stored
 */
export async function replyToCustomer(input: ReplyInput): Promise<ReplyOutcome> {
  const { customer, now } = input;
  const id = customer._id;
  if ((customer.identityIds ?? []).length === 0) throw new ConflictError({ code: 'CUSTOMER_NO_CHAT', params: { ref: id } });
  const conversation = await getConversation(id);
  if (conversation?.silenced && !wroteSince(conversation)) throw new ConflictError({ code: 'CUSTOMER_SILENCED', params: { ref: id } });
  const to: Recipient = { kind: 'customer', customerId: id };
  if (!(await claimSend(input.key, 'reply', to, now, `staff:${input.authorId}`))) return { status: 'duplicate' };

  let stored;
  try {
    stored = await recordInteraction({ customerId: id, kind: 'reply', text: input.text, staffId: input.authorId, at: now, delivery: 'sending', outboxKey: input.key, ...(input.media ? { media: input.media } : {}) });
  } catch (error) {
    // Nothing went out: give the claim back, so the command's re-delivery sends it.
    await Outbox.deleteOne({ _id: input.key }).catch(() => undefined);
    throw error;
  }
  let result: SendResult;
  try {
    result = await deliverToCustomer(input.notifier, id, conversation?.lastChannel ?? undefined, input.replies ?? [text(input.shown)]);
  } catch (error) {
    result = { ok: false, permanent: false, reason: error instanceof Error ? error.message : String(error) };
  }
  const finishedAt = new Date();
  if (!result.ok) {
    const reason = result.reason ?? 'not delivered';
    await finishSend(input.key, { state: 'failed', reason, platform: result.platform, finishedAt });
    await settleReply(stored._id, { delivery: 'failed', failure: reason, ...(result.platform ? { platform: result.platform } : {}) });
    return { status: 'failed', reason, permanent: result.permanent ?? false, ...(result.platform ? { platform: result.platform } : {}) };
  }
  await finishSend(input.key, { state: 'sent', platform: result.platform, finishedAt });
  await settleReply(stored._id, { delivery: 'sent', ...(result.platform ? { platform: result.platform } : {}) });
  const firstResponseMs = await markAnswered(id, conversation, now);
  return { status: 'sent', ...(result.platform ? { platform: result.platform } : {}), ...(firstResponseMs !== undefined ? { firstResponseMs } : {}) };
}

/** Whether the customer wrote after asking us to stop (a question after `stop` deserves its answer). */
function wroteSince(c: Pick<ConversationDoc, 'lastInboundAt' | 'silencedAt'>): boolean {
  return Boolean(c.lastInboundAt && c.silencedAt && c.lastInboundAt.getTime() > c.silencedAt.getTime());
}

/** The conversation is answered: nothing waiting, its first response timed if this was it. */
async function markAnswered(customerId: string, before: ConversationDoc | null, now: Date): Promise<number | undefined> {
  const set: Record<string, unknown> = { state: 'answered', lastReplyAt: now, high: false };
  let firstResponseMs: number | undefined;
  if (before?.openedAt && !before.firstResponseAt) {
    firstResponseMs = Math.max(0, now.getTime() - before.openedAt.getTime());
    set.firstResponseAt = now;
    set.firstResponseMs = firstResponseMs;
  }
  await Conversation.updateOne({ _id: customerId }, { $set: set, $unset: { waitingSince: '' } }, { upsert: true });
  await OpenConversations.updateOne({ _id: OPEN }, { $unset: { [`open.${customerId}`]: '' } });
  return firstResponseMs;
}

/**
 * Sends to a customer, preferring the chat they last wrote from — if that identity is still theirs
 * and the platform connected — and otherwise (or after a permanent refusal there) through the
 * notifier, which tries their identities in turn. A permanent refusal marks the customer
 * unreachable on that platform, as the notifier does.
 */
async function deliverToCustomer(notifier: Notifier, customerId: string, channel: Channel | undefined, replies: Reply[]): Promise<SendResult> {
  const sender = channel ? notifier.senderFor?.(channel.platform as Platform) : undefined;
  if (channel && sender) {
    const [identity, customer] = await Promise.all([
      Identity.findById(channel.identityId).lean<IdentityDoc>(),
      Customer.findById(customerId, { unreachable: 1 }).lean<Pick<CustomerDoc, '_id' | 'unreachable'>>(),
    ]);
    const platform = identity?.platform as Platform | undefined;
    if (identity && platform && identity.kind === 'customer' && identity.refId === customerId && identity.chatId && !(customer?.unreachable ?? []).includes(platform)) {
      const first = await sender.send(identity.chatId, replies);
      if (first.ok || !first.permanent) return { ...first, platform };
      await Customer.updateOne({ _id: customerId }, { $addToSet: { unreachable: platform } });
      const other = await notifier.notify({ kind: 'customer', customerId }, replies);
      return other.ok ? other : { ...first, platform };
    }
  }
  return notifier.notify({ kind: 'customer', customerId }, replies);
}

// ---------------------------------------------------------------------------------------------
// Order updates to the customer.

export const ORDER_EVENTS = ['created', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

export type OrderUpdateOutcome = SendOnceResult | { status: 'skipped'; why: 'no-chat' | 'silenced' };

/** What an order update reads of an order (an `OrderDoc`, lean or not, has it). */
export interface OrderForUpdate {
  _id: string;
  customerId: string;
  amountMinor: number;
  currency: string;
  items?: readonly { name?: string | null; qty?: number | null }[] | null;
}

/**
 * Tells the customer how their order is doing — created (items and amount), paid, shipped (with
 * the tracking text, if any), delivered, cancelled — in their language, to the chat they last
 * wrote from, once per order and event (`order-update:O7:shipped`). Transactional: no promotion
 * consent needed; skipped for a customer with no chat with the bot, or who sent `stop`.
 * Never throws for a send the platform refused (the outcome says so).
 *
 * @example
 *   await notifyOrderUpdate(order, 'shipped', { notifier: ctx.deps.notifier, now: ctx.deps.now(), tracking: 'VN123456' });
 */
export async function notifyOrderUpdate(
  order: OrderForUpdate,
  event: OrderEvent,
  options: { notifier: Notifier; now: Date; tracking?: string; by?: string },
): Promise<OrderUpdateOutcome> {
  const customer = await Customer.findById(order.customerId, { locale: 1, identityIds: 1, status: 1 }).lean<Pick<CustomerDoc, '_id' | 'locale' | 'identityIds' | 'status'>>();
  if (!customer || customer.status !== 'active' || (customer.identityIds ?? []).length === 0) return { status: 'skipped', why: 'no-chat' };
  const conversation = await getConversation(customer._id);
  if (conversation?.silenced) return { status: 'skipped', why: 'silenced' };
  const msg = messagesFor(customer.locale ?? undefined);
  const ref = order._id;
  const amount = formatMoney(order.amountMinor, order.currency);
  const items = (order.items ?? []).map((i) => (i.qty && i.qty > 1 ? `${i.qty}× ${i.name}` : (i.name ?? ''))).filter(Boolean).join(', ');
  const body = {
    created: () => msg.inbox.orderCreated(ref, items, amount),
    paid: () => msg.inbox.orderPaid(ref, amount),
    shipped: () => msg.inbox.orderShipped(ref, options.tracking?.trim() ?? ''),
    delivered: () => msg.inbox.orderDelivered(ref),
    cancelled: () => msg.inbox.orderCancelled(ref),
  }[event]();
  const channel = conversation?.lastChannel ?? undefined;
  const preferring: Notifier = { notify: (_to, replies) => deliverToCustomer(options.notifier, customer._id, channel, replies) };
  return sendOnce({
    key: `order-update:${ref}:${event}`,
    kind: 'order-update',
    to: { kind: 'customer', customerId: customer._id },
    replies: [text(body)],
    notifier: preferring,
    now: options.now,
    by: options.by,
  });
}

// ---------------------------------------------------------------------------------------------
// Staff views: assign, resolve, the inbox.

/**
 * An active staff member by the name people type: the full name (case and diacritics aside), or
 * the start of one of its words when only one colleague matches.
 *
 * @throws NotFoundError `STAFF_NOT_FOUND`; ConflictError `STAFF_AMBIGUOUS`
 * @example
 *   await staffNamed('lan') // → { _id: 's_1a2b', name: 'Lan Pham', … }
 */
export async function staffNamed(typed: string): Promise<Pick<StaffDoc, '_id' | 'name' | 'role'>> {
  const folded = foldName(typed);
  const team = await Staff.find({ active: true }, { name: 1, role: 1 })
    .comment(scanComment('staff-by-name'))
    .lean<Pick<StaffDoc, '_id' | 'name' | 'role'>[]>();
  const exact = team.filter((s) => foldName(s.name) === folded);
  const matches = exact.length > 0 ? exact : team.filter((s) => folded !== '' && foldName(s.name).split(' ').some((w) => w.startsWith(folded)));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) throw new NotFoundError({ code: 'STAFF_NOT_FOUND', params: { ref: typed } });
  throw new ConflictError({ code: 'STAFF_AMBIGUOUS', params: { ref: typed, names: matches.map((s) => s.name) } });
}

/**
 * Gives a customer's conversation to a staff member (also for the next messages, until it is
 * resolved); a customer without an owner gets them as owner too.
 */
export async function assignConversation(
  customer: Pick<CustomerDoc, '_id' | 'ownerId'>,
  staffId: string,
): Promise<{ previous?: string; madeOwner: boolean; open: boolean }> {
  const id = customer._id;
  const before = await getConversation(id);
  await Conversation.updateOne({ _id: id }, { $set: { assigneeId: staffId }, $setOnInsert: { state: 'resolved' } }, { upsert: true });
  const open = before?.state === 'open';
  if (open) {
    await OpenConversations.updateOne({ _id: OPEN }, { $set: { [`open.${id}`]: openEntry(before.waitingSince ?? before.openedAt ?? new Date(0), staffId, Boolean(before.high)) } }, { upsert: true });
  }
  const madeOwner = !customer.ownerId;
  if (madeOwner) await Customer.updateOne({ _id: id }, { $set: { ownerId: staffId } });
  return { ...(before?.assigneeId ? { previous: before.assigneeId } : {}), madeOwner, open };
}

/**
 * Closes a customer's conversation: nothing waiting, no assignee (the next message goes to their
 * owner again). False when there was nothing to resolve.
 */
export async function resolveConversation(customerId: string): Promise<boolean> {
  const before = await getConversation(customerId);
  if (!before || before.state === 'resolved') return false;
  await Conversation.updateOne({ _id: customerId }, { $set: { state: 'resolved', high: false }, $unset: { waitingSince: '', openedAt: '', assigneeId: '' } });
  await OpenConversations.updateOne({ _id: OPEN }, { $unset: { [`open.${customerId}`]: '' } });
  return true;
}

/** One open conversation as `inbox` shows it. */
export interface InboxItem {
  customerId: string;
  name: string;
  since: Date;
  assigneeId?: string;
  complaint: boolean;
  preview: string;
}

export const INBOX_PAGE_SIZE = 10;

/**
 * Open conversations, longest waiting first (complaints first among equals), optionally only one
 * assignee's, a page at a time: one `_id` read of the list, then one per conversation and customer
 * shown. Entries their conversation no longer backs (answered or resolved meanwhile, a customer
 * merged or erased) are dropped from the list as they are met.
 */
export async function openConversations(options: { assigneeId?: string; page?: number; pageSize?: number } = {}): Promise<Page<InboxItem>> {
  const size = options.pageSize ?? INBOX_PAGE_SIZE;
  const doc = await OpenConversations.findById(OPEN).lean<OpenConversationsDoc>();
  const entries = Object.entries(doc?.open ?? {})
    .map(([customerId, e]) => ({ customerId, ...e, since: new Date(e.since) }))
    .filter((e) => options.assigneeId === undefined || e.assigneeId === options.assigneeId)
    .sort((a, b) => a.since.getTime() - b.since.getTime() || Number(Boolean(b.high)) - Number(Boolean(a.high)) || refNumber(a.customerId) - refNumber(b.customerId));
  const total = entries.length;
  const pages = Math.max(1, Math.ceil(total / size));
  const page = Math.min(Math.max(1, options.page ?? 1), pages);
  const slice = entries.slice((page - 1) * size, page * size);
  const ids = slice.map((e) => e.customerId);
  const [conversations, customers] = await Promise.all([Promise.all(ids.map((id) => getConversation(id))), customersById(ids, { name: 1, status: 1 })]);
  const items: InboxItem[] = [];
  const stale: string[] = [];
  slice.forEach((e, i) => {
    const c = conversations[i];
    const customer = customers.get(e.customerId);
    if (c?.state !== 'open' || !customer || customer.status !== 'active') {
      stale.push(e.customerId);
      return;
    }
    items.push({
      customerId: e.customerId,
      name: customer.name ?? '',
      since: c.waitingSince ?? e.since,
      ...(c.assigneeId ? { assigneeId: c.assigneeId } : {}),
      complaint: Boolean(c.high),
      preview: c.preview ?? '',
    });
  });
  if (stale.length > 0) await OpenConversations.updateOne({ _id: OPEN }, { $unset: Object.fromEntries(stale.map((id) => [`open.${id}`, ''])) });
  return { items, total: total - stale.length, page, pages };
}

// ---------------------------------------------------------------------------------------------
// stop / start.

/** The customer sent `stop`: no more order updates; replies only to what they write after it. */
export async function silenceCustomer(customerId: string, now: Date): Promise<void> {
  await Conversation.updateOne({ _id: customerId }, { $set: { silenced: true, silencedAt: now }, $setOnInsert: { state: 'resolved' } }, { upsert: true });
}

/** The customer sent `start` (or said yes to offers): the shop may write to them again. */
export async function unsilenceCustomer(customerId: string): Promise<void> {
  await Conversation.updateOne({ _id: customerId }, { $set: { silenced: false } });
}

/**
 * Erases what the inbox keeps about a customer (their last message's beginning, the chat they
 * wrote from): for `forget`. The notification keys hold ids only and stay.
 */
export async function forgetConversation(customerId: string): Promise<void> {
  await OpenConversations.updateOne({ _id: OPEN }, { $unset: { [`open.${customerId}`]: '' } });
  await Conversation.deleteOne({ _id: customerId });
}
