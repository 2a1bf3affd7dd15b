/**
 * Checks the Telegram and Slack emulators in tests/support: raw HTTP behaviour (errors, rate
 * limits, long polling, signing) and smoke runs with the real client libraries (grammY,
 * @slack/web-api, Bolt), so the emulators stay faithful to what those libraries send and expect.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App } from '@slack/bolt';
import { WebClient } from '@slack/web-api';
import { Bot, InputFile } from 'grammy';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SlackEmulator } from '../support/slack-emulator.js';
import { TelegramEmulator } from '../support/telegram-emulator.js';

interface TgResponse {
  ok: boolean;
  result?: unknown;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number };
}

async function tgCall(base: string, token: string, method: string, params: Record<string, unknown> = {}): Promise<{ status: number; body: TgResponse }> {
  const res = await fetch(`${base}/bot${token}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  return { status: res.status, body: (await res.json()) as TgResponse };
}

/** A throwaway local server that records what it receives (stands in for "our app"). */
async function receiver(reply: (req: IncomingMessage, body: string) => { status: number; body: string }): Promise<{ url: string; server: Server; received: { headers: IncomingMessage['headers']; body: string }[] }> {
  const received: { headers: IncomingMessage['headers']; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, body });
      const out = reply(req, body);
      res.writeHead(out.status, { 'content-type': 'text/plain' });
      res.end(out.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, server, received };
}

