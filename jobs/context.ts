/**
 * What a job body uses beside its {@link JobRun} and the services: the one way
 * a job tells staff something, at most once per key.
 *
 * A function of `(job, deps)` rather than a method of the run, so a test can
 * still hand a job body a plain `{ name, data, now, worker, touch }` object.
 * (Its own file, not jobs/agenda.ts: agenda.ts imports every job through
 * jobs/index.ts, so a value imported from there by a job would be a cycle.)
 *
 * @example
 *   const { sent, failed } = await sendToStaffOnce(job, deps, {
 *     key: `digest:${sub._id}:${slot.toISOString()}`, kind: 'digest',
 *     staffIds: [sub._id], roles: MANAGERS, replies: () => renderDigest(data, msg),
 *   });
 */
import type { Deps } from '../src/core/command.js';
import { sendToStaffOnce as sendNotice, type StaffNotice, type StaffNoticeResult } from '../src/services/staff-notices.js';
import type { JobRun } from './agenda.js';

export type { StaffMember, StaffNotice, StaffNoticeResult } from '../src/services/staff-notices.js';

/**
 * Sends `notice` to the staff it names, each at most once per key, through the
 * app's notifier at the run's moment, claimed in the worker's name. Failed
 * sends are logged (warn) and returned; a rerun does not retry them.
 */
export async function sendToStaffOnce(job: JobRun, deps: Deps, notice: StaffNotice): Promise<StaffNoticeResult> {
  const result = await sendNotice(notice, { notifier: deps.notifier, now: job.now, by: job.worker });
  for (const f of result.failed) deps.log.warn({ job: job.name, kind: notice.kind, key: f.key, staffId: f.staffId, reason: f.reason }, 'staff notice not delivered');
  return result;
}
