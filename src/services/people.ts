/**
 * People behind platform identities: resolving who is talking, bootstrapping
 * owners from configuration, staff invites (`invite` / `join CODE`) and
 * explicit cross-platform links (`link` / `link CODE`). Identities are never
 * joined silently by a matching name.
 *
 * @example
 *   const actor = await resolveActor({ platform: 'telegram', userId: '1001', chatId: '1001', displayName: 'Lan' }, config);
 */
import { randomBytes } from 'node:crypto';
import { Customer, type CustomerDoc } from '../../models/customer.js';
import { Identity, identityId, type IdentityDoc } from '../../models/identity.js';
import { CodeClaim } from '../../models/code-claim.js';
import { Invite } from '../../models/invite.js';
import { Staff, type StaffDoc, type StaffRole } from '../../models/staff.js';
import type { Config } from '../config.js';
import type { Actor } from '../core/actor.js';
import { chooseLanguage } from '../core/messages.js';
import type { Incoming } from '../core/types.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { audit } from './audit.js';
import { contactKey } from '../../models/contact-key.js';
import { addContactDetails, getCustomer, ownerOfKey, upsertLead } from './contacts.js';
import { scanComment } from '../db/scans.js';
import { isDuplicateKey } from '../db/writes.js';
import { listIdentity, pointIdentity } from './identities.js';
import { forgetResolvedStaff, rememberedStaff, rememberStaff, staffMemoryGeneration } from './actor-cache.js';
import { languageOf, type Language } from '../values/format.js';

type Who = Pick<Incoming, 'platform' | 'userId' | 'chatId' | 'displayName'> & Pick<Incoming, 'conversation'>;

/** Whether the configuration names this platform user as an owner. */
export function isConfiguredOwner(who: Pick<Incoming, 'platform' | 'userId'>, config: Config): boolean {
  if (who.platform === 'console') return who.userId === 'owner';
  if (who.platform === 'telegram') return config.OWNER_TELEGRAM_IDS.includes(who.userId);
  // Slack user ids are `TEAM:USER`; the configuration may name either form.
  const bare = who.userId.split(':').pop() ?? who.userId;
  return config.OWNER_SLACK_IDS.includes(who.userId) || config.OWNER_SLACK_IDS.includes(bare);
}

/** Resolves the actor for an incoming message: staff, known customer, or unknown. */
export async function resolveActor(who: Who, config: Config): Promise<Actor> {
  const id = identityId(who.platform, who.userId);
  // A staff member resolved moments ago, writing from the same chat: no reads (services/actor-cache.ts).
  const dbName = Identity.db.name;
  const remembered = rememberedStaff(dbName, id, Date.now());
  const since = staffMemoryGeneration();
  if (remembered && remembered.chatId === who.chatId) {
    const { staffId, role, name, timeZone, lang } = remembered;
    return chose({ kind: 'staff', role, staffId, name, timeZone, identityId: id }, lang);
  }
  let identity = await Identity.findById(id).lean<IdentityDoc>();
  if (!identity && isConfiguredOwner(who, config)) {
    identity = await createStaffIdentity(who, 'owner', who.platform === 'console' ? config.CONSOLE_OWNER_NAME : who.displayName, config.DEFAULT_TIMEZONE, 'config');
  }
  if (!identity) return { kind: 'unknown', role: 'customer', identityId: id, name: who.displayName };
  // Where to reach someone is their private chat: a group they typed in never becomes it (see isNotificationChat).
  if (identity.chatId !== who.chatId && isNotificationChat(who)) await Identity.updateOne({ _id: id }, { $set: { chatId: who.chatId } });
  if (identity.kind === 'staff') {
    const staff = await Staff.findById(identity.refId).lean<StaffDoc>();
    if (staff?.active) {
      const chatId = identity.chatId !== who.chatId && isNotificationChat(who) ? who.chatId : identity.chatId;
      if (chatId) rememberStaff(dbName, id, { staffId: staff._id, role: staff.role, name: staff.name, timeZone: staff.timeZone, lang: staff.lang, chatId }, since, Date.now());
      return chose({ kind: 'staff', role: staff.role, staffId: staff._id, name: staff.name, timeZone: staff.timeZone, identityId: id }, staff.lang);
    }
    return { kind: 'unknown', role: 'customer', identityId: id, name: who.displayName };
  }
  const customer = await getCustomer(identity.refId).catch(() => undefined);
  if (!customer) return { kind: 'unknown', role: 'customer', identityId: id, name: who.displayName };
  return chose({ kind: 'customer', role: 'customer', customerId: customer._id, name: customer.name, identityId: id }, customer.lang);
}

/**
 * The language each resolved actor chose (`lang vi|en`, their staff or customer document's `lang`),
 * read with the document {@link resolveActor} loads anyway: no extra round trip, and no field on the actor.
 */
