/**
 * What a `lead` costs in round trips (issue 8), counted with MongoDB command monitoring through the
 * real core: a new lead is the delivery claim, the number, the keys and the customer with its name
 * entry — a staff member resolved moments ago costs no reads — and a known phone hands its number back.
 * The remembered staff member is forgotten by the writes that change who they are.
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import type { CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../../models/index.js';
import { Counter } from '../../models/index.js';
import { createApp } from '../../src/app.js';
import { connectMongoose, disconnectMongoose } from '../../src/db/connect.js';
import { replyText, OWNER, type Person } from '../support/chat.js';
import { RecordingNotifier } from '../support/recording-notifier.js';
import { nextDeliveryId, testDeps } from '../support/test-app.js';

const dbName = `test_lead_cost_${randomBytes(3).toString('hex')}`;

describe('the cost of a lead', () => {
  const commands: string[] = [];
  let recording = false;
  const core = createApp(testDeps({ env: {}, notifier: new RecordingNotifier(), clock: { now: new Date('2026-03-02T03:00:00.000Z') } }));
  const say = async (who: Person, text: string) =>
    replyText(await core.handle({ platform: who.platform, userId: who.userId, chatId: who.userId, displayName: who.displayName, text, deliveryId: nextDeliveryId() }));
  /** The commands one message sends: `insert customers`, `find identities`, … */
  async function cost(who: Person, text: string): Promise<{ reply: string; commands: string[] }> {
    commands.length = 0;
    recording = true;
    const reply = await say(who, text);
    recording = false;
    return { reply, commands: [...commands].sort() };
  }

  beforeAll(async () => {
    const base = inject('mongodbUri');
    await connectMongoose(`${base}${base.includes('?') ? '&' : '?'}monitorCommands=true`, dbName);
    mongoose.connection.getClient().on('commandStarted', (e: CommandStartedEvent) => {
      const target = (e.command as Record<string, unknown>)[e.commandName];
      if (recording) commands.push(`${e.commandName} ${typeof target === 'string' ? target : ''}`);
    });
    // The owner's first message creates them (nothing is remembered across that write); the second resolves them.
    expect(await say(OWNER, 'lead Warm Up 0912 000 001')).toMatch(/New lead C1/);
    expect(await say(OWNER, 'whoami')).toBeTruthy();
  });

  afterAll(async () => {
    await mongoose.connection.dropDatabase().catch(() => undefined);
    await disconnectMongoose();
  });

  it('a new lead from a staff member resolved moments ago: five round trips, no identity or staff read', async () => {
    const { reply, commands: sent } = await cost(OWNER, 'lead Anna Nguyen 0912 000 002 #vip');
    expect(reply).toBe('New lead C2 Anna Nguyen saved.');
    expect(sent).toEqual(['findAndModify counters', 'insert contactkeys', 'insert customernames', 'insert customers', 'insert processeddeliveries']);
  });

  it('a known phone (same name) hands its number back: the next new lead gets the next number', async () => {
    const { reply, commands: sent } = await cost(OWNER, 'lead Anna Nguyen +84912000002');
    expect(reply).toBe('C2 Anna Nguyen already has these details — nothing duplicated.');
    expect(sent).not.toContain('find identities');
    expect((await Counter.findById('customer').lean<{ seq: number }>())?.seq).toBe(2);
    expect(await say(OWNER, 'lead Binh 0912 000 003')).toBe('New lead C3 Binh saved.');
  });

  it('forgets the remembered staff member when they choose a language, and reads them again', async () => {
    expect(await say(OWNER, 'lang vi')).toBeTruthy();
    const { reply, commands: sent } = await cost(OWNER, 'lead Chi 0912 000 004');
    expect(reply).toBe('Đã lưu khách tiềm năng mới C4 Chi.');
    expect(sent).toContain('find identities');
    expect(sent).toContain('find staffs');
    // Remembered again from here on.
    expect((await cost(OWNER, 'lead Dung 0912 000 005')).commands).not.toContain('find identities');
  });
});
