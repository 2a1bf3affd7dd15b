/**
 * Which platform identities belong to a staff member or customer, kept on both sides:
 * `Identity.refId` points at the person, and the person's `identityIds` lists their identities.
 *
 * Why both: resolving who is talking reads the identity by `_id`; reaching a person (a
 * notification, a reply, an order update) reads the person by `_id` and then each identity by
 * `_id`. Finding identities by `{kind, refId}` instead would read the whole identities collection
 * on FerretDB, which grows with every customer who ever wrote to the shop.
 *
 * Order of writes: the identity first, then the new owner's list, then the old owner's. A crash in
 * between leaves an identity listed by no one or by two people; {@link identitiesOf} trusts the
 * identity document (`refId`) and skips what no longer points back.
 *
 * @example
 *   await pointIdentity({ _id: 'telegram:1001', platform: 'telegram', platformUserId: '1001', chatId: '1001' }, 'customer', 'C12');
 *   const identities = await identitiesOf('customer', 'C12');
 */
import { Customer } from '../../models/customer.js';
import { Identity, type IdentityDoc } from '../../models/identity.js';
import { Staff } from '../../models/staff.js';
import { forgetResolvedStaff } from './actor-cache.js';

export type PersonKind = 'staff' | 'customer';

type IdentityFields = Pick<IdentityDoc, '_id' | 'platform' | 'platformUserId'> & { chatId?: string; displayName?: string };

/** The model holding a kind of person. */
function owners(kind: PersonKind) {
  return (kind === 'staff' ? Staff : Customer) as unknown as typeof Staff;
}

/** Adds an identity id to a person's list (idempotent). */
export async function listIdentity(kind: PersonKind, refId: string, identityId: string): Promise<void> {
  await owners(kind).updateOne({ _id: refId }, { $addToSet: { identityIds: identityId } });
}

/**
 * Points an identity at a person (creating it if needed) and moves it between the two people's
 * lists. Returns the identity as it was before, if it existed.
 */
export async function pointIdentity(fields: IdentityFields, kind: PersonKind, refId: string): Promise<IdentityDoc | null> {
  const before = await Identity.findById(fields._id).lean<IdentityDoc>();
  await Identity.updateOne({ _id: fields._id }, { $set: { ...fields, kind, refId } }, { upsert: true });
  forgetResolvedStaff(); // who this identity is changes (services/actor-cache.ts)
  await listIdentity(kind, refId, fields._id);
  if (before && (before.kind !== kind || before.refId !== refId)) {
    await owners(before.kind).updateOne({ _id: before.refId }, { $pull: { identityIds: fields._id } });
  }
  return before;
}

/** Moves every identity listed on one customer to another (merge and unmerge), `_id` writes only. */
export async function moveCustomerIdentities(identityIds: string[], fromId: string, toId: string): Promise<void> {
  for (const id of identityIds) {
    await Identity.updateOne({ _id: id }, { $set: { refId: toId } });
  }
  forgetResolvedStaff();
  if (identityIds.length === 0) return;
  await Customer.updateOne({ _id: toId }, { $addToSet: { identityIds: { $each: identityIds } } });
  await Customer.updateOne({ _id: fromId }, { $pullAll: { identityIds } });
}

/**
 * A person's identities: one `_id` read of the person, one per identity. Identities that no
 * longer point back at this person (a crash half-way through a move) are left out. Pass `listed`
 * when the person's `identityIds` were read already.
 */
export async function identitiesOf(kind: PersonKind, refId: string, listed?: readonly string[]): Promise<IdentityDoc[]> {
  const ids = listed ?? (await owners(kind).findById(refId, { identityIds: 1 }).lean<{ identityIds?: string[] }>())?.identityIds ?? [];
  const docs = await Promise.all(ids.map((id) => Identity.findById(id).lean<IdentityDoc>()));
  return docs.filter((d): d is IdentityDoc => d !== null && d.kind === kind && d.refId === refId);
}