const chosenLanguages = new WeakMap<Actor, Language>();

function chose(actor: Actor, lang: string | null | undefined): Actor {
  const language = languageOf(lang);
  if (language) chosenLanguages.set(actor, language);
  return actor;
}

/** The language the person chose with `lang`, if they did (for an actor {@link resolveActor} returned). */
export function chosenLanguage(actor: Actor | undefined): Language | undefined {
  return actor ? chosenLanguages.get(actor) : undefined;
}

/**
 * The language a person reads: their choice (`lang`), else their chat app's (`incoming.locale`,
 * when it is vi or en), else the shop's `SHOP_LANGUAGE` — `chooseLanguage` of src/core/messages.ts.
 * Without an actor (not resolved yet), the platform's or the shop's.
 *
 * @example
 *   const msg = messagesFor(readerLanguage(actor, incoming, deps.config));
 */
export function readerLanguage(actor: Actor | undefined, incoming: Pick<Incoming, 'locale'>, config: Pick<Config, 'SHOP_LANGUAGE'>): Language {
  return chooseLanguage(chosenLanguage(actor), incoming.locale, config.SHOP_LANGUAGE);
}

/**
 * Stores the language a person chose (`lang vi|en`) on their staff or customer document; `undefined`
 * (`lang auto`) removes the choice. Someone we have no record of yet gets their customer record first.
 */
export async function setChosenLanguage(actor: Actor, who: Who, lang: Language | undefined): Promise<void> {
  const update = lang ? { $set: { lang } } : { $unset: { lang: '' } };
  if (actor.kind === 'staff') {
    await Staff.updateOne({ _id: actor.staffId }, update);
    forgetResolvedStaff();
  } else {
    const customer = await ensureCustomer(actor, who);
    await Customer.updateOne({ _id: customer._id }, update);
  }
  if (lang) chosenLanguages.set(actor, lang);
  else chosenLanguages.delete(actor);
}

/** Creates a staff member and their identity (or returns the identity a racing process created). */
async function createStaffIdentity(who: Who, role: StaffRole, name: string, timeZone: string, by: string): Promise<IdentityDoc> {
  const staffId = `s_${randomBytes(5).toString('hex')}`;
  const id = identityId(who.platform, who.userId);
  await Staff.create({ _id: staffId, name, role, timeZone, identityIds: [id] });
  try {
    const identity = await Identity.create({
      _id: id, platform: who.platform, platformUserId: who.userId, kind: 'staff', refId: staffId, chatId: who.chatId, displayName: who.displayName,
    });
    forgetResolvedStaff();
    await audit(by, 'staff.create', `staff:${staffId}`, { role });
    return identity.toObject<IdentityDoc>();
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    await Staff.deleteOne({ _id: staffId });
    return (await Identity.findById(id).lean<IdentityDoc>())!;
  }
}

/**
 * The customer record for someone writing to the shop. Unknown people get a
 * customer record (their display name, the platform as source) and an identity.
 */
export async function ensureCustomer(actor: Actor, who: Who): Promise<CustomerDoc> {
  if (actor.kind === 'customer') return getCustomer(actor.customerId);
  if (actor.kind === 'staff') throw new ValidationError('actor', { code: 'STAFF_NOT_CUSTOMER' });
  const { customer } = await upsertLead({ name: who.displayName.trim(), phones: [], emails: [], tags: [], source: who.platform, viaIdentity: true }, actor.identityId ? `identity:${actor.identityId}` : 'system');
  try {
    await Identity.create({
      _id: actor.identityId, platform: who.platform, platformUserId: who.userId, kind: 'customer', refId: customer._id, chatId: who.chatId, displayName: who.displayName,
    });
    await listIdentity('customer', customer._id, actor.identityId);
    return { ...customer, identityIds: [actor.identityId] };
  } catch (error) {
    if (!isDuplicateKey(error)) throw error;
    // Another process created it first: use theirs, drop ours (it has no data yet).
    await Customer.deleteOne({ _id: customer._id });
    const identity = await Identity.findById(actor.identityId).lean<IdentityDoc>();
    return getCustomer(identity!.refId);
  }
}

/**
 * Links a customer to the record that owns a phone number they shared from
 * their own account (a platform-verified number: the one case where joining
 * records automatically is safe). Returns the customer they now are.
 */
