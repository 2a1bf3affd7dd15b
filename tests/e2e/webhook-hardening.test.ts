/**
 * The webhooks' edges, over real HTTP: what a malformed, oversized, mistimed or early request gets
 * back from `/telegram/webhook` and `/slack/events`, and that none of it reaches the core.
 *
 * Slack requests are signed with a real HMAC (crypto.createHmac with the signing secret) — never by
 * turning verification off. Telegram requests carry the real secret header.
 */
import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../models/index.js';
import '../../models/telegram-callback.js';
import { Customer } from '../../models/customer.js';
import { ProcessedDelivery } from '../../models/processed-delivery.js';
import { createSlackAdapter, describeSlackStartError, SLACK_EVENTS_PATH } from '../../bots/slack/index.js';
import { MAX_CLOCK_SKEW_SECONDS, verifySlackRequest } from '../../bots/slack/verify.js';
import { createTelegramAdapter, TELEGRAM_WEBHOOK_PATH } from '../../bots/telegram/index.js';
import { checkUpdate } from '../../bots/telegram/update-shape.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Incoming } from '../../src/core/types.js';
import { MAX_BODY_BYTES } from '../../src/http/body.js';
import { createHttpServer } from '../../src/http/server.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { RoutingNotifier } from '../../src/services/notifier.js';
import { useTestDatabase } from '../support/db.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { startTelegramHarness, TELEGRAM_TEST_SECRET, type TelegramHarness } from '../support/telegram-harness.js';

useTestDatabase('webhook_hardening');

const OWNER_TG = 1001;
const OWNER_SLACK = 'UOWNER';
const TOO_BIG = MAX_BODY_BYTES + 1;

/** A logger that keeps its records, to read the warnings back. */
function recordingLogger(): { log: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, { write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, records };
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, body: await res.text() };
}

/** POSTs `bytes` zero bytes with no Content-Length (chunked), as a client that never says how much is coming. */
function postChunked(url: string, bytes: number, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'transfer-encoding': 'chunked' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    // Once the server has answered and closed, the rest of our upload may fail to write: expected.
    req.on('error', (error) => reject(error));
    const chunk = Buffer.alloc(64 * 1024);
    let left = bytes;
    const write = () => {
      while (left > 0) {
        const n = Math.min(left, chunk.length);
        left -= n;
        if (!req.write(chunk.subarray(0, n))) {
          req.once('drain', write);
          return;
        }
      }
      req.end();
    };
    write();
  });
}

