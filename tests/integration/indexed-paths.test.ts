/**
 * Every interactive path is a bounded number of exact `_id` reads and writes.
 *
 * A scripted day of chat — lead, find by phone/e-mail/ref, the customer card, order, order
 * status, a customer's message and its notification, button presses, follow-up commands — runs
 * through the real core with MongoDB command monitoring on. Every filter the driver sends must be
 * exactly `{_id: <string|ObjectId>}` (what FerretDB's SQLite backend pushes down to its index),
 * or carry the comment of a deliberate scan listed in src/db/scans.ts.
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import type { CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../../models/index.js';
import { loadConfig } from '../../src/config.js';
import type { Deps } from '../../src/core/command.js';
import { createApp } from '../../src/app.js';
import type { Incoming, Reply } from '../../src/core/types.js';
import { connectMongoose, disconnectMongoose } from '../../src/db/connect.js';
import { DELIBERATE_SCANS } from '../../src/db/scans.js';
import { createLogger, silentLogger } from '../../src/log.js';
import { RoutingNotifier } from '../../src/services/notifier.js';
import { FakeSender } from '../support/fake-sender.js';
import { filtersOf, isExactId, type CommandFilter } from '../support/command-monitor.js';

const dbName = `test_indexed_paths_${randomBytes(3).toString('hex')}`;

function isListedScan(comment: unknown): boolean {
  return typeof comment === 'string' && comment.startsWith('scan:') && comment.slice(5) in DELIBERATE_SCANS;
}

describe('interactive paths on an indexed-lookup-only database', () => {
  const seen: CommandFilter[] = [];
  let recording = false;
  const telegram = new FakeSender('telegram');
  const consoleChat = new FakeSender('console');
  const clock = { now: new Date('2026-03-02T03:00:00.000Z') };
  const deps: Deps = {
    // The shop opens at noon: Binh writes at 10:00 local and gets the away message (its once-only claim is on the path too).
    config: loadConfig({ LOG_LEVEL: 'silent', BUSINESS_HOURS: 'mon-sat 12:00-20:00' }, { envFile: null }),
    notifier: new RoutingNotifier([telegram, consoleChat]),
    log: process.env.DEBUG_PATHS ? createLogger('error') : silentLogger(),
    now: () => new Date(clock.now.getTime()),
  };
  const core = createApp(deps);
  let n = 0;
  const send = (who: { platform: 'console' | 'telegram'; userId: string; displayName: string }, text: string, extra: Partial<Incoming> = {}): Promise<Reply[]> =>
    core.handle({ platform: who.platform, userId: who.userId, chatId: who.userId, displayName: who.displayName, text, deliveryId: `paths:${++n}`, ...extra });
  const say = async (...args: Parameters<typeof send>): Promise<string> =>
    (await send(...args)).map((r) => (r.kind === 'text' ? r.text : '')).join('\n');

  const owner = { platform: 'console' as const, userId: 'owner', displayName: 'Owner' };
  const lan = { platform: 'telegram' as const, userId: '2001', displayName: 'Lan' };
  const binh = { platform: 'telegram' as const, userId: '3001', displayName: 'Binh' };

  beforeAll(async () => {
    const base = inject('mongodbUri');
    const uri = `${base}${base.includes('?') ? '&' : '?'}monitorCommands=true`;
    await connectMongoose(uri, dbName);
    mongoose.connection.getClient().on('commandStarted', (e: CommandStartedEvent) => {
      if (recording) seen.push(...filtersOf(e));
    });
    // Some data, so that a scan would have rows to read.
    for (let i = 0; i < 30; i++) expect(await say(owner, `lead Seed ${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))} +8491200${String(i).padStart(4, "0")}`)).toMatch(/New lead/);
  });

  afterAll(async () => {
    await mongoose.connection.dropDatabase().catch(() => undefined);
    await disconnectMongoose();
  });

  it('sends only exact _id filters, or a deliberate scan listed in src/db/scans.ts', async () => {
    recording = true;
    const invite = await say(owner, 'invite sales');
    const code = /: ([A-Z0-9]{8})/.exec(invite)?.[1];
    expect(code, invite).toBeTruthy();
    expect(await say(lan, `join ${code}`)).toMatch(/Welcome to the team/);
    expect(await say(lan, 'lead Anna Nguyen +84 912 345 678 anna@shop.vn #vip')).toMatch(/New lead C31 Anna Nguyen/);
    expect(await say(lan, 'lead Anna +84912345678 note: prefers Zalo')).toMatch(/C31/);
    expect(await say(lan, 'find 0912 345 678')).toMatch(/C31 Anna Nguyen/);
    expect(await say(lan, 'find anna@shop.vn')).toMatch(/C31 Anna Nguyen/);
    expect(await say(lan, 'find C31')).toMatch(/C31 Anna Nguyen/);
    expect(await say(lan, 'order C31 350k 2x áo dài')).toMatch(/Order O1 for C31/);
    expect(await say(lan, 'order +84912345678 120k khăn')).toMatch(/Order O2 for C31/);
    expect(await say(lan, 'order status O1 paid')).toMatch(/O1: new → paid/);
    expect(await say(lan, 'order status O2 shipped', { fromButton: true })).toMatch(/O2: new → shipped/);
    expect(await say(lan, 'customer C31', { fromButton: true })).toMatch(/O2[\s\S]*O1/);
    expect(await say(lan, 'orders C31')).toMatch(/O2/);
    const created = await say(lan, 'followup C31 tomorrow 10:00 call about the blue dress');
    const followUpId = /\b(F[A-Z0-9]{6})\b/.exec(created)?.[1];
    expect(followUpId, created).toBeTruthy();
    expect(await say(lan, 'followups')).toContain(followUpId!);
    expect(await say(lan, `followup snooze ${followUpId} 1h`, { fromButton: true })).toContain(followUpId!);
    expect(await say(lan, `followup done ${followUpId}`, { fromButton: true })).toContain(followUpId!);
    // A customer writes: stored, and the on-duty staff notified through the routing notifier.
    expect(await say(binh, 'hello, where is my parcel?')).toMatch(/we open today at 12:00/);
    expect(await say(binh, 'orders')).toBeTruthy();
    expect(await say(owner, 'note C31 called back')).toMatch(/C31/);
    // The inbox: the open conversation, assigning it, answering it (to Binh's chat), a saved reply, resolving it.
    expect(await say(owner, 'inbox')).toMatch(/C32 Binh/);
    expect(await say(owner, 'inbox mine')).toBeTruthy();
    expect(await say(owner, 'assign C32 me', { fromButton: true })).toMatch(/C32 Binh is assigned to Owner/);
    expect(await say(owner, 'assign C32 Lan')).toMatch(/assigned to Lan/);
    expect(await say(lan, 'reply C32 It left today, it arrives on Friday.')).toMatch(/Sent to C32 Binh \(telegram\)/);
    expect(await say(lan, 'snippet add thanks Thank you, {name}! Your order {lastOrder} is on its way.')).toMatch(/!thanks/);
    expect(await say(lan, 'snippet list')).toMatch(/!thanks/);
    expect(await say(lan, 'reply C31 !thanks')).toMatch(/never written/); // Anna has no chat with the bot
    expect(await say(binh, 'thank you!')).toMatch(/Thanks/);
    expect(await say(lan, 'resolve C32', { fromButton: true })).toMatch(/resolved/);
    expect(await say(lan, 'inbox')).toMatch(/Nobody is waiting/);
    // Binh was asked to rate the conversation and presses a button, then another (src/services/ratings.ts).
    const ask = telegram.delivered.filter((d) => d.chatId === '3001').at(-1)!.replies[0]!;
    const rateFive = ask.kind === 'text' ? ask.buttons?.[0]?.[4]?.action : undefined;
    expect(await say(binh, rateFive!, { fromButton: true })).toMatch(/Thank you for your rating \(5\/5\)/);
    expect(await say(binh, rateFive!.replace('rate 5', 'rate 1'), { fromButton: true })).toMatch(/already rated/);
    recording = false;

    // The notification really went out: Binh has no owner, so the owner on duty got it on the console.
    expect(consoleChat.delivered.map((d) => JSON.stringify(d.replies))).toEqual([expect.stringContaining('where is my parcel')]);
    // The reply reached Binh's chat; Lan heard of the assignment and of Binh's thanks, the owner only of the first message.
    expect(telegram.delivered.filter((d) => d.chatId === '3001').map((d) => JSON.stringify(d.replies))).toEqual([
      expect.stringContaining('It left today'),
      expect.stringContaining('How did we do?'),
    ]);
    expect(telegram.delivered.filter((d) => d.chatId === '2001').map((d) => JSON.stringify(d.replies))).toEqual([
      expect.stringContaining('assigned C32 Binh to you'),
      expect.stringContaining('thank you!'),
    ]);
    expect(seen.length).toBeGreaterThan(50);
    const offenders = seen.filter((s) => !isExactId(s.filter) && !isListedScan(s.comment));
    expect(offenders.map((o) => `${o.command} ${o.collection} ${JSON.stringify(o.filter)}`)).toEqual([]);
  });
});
