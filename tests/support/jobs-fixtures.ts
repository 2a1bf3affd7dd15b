/**
 * Fixtures for the jobs tests: the test app (./test-app.ts: deps with a clock
 * the test moves, a notifier that records, optionally slowly, to widen race
 * windows), staff created directly in the database, and a way to talk to the
 * core as they would.
 *
 * @example
 *   const t = createJobsTest({ DEFAULT_TIMEZONE: 'Europe/Berlin' });
 *   const lan = await addStaff('s_lan', 'Lan', 'sales', 'Europe/Berlin');
 *   await t.say(lan, 'followup C1 tomorrow 10:00 call back');
 */
import { Identity } from '../../models/identity.js';
import { Staff, type StaffRole } from '../../models/staff.js';
import type { Reply } from '../../src/core/types.js';
import { createTestApp, nextDeliveryId, type TestApp } from './test-app.js';

export interface StaffPerson {
  staffId: string;
  userId: string;
}

export interface JobsTest extends TestApp {
  /** Sends a line as a staff member (console platform); returns the text replies joined. */
  say(who: StaffPerson, line: string): Promise<string>;
  /** Same, returning the replies. */
  send(who: StaffPerson, line: string): Promise<Reply[]>;
}

export function createJobsTest(env: Record<string, string> = {}): JobsTest {
  const app = createTestApp(env, new Date('2026-03-27T11:00:00Z'));
  const send = (who: StaffPerson, line: string) =>
    app.core.handle({ platform: 'console', chatId: who.userId, userId: who.userId, displayName: who.userId, text: line, deliveryId: nextDeliveryId() });
  return {
    ...app,
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