/** Slack's signature headers for `body` at `timestamp` (Unix seconds), by a real HMAC. */
function slackSignature(secret: string, body: string, timestamp: number): Record<string, string> {
  const hmac = createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { 'x-slack-signature': `v0=${hmac}`, 'x-slack-request-timestamp': String(timestamp) };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Telegram webhook edge', () => {
  let h: TelegramHarness;
  const seen: Incoming[] = [];
  let coreDown = false;
  const { log, records } = recordingLogger();
  let url = '';
  const headers = { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': TELEGRAM_TEST_SECRET };

  beforeAll(async () => {
    h = await startTelegramHarness({ ownerIds: [OWNER_TG], log });
    url = h.webhookUrl;
    const handle = h.core.handle.bind(h.core);
    h.core.handle = async (incoming) => {
      if (coreDown) throw new Error('database unreachable');
      seen.push(incoming);
      return handle(incoming);
    };
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('answers 400 to a body that is not a JSON object (bad JSON, null, an array, a number, a form) and processes none of them', async () => {
    const calls = h.tg.calls.length;
    const bodies = ['{"update_id": 1, "message": ', 'null', '[{"update_id": 2}]', '42', '"text"', ''];
    for (const body of bodies) expect((await post(url, body, headers)).status, body).toBe(400);
    const form = await post(url, 'update_id=3&message=hello', { ...headers, 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(400);
    await h.adapter.idle();
    expect(seen).toEqual([]);
    expect(h.tg.calls.length).toBe(calls);
  });

  it('acknowledges an update whose fields have the wrong types with 200, drops it with a warning, and never calls the core', async () => {
    const good = h.tg.textUpdate({ fromId: OWNER_TG, text: '/lead Typed Wrong' });
    const wrongText = { ...good, message: { ...good.message, text: 12345 } };
    const wrongChat = { ...good, update_id: good.update_id + 100_000, message: { ...good.message, chat: { id: 'not-a-number' } } };
    const wrongPhotos = { ...good, update_id: good.update_id + 100_001, message: { ...good.message, photo: 'big.jpg' } };
    const calls = h.tg.calls.length;
    for (const update of [wrongText, wrongChat, wrongPhotos]) expect((await post(url, JSON.stringify(update), headers)).status).toBe(200);
    await h.adapter.idle();
    expect(seen).toEqual([]);
    expect(h.tg.calls.length).toBe(calls);
    expect(await ProcessedDelivery.countDocuments()).toBe(0);
    const warnings = records.filter((r) => r['msg'] === 'telegram: malformed update dropped');
    expect(warnings.map((w) => w['level'])).toEqual([40, 40, 40]);
    expect(warnings[0]).toMatchObject({ updateId: good.update_id, problems: [expect.stringMatching(/^message\.text: /)] });
    expect(warnings[1]!['problems']).toEqual([expect.stringMatching(/^message\.chat\.id: /)]);
    expect(JSON.stringify(warnings)).not.toContain('Typed Wrong'); // what people wrote stays out of warnings

    // The well-formed update is processed as ever.
    const d = await h.deliver(good);
    expect(d.status).toBe(200);
    expect(d.texts).toEqual([expect.stringMatching(/^New lead C\d+ Typed Wrong saved\.$/)]);
  });

  it('checks every field the translator reads: contact, forward origin, document, callback query', () => {
    const base = { update_id: 9, message: { message_id: 1, date: 0, chat: { id: 5, type: 'private' }, from: { id: 5, is_bot: false, first_name: 'A' } } };
    const bad = [
      { ...base, message: { ...base.message, contact: { phone_number: 84912345678, first_name: 'A' } } },
      { ...base, message: { ...base.message, forward_origin: { type: 'user', date: 0, sender_user: { id: '7', first_name: 'B' } } } },
      { ...base, message: { ...base.message, document: { file_id: 17 } } },
      { ...base, message: { ...base.message, from: { id: 5, first_name: null } } },
      { update_id: 9, callback_query: { id: 'q', from: base.message.from, data: { action: 'x' } } },
      { update_id: -1 },
      { update_id: '9' },
      { update_id: 10, edited_message: { whatever: true } }, // edits are read now, so they are checked
    ];
    for (const update of bad) expect(checkUpdate(update).ok, JSON.stringify(update)).toBe(false);
    const good = [
      base,
      { ...base, message: { ...base.message, text: 'hi', entities: [{ type: 'bold', offset: 0, length: 2 }], some_future_field: { x: 1 } } },
      { ...base, message: { ...base.message, forward_origin: { type: 'some_future_origin', date: 0 } } },
      { update_id: 9, callback_query: { id: 'q', from: base.message.from, data: 'customer C1', message: { message_id: 3, date: 0, chat: { id: 5 } } } },
      { update_id: 10, edited_message: { message_id: 3, date: 0, edit_date: 1, chat: { id: 5, type: 'private' }, from: base.message.from, text: 'fixed' } },
    ];
    for (const update of good) expect(checkUpdate(update).ok, JSON.stringify(update)).toBe(true);
  });

  it('refuses a body over 1 MiB with 413 — declared (Content-Length) or streamed (chunked) — without processing it', async () => {
    const before = seen.length;
    const big = ' '.repeat(TOO_BIG);
    expect((await post(url, big, headers)).status).toBe(413);
    expect(await postChunked(url, TOO_BIG, headers)).toBe(413);
    // 20 MiB streamed: refused as soon as the first MiB has passed, not after reading it all.
    const huge = await postChunked(url, 20 * MAX_BODY_BYTES, headers).catch((error: NodeJS.ErrnoException) => error.code);
    expect(String(huge)).toMatch(/^(413|EPIPE|ECONNRESET)$/);
    await h.adapter.idle();
    expect(seen.length).toBe(before);
  });

  it('a body just under the limit is read and judged on its content', async () => {
    const update = h.tg.textUpdate({ fromId: OWNER_TG, text: '/whoami' });
    const padded = JSON.stringify({ ...update, padding: 'x'.repeat(MAX_BODY_BYTES - 1000) });
    expect(Buffer.byteLength(padded)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect((await post(url, padded, headers)).status).toBe(200);
    await h.adapter.idle();
    expect(seen.at(-1)).toMatchObject({ text: '/whoami' });
  });

  it('when the core fails, answers 500 (Telegram re-sends) and logs the error without the bot token or what the person wrote', async () => {
    const update = h.tg.textUpdate({ fromId: OWNER_TG, text: '/lead Secretive Sender' });
    coreDown = true;
    try {
      expect((await post(url, JSON.stringify(update), headers)).status).toBe(500);
    } finally {
      coreDown = false;
    }
    const failure = records.find((r) => r['msg'] === 'request failed');
    expect(failure).toMatchObject({ level: 50, path: TELEGRAM_WEBHOOK_PATH, err: { message: 'database unreachable' } });
    const logged = JSON.stringify(records);
    expect(logged).not.toContain(h.tg.token.split(':')[1]);
    expect(logged).not.toContain('Secretive Sender');
    // Telegram's re-send is processed normally.
    expect((await h.deliver(update)).texts).toEqual([expect.stringMatching(/^New lead C\d+ Secretive Sender saved\.$/)]);
  });

  it('answers 405 to anything but POST, and 401 to a wrong secret before looking at the body', async () => {
    expect((await fetch(url)).status).toBe(405);
    expect((await post(url, 'not json at all', { ...headers, 'x-telegram-bot-api-secret-token': 'wrong' })).status).toBe(401);
    expect((await post(url, 'null', { 'content-type': 'application/json' })).status).toBe(401);
  });

  it('answers 503 until the bot has started (Telegram re-sends), then processes the same update', async () => {
    // Same bot, no TELEGRAM_WEBHOOK_URL: starting it leaves the harness's webhook registration alone.
    const config = loadConfig(
      { TELEGRAM_BOT_TOKEN: h.tg.token, TELEGRAM_API_ROOT: h.tg.baseUrl, TELEGRAM_MODE: 'webhook', TELEGRAM_WEBHOOK_SECRET: TELEGRAM_TEST_SECRET, OWNER_TELEGRAM_IDS: String(OWNER_TG) },
      { envFile: null },
    );
    const quiet = silentLogger();
    const core = createApp({ config, notifier: new RoutingNotifier(), log: quiet, now: () => new Date() });
    const adapter = createTelegramAdapter({ config, core, log: quiet }); // no botInfo: needs getMe first
    const http = createHttpServer({ log: quiet, health: async () => ({}) });
    http.mount(TELEGRAM_WEBHOOK_PATH, adapter.webhookListener);
    const lateUrl = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}${TELEGRAM_WEBHOOK_PATH}`;
    try {
      const update = h.tg.textUpdate({ fromId: OWNER_TG, text: '/lead Early Bird' });
      const early = await post(lateUrl, JSON.stringify(update), headers);
      expect(early.status).toBe(503);
      expect(await Customer.countDocuments({ name: 'Early Bird' })).toBe(0);
      await adapter.start();
      expect((await post(lateUrl, JSON.stringify(update), headers)).status).toBe(200);
      await adapter.idle();
      expect(await Customer.countDocuments({ name: 'Early Bird' })).toBe(1);
    } finally {
      await adapter.stop();
      await http.close();
    }
  });
});

describe('Slack request verification (both directions of time)', () => {
  const secret = 'unit-signing-secret';
  const body = 'token=x&team_id=T1&command=%2Fcrm&text=help';
  const at = 1_700_000_000;
  const check = (timestamp: number, nowSec: number, signWith = secret) =>
    verifySlackRequest({ signingSecret: secret, body, ...fromHeaders(slackSignature(signWith, body, timestamp)), nowMs: nowSec * 1000 });
  const fromHeaders = (h: Record<string, string>) => ({ signature: h['x-slack-signature'], timestamp: h['x-slack-request-timestamp'] });

  it('accepts a correct signature up to five minutes either side of our clock, and refuses one second beyond', () => {
    expect(MAX_CLOCK_SKEW_SECONDS).toBe(300);
    expect(check(at, at).ok).toBe(true);
    expect(check(at - 300, at).ok).toBe(true);
    expect(check(at + 300, at).ok).toBe(true);
    expect(check(at - 301, at)).toEqual({ ok: false, reason: expect.stringContaining('timestamp') });
    expect(check(at + 301, at)).toEqual({ ok: false, reason: expect.stringContaining('timestamp') });
    expect(check(at + 3600, at).ok).toBe(false);
  });

  it('refuses a wrong secret, a tampered body, and malformed or missing headers', () => {
    expect(check(at, at, 'another-secret')).toEqual({ ok: false, reason: 'signature mismatch' });
    const headers = slackSignature(secret, body, at);
    expect(verifySlackRequest({ signingSecret: secret, body: `${body}&admin=1`, ...fromHeaders(headers), nowMs: at * 1000 }).ok).toBe(false);
    expect(verifySlackRequest({ signingSecret: secret, body, signature: undefined, timestamp: String(at), nowMs: at * 1000 }).ok).toBe(false);
    expect(verifySlackRequest({ signingSecret: secret, body, signature: headers['x-slack-signature'], timestamp: undefined, nowMs: at * 1000 }).ok).toBe(false);
    expect(verifySlackRequest({ signingSecret: secret, body, signature: 'v1=abc', timestamp: String(at), nowMs: at * 1000 }).ok).toBe(false);
    expect(verifySlackRequest({ signingSecret: secret, body, signature: headers['x-slack-signature'], timestamp: `${at}.5`, nowMs: at * 1000 }).ok).toBe(false);
  });
});

describe('Slack events edge', () => {
  let h: SlackHarness;

  beforeAll(async () => {
    h = await startSlackHarness({ ownerIds: [OWNER_SLACK] });
  });
  afterAll(async () => {
    await h?.stop();
  });

  it('refuses a correctly signed request dated 60 minutes in the future with a bare 401, and nothing reaches the core', async () => {
    const calls = h.coreCalls.length;
    const future = nowSeconds() + 60 * 60;
    const event = await h.slack.postEvent(h.url, h.slack.dmMessageEvent({ userId: OWNER_SLACK, text: 'lead Future Person' }), { timestamp: future });
    const command = await h.slack.postSlashCommand(h.url, { userId: OWNER_SLACK, text: 'lead Future Person', timestamp: future });
    const raw = JSON.stringify({ type: 'event_callback', team_id: 'T0001', event_id: 'EvFUTURE01', event: h.slack.dmMessageEvent({ userId: OWNER_SLACK, text: 'lead Future Person' }) });
    const handSigned = await post(h.url, raw, { 'content-type': 'application/json', ...slackSignature(h.slack.signingSecret, raw, future) });
    expect([event.status, command.status, handSigned.status]).toEqual([401, 401, 401]);
    expect([event.body, command.body, handSigned.body]).toEqual(['', '', '']);
    await h.adapter.idle();
    expect(h.coreCalls.length).toBe(calls);
    expect(await Customer.countDocuments({ name: 'Future Person' })).toBe(0);
  });

  it('accepts signed requests a few minutes off either way, and refuses them past five minutes in either direction', async () => {
    const at = (minutes: number) => nowSeconds() + minutes * 60;
    const late = await h.slack.postEvent(h.url, h.slack.dmMessageEvent({ userId: OWNER_SLACK, text: 'whoami' }), { timestamp: at(-4) });
    const early = await h.slack.postEvent(h.url, h.slack.dmMessageEvent({ userId: OWNER_SLACK, text: 'whoami' }), { timestamp: at(4) });
    const tooEarly = await h.slack.postEvent(h.url, h.slack.dmMessageEvent({ userId: OWNER_SLACK, text: 'whoami' }), { timestamp: at(6) });
    const tooLate = await h.slack.postEvent(h.url, h.slack.dmMessageEvent({ userId: OWNER_SLACK, text: 'whoami' }), { timestamp: at(-6) });
    expect([late.status, early.status, tooEarly.status, tooLate.status]).toEqual([200, 200, 401, 401]);
    await h.adapter.idle();
    expect(h.coreCalls.filter((c) => c.deliveryId === `slack:${late.eventId}` || c.deliveryId === `slack:${early.eventId}`)).toHaveLength(2);
    expect(h.coreCalls.some((c) => c.deliveryId === `slack:${tooEarly.eventId}` || c.deliveryId === `slack:${tooLate.eventId}`)).toBe(false);
  });

  it('checks against the injected clock, not the machine’s', async () => {
    const quiet = silentLogger();
    const config = loadConfig({ SLACK_BOT_TOKEN: h.slack.botToken, SLACK_SIGNING_SECRET: h.slack.signingSecret, SLACK_API_URL: h.slack.apiUrl }, { envFile: null });
    const tomorrow = Date.now() + 24 * 3600 * 1000;
    const adapter = createSlackAdapter({ config, core: { handle: async () => [] }, log: quiet, now: () => tomorrow });
    const http = createHttpServer({ log: quiet, health: async () => ({}) });
    http.mount(SLACK_EVENTS_PATH, adapter.requestListener);
    const url = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}${SLACK_EVENTS_PATH}`;
    try {
      await adapter.start();
      const today = await h.slack.postSlashCommand(url, { userId: OWNER_SLACK, text: 'help' });
      const dated = await h.slack.postSlashCommand(url, { userId: OWNER_SLACK, text: 'help', timestamp: Math.floor(tomorrow / 1000) });
      expect([today.status, dated.status]).toEqual([401, 200]);
    } finally {
      await adapter.stop();
      await http.close();
    }
  });

  it('refuses a body over 1 MiB with 413 — declared or streamed — before checking its signature', async () => {
    const calls = h.coreCalls.length;
    const big = `payload=${'x'.repeat(TOO_BIG)}`;
    expect((await post(h.url, big, { 'content-type': 'application/x-www-form-urlencoded', ...slackSignature(h.slack.signingSecret, big, nowSeconds()) })).status).toBe(413);
    expect(await postChunked(h.url, TOO_BIG, { 'content-type': 'application/json' })).toBe(413);
    await h.adapter.idle();
    expect(h.coreCalls.length).toBe(calls);
  });

  it('before auth.test has answered: signed requests get 503 (Slack retries), url_verification is still answered, and the start fails naming the cause', async () => {
    const quiet = silentLogger();
    const config = loadConfig(
      { SLACK_BOT_TOKEN: h.slack.botToken, SLACK_SIGNING_SECRET: h.slack.signingSecret, SLACK_API_URL: `http://127.0.0.1:${await closedPort()}/api/` },
      { envFile: null },
    );
    const adapter = createSlackAdapter({ config, core: { handle: async () => [] }, log: quiet });
    const http = createHttpServer({ log: quiet, health: async () => ({}) });
    http.mount(SLACK_EVENTS_PATH, adapter.requestListener);
    const url = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}${SLACK_EVENTS_PATH}`;
    try {
      const started = Date.now();
      const failure = await adapter.start().then(() => undefined, (error: unknown) => error);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(describeSlackStartError(failure)).toBe('auth.test: network error (ECONNREFUSED)');
      expect((await h.slack.postSlashCommand(url, { userId: OWNER_SLACK, text: 'help' })).status).toBe(503);
      expect((await h.slack.postSlashCommand(url, { userId: OWNER_SLACK, text: 'help', secret: 'wrong' })).status).toBe(401);
      const challenge = JSON.stringify({ type: 'url_verification', challenge: 'ch4ll3nge', token: 'x' });
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...slackSignature(h.slack.signingSecret, challenge, nowSeconds()) }, body: challenge });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ challenge: 'ch4ll3nge' });
    } finally {
      await adapter.stop();
      await http.close();
    }
  });
});