export async function linkCustomerByPhone(actor: Actor, who: Who, phone: string): Promise<{ customer: CustomerDoc; linked: 'existing' | 'added' }> {
  const by = `identity:${identityId(who.platform, who.userId)}`;
  const owner = await ownerOfKey(contactKey('phone', phone));
  if (owner === undefined || (actor.kind === 'customer' && actor.customerId === owner)) {
    const current = await ensureCustomer(actor, who);
    await addContactDetails(current._id, { phones: [phone], emails: [], tags: [] }, by);
    return { customer: await getCustomer(current._id), linked: 'added' };
  }
  await pointIdentity(
    { _id: identityId(who.platform, who.userId), platform: who.platform, platformUserId: who.userId, chatId: who.chatId, displayName: who.displayName },
    'customer',
    owner,
  );
  if (actor.kind === 'customer') {
    // The record made from their first messages folds into the real one (it has no phone of its own to conflict).
    const current = await getCustomer(actor.customerId);
    if (current.phones.length === 0 && current.emails.length === 0 && (current.totals?.orders ?? 0) === 0) {
      const { mergeCustomers } = await import('./merge.js');
      await mergeCustomers(owner, current._id, by);
    }
  }
  await audit(by, 'identity.link', `customer:${owner}`, { via: 'shared-contact' });
  return { customer: await getCustomer(owner), linked: 'existing' };
}

function newCode(): string {
  // Crockford-style alphabet: no 0/O or 1/I confusion when read aloud.
  const alphabet = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';
  const bytes = randomBytes(8);
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
}

/** Creates a one-time staff invite code for a role. Managers cannot create owners. */
export async function createInvite(by: Extract<Actor, { kind: 'staff' }>, role: StaffRole, ttlHours: number, now: Date): Promise<{ code: string; expiresAt: Date }> {
  if (role === 'owner' && by.role !== 'owner') throw new ForbiddenError({ code: 'INVITE_OWNER_FORBIDDEN' });
  const code = newCode();
  const expiresAt = new Date(now.getTime() + ttlHours * 3_600_000);
  await Invite.create({ _id: code, kind: 'invite', role, createdBy: by.staffId, expiresAt });
  await audit(`staff:${by.staffId}`, 'invite.create', `invite:${code}`, { role });
  return { code, expiresAt };
}

type InviteDoc = { _id: string; kind: string; role?: string | null; targetKind?: string | null; targetRef?: string | null; createdBy: string; expiresAt: Date };

/** The refusal for a code that does not exist, has expired or was used already. */
function codeNotFound(kind: 'invite' | 'link', raw: string): NotFoundError {
  return new NotFoundError({ code: kind === 'invite' ? 'INVITE_CODE_NOT_FOUND' : 'LINK_CODE_NOT_FOUND', params: { ref: raw } });
}

/**
 * Redeems a one-time code: reads it by `_id`, checks kind and expiry, then claims it with a unique
 * insert ({@link CodeClaim}) — the step that makes it single-use under any concurrency. Returns the
 * code and a function that gives it back (for a redemption refused afterwards).
 */
async function redeemCode(raw: string, kind: 'invite' | 'link', by: string, now: Date): Promise<{ invite: InviteDoc; release: () => Promise<void> }> {
  const code = raw.trim().toUpperCase();
  const invite = await Invite.findById(code).lean<InviteDoc>();
  if (!invite || invite.kind !== kind || invite.expiresAt <= now) throw codeNotFound(kind, raw);
  try {
    await CodeClaim.create({ _id: code, by, at: now, expiresAt: invite.expiresAt });
  } catch (error) {
    if (isDuplicateKey(error)) throw codeNotFound(kind, raw);
    throw error;
  }
  await Invite.updateOne({ _id: code }, { $set: { usedBy: by, usedAt: now } });
  const release = async () => {
    await Invite.updateOne({ _id: code }, { $unset: { usedBy: '', usedAt: '' } });
    await CodeClaim.deleteOne({ _id: code });
  };
  return { invite, release };
}

/** Uses an invite code: the platform user becomes staff with the invite's role. */
export async function joinWithCode(code: string, who: Who, config: Config, now: Date): Promise<StaffDoc> {
  const id = identityId(who.platform, who.userId);
  const { invite, release } = await redeemCode(code, 'invite', id, now);
  const existing = await Identity.findById(id).lean<IdentityDoc>();
  if (existing?.kind === 'staff') {
    await release();
    throw new ConflictError({ code: 'ALREADY_STAFF' });
  }
  const staffId = `s_${randomBytes(5).toString('hex')}`;
  const [staff] = await Staff.create([{ _id: staffId, name: who.displayName, role: invite.role as StaffRole, timeZone: config.DEFAULT_TIMEZONE, identityIds: [id] }]);
  await pointIdentity({ _id: id, platform: who.platform, platformUserId: who.userId, chatId: who.chatId, displayName: who.displayName }, 'staff', staffId);
  await audit(`staff:${staffId}`, 'staff.join', `staff:${staffId}`, { role: invite.role, invite: invite._id, invitedBy: invite.createdBy });
  return staff!.toObject<StaffDoc>();
}