function closeHttp(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

describe('TelegramEmulator', () => {
  const tg = new TelegramEmulator();
  let base = '';

  beforeAll(async () => {
    base = await tg.start();
  });
  afterAll(async () => {
    await tg.stop();
  });
  afterEach(() => {
    tg.reset();
    tg.options.perChatRatePerSec = 1;
  });

  it('answers getMe', async () => {
    const { status, body } = await tgCall(base, tg.token, 'getMe');
    expect(status).toBe(200);
    expect(body.ok).toBe(true);
    expect(body.result).toMatchObject({ id: 123456, is_bot: true, username: 'crm_test_bot' });
  });

  it('rejects a wrong token with 401 and an unknown method with 404', async () => {
    const bad = await tgCall(base, '999:WRONG', 'getMe');
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ ok: false, error_code: 401, description: 'Unauthorized' });
    const unknown = await tgCall(base, tg.token, 'sendTelepathy');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ ok: false, error_code: 404, description: 'Not Found: method not found' });
  });

  it('validates text: empty and too long are 400', async () => {
    const empty = await tgCall(base, tg.token, 'sendMessage', { chat_id: 1, text: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.body.description).toBe('Bad Request: message text is empty');
    const long = await tgCall(base, tg.token, 'sendMessage', { chat_id: 1, text: 'x'.repeat(4097) });
    expect(long.status).toBe(400);
    expect(long.body.description).toBe('Bad Request: message is too long');
    const max = await tgCall(base, tg.token, 'sendMessage', { chat_id: 1, text: 'x'.repeat(4096) });
    expect(max.status).toBe(200);
  });

  it('answers 403 for a blocked chat and 400 for a missing one', async () => {
    tg.blockChat(7);
    tg.markChatNotFound(8);
    const blocked = await tgCall(base, tg.token, 'sendMessage', { chat_id: 7, text: 'hi' });
    expect(blocked.status).toBe(403);
    expect(blocked.body.description).toBe('Forbidden: bot was blocked by the user');
    const missing = await tgCall(base, tg.token, 'sendMessage', { chat_id: 8, text: 'hi' });
    expect(missing.status).toBe(400);
    expect(missing.body.description).toBe('Bad Request: chat not found');
  });

  it('answers 429 with retry_after when the per-chat limit is exceeded', async () => {
    const first = await tgCall(base, tg.token, 'sendMessage', { chat_id: 42, text: 'one' });
    expect(first.status).toBe(200);
    const second = await tgCall(base, tg.token, 'sendMessage', { chat_id: 42, text: 'two' });
    expect(second.status).toBe(429);
    expect(second.body.ok).toBe(false);
    expect(second.body.error_code).toBe(429);
    const retryAfter = second.body.parameters?.retry_after ?? 0;
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
    expect(second.body.description).toBe(`Too Many Requests: retry after ${retryAfter}`);
    expect(tg.stats.tooManyRequests).toBe(1);
    // Another chat is not affected by chat 42's window.
    expect((await tgCall(base, tg.token, 'sendMessage', { chat_id: 43, text: 'other' })).status).toBe(200);
    expect(tg.sent(42).map((m) => m.text)).toEqual(['one']);
    expect(tg.calls.map((c) => c.status)).toEqual([200, 429, 200]);
  });

  it('applies the global limit and the retryAfterSeconds override', async () => {
    const limited = new TelegramEmulator({ globalRatePerSec: 2, perChatRatePerSec: 0, retryAfterSeconds: 7 });
    const b = await limited.start();
    try {
      expect((await tgCall(b, limited.token, 'sendMessage', { chat_id: 1, text: 'a' })).status).toBe(200);
      expect((await tgCall(b, limited.token, 'sendMessage', { chat_id: 2, text: 'b' })).status).toBe(200);
      const third = await tgCall(b, limited.token, 'sendMessage', { chat_id: 3, text: 'c' });
      expect(third.status).toBe(429);
      expect(third.body.parameters).toEqual({ retry_after: 7 });
    } finally {
      await limited.stop();
    }
  });

  it('long-polls getUpdates and honours offset', async () => {
    const poll = tgCall(base, tg.token, 'getUpdates', { timeout: 5 });
    setTimeout(() => tg.queueUpdate(tg.textUpdate({ fromId: 5, text: '/start now', firstName: 'Ann' })), 50);
    const { body } = await poll;
    const updates = body.result as { update_id: number; message: { text: string; entities: unknown[]; chat: { id: number } } }[];
    expect(updates).toHaveLength(1);
    const [update] = updates;
    expect(update?.message.text).toBe('/start now');
    expect(update?.message.entities).toEqual([{ type: 'bot_command', offset: 0, length: 6 }]);
    expect(update?.message.chat.id).toBe(5);
    // Not confirmed yet: delivered again; confirmed by offset: gone.
    expect(((await tgCall(base, tg.token, 'getUpdates')).body.result as unknown[]).length).toBe(1);
    const next = await tgCall(base, tg.token, 'getUpdates', { offset: (update?.update_id ?? 0) + 1 });
    expect(next.body.result).toEqual([]);
  });

  it('builds forward, contact, document and callback updates', () => {
    const fwd = tg.forwardUpdate({ fromId: 5, text: 'call me', forwardFromName: 'Bob' });
    expect(fwd.message?.forward_origin).toMatchObject({ type: 'hidden_user', sender_user_name: 'Bob' });
    const fwdUser = tg.forwardUpdate({ fromId: 5, text: 'x', forwardFromName: 'Bob', forwardFromId: 77 });
    expect(fwdUser.message?.forward_origin).toMatchObject({ type: 'user', sender_user: { id: 77, first_name: 'Bob' } });
    const contact = tg.contactUpdate({ fromId: 5, phone: '+15550100', firstName: 'Ann' });
    expect(contact.message?.contact).toEqual({ phone_number: '+15550100', first_name: 'Ann', user_id: 5 });
    tg.addFile('DOC1', Buffer.from('a,b\n'), 'documents/in.csv');
    const doc = tg.documentUpdate({ fromId: 5, fileId: 'DOC1', fileName: 'in.csv', mimeType: 'text/csv' });
    expect(doc.message?.document).toMatchObject({ file_id: 'DOC1', file_size: 4 });
    const cb = tg.callbackUpdate({ fromId: 5, data: 'del:1' });
    expect(cb.callback_query?.data).toBe('del:1');
    expect(cb.update_id).toBeGreaterThan(doc.update_id);
  });

  it('works with a real grammY Bot: getMe, sendMessage, sendDocument, getFile and download', async () => {
    tg.options.perChatRatePerSec = 0;
    const bot = new Bot(tg.token, { client: { apiRoot: base } });
    const me = await bot.api.getMe();
    expect(me.username).toBe('crm_test_bot');
    const msg = await bot.api.sendMessage(42, 'Hello *there*', {
      reply_markup: { inline_keyboard: [[{ text: 'OK', callback_data: 'ok' }]] },
    });
    expect(msg.message_id).toBeGreaterThan(0);
    expect(msg.chat).toEqual({ id: 42, type: 'private', first_name: 'User42' });
    expect(msg.reply_markup?.inline_keyboard[0]?.[0]).toMatchObject({ callback_data: 'ok' });
    const edited = await bot.api.editMessageText(42, msg.message_id, 'Edited');
    expect(edited).toMatchObject({ text: 'Edited' });
    await expect(bot.api.editMessageText(42, msg.message_id, 'Edited')).rejects.toThrow(/message is not modified/);

    const doc = await bot.api.sendDocument(42, new InputFile(Buffer.from('name,phone\nAnn,+1\n'), 'export.csv'), { caption: 'Export' });
    expect(doc.document).toMatchObject({ file_name: 'export.csv', mime_type: 'text/csv', file_size: 18 });
    const [sentDoc] = tg.sent(42).filter((s) => s.method === 'sendDocument');
    expect(sentDoc?.caption).toBe('Export');
    expect(sentDoc?.files).toEqual([expect.objectContaining({ filename: 'export.csv', size: 18 })]);

    const file = await bot.api.getFile(doc.document?.file_id ?? '');
    const download = await fetch(`${base}/file/bot${tg.token}/${file.file_path ?? ''}`);
    expect(await download.text()).toBe('name,phone\nAnn,+1\n');
  });

  it('drives a polling grammY bot end to end and waits for its reply', async () => {
    const bot = new Bot(tg.token, { client: { apiRoot: base } });
    bot.command('start', (ctx) => ctx.reply(`Welcome, ${ctx.from?.first_name ?? '?'}`));
    bot.on('callback_query:data', (ctx) => ctx.answerCallbackQuery({ text: `got ${ctx.callbackQuery.data}` }));
    tg.queueUpdate(tg.textUpdate({ fromId: 9, text: '/start', firstName: 'Ann' }));
    void bot.start({ timeout: 1 });
    try {
      const reply = await tg.waitFor((c) => c.method === 'sendMessage' && c.chat_id === 9, 5000);
      expect(reply.text).toBe('Welcome, Ann');
      tg.queueUpdate(tg.callbackUpdate({ fromId: 9, data: 'x1', messageId: reply.message_id }));
      const answer = await tg.waitFor((c) => c.method === 'answerCallbackQuery', 5000);
      expect(answer.params['text']).toBe('got x1');
    } finally {
      await bot.stop();
    }
  });

  it('posts webhooks with the registered secret, and waitFor times out clearly', async () => {
    const app = await receiver((req) => ({ status: req.headers['x-telegram-bot-api-secret-token'] === 's3cret' ? 200 : 401, body: '' }));
    try {
      const bot = new Bot(tg.token, { client: { apiRoot: base } });
      await bot.api.setWebhook(app.url, { secret_token: 's3cret' });
      expect(tg.webhook).toMatchObject({ url: app.url, secretToken: 's3cret' });
      const ok = await tg.postWebhook(tg.textUpdate({ fromId: 3, text: 'hi' }));
      expect(ok.status).toBe(200);
      expect(JSON.parse(app.received[0]?.body ?? '{}')).toMatchObject({ message: { text: 'hi' } });
      expect((await tg.postWebhook(tg.textUpdate({ fromId: 3, text: 'x' }), { secret: null })).status).toBe(401);
      const conflict = await tgCall(base, tg.token, 'getUpdates');
      expect(conflict.status).toBe(409);
      await bot.api.deleteWebhook();
      await expect(tg.waitFor((c) => c.method === 'sendPhoto', 100)).rejects.toThrow(/timed out after 100ms/);
    } finally {
      await closeHttp(app.server);
    }
  });
});

