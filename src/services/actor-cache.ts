/**
 * A short-lived, in-process memory of resolved staff members, so a salesperson logging leads one
 * after another costs no identity and staff reads per message (two round trips of a lead's six).
 *
 * Why this is safe:
 * - Only staff are remembered (what a customer resolves to changes with their record: merges,
 *   `forget`, `lang`). A staff member's identity is never re-pointed by the app (`join` and `link`
 *   refuse an identity that is staff already); removing a member (services/staff-removal.ts) clears it.
 * - Every write in this process that could change what an identity resolves to clears the memory
 *   ({@link forgetResolvedStaff}): identities pointed or moved (services/identities.ts), staff
 *   created, joined, linked or removed, a `lang` choice (services/people.ts, services/staff-removal.ts).
 * - Entries live {@link STAFF_MEMORY_MS} (three seconds) at most, and are keyed by database name too: another
 *   process writing to the same MongoDB (a `web`/`worker` split), or a test dropping its database,
 *   is seen within seconds. The embedded database has one owning process, so there the memory is
 *   exact.
 * - A message from another chat than the remembered one goes the full way (it may move where the
 *   person is reached: services/people.ts).
 *
 * @example
 *   const hit = rememberedStaff('chatcrm', 'telegram:1001', Date.now());
 *   const since = staffMemoryGeneration(); // … read identity and staff …
 *   if (!hit) rememberStaff('chatcrm', 'telegram:1001', { staffId: 's_1', role: 'sales', … }, since, Date.now());
 */

/** How long a resolved staff member is trusted without reading the database again. */
export const STAFF_MEMORY_MS = 3_000;

/** The most identities remembered (a shop has a handful of staff; this only bounds memory). */
const MAX_ENTRIES = 1_000;

/** What resolving a staff identity found: enough to build the actor again without a read. */
export interface RememberedStaff {
  staffId: string;
  role: 'owner' | 'manager' | 'sales' | 'support';
  name: string;
  timeZone: string;
  lang?: string | null;
  /** The chat the identity is reached in (a message from another chat is resolved the full way). */
  chatId: string;
}

const entries = new Map<string, { at: number; staff: RememberedStaff }>();
/** Bumped by every {@link forgetResolvedStaff}: a resolution that read before a write is not remembered after it. */
let generation = 0;

/** The current generation: take it before reading, and hand it to {@link rememberStaff}. */
export function staffMemoryGeneration(): number {
  return generation;
}

function keyOf(dbName: string, identityId: string): string {
  return `${dbName}\u0000${identityId}`;
}

/** The staff member an identity resolved to within the last {@link STAFF_MEMORY_MS}, if any. */
export function rememberedStaff(dbName: string, identityId: string, now: number): RememberedStaff | undefined {
  const key = keyOf(dbName, identityId);
  const hit = entries.get(key);
  if (!hit) return undefined;
  if (now - hit.at > STAFF_MEMORY_MS || now < hit.at) {
    entries.delete(key);
    return undefined;
  }
  return hit.staff;
}

/**
 * Remembers what an identity resolved to, read from the database since `readSince`
 * ({@link staffMemoryGeneration}); a write that cleared the memory meanwhile makes it a no-op.
 */
export function rememberStaff(dbName: string, identityId: string, staff: RememberedStaff, readSince: number, now: number): void {
  if (readSince !== generation) return;
  if (entries.size >= MAX_ENTRIES) entries.clear();
  entries.set(keyOf(dbName, identityId), { at: now, staff });
}

/**
 * Forgets every remembered staff member. Called after every write that may change what an identity
 * resolves to; cheap, and writes of that kind are rare (joins, links, `lang`).
 */
export function forgetResolvedStaff(): void {
  generation++;
  entries.clear();
}
