/**
 * The interactive paths this helper added stay a bounded number of exact `_id` reads and writes
 * (as tests/integration/indexed-paths.test.ts checks for the scripted day): making a chat link for
 * `C12`, opening it (`/start <code>`) — linked, opened again, used up — and a reply with a photo.
 * Every filter the driver sends must be exactly `{_id: <string|ObjectId>}` or carry the comment of
 * a deliberate scan listed in src/db/scans.ts.
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import type { CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../../models/index.js';
import { loadConfig } from '../../src/config.js';
import type { Deps } from '../../src/core/command.js';
import { createApp } from '../../src/app.js';
import type { Incoming } from '../../src/core/types.js';
import { connectMongoose, disconnectMongoose } from '../../src/db/connect.js';
import { DELIBERATE_SCANS } from '../../src/db/scans.js';
import { silentLogger } from '../../src/log.js';
import { RoutingNotifier } from '../../src/services/notifier.js';
import { replyText } from '../support/chat.js';
import { filtersOf, isExactId, type CommandFilter } from '../support/command-monitor.js';
import { FakeSender } from '../support/fake-sender.js';

const dbName = `test_chat_link_paths_${randomBytes(3).toString('hex')}`;

describe('chat links and photo replies on an indexed-lookup-only database', () => {
  const seen: CommandFilter[] = [];
  let recording = false;
  const telegram = new FakeSender('telegram');
  const deps: Deps = {
    config: loadConfig({ LOG_LEVEL: 'silent', TELEGRAM_BOT_USERNAME: 'shop_bot' }, { envFile: null }),
    notifier: new RoutingNotifier([telegram, new FakeSender('console')]),
    log: silentLogger(),
    now: () => new Date('2026-03-02T03:00:00.000Z'),
  };
  const core = createApp(deps);
  let n = 0;
  const say = async (who: { platform: 'console' | 'telegram'; userId: string; displayName: string }, text: string, extra: Partial<Incoming> = {}) =>
    replyText(await core.handle({ platform: who.platform, userId: who.userId, chatId: who.userId, displayName: who.displayName, text, deliveryId: `links:${++n}`, ...extra }));
  const owner = { platform: 'console' as const, userId: 'owner', displayName: 'Owner' };
  const anna = { platform: 'telegram' as const, userId: '4001', displayName: 'Anna' };

  beforeAll(async () => {
    const base = inject('mongodbUri');
    await connectMongoose(`${base}${base.includes('?') ? '&' : '?'}monitorCommands=true`, dbName);
    mongoose.connection.getClient().on('commandStarted', (e: CommandStartedEvent) => {
      if (recording) seen.push(...filtersOf(e));
    });
    for (let i = 0; i < 20; i++) expect(await say(owner, `lead Seed ${String.fromCharCode(65 + i)} +8491300${String(i).padStart(4, '0')}`)).toMatch(/New lead/);
  });

  afterAll(async () => {
    await mongoose.connection.dropDatabase().catch(() => undefined);
    await disconnectMongoose();
  });

  it('sends only exact _id filters, or a deliberate scan listed in src/db/scans.ts', async () => {
    recording = true;
    const made = await say(owner, 'chat link C5');
    const code = /start=([A-Z0-9]{12})/.exec(made)?.[1];
    expect(code, made).toBeTruthy();
    expect(await say(anna, `/start ${code}`)).toMatch(/^Hello Seed E!/);
    expect(await say(anna, `/start ${code}`)).toMatch(/^Hello again/);
    expect(await say({ ...anna, userId: '4002' }, `/start ${code}`)).toMatch(/already been used/);
    expect(await say(anna, 'is the blue one in stock?')).toMatch(/Thanks/);
    const photo = { kind: 'image' as const, fileName: 'blue.jpg', mimeType: 'image/jpeg', download: async () => Buffer.from('jpeg'), caption: 'reply C5 yes, here' };
    expect(await say(owner, '[photo] reply C5 yes, here', { attachments: [photo] })).toMatch(/^Sent to C5 Seed E \(telegram\)/);
    recording = false;

    expect(telegram.delivered.filter((d) => d.chatId === '4001').flatMap((d) => d.replies.map((r) => r.kind))).toEqual(['image']);
    expect(seen.length).toBeGreaterThan(10);
    const listed = (comment: unknown) => typeof comment === 'string' && comment.startsWith('scan:') && comment.slice(5) in DELIBERATE_SCANS;
    const offenders = seen.filter((s) => !isExactId(s.filter) && !listed(s.comment));
    expect(offenders.map((o) => `${o.command} ${o.collection} ${JSON.stringify(o.filter)}`)).toEqual([]);
  });
});