/** Creates a one-time code that links another platform account to this person. */
export async function createLinkCode(actor: Actor, who: Who, ttlHours: number, now: Date): Promise<{ code: string; expiresAt: Date }> {
  let targetKind: 'staff' | 'customer';
  let targetRef: string;
  if (actor.kind === 'staff') {
    targetKind = 'staff';
    targetRef = actor.staffId;
  } else {
    const customer = await ensureCustomer(actor, who);
    targetKind = 'customer';
    targetRef = customer._id;
  }
  const code = newCode();
  const expiresAt = new Date(now.getTime() + Math.min(ttlHours, 24) * 3_600_000);
  await Invite.create({ _id: code, kind: 'link', targetKind, targetRef, createdBy: actor.identityId, expiresAt });
  return { code, expiresAt };
}

/** Redeems a link code from another platform account: this identity now points at the same person. */
export async function redeemLinkCode(code: string, who: Who, now: Date): Promise<{ kind: 'staff' | 'customer'; ref: string }> {
  const id = identityId(who.platform, who.userId);
  // A refused redemption gives the code back (release), so it still works from the right account.
  const { invite, release } = await redeemCode(code, 'link', id, now);
  if (invite.createdBy === id) {
    await release();
    throw new ValidationError('code', { code: 'LINK_CODE_SAME_ACCOUNT' });
  }
  const existing = await Identity.findById(id).lean<IdentityDoc>();
  if (existing?.kind === 'staff' && !(invite.targetKind === 'staff' && existing.refId === invite.targetRef)) {
    await release();
    throw new ConflictError({ code: 'STAFF_ACCOUNT_NOT_LINKABLE' });
  }
  await pointIdentity(
    { _id: id, platform: who.platform, platformUserId: who.userId, chatId: who.chatId, displayName: who.displayName },
    invite.targetKind as 'staff' | 'customer',
    invite.targetRef!,
  );
  await audit(id, 'identity.link', `${invite.targetKind}:${invite.targetRef}`, { code: invite._id });
  return { kind: invite.targetKind as 'staff' | 'customer', ref: invite.targetRef! };
}

/** Staff members with one of the roles (active only), for routing notifications. */
export async function staffWithRoles(roles: StaffRole[]): Promise<StaffDoc[]> {
  return Staff.find({ role: { $in: roles }, active: true }).comment(scanComment('staff-by-role')).lean<StaffDoc[]>();
}

/**
 * The group policy for notification chats: only a private chat is where a person is reached.
 * A message from a group (an owner running a command there) never moves their notifications —
 * customers' messages are never forwarded into a group.
 *
 * @example
 *   isNotificationChat({ platform: 'telegram', chatId: '1001' })                          // → true
 *   isNotificationChat({ platform: 'telegram', chatId: '-100555', conversation: 'group' }) // → false
 */
export function isNotificationChat(who: Pick<Incoming, 'platform' | 'chatId' | 'conversation'>): boolean {
  if (who.conversation === 'group') return false;
  // Telegram groups and channels have negative ids; a private chat's id is the user's.
  return !(who.platform === 'telegram' && who.chatId.startsWith('-'));
}

/**
 * The group policy for commands: whether someone writing in a group is an active staff member
 * (or a configured owner). Only they are answered — in private; nobody else is turned into a
 * customer because they typed in a group. Two `_id` reads at most.
 *
 * @example
 *   await isStaffMember({ platform: 'telegram', userId: '1001' }, config) // → true for an owner
 */
export async function isStaffMember(who: Pick<Incoming, 'platform' | 'userId'>, config: Config): Promise<boolean> {
  if (isConfiguredOwner(who, config)) return true;
  const identity = await Identity.findById(identityId(who.platform, who.userId)).lean<IdentityDoc>();
  if (identity?.kind !== 'staff') return false;
  const staff = await Staff.findById(identity.refId, { active: 1 }).lean<Pick<StaffDoc, 'active'>>();
  return staff?.active === true;
}

/**
 * Marks a customer unreachable on one platform (they blocked the bot: Telegram's `my_chat_member`
 * with status `kicked`) or reachable again (`member`: they unblocked it and pressed Start).
 * Promotions and replies skip a platform a customer is unreachable on. Returns who it was:
 * staff and unknown people have no such mark.
 *
 * @example
 *   await setReachable({ platform: 'telegram', userId: '2001' }, false) // → 'customer'
 */
export async function setReachable(who: Pick<Incoming, 'platform' | 'userId'>, reachable: boolean): Promise<'customer' | 'staff' | 'unknown'> {
  const identity = await Identity.findById(identityId(who.platform, who.userId)).lean<IdentityDoc>();
  if (!identity) return 'unknown';
  if (identity.kind !== 'customer') return 'staff';
  const change = reachable ? { $pull: { unreachable: who.platform } } : { $addToSet: { unreachable: who.platform } };
  await Customer.updateOne({ _id: identity.refId }, change);
  return 'customer';
}
