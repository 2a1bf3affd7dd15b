/**
 * Notices to staff that go out at most once: follow-up reminders, complaint
 * re-alerts, the weekly digest. One function, {@link sendToStaffOnce}, loads
 * the staff members (or takes them loaded), leaves out who may not receive the
 * notice, renders it per person and sends each through `sendOnce`
 * (./outbox.ts), whose unique-key claim keeps a race between two workers to
 * one message.
 *
 * Jobs reach it through `sendToStaffOnce(job, deps, notice)` (jobs/context.ts),
 * which supplies the notifier, the run's clock and the worker's name.
 *
 * @example
 *   const { sent } = await sendToStaffOnce(
 *     { key: (s) => `complaint-alert:${id}:${s._id}`, kind: 'complaint-alert', staff: await complaintHandlers(), replies: [reply] },
 *     { notifier, now, by: 'worker-1' },
 *   );
 */
import { Staff, type StaffDoc, type StaffRole } from '../../models/staff.js';
import type { Notifier, Reply } from '../core/types.js';
import { sendOnce, wasClaimed } from './outbox.js';
import { staffWithRoles } from './people.js';

/** What a notice needs to know of a staff member. */
export type StaffMember = Pick<StaffDoc, '_id' | 'role' | 'timeZone' | 'active' | 'lang'>;

// `lang`: a notice is written in the language its reader chose (src/services/recipient-language.ts).
const MEMBER_PROJECTION = { role: 1, timeZone: 1, active: 1, lang: 1 } as const;

/**
 * Staff members by id, a few `_id` reads at a time (FerretDB's SQLite backend
 * pushes down only an exact `_id` filter). Missing ids are left out.
 *
 * @example
 *   const assignees = await staffById(['s_lan', 's_mai']);
 *   assignees.get('s_lan')?.timeZone // 'Europe/Berlin'
 */
export async function staffById(ids: readonly string[]): Promise<Map<string, StaffMember>> {
  const found = new Map<string, StaffMember>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 20) {
    const docs = await Promise.all(unique.slice(i, i + 20).map((id) => Staff.findById(id, MEMBER_PROJECTION).lean<StaffMember>()));
    for (const d of docs) if (d) found.set(d._id, d);
  }
  return found;
}

/**
 * Who handles complaints: the active support staff, or the owners and managers
 * when there is no support staff.
 *
 * @example
 *   const handlers = await complaintHandlers(); // [{ _id: 's_mai', role: 'support', … }]
 */
export async function complaintHandlers(): Promise<StaffDoc[]> {
  const support = await staffWithRoles(['support']);
  return support.length > 0 ? support : staffWithRoles(['owner', 'manager']);
}

/**
 * Whether a staff member may receive a notice meant for `roles`: they are
 * active and hold one of the roles (any role when `roles` is omitted) — the
 * check the core makes before running a command for them (`allow`).
 *
 * @example
 *   mayReceive({ _id: 's_1', role: 'sales', timeZone: 'UTC', active: true }, MANAGERS) // false
 */
export function mayReceive(member: Pick<StaffMember, 'role' | 'active'>, roles?: readonly StaffRole[]): boolean {
  return Boolean(member.active) && (roles === undefined || roles.includes(member.role));
}

/** One notice for one or more staff members. */
export type StaffNotice = {
  /**
   * The send-once key: one string for a single recipient, or one key per
   * person (`(s) => \`complaint-alert:${id}:${s._id}\``). It names the message, not the attempt.
   */
  key: string | ((member: StaffMember) => string);
  /** A short label for the outbox record (`follow-up-reminder`, `digest`, …). */
  kind: string;
  /** Only active members with one of these roles receive it (default: every active member). */
  roles?: readonly StaffRole[];
  /**
   * The message, or a function that renders it for one person (their time
   * zone, say). A function is called only for a key nobody has claimed yet, so
   * expensive rendering is skipped on a rerun.
   */
  replies: Reply[] | ((member: StaffMember) => Reply[] | Promise<Reply[]>);
} & ({ staffIds: readonly string[]; staff?: never } | { staff: readonly StaffMember[]; staffIds?: never });

/** What became of a notice. */
export interface StaffNoticeResult {
  /** Staff ids it was delivered to. */
  sent: string[];
  /** Sends the platform refused or that threw. */
  failed: { staffId: string; key: string; reason: string }[];
}

/** Who sends: the notifier, the moment the sender acts for, and its name (for tracing). */
export interface NoticeSender {
  notifier: Notifier;
  now: Date;
  by?: string;
}

/**
 * Sends a notice to each listed staff member who may receive it, at most once
 * per key. Members not found, inactive or without one of `roles` are skipped;
 * a key already claimed (by this run, a rerun or another worker) sends nothing.
 *
 * @throws Error when one string key is given for several recipients
 * @example
 *   await sendToStaffOnce({ key: `digest:${id}:${slot}`, kind: 'digest', staffIds: [id], roles: MANAGERS, replies: render }, sender);
 */
export async function sendToStaffOnce(notice: StaffNotice, sender: NoticeSender): Promise<StaffNoticeResult> {
  const listed = notice.staff ?? notice.staffIds;
  if (typeof notice.key === 'string' && listed.length > 1) throw new Error(`sendToStaffOnce: one key (${notice.key}) for ${listed.length} staff members`);
  const members = notice.staff ?? [...(await staffById(notice.staffIds)).values()];
  const result: StaffNoticeResult = { sent: [], failed: [] };
  for (const member of members) {
    if (!mayReceive(member, notice.roles)) continue;
    const key = typeof notice.key === 'string' ? notice.key : notice.key(member);
    let replies: Reply[];
    if (typeof notice.replies === 'function') {
      if (await wasClaimed(key)) continue;
      replies = await notice.replies(member);
    } else {
      replies = notice.replies;
    }
    const sent = await sendOnce({ key, kind: notice.kind, to: { kind: 'staff', staffId: member._id }, replies, notifier: sender.notifier, now: sender.now, by: sender.by });
    if (sent.status === 'sent') result.sent.push(member._id);
    if (sent.status === 'failed') result.failed.push({ staffId: member._id, key, reason: sent.reason });
  }
  return result;
}
