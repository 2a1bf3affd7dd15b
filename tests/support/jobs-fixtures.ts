/**
 * Fixtures for the jobs tests: deps with a clock the test moves, a notifier
 * that records (optionally slowly, to widen race windows), staff created
 * directly in the database, and a way to talk to the core as they would.
 *
 * @example
 *   const t = createJobsTest({ DEFAULT_TIMEZONE: 'Europe/Berlin' });
 *   const lan = await addStaff('s_lan', 'Lan', 'sales', 'Europe/Berlin');
 *   await t.say(lan, 'followup C1 tomorrow 10:00 call back');
 */
import { Identity } from '../../models/identity.js';
import { Staff, type StaffRole } from '../../models/staff.js';
import { loadConfig } from '../../src/config.js';
import type { Deps } from '../../src/core/command.js';
import { createApp } from '../../src/app.js';
import type { Core } from '../../src/core/handle.js';
import type { Notifier, Recipient, Reply, SendResult } from '../../src/core/types.js';
import { silentLogger } from '../../src/log.js';

export interface Sent {
  to: Recipient;
  replies: Reply[];
}

/** Records every notification; `delayMs` makes each send take that long. */
export class SentLog implements Notifier {
  readonly sent: Sent[] = [];
  delayMs = 0;
  async notify(to: Recipient, replies: Reply[]): Promise<SendResult> {
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.sent.push({ to, replies });
    return { ok: true, platform: 'console' };
  }
  /** Texts sent to a staff member, in order. */
  textsFor(staffId: string): string[] {
    return this.sent
      .filter((s) => s.to.kind === 'staff' && s.to.staffId === staffId)
      .flatMap((s) => s.replies.flatMap((r) => (r.kind === 'text' ? [r.text] : [])));
  }
  clear(): void {
    this.sent.length = 0;
  }
}

export interface StaffPerson {
  staffId: string;
  userId: string;
}

export interface JobsTest {
  deps: Deps;
  core: Core;
  notifier: SentLog;
  clock: { now: Date };
  /** Sends a line as a staff member (console platform); returns the text replies joined. */
  say(who: StaffPerson, line: string): Promise<string>;
  /** Same, returning the replies. */
  send(who: StaffPerson, line: string): Promise<Reply[]>;
}

let delivery = 0;

export function createJobsTest(env: Record<string, string> = {}): JobsTest {
  const notifier = new SentLog();
  const clock = { now: new Date('2026-03-27T11:00:00Z') };
  const deps: Deps = {
    config: loadConfig({ LOG_LEVEL: 'silent', ...env }, { envFile: null }),
    notifier,
    log: silentLogger(),
    now: () => new Date(clock.now.getTime()),
  };
  const core = createApp(deps);
  const send = (who: StaffPerson, line: string) =>
    core.handle({ platform: 'console', chatId: who.userId, userId: who.userId, displayName: who.userId, text: line, deliveryId: `test:${process.pid}:${++delivery}` });
  return {
    deps,
    core,
    notifier,
    clock,
    send,
    async say(who, line) {
      const replies = await send(who, line);
      return replies.flatMap((r) => (r.kind === 'text' ? [r.text] : [])).join('\n');
    },
  };
}

/** A staff member with a console identity (`console:<userId>`). */
export async function addStaff(staffId: string, name: string, role: StaffRole, timeZone: string): Promise<StaffPerson> {
  const userId = `u_${staffId}`;
  await Staff.create({ _id: staffId, name, role, timeZone });
  await Identity.create({ _id: `console:${userId}`, platform: 'console', platformUserId: userId, kind: 'staff', refId: staffId, chatId: userId, displayName: name });
  return { staffId, userId };
}

/** Sets a customer's `createdAt` (the schema's timestamps stamp the real clock). */
export async function backdateCustomer(customerId: string, createdAt: Date): Promise<void> {
  const { Customer } = await import('../../models/customer.js');
  await Customer.collection.updateOne({ _id: customerId as never }, { $set: { createdAt } });
}
