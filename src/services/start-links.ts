/**
 * One-time chat links for a customer who never wrote to the bot. Bots cannot start chats, so a
 * salesperson gets a link for the customer (`chat link C12`, or the card's button) —
 * `https://t.me/<bot>?start=<code>` — and sends it by SMS or any messenger; opening it sends the
 * bot `/start <code>`, and {@link redeemStartLink} points that Telegram account at the customer.
 * Never by matching names: only the code says who it is.
 *
 * The code is an {@link Invite} of kind `start` (`_id` = the code, `targetRef` = the customer, swept
 * by the cleanup job once expired); it is single-use by the same unique insert as invite and link
 * codes ({@link CodeClaim}), so of two accounts opening it at once exactly one is linked. An account
 * that already belongs to another customer (or to staff) is never moved: the answer says so and
 * nothing is claimed, so the link still works from the right account once staff sorted it out.
 * Every step is an exact `_id` read or write.
 *
 * @example
 *   const { code } = await createStartLink('C12', 's_lan', 7, now);
 *   startLinkUrl('shop_bot', code); // → 'https://t.me/shop_bot?start=K7PQ2MXAB3CD'
 *   await redeemStartLink(code, { platform: 'telegram', userId: '2001', chatId: '2001', displayName: 'Anna' }, now);
 *   // → { status: 'linked', customer: { _id: 'C12', … }, createdBy: 's_lan' }
 */
import { randomBytes } from 'node:crypto';
import { CodeClaim } from '../../models/code-claim.js';
import { Customer, type CustomerDoc } from '../../models/customer.js';
import { Identity, identityId, type IdentityDoc } from '../../models/identity.js';
import { Invite } from '../../models/invite.js';
import type { Config } from '../config.js';
import type { Incoming } from '../core/types.js';
import { isDuplicateKey } from '../db/writes.js';
import { ValidationError } from '../errors.js';
import { audit } from './audit.js';
import { getCustomer } from './contacts.js';
import { pointIdentity } from './identities.js';

/** Crockford-style letters and digits (no 0/O, 1/I), as the other codes: readable over the phone. */
const ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';
/** 12 characters: about 2^59 codes, so a link sent by SMS cannot be guessed. Telegram allows 64 in `start`. */
const CODE_LENGTH = 12;

type Who = Pick<Incoming, 'platform' | 'userId' | 'chatId' | 'displayName' | 'locale'>;

interface StartLinkDoc {
  _id: string;
  kind: string;
  targetRef?: string | null;
  createdBy: string;
  expiresAt: Date;
  usedBy?: string | null;
  usedAt?: Date | null;
}

/** What opening a link did. */
export type StartLinkOutcome =
  /** This account now belongs to the customer; `createdBy` is the staff member who made the link. */
  | { status: 'linked'; customer: CustomerDoc; createdBy: string }
  /** This account was the customer's already (opened twice): nothing changed, the code not used up. */
  | { status: 'already'; customer: CustomerDoc }
  /** This account belongs to another customer: nothing moved; staff should look (`merge`). */
  | { status: 'elsewhere'; customer: CustomerDoc; otherId: string; createdBy: string }
  /** A staff account cannot become a customer's. */
  | { status: 'staff' }
  | { status: 'expired' | 'used' | 'unknown' };

/**
 * Whether what followed `start` has the shape of a chat-link code (12 letters and digits), so
 * `/start` with other words (a typo, an old deep link) is the ordinary greeting.
 *
 * @example
 *   looksLikeStartCode('K7PQ2MXAB3CD') // → true
 *   looksLikeStartCode('hello')        // → false
 */
export function looksLikeStartCode(text: string): boolean {
  return new RegExp(`^[A-Za-z0-9]{${CODE_LENGTH}}$`).test(text.trim());
}

/**
 * Creates a customer's one-time chat link code, valid for `ttlDays` (`START_LINK_TTL_DAYS`). A
 * customer merged into another gets the one they were merged into.
 *
 * @throws ValidationError `START_LINK_CUSTOMER_ERASED` for a customer whose data was erased
 * @example
 *   await createStartLink('C12', 's_lan', 7, now) // → { code: 'K7PQ2MXAB3CD', expiresAt, customer }
 */
export async function createStartLink(customerId: string, staffId: string, ttlDays: number, now: Date): Promise<{ code: string; expiresAt: Date; customer: CustomerDoc }> {
  const customer = await getCustomer(customerId);
  if (customer.status === 'forgotten') throw new ValidationError('customer', { code: 'START_LINK_CUSTOMER_ERASED', params: { ref: customer._id } });
  const expiresAt = new Date(now.getTime() + ttlDays * 86_400_000);
  for (let attempt = 1; ; attempt++) {
    const code = newCode();
    try {
      await Invite.create({ _id: code, kind: 'start', targetKind: 'customer', targetRef: customer._id, createdBy: staffId, expiresAt });
    } catch (error) {
      if (isDuplicateKey(error) && attempt < 3) continue; // a code another one already has: draw again
      throw error;
    }
    await audit(`staff:${staffId}`, 'start-link.create', `customer:${customer._id}`, { expiresAt });
    return { code, expiresAt, customer };
  }
}

