/**
 * Every minute, while the shop is open (`BUSINESS_HOURS` in `DEFAULT_TIMEZONE`): an open
 * conversation that has waited `WAITING_ALERT_MINUTES` of opening time for the shop's answer
 * alerts its assignee (the staff on duty when it has none); after as long again, the owners and
 * managers (but whoever had the first alert). Once each: `sendToStaffOnce` keys
 * `waiting-alert:<customerId>:<waitingSince ms>:<staffId>` and
 * `waiting-escalation:<customerId>:<waitingSince ms>:<staffId>` — a new wait (the customer wrote
 * again after an answer) is a new conversation wait with alerts of its own; a conversation given
 * to someone else alerts the new assignee too.
 *
 * Outside opening hours nothing is sent (and waiting does not grow): an alert due overnight goes
 * out when the shop opens. Each alert is in its reader's language, with the conversation's buttons.
 * What is waiting is src/services/waiting-alerts.ts: one `_id` read of the open list, then `_id`
 * reads of the conversations past the threshold — no scan.
 */
import { messagesFor } from '../src/core/messages.js';
import { staffLanguage } from '../src/services/conversations.js';
import { staffWithRoles } from '../src/services/people.js';
import { complaintHandlers, staffById, type StaffMember } from '../src/services/staff-notices.js';
import { conversationsWaiting, staffName } from '../src/services/waiting-alerts.js';
import { isOpenAt } from '../src/values/opening-hours.js';
import { waitingAlert } from '../src/views/service-levels.js';

import type { Deps } from '../src/core/command.js';
import type { JobDefinition, JobRun } from './agenda.js';
import { sendToStaffOnce } from './context.js';

export const waitingAlerts: JobDefinition = {
  name: 'waiting-alerts',
  every: '1 minute',
  lockLifetime: 5 * 60_000,
  async run(job, deps) {
    const sent = await alertWaitingConversations(job, deps);
    if (sent.alerts + sent.escalations > 0) deps.log.info(sent, 'waiting alerts');
  },
};

/** Sends the alerts due at `job.now`; returns how many went to assignees and to managers. */
export async function alertWaitingConversations(job: JobRun, deps: Deps): Promise<{ alerts: number; escalations: number }> {
  const { BUSINESS_HOURS: hours, DEFAULT_TIMEZONE: zone, WAITING_ALERT_MINUTES: minutes, SHOP_LANGUAGE: shopLanguage } = deps.config;
  const counts = { alerts: 0, escalations: 0 };
  if (!isOpenAt(hours, zone, job.now)) return counts;
  const threshold = minutes * 60_000;
  const waiting = await conversationsWaiting({ now: job.now, hours, zone, atLeastMs: threshold });
  if (waiting.length === 0) return counts;

  const assignees = await staffById(waiting.flatMap((w) => (w.assigneeId ? [w.assigneeId] : [])));
  const names = new Map<string, string>();
  let onDuty: StaffMember[] | undefined;
  let managers: (StaffMember & { name: string })[] | undefined;
  // Each reader's language: their `lang`, else the shop's (one `_id` read per person, once per run).
  const languages = new Map<string, ReturnType<typeof messagesFor>>();
  const msgFor = async (member: StaffMember) => {
    let msg = languages.get(member._id);
    if (!msg) languages.set(member._id, (msg = messagesFor(await staffLanguage(member._id, shopLanguage))));
    return msg;
  };

  for (const w of waiting) {
    const assignee = w.assigneeId ? assignees.get(w.assigneeId) : undefined;
    const first: StaffMember[] = assignee?.active ? [assignee] : (onDuty ??= await complaintHandlers());
    const since = w.since.getTime();
    const alerted = await sendToStaffOnce(job, deps, {
      key: (s) => `waiting-alert:${w.customerId}:${since}:${s._id}`,
      kind: 'waiting-alert',
      staff: first,
      replies: async (member) => [waitingAlert(w, { escalation: false }, await msgFor(member))],
    });
    counts.alerts += alerted.sent.length;
    if (w.waitedMs < 2 * threshold) continue;

    managers ??= await staffWithRoles(['owner', 'manager']);
    for (const m of managers) names.set(m._id, m.name);
    const firstIds = new Set(first.map((s) => s._id));
    const assigneeName = w.assigneeId ? (names.get(w.assigneeId) ?? (await staffName(w.assigneeId))) : undefined;
    const escalated = await sendToStaffOnce(job, deps, {
      key: (s) => `waiting-escalation:${w.customerId}:${since}:${s._id}`,
      kind: 'waiting-escalation',
      staff: managers.filter((m) => !firstIds.has(m._id)),
      replies: async (member) => [waitingAlert(w, { escalation: true, ...(assigneeName ? { assigneeName } : {}) }, await msgFor(member))],
    });
    counts.escalations += escalated.sent.length;
    await job.touch();
  }
  return counts;
}