describe('SlackEmulator', () => {
  const slack = new SlackEmulator();
  let base = '';

  beforeAll(async () => {
    base = await slack.start();
    slack.addUser({ id: 'U1', name: 'ann', realName: 'Ann Lee', tz: 'Asia/Kolkata' });
  });
  afterAll(async () => {
    await slack.stop();
  });
  afterEach(() => slack.reset());

  async function slackCall(method: string, params: Record<string, string>, token: string | null = slack.botToken): Promise<{ status: number; retryAfter: string | null; body: Record<string, unknown> }> {
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    const res = await fetch(`${base}/api/${method}`, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
    return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
  }

  it('answers auth.test with a header token or a token param', async () => {
    const viaHeader = await slackCall('auth.test', {});
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.body).toMatchObject({ ok: true, team_id: 'T0001', user_id: 'UBOT' });
    const viaParam = await slackCall('auth.test', { token: 'xoxb-test' }, null);
    expect(viaParam.body['ok']).toBe(true);
  });

  it('answers invalid_auth, not_authed and unknown_method with HTTP 200', async () => {
    const bad = await slackCall('auth.test', {}, 'xoxb-wrong');
    expect(bad.status).toBe(200);
    expect(bad.body).toEqual({ ok: false, error: 'invalid_auth' });
    expect((await slackCall('auth.test', {}, null)).body).toEqual({ ok: false, error: 'not_authed' });
    expect((await slackCall('chat.teleport', {})).body).toMatchObject({ ok: false, error: 'unknown_method' });
  });

  it('answers HTTP 429 with Retry-After when a channel posts faster than 1/s', async () => {
    const first = await slackCall('chat.postMessage', { channel: 'C1', text: 'one' });
    expect(first.body['ok']).toBe(true);
    const second = await slackCall('chat.postMessage', { channel: 'C1', text: 'two' });
    expect(second.status).toBe(429);
    expect(Number(second.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(second.body).toEqual({ ok: false, error: 'ratelimited' });
    expect(slack.stats.tooManyRequests).toBe(1);
    expect((await slackCall('chat.postMessage', { channel: 'C2', text: 'other' })).status).toBe(200);
    expect(slack.posted().map((p) => p.text)).toEqual(['one', 'other']);
  });

  it('validates messages: msg_too_long, no_text, channel_not_found', async () => {
    expect((await slackCall('chat.postMessage', { channel: 'C3', text: 'x'.repeat(40001) })).body['error']).toBe('msg_too_long');
    expect((await slackCall('chat.postMessage', { channel: 'C3' })).body['error']).toBe('no_text');
    slack.blockChannel('DU9');
    expect((await slackCall('chat.postMessage', { channel: 'U9', text: 'hi' })).body['error']).toBe('channel_not_found');
  });

  it('signs bodies so node:crypto can verify them', () => {
    const body = 'token=x&text=hello%20world';
    const headers = slack.signBody(body, 1_700_000_000);
    expect(headers['x-slack-request-timestamp']).toBe('1700000000');
    const expected = `v0=${createHmac('sha256', 'test-signing-secret').update(`v0:1700000000:${body}`).digest('hex')}`;
    expect(timingSafeEqual(Buffer.from(headers['x-slack-signature']), Buffer.from(expected))).toBe(true);
  });

  it('works with a real WebClient: postMessage, update, users.info, conversations.open, filesUploadV2', async () => {
    const client = new WebClient(slack.botToken, { slackApiUrl: `${base}/api/`, retryConfig: { retries: 0 } });
    const posted = await client.chat.postMessage({ channel: 'C9', text: 'Saved Ann', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*Ann*' } }] });
    expect(posted.ok).toBe(true);
    expect(slack.posted('C9')[0]).toMatchObject({ text: 'Saved Ann', blocks: [{ type: 'section' }] });
    const updated = await client.chat.update({ channel: 'C9', ts: posted.ts ?? '', text: 'Saved Ann (edited)' });
    expect(updated.text).toBe('Saved Ann (edited)');
    const info = await client.users.info({ user: 'U1' });
    expect(info.user).toMatchObject({ real_name: 'Ann Lee', tz: 'Asia/Kolkata', tz_offset: 19800 });
    await expect(client.users.info({ user: 'U404' })).rejects.toThrow(/user_not_found/);
    const dm = await client.conversations.open({ users: 'U1' });
    expect(dm.channel?.id).toBe('DU1');

    await client.filesUploadV2({ channel_id: 'DU1', file: Buffer.from('a,b\n1,2\n'), filename: 'export.csv', title: 'Export', initial_comment: 'Here you go' });
    const [upload] = slack.posted('DU1');
    expect(upload).toMatchObject({ method: 'files.completeUploadExternal', text: 'Here you go' });
    expect(upload?.files?.[0]).toMatchObject({ filename: 'export.csv', title: 'Export', channel_id: 'DU1', completed: true });
    expect(upload?.files?.[0]?.bytes?.toString()).toBe('a,b\n1,2\n');

    const limited = new WebClient(slack.botToken, { slackApiUrl: `${base}/api/`, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    await expect(limited.chat.postMessage({ channel: 'C9', text: 'again' })).rejects.toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 1 });
  });

  it('posts signed slash commands and events, and records response_url bodies', async () => {
    const app = await receiver((_req, body) => ({ status: 200, body: body.includes('command=') ? 'ack' : '' }));
    try {
      const res = await slack.postSlashCommand(app.url, { userId: 'U1', text: 'find Ann' });
      expect(res).toMatchObject({ status: 200, body: 'ack' });
      const got = app.received[0];
      const form = new URLSearchParams(got?.body ?? '');
      expect(Object.fromEntries(form)).toMatchObject({ command: '/crm', text: 'find Ann', user_id: 'U1', user_name: 'ann', channel_id: 'DU1', team_id: 'T0001' });
      const ts = String(got?.headers['x-slack-request-timestamp']);
      const sig = `v0=${createHmac('sha256', slack.signingSecret).update(`v0:${ts}:${got?.body ?? ''}`).digest('hex')}`;
      expect(got?.headers['x-slack-signature']).toBe(sig);

      await fetch(form.get('response_url') ?? '', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'Found 1' }) });
      expect((await slack.waitForResponse()).body).toEqual({ text: 'Found 1' });

      const ev = await slack.postEvent(app.url, slack.dmMessageEvent({ userId: 'U1', text: 'hello' }), { retryNum: 1 });
      const evReq = app.received[1];
      expect(evReq?.headers['x-slack-retry-num']).toBe('1');
      expect(JSON.parse(evReq?.body ?? '{}')).toMatchObject({ type: 'event_callback', event_id: ev.eventId, event: { type: 'message', channel_type: 'im', text: 'hello', channel: 'DU1' } });
    } finally {
      await closeHttp(app.server);
    }
  });

  it('drives a real Bolt app: slash command, DM event, button click with views.open', async () => {
    const app = new App({
      token: slack.botToken,
      signingSecret: slack.signingSecret,
      clientOptions: { slackApiUrl: `${base}/api/`, retryConfig: { retries: 0 } },
    });
    app.command('/crm', async ({ ack, respond, command }) => {
      await ack();
      await respond({ text: `searching ${command.text}` });
    });
    app.message(async ({ message, say }) => {
      if ('text' in message) await say(`echo ${message.text ?? ''}`);
    });
    app.action('open_form', async ({ ack, body, client }) => {
      await ack();
      if ('trigger_id' in body) {
        await client.views.open({ trigger_id: body.trigger_id, view: { type: 'modal', title: { type: 'plain_text', text: 'Edit' }, blocks: [] } });
      }
    });
    const server = (await app.start(0)) as Server;
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
    try {
      const cmd = await slack.postSlashCommand(url, { userId: 'U1', text: 'Ann' });
      expect(cmd.status).toBe(200);
      expect((await slack.waitForResponse((r) => r.id === cmd.responseUrl?.split('/').pop())).body).toMatchObject({ text: 'searching Ann' });

      expect((await slack.postEvent(url, slack.dmMessageEvent({ userId: 'U1', text: 'hi' }))).status).toBe(200);
      expect((await slack.waitFor((c) => c.method === 'chat.postMessage')).text).toBe('echo hi');

      const bad = await slack.postSlashCommand(url, { userId: 'U1', text: 'x', secret: 'wrong' });
      expect(bad.status).toBe(401);

      const click = await slack.postAction(url, { userId: 'U1', channelId: 'DU1', actionId: 'open_form', value: 'c1' });
      expect(click.status).toBe(200);
      await slack.waitFor((c) => c.method === 'views.open');
      expect(slack.views[0]).toMatchObject({ type: 'modal', title: { text: 'Edit' } });
    } finally {
      await app.stop();
    }
  });
});