/**
 * The link that opens a chat with the bot and sends it `/start <code>`.
 *
 * @example
 *   startLinkUrl('@shop_bot', 'K7PQ2MXAB3CD') // → 'https://t.me/shop_bot?start=K7PQ2MXAB3CD'
 */
export function startLinkUrl(botUsername: string, code: string): string {
  return `https://t.me/${botUsername.replace(/^@/, '')}?start=${code}`;
}

let learnedBotUsername: string | undefined;

/**
 * Remembers the Telegram bot's username, read with `getMe` when the adapter starts (bots/telegram),
 * so `chat link` can build `t.me` links in this process. `TELEGRAM_BOT_USERNAME` wins over it.
 */
export function learnTelegramBotUsername(username: string | undefined): void {
  if (username) learnedBotUsername = username.replace(/^@/, '');
}

/**
 * The bot's username for links: `TELEGRAM_BOT_USERNAME`, else what the running adapter learned,
 * else undefined (Telegram is not connected here: staff get the bare code).
 *
 * @example
 *   telegramBotUsername(config) // → 'shop_bot'
 */
export function telegramBotUsername(config: Pick<Config, 'TELEGRAM_BOT_USERNAME'>): string | undefined {
  return config.TELEGRAM_BOT_USERNAME?.replace(/^@/, '') ?? learnedBotUsername;
}

/**
 * Opens a chat link from an account (`/start <code>`): see the module comment for the outcomes.
 * A used, expired or unknown code changes nothing. On success the customer's language is set from
 * the account's when they had none, so order updates and replies read in it.
 */
export async function redeemStartLink(raw: string, who: Who, now: Date): Promise<StartLinkOutcome> {
  const code = raw.trim().toUpperCase();
  const link = await Invite.findById(code).lean<StartLinkDoc>();
  if (!link || link.kind !== 'start' || !link.targetRef) return { status: 'unknown' };
  const target = await getCustomer(link.targetRef).catch(() => undefined);
  if (!target || target.status !== 'active') return { status: 'unknown' };
  const id = identityId(who.platform, who.userId);
  const existing = await Identity.findById(id).lean<IdentityDoc>();
  if (existing?.kind === 'customer') {
    const current = await getCustomer(existing.refId).catch(() => undefined);
    if (current?._id === target._id) return { status: 'already', customer: target };
  }
  if (link.usedAt) return { status: 'used' };
  if (link.expiresAt <= now) return { status: 'expired' };
  if (existing?.kind === 'staff') return { status: 'staff' };
  if (existing?.kind === 'customer') {
    const other = (await getCustomer(existing.refId).catch(() => undefined))?._id ?? existing.refId;
    await audit(id, 'start-link.refused', `customer:${target._id}`, { reason: 'account-linked-elsewhere', other });
    return { status: 'elsewhere', customer: target, otherId: other, createdBy: link.createdBy };
  }
  // Single use: the claim is the one atomic step (see the module comment).
  try {
    await CodeClaim.create({ _id: code, by: id, at: now, expiresAt: link.expiresAt });
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    // Used — perhaps by this very account a moment ago (a double tap): then they are welcome.
    const linkedNow = await Identity.findById(id).lean<IdentityDoc>();
    return linkedNow?.kind === 'customer' && linkedNow.refId === target._id ? { status: 'already', customer: target } : { status: 'used' };
  }
  await Invite.updateOne({ _id: code }, { $set: { usedBy: id, usedAt: now } });
  await pointIdentity({ _id: id, platform: who.platform, platformUserId: who.userId, chatId: who.chatId, displayName: who.displayName }, 'customer', target._id);
  // They just opened a chat with the bot: reachable there again; and their app's language, if we had none.
  await Customer.updateOne({ _id: target._id }, { $pull: { unreachable: who.platform }, ...(!target.locale && who.locale ? { $set: { locale: who.locale } } : {}) });
  await audit(id, 'identity.link', `customer:${target._id}`, { via: 'start-link', createdBy: link.createdBy });
  return { status: 'linked', customer: { ...target, identityIds: [...(target.identityIds ?? []), id] }, createdBy: link.createdBy };
}

function newCode(): string {
  return [...randomBytes(CODE_LENGTH)].map((b) => ALPHABET[b % ALPHABET.length]).join('');
}
