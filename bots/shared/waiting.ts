/**
 * Messages waiting for staff. Customers can write before anyone on the team has opened the bot:
 * their messages are stored (as interactions) but nobody can be told. The first staff member to
 * open the bot — a configured owner's first message, or someone's `join CODE` — gets a summary of
 * what is waiting, right after the answer to that first message. At start-up a warning is logged
 * while no staff member can be reached at all.
 *
 * Cost: nothing for ordinary messages. Only a message that can make its sender staff (from a
 * configured owner, or a `join`) is checked — one identity read by `_id` before and after the core
 * — and the summary's scan of interactions runs once, when the first staff member arrives.
 *
 * @example
 *   const waiting = new WaitingForStaff((who) => isConfiguredOwner(who, config));
 *   const probe = await waiting.before(incoming);
 *   const replies = [...(await core.handle(incoming)), ...(await waiting.after(probe, incoming))];
 */
import mongoose from 'mongoose';
import { Customer } from '../../models/customer.js';
import { Identity, identityId, type IdentityDoc } from '../../models/identity.js';
import { STAFF_ROLES } from '../../models/staff.js';
import { messagesFor } from '../../src/core/messages.js';
import { text, type Incoming, type Reply } from '../../src/core/types.js';
import type { Logger } from '../../src/log.js';
import { identitiesOf } from '../../src/services/identities.js';
import { waitingCustomerMessages } from '../../src/services/interactions.js';
import { staffWithRoles } from '../../src/services/people.js';

/** How many waiting messages the summary lists (the rest are counted). */
export const WAITING_SHOWN = 20;
/** How much of one waiting message the summary quotes. */
const QUOTE_CHARS = 200;

type Who = Pick<Incoming, 'platform' | 'userId'>;

/** What {@link WaitingForStaff.before} learnt: an identity that was not staff before the core ran. */
export interface StaffProbe {
  identityId: string;
}

/** See the module comment. */
export class WaitingForStaff {
  /** Identities already known to be staff in this process: never checked again. */
  private readonly knownStaff = new Set<string>();

  constructor(private readonly isConfiguredOwner: (who: Who) => boolean) {}

  /** Before the core: whether this message may make its sender staff (see the module comment). */
  async before(incoming: Incoming): Promise<StaffProbe | undefined> {
    if (incoming.conversation === 'group' || incoming.fromButton) return undefined;
    const id = identityId(incoming.platform, incoming.userId);
    if (this.knownStaff.has(id)) return undefined;
    if (!this.isConfiguredOwner(incoming) && !/^\/?join(@\w+)?\s/i.test(incoming.text.trim())) return undefined;
    const identity = await Identity.findById(id, { kind: 1 }).lean<Pick<IdentityDoc, 'kind'>>();
    if (identity?.kind === 'staff') {
      this.knownStaff.add(id);
      return undefined;
    }
    return { identityId: id };
  }

  /** After the core: the summary of waiting messages if the sender has just become the first reachable staff member. */
  async after(probe: StaffProbe | undefined, incoming: Incoming): Promise<Reply[]> {
    if (!probe) return [];
    const identity = await Identity.findById(probe.identityId).lean<IdentityDoc>();
    if (identity?.kind !== 'staff') return [];
    this.knownStaff.add(probe.identityId);
    if (await someStaffReachable(identity.refId)) return [];
    const { items, total } = await waitingCustomerMessages(WAITING_SHOWN);
    if (total === 0) return [];
    const msg = messagesFor(incoming.locale);
    const names = new Map<string, string>();
    for (const id of new Set(items.map((i) => i.customerId))) {
      const c = await Customer.findById(id, { name: 1 }).lean<{ name?: string }>();
      names.set(id, c?.name || msg.noName());
    }
    const lines = [msg.traffic.waitingTitle(total)];
    for (const item of [...items].reverse()) {
      const quote = item.text.length > QUOTE_CHARS ? `${item.text.slice(0, QUOTE_CHARS - 1)}…` : item.text;
      lines.push(msg.traffic.waitingLine(item.customerId, names.get(item.customerId) ?? '', item.platform ?? '', quote));
    }
    if (total > items.length) lines.push(msg.traffic.waitingMore(total - items.length));
    return [text(lines.join('\n'))];
  }
}

/** Whether any active staff member (other than `except`) can be reached: has an identity with a chat. */
export async function someStaffReachable(except?: string): Promise<boolean> {
  for (const staff of await staffWithRoles([...STAFF_ROLES])) {
    if (staff._id === except) continue;
    const identities = await identitiesOf('staff', staff._id, staff.identityIds ?? []);
    if (identities.some((i) => i.chatId)) return true;
  }
  return false;
}

/**
 * Logs a warning when no staff member can be reached yet (called when an adapter starts). Skipped
 * when the database is not connected; a failure is logged, never thrown — start-up goes on.
 *
 * @example
 *   void warnWhileNoStaff(log, 'telegram');
 */
export async function warnWhileNoStaff(log: Logger, platform: string): Promise<void> {
  if (mongoose.connection.readyState !== mongoose.ConnectionStates.connected) return;
  try {
    if (!(await someStaffReachable())) {
      log.warn({ platform }, 'no staff member has opened the bot yet: customer messages are stored and summarised to the first staff member who writes to it');
    }
  } catch (error) {
    log.debug({ err: error }, 'could not check whether staff can be reached');
  }
}
