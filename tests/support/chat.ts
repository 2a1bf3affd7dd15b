/**
 * Drives the command core the way an adapter does: `createApp(deps).handle(incoming)`
 * with a recording notifier, a silent logger and a clock the test controls (./test-app.ts). People are
 * platform identities; staff are hired the real way (`invite <role>` by the console
 * owner, then `join CODE` from the new person's account).
 *
 * @example
 *   const chat = createTestChat();
 *   const lan = await chat.hire('sales', { platform: 'telegram', userId: '2001', displayName: 'Lan' });
 *   expect(await chat.say(lan, 'lead Anna 0912345678')).toMatch(/^New lead C\d+ Anna saved\.$/);
 */
import mongoose from 'mongoose';
import type { Incoming, Platform, Reply } from '../../src/core/types.js';
import { createTestApp, nextDeliveryId, type TestApp } from './test-app.js';

export interface Person {
  platform: Platform;
  userId: string;
  displayName: string;
}

/** The console owner: becomes owner on the first message, by configuration. */
export const OWNER: Person = { platform: 'console', userId: 'owner', displayName: 'Owner' };

export interface TestChat extends TestApp {
  /** Sends one message; returns the replies. */
  send: (who: Person, text: string, extra?: Partial<Incoming>) => Promise<Reply[]>;
  /** Sends one message; returns the text of every text reply, joined by new lines. */
  say: (who: Person, text: string, extra?: Partial<Incoming>) => Promise<string>;
  /** Creates a staff member with `role` through `invite` + `join`. */
  hire: (role: 'owner' | 'manager' | 'sales' | 'support', who: Person) => Promise<Person>;
}

export function createTestChat(env: Record<string, string> = {}): TestChat {
  const { core, deps, notifier, clock } = createTestApp(env, new Date('2026-03-02T03:00:00.000Z'));

  const send = (who: Person, text: string, extra: Partial<Incoming> = {}) =>
    core.handle({
      platform: who.platform,
      userId: who.userId,
      chatId: who.userId,
      displayName: who.displayName,
      text,
      deliveryId: nextDeliveryId(),
      ...extra,
    });
  const say = async (who: Person, text: string, extra?: Partial<Incoming>) => replyText(await send(who, text, extra));

  async function hire(role: 'owner' | 'manager' | 'sales' | 'support', who: Person): Promise<Person> {
    const invite = await say(OWNER, `invite ${role}`);
    const code = /Invite code for a new \w+: (\w+)/.exec(invite)?.[1];
    if (!code) throw new Error(`no invite code in: ${invite}`);
    const joined = await say(who, `join ${code}`);
    if (!joined.startsWith('Welcome to the team')) throw new Error(`join failed: ${joined}`);
    return who;
  }

  return { core, deps, notifier, clock, send, say, hire };
}

/** The text of every text reply, joined by new lines. */
export function replyText(replies: Reply[]): string {
  return replies.map((r) => (r.kind === 'text' ? r.text : r.kind === 'forward' ? `[forward${r.caption ? ` ${r.caption}` : ''}]` : `[${r.kind} ${r.fileName}]`)).join('\n');
}

/** Every button action of the replies, in order. */
export function buttonActions(replies: Reply[]): string[] {
  return replies.flatMap((r) => (r.kind === 'text' ? (r.buttons ?? []).flat().map((b) => b.action) : []));
}

/** The first `C12` reference in a text: the customer's `_id` (`"C12"`). */
export function customerIdIn(text: string): string {
  const m = /\bC(\d+)\b/.exec(text);
  if (!m) throw new Error(`no customer reference in: ${text}`);
  return `C${m[1]}`;
}

/** The first `O7` reference in a text: the order's `_id` (`"O7"`). */
export function orderIdIn(text: string): string {
  const m = /\bO(\d+)\b/.exec(text);
  if (!m) throw new Error(`no order reference in: ${text}`);
  return `O${m[1]}`;
}

/** Document counts of every collection of the current database (minus the ones named). */
export async function countAll(except: string[] = []): Promise<Record<string, number>> {
  const db = mongoose.connection.db;
  if (!db) throw new Error('not connected');
  const counts: Record<string, number> = {};
  for (const c of await db.listCollections({}, { nameOnly: true }).toArray()) {
    if (except.includes(c.name)) continue;
    counts[c.name] = await db.collection(c.name).countDocuments({});
  }
  return counts;
}
