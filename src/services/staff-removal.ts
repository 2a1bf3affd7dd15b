/**
 * Removing a staff member, and handing what was theirs to a colleague someone names: their
 * customers (`ownerId`), their conversations (`assigneeId`, the open ones counted) and their
 * pending follow-ups. The removed member's platform identities are let go, so the bot treats them
 * as anyone else from their next message (no staff commands, no notifications), and they can be
 * invited again later; their staff document stays, inactive, for history and audit.
 *
 * Why scans here: "whose customers are these" has no `_id` to read — it is the one question asked
 * by owner and assignee. It is an admin job an owner confirms, rare and bounded by the shop's
 * size, so it reads by filter on purpose (src/db/scans.ts `staff-handover`, `staff-list`).
 *
 * Order of writes, for a crash half-way: the member is made inactive first (nothing new is given to
 * them from then on), then identities, customers, conversations and follow-ups move, then the
 * audit. Running the same removal again finds the inactive member and finishes the move.
 *
 * @example
 *   const lan = await staffMemberNamed('Lan');
 *   const minh = await staffNamed('Minh');
 *   await checkRemoval(lan, minh, config);
 *   await removeStaff(lan._id, minh._id, 'staff:s_owner', now); // → { customers: 12, conversations: 2, followUps: 3 }
 */
import { Conversation } from '../../models/conversation.js';
import { Customer } from '../../models/customer.js';
import { FollowUp } from '../../models/follow-up.js';
import { Identity, type IdentityDoc } from '../../models/identity.js';
import { Staff, type StaffDoc } from '../../models/staff.js';
import { forgetResolvedStaff } from './actor-cache.js';
import type { Config } from '../config.js';
import type { Platform } from '../core/types.js';
import { scanComment } from '../db/scans.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { foldName } from '../values/names.js';
import { audit } from './audit.js';
import { assignConversation } from './conversations.js';
import { identitiesOf } from './identities.js';
import { isConfiguredOwner, staffWithRoles } from './people.js';

/** A member of the team as the list and the removal read them. */
export type TeamMember = Pick<StaffDoc, '_id' | 'name' | 'role' | 'active' | 'identityIds'>;

/** What moved (or would move) to the colleague. */
export interface Handover {
  customers: number;
  /** Open conversations (answered ones move too, uncounted: their next message reaches the new assignee). */
  conversations: number;
  followUps: number;
}

const ROLE_ORDER = ['owner', 'manager', 'sales', 'support'];
const PENDING: ('open' | 'snoozed')[] = ['open', 'snoozed'];

/**
 * The whole team, active members first (by role, then name), then the removed ones.
 *
 * @example
 *   (await listTeam()).map((s) => s.name) // → ['Olga', 'Minh', 'Lan', 'Binh (removed)'…]
 */
export async function listTeam(): Promise<TeamMember[]> {
  const team = await Staff.find({}, { name: 1, role: 1, active: 1, identityIds: 1 }).comment(scanComment('staff-list')).lean<TeamMember[]>();
  const rank = (s: TeamMember) => `${s.active ? 0 : 1}:${ROLE_ORDER.indexOf(s.role)}:${foldName(s.name)}`;
  return team.sort((a, b) => rank(a).localeCompare(rank(b)));
}

/**
 * A staff member by `_id` (`s_1a2b`, as buttons send it) or by the name people type — removed
 * members included, so a removal a crash cut short can be finished; an active match wins.
 *
 * @throws NotFoundError `STAFF_NOT_FOUND`; ConflictError `STAFF_AMBIGUOUS`
 */
export async function staffMemberNamed(typed: string): Promise<TeamMember> {
  const ref = typed.trim();
  if (/^s_[0-9a-f]{6,}$/.test(ref)) {
    const byId = await Staff.findById(ref, { name: 1, role: 1, active: 1, identityIds: 1 }).lean<TeamMember>();
    if (byId) return byId;
  }
  const folded = foldName(ref);
  const team = await listTeam();
  const exact = team.filter((s) => foldName(s.name) === folded);
  const matches = exact.length > 0 ? exact : team.filter((s) => folded !== '' && foldName(s.name).split(' ').some((w) => w.startsWith(folded)));
  const active = matches.filter((s) => s.active);
  const pick = active.length > 0 ? active : matches;
  if (pick.length === 1) return pick[0]!;
  if (pick.length === 0) throw new NotFoundError({ code: 'STAFF_NOT_FOUND', params: { ref } });
  throw new ConflictError({ code: 'STAFF_AMBIGUOUS', params: { ref, names: pick.map((s) => s.name) } });
}

