/**
 * Who is talking. Resolved from the platform identity by one `_id` lookup;
 * owners listed in the configuration become staff on their first message.
 */
/** Staff roles, most powerful first. The staff model stores one of these. */
export const STAFF_ROLES = ['owner', 'manager', 'sales', 'support'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** The role a permission check sees: a staff role, or `customer` for everyone else. */
export type ActorRole = StaffRole | 'customer';

export const ACTOR_ROLES: readonly ActorRole[] = ['owner', 'manager', 'sales', 'support', 'customer'];

export type Actor =
  | { kind: 'staff'; role: StaffRole; staffId: string; name: string; timeZone: string; identityId: string }
  | { kind: 'customer'; role: 'customer'; customerId: string; name: string; identityId: string }
  /** Someone we have no record of yet: treated as a customer-to-be. */
  | { kind: 'unknown'; role: 'customer'; identityId: string; name: string };

/** A member of staff talking to the bot. */
export type StaffActor = Extract<Actor, { kind: 'staff' }>;
/** A customer we know, or someone we have no record of yet. */
export type CustomerActor = Exclude<Actor, StaffActor>;

/**
 * Whether the actor is staff. The one place that asks; commands read `ctx.staff` instead.
 *
 * @example
 *   registry.addFlow({ name: 'forwarded message', takes: (incoming, actor) => isStaff(actor) && …, run })
 */
export function isStaff(actor: Actor): actor is StaffActor {
  return actor.kind === 'staff';
}

/** The audit/actor string for logs and records, e.g. `staff:s_1a2b` or `customer:12`. */
export function actorRef(actor: Actor): string {
  switch (actor.kind) {
    case 'staff':
      return `staff:${actor.staffId}`;
    case 'customer':
      return `customer:${actor.customerId}`;
    case 'unknown':
      return `identity:${actor.identityId}`;
  }
}
