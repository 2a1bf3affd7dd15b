/**
 * Conversations left waiting: which open conversations have waited for the shop's answer at
 * least a given time, counting opening hours only (a message at 19:55 has waited five minutes at
 * 08:00 the next morning when the shop opens 08:00–20:00) — for the waiting-alerts job, which tells
 * the assignee and then the managers (jobs/waiting-alerts.ts).
 *
 * Reads the one `OpenConversations` document (`_id: "open"`, what `inbox` reads) instead of
 * scanning conversations, then, for the entries waiting long enough, each conversation and
 * customer by `_id` to confirm it is still open and take its assignee, waiting time and preview.
 *
 * @example
 *   const waiting = await conversationsWaiting({ now, hours: config.BUSINESS_HOURS, zone: config.DEFAULT_TIMEZONE, atLeastMs: 30 * 60_000 });
 *   // → [{ customerId: 'C12', name: 'Zoe', since, waitedMs: 2_100_000, assigneeId: 's_lan', preview: 'where is my parcel?', complaint: false }]
 */
import { OpenConversations, type OpenConversationsDoc } from '../../models/conversation.js';
import { Staff } from '../../models/staff.js';
import { openMillisBetween, type OpeningHours } from '../values/opening-hours.js';
import { customersById } from './contacts.js';
import { getConversation } from './conversations.js';

/** An open conversation that has waited long enough. */
export interface WaitingConversation {
  customerId: string;
  name: string;
  /** Since when it waits: the oldest customer message not answered. */
  since: Date;
  /** Opening time since then, in milliseconds. */
  waitedMs: number;
  assigneeId?: string;
  preview: string;
  complaint: boolean;
}

/**
 * Open conversations that have waited at least `atLeastMs` of opening time by `now`, longest
 * waiting first. Entries of the open list their conversation no longer backs are left out
 * (`inbox` drops them from the list).
 */
export async function conversationsWaiting(input: { now: Date; hours: OpeningHours; zone: string; atLeastMs: number }): Promise<WaitingConversation[]> {
  const { now, hours, zone } = input;
  const doc = await OpenConversations.findById('open').lean<OpenConversationsDoc>();
  const candidates = Object.entries(doc?.open ?? {}).filter(([, e]) => openMillisBetween(hours, zone, new Date(e.since), now) >= input.atLeastMs);
  const found: WaitingConversation[] = [];
  for (let i = 0; i < candidates.length; i += 20) {
    const batch = candidates.slice(i, i + 20).map(([id]) => id);
    const [conversations, customers] = await Promise.all([Promise.all(batch.map((id) => getConversation(id))), customersById(batch, { name: 1, status: 1 })]);
    batch.forEach((customerId, j) => {
      const c = conversations[j];
      const customer = customers.get(customerId);
      if (c?.state !== 'open' || !c.waitingSince || !customer || customer.status !== 'active') return;
      const waitedMs = openMillisBetween(hours, zone, c.waitingSince, now);
      if (waitedMs < input.atLeastMs) return;
      found.push({
        customerId,
        name: customer.name ?? '',
        since: c.waitingSince,
        waitedMs,
        ...(c.assigneeId ? { assigneeId: c.assigneeId } : {}),
        preview: c.preview ?? '',
        complaint: Boolean(c.high),
      });
    });
  }
  return found.sort((a, b) => b.waitedMs - a.waitedMs || a.customerId.localeCompare(b.customerId));
}

/**
 * A staff member's name (one `_id` read), for "assigned to Lan" in an escalation; undefined for
 * someone no longer on file.
 *
 * @example
 *   await staffName('s_lan') // → 'Lan'
 */
export async function staffName(staffId: string): Promise<string | undefined> {
  return (await Staff.findById(staffId, { name: 1 }).lean<{ _id: string; name: string }>())?.name;
}