/**
 * Whether `from` may be removed in favour of `to`: not to themselves; never the last active owner;
 * never an owner named in the configuration (they would be back at their next message).
 *
 * @throws ValidationError `STAFF_REMOVE_TO_SELF`; ConflictError `STAFF_REMOVE_LAST_OWNER`, `STAFF_REMOVE_CONFIGURED`
 */
export async function checkRemoval(from: TeamMember, to: Pick<StaffDoc, '_id'>, config: Config): Promise<void> {
  if (from._id === to._id) throw new ValidationError('to', { code: 'STAFF_REMOVE_TO_SELF' });
  if (from.active && from.role === 'owner') {
    const others = (await staffWithRoles(['owner'])).filter((s) => s._id !== from._id);
    if (others.length === 0) throw new ConflictError({ code: 'STAFF_REMOVE_LAST_OWNER', params: { name: from.name } });
  }
  const identities = await identitiesOf('staff', from._id, from.identityIds ?? []);
  const configured = identities.some((i) => isConfiguredOwner({ platform: i.platform as Platform, userId: i.platformUserId }, config));
  if (configured) throw new ConflictError({ code: 'STAFF_REMOVE_CONFIGURED', params: { name: from.name } });
}

/** What a removal would hand over (for the confirmation): counts only, nothing changes. */
export async function handoverPreview(fromId: string): Promise<Handover> {
  const [customers, conversations, followUps] = await Promise.all([
    Customer.countDocuments({ ownerId: fromId }).comment(scanComment('staff-handover')),
    Conversation.countDocuments({ assigneeId: fromId, state: 'open' }).comment(scanComment('staff-handover')),
    FollowUp.countDocuments({ assigneeId: fromId, status: { $in: PENDING } }).comment(scanComment('staff-handover')),
  ]);
  return { customers, conversations, followUps };
}

/**
 * Removes `fromId` from the team and hands their customers, conversations and pending follow-ups
 * to `toId` (see the module comment); audited as `staff.remove` by `by`. Call {@link checkRemoval} first.
 */
export async function removeStaff(fromId: string, toId: string, by: string, now: Date): Promise<Handover> {
  const from = await Staff.findById(fromId).lean<StaffDoc>();
  if (!from) throw new NotFoundError({ code: 'STAFF_NOT_FOUND', params: { ref: fromId } });
  await Staff.updateOne({ _id: fromId }, { $set: { active: false } });
  forgetResolvedStaff(); // no longer staff from this message on (services/actor-cache.ts)
  // Their accounts are nobody's now: the bot answers them as anyone else, and they may join again.
  for (const id of from.identityIds ?? []) {
    const identity = await Identity.findById(id).lean<IdentityDoc>();
    if (identity?.kind === 'staff' && identity.refId === fromId) await Identity.deleteOne({ _id: id });
  }
  const customers = await Customer.updateMany({ ownerId: fromId }, { $set: { ownerId: toId } }).comment(scanComment('staff-handover'));

  let conversations = 0;
  const assigned = await Conversation.find({ assigneeId: fromId }, { _id: 1 }).comment(scanComment('staff-handover')).lean<{ _id: string }[]>();
  for (const { _id } of assigned) {
    const owner = await Customer.findById(_id, { ownerId: 1 }).lean<{ _id: string; ownerId?: string | null }>();
    const moved = await assignConversation({ _id, ownerId: owner?.ownerId ?? toId }, toId);
    if (moved.open) conversations++;
  }

  const pending = await FollowUp.find({ assigneeId: fromId, status: { $in: PENDING } }, { _id: 1 }).comment(scanComment('staff-handover')).lean<{ _id: string }[]>();
  const followUpIds = pending.map((f) => f._id);
  for (const id of followUpIds) await FollowUp.updateOne({ _id: id }, { $set: { assigneeId: toId } });
  if (followUpIds.length > 0) await Staff.updateOne({ _id: toId }, { $addToSet: { pendingFollowUpIds: { $each: followUpIds } } });
  await Staff.updateOne({ _id: fromId }, { $set: { pendingFollowUpIds: [] } });

  const handover: Handover = { customers: customers.modifiedCount, conversations, followUps: followUpIds.length };
  await audit(by, 'staff.remove', `staff:${fromId}`, { to: toId, role: from.role, at: now, ...handover });
  return handover;
}
