/**
 * Start-up never hangs on a chat platform. The real `src/main.ts` runs as a child process with
 * Telegram's and Slack's API addresses pointing at closed local ports: its HTTP server must answer
 * `/healthz` within seconds, both platforms listed as degraded and a warning logged for each; when
 * the emulators then come up on those very ports, each adapter must finish its start (webhook
 * registered, token checked) and `/healthz` must say so — polled, never slept for.
 *
 * Plus, in process: an API that accepts the connection and never answers is a failure too (the
 * attempt's deadline aborts the request), and the backoff loop retries until the API is back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import '../../models/index.js';
import { createSlackAdapter, describeSlackStartError } from '../../bots/slack/index.js';
import { createTelegramAdapter, describeTelegramStartError } from '../../bots/telegram/index.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { keepStarting, PlatformStates, type Starting } from '../../src/http/platforms.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { RoutingNotifier } from '../../src/services/notifier.js';
import { useTestDatabase } from '../support/db.js';
import { SlackEmulator } from '../support/slack-emulator.js';
import { TelegramEmulator } from '../support/telegram-emulator.js';

const db = useTestDatabase('startup');
const repoRoot = resolve(import.meta.dirname, '../..');

/** Resolves once `probe` returns a value other than `undefined`; polls every 100 ms until `timeoutMs`. */
async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function listenOn(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port));
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * A port on 127.0.0.1 that nothing listens on (yet), for the app to be told before anything is
 * there. Picked below Linux's ephemeral range (32768+), so the `listen(0)`s and outgoing
 * connections of tests running meanwhile cannot take it before we use it.
 */
async function freePort(): Promise<number> {
  for (let tries = 0; ; tries++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    try {
      await listenOn(server, port);
      await closeServer(server);
      return port;
    } catch (error) {
      if (tries > 50) throw error;
    }
  }
}

/**
 * Makes a service on `targetPort` reachable at the fixed `port` (a plain TCP relay): the
 * emulators listen on ephemeral ports, the app was told the fixed one before they existed.
 */
async function relay(port: number, targetPort: number): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await listenOn(server, port);
  return {
    async close() {
      for (const s of sockets) s.destroy();
      await closeServer(server);
    },
  };
}

/** A server that accepts connections and never answers; counts the connections the client gave up on. */
async function blackHole(): Promise<{ port: number; abandoned: () => number; close(): Promise<void> }> {
  let abandoned = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.resume();
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      abandoned++;
    });
  });
  const port = await listenOn(server, 0);
  return {
    port,
    abandoned: () => abandoned,
    async close() {
      for (const s of sockets) s.destroy();
      await closeServer(server);
    },
  };
}

interface Health {
  status: number;
  body: Record<string, unknown>;
}

async function health(port: number): Promise<Health | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch {
    return undefined; // not listening yet
  }
}

/** src/main.ts as a child process with `env`; killed by the cleanups. Its stderr is the JSON log. */
function spawnMain(env: NodeJS.ProcessEnv, cleanups: (() => Promise<void>)[]) {
  const app: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'src/main.ts')], { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => app.once('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (app.exitCode === null && app.signalCode === null) app.kill('SIGKILL');
    await exited;
  });
  let stderr = '';
  app.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const logRecords = () =>
    stderr.split('\n').flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  return { app, exited, stderr: () => stderr, logRecords };
}

describe('src/main.ts with Telegram and Slack unreachable at start-up', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('serves /healthz within seconds with both platforms degraded, logs a warning naming each, and finishes each start when its API comes back', async () => {
    const tg = new TelegramEmulator({ globalRatePerSec: 0, perChatRatePerSec: 0 });
    const slack = new SlackEmulator();
    const [tgPort, slackPort, httpPort] = [await freePort(), await freePort(), await freePort()];
    const dataDir = await mkdtemp(join(tmpdir(), 'chatcrm-startup-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      MONGODB_URI: db.uri,
      MONGODB_DB: db.dbName,
      DATA_DIR: dataDir,
      HTTP_PORT: String(httpPort),
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: `http://127.0.0.1:${tgPort}`,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: 'startup-secret',
      TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${httpPort}/telegram/webhook`,
      OWNER_TELEGRAM_IDS: '1001',
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: slack.signingSecret,
      SLACK_API_URL: `http://127.0.0.1:${slackPort}/api/`,
    };
    const spawnedAt = Date.now();
    const { app, exited, stderr, logRecords } = spawnMain(env, cleanups);

    const running = () => {
      if (app.exitCode !== null || app.signalCode !== null) throw new Error(`the app exited (${app.exitCode ?? app.signalCode}):\n${stderr()}`);
    };

    // The HTTP server is up within seconds (a hang would never get here), 200 with the database up.
    const first = await until(
      '/healthz to answer',
      () => {
        running();
        return health(httpPort);
      },
      20_000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}; the app said:\n${stderr()}`);
    });
    const upAfterMs = Date.now() - spawnedAt;
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ ok: true, db: 'up' });
    // Both platforms degraded, and why (safe words: no token, no URL).
    const degraded = await until(
      'both platforms degraded',
      async () => {
        const h = await health(httpPort);
        return h && String(h.body['telegram']).startsWith('degraded') && String(h.body['slack']).startsWith('degraded') ? h : undefined;
      },
      5000,
    );
    expect(degraded.status).toBe(200);
    expect(degraded.body['telegram']).toMatch(/^degraded: getMe: network error \(ECONNREFUSED\), next try at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(degraded.body['slack']).toMatch(/^degraded: auth\.test: network error \(ECONNREFUSED\), next try at [\dT:Z-]+$/);
    expect(JSON.stringify(degraded.body)).not.toContain(tg.token);
    // A warning line per platform, naming it and the error, within seconds of the server coming up.
    const warnings = await until(
      'a warning for each platform',
      () => {
        const w = logRecords().filter((r) => r['level'] === 40 && /^(telegram|slack): could not start/.test(String(r['msg'])));
        return ['telegram', 'slack'].every((p) => w.some((r) => r['platform'] === p)) ? w : undefined;
      },
      5000,
    );
    expect(warnings.find((r) => r['platform'] === 'telegram')).toMatchObject({ reason: 'getMe: network error (ECONNREFUSED)', msg: expect.stringMatching(/^telegram: could not start/) });
    expect(warnings.find((r) => r['platform'] === 'slack')).toMatchObject({ reason: 'auth.test: network error (ECONNREFUSED)', msg: expect.stringMatching(/^slack: could not start/) });
    expect(stderr()).not.toContain(tg.token);
    expect(stderr()).not.toContain(slack.botToken);

    // The APIs come back, on the ports the app was given.
    const tgRelay = await relay(tgPort, Number(new URL(await tg.start()).port));
    const slackRelay = await relay(slackPort, Number(new URL(await slack.start()).port));
    cleanups.push(
      () => tgRelay.close(),
      () => slackRelay.close(),
      () => tg.stop(),
      () => slack.stop(),
    );
    const healthy = await until(
      'both platforms up',
      async () => {
        const h = await health(httpPort);
        return h?.body['telegram'] === 'up' && h.body['slack'] === 'up' ? h : undefined;
      },
      45_000,
    );
    expect(healthy).toEqual({ status: 200, body: { ok: true, db: 'up', telegram: 'up', slack: 'up' } });
    // …and each adapter really finished its start: webhook registered with its secret, token checked.
    expect(tg.webhook).toMatchObject({ url: env.TELEGRAM_WEBHOOK_URL, secretToken: 'startup-secret' });
    expect(slack.calls.some((c) => c.method === 'auth.test' && c.ok)).toBe(true);
    // Updates flow: Telegram posts one to the registered webhook, the bot answers through the API.
    const since = tg.calls.length;
    const delivered = await tg.postWebhook(tg.textUpdate({ fromId: 1001, text: '/whoami' }));
    expect(delivered.status).toBe(200);
    await tg.waitFor((c) => c.method === 'sendMessage' && String(c.chat_id) === '1001', 10_000, { since });
    expect(logRecords().some((r) => r['platform'] === 'telegram' && r['msg'] === 'telegram: started')).toBe(true);

    app.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(upAfterMs).toBeLessThan(20_000);
  }, 90_000);
});

describe('src/main.ts when long polling stops while running', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('logs why, starts polling again, and answers updates again (another getUpdates took over the token)', async () => {
    const tg = new TelegramEmulator({ globalRatePerSec: 0, perChatRatePerSec: 0 });
    const apiRoot = await tg.start();
    cleanups.push(() => tg.stop());
    const httpPort = await freePort();
    const dataDir = await mkdtemp(join(tmpdir(), 'chatcrm-polling-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      MONGODB_URI: db.uri,
      MONGODB_DB: `${db.dbName}_polling`,
      DATA_DIR: dataDir,
      HTTP_PORT: String(httpPort),
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: apiRoot,
      TELEGRAM_MODE: 'polling',
      OWNER_TELEGRAM_IDS: '1001',
    };
    const { app, exited, stderr, logRecords } = spawnMain(env, cleanups);
    const starts = () => logRecords().filter((r) => r['msg'] === 'telegram: started').length;
    await until('telegram up', async () => ((await health(httpPort))?.body['telegram'] === 'up' && starts() === 1 ? true : undefined), 30_000).catch((error: Error) => {
      throw new Error(`${error.message}; the app said:\n${stderr()}`);
    });
    // Another process polls with the same token: Telegram ends our waiting long poll with 409 (asked
    // until it does: the app's first long poll may not have begun when the first competing call lands).
    const stopped = await until(
      'the stop logged',
      async () => {
        const found = logRecords().find((r) => r['msg'] === 'telegram polling stopped');
        if (!found) await fetch(`${apiRoot}/bot${tg.token}/getUpdates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ timeout: 0 }) });
        return found;
      },
      10_000,
    );
    expect(String(stopped['reason'])).toMatch(/^getUpdates: 409/);
    // /healthz says so until the next try (a second later), then up again.
    const down = await until('healthz degraded', async () => {
      const t = String((await health(httpPort))?.body['telegram']);
      return t.startsWith('degraded') ? t : undefined;
    }, 5000);
    expect(down).toMatch(/^degraded: polling stopped \(getUpdates: 409.*\), next try at [\dT:Z-]+$/);
    await until('polling started again', async () => (starts() === 2 && (await health(httpPort))?.body['telegram'] === 'up' ? true : undefined), 30_000);

    // Updates flow again.
    const since = tg.calls.length;
    tg.queueUpdate(tg.textUpdate({ fromId: 1001, text: '/whoami' }));
    await tg.waitFor((c) => c.method === 'sendMessage' && String(c.chat_id) === '1001', 10_000, { since });
    expect(stderr()).not.toContain(tg.token);
    app.kill('SIGTERM');
    expect(await exited).toBe(143);
  }, 90_000);
});

describe('background start (src/http/platforms.ts) against a real adapter', () => {
  const quiet = silentLogger();
  let starting: Starting | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    starting?.stop();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  function recordingLogger(): { log: Logger; records: Record<string, unknown>[] } {
    const records: Record<string, unknown>[] = [];
    return { log: pino({ level: 'info' }, { write: (line: string) => void records.push(JSON.parse(line) as Record<string, unknown>) }), records };
  }

  it('an API that accepts the connection and never answers fails the attempt at its deadline, and the request is abandoned', async () => {
    const hole = await blackHole();
    cleanups.push(() => hole.close());
    const config = loadConfig({ TELEGRAM_BOT_TOKEN: '123456:HOLE', TELEGRAM_API_ROOT: `http://127.0.0.1:${hole.port}`, TELEGRAM_MODE: 'polling' }, { envFile: null });
    const adapter = createTelegramAdapter({ config, core: createApp({ config, notifier: new RoutingNotifier(), log: quiet, now: () => new Date() }), log: quiet });
    const states = new PlatformStates();
    const { log, records } = recordingLogger();
    starting = keepStarting({ platform: 'telegram', start: (signal) => adapter.start(signal), describe: describeTelegramStartError, states, log, attemptTimeoutMs: 300, firstDelayMs: 60_000 });
    await until('degraded', () => (states.get('telegram')?.startsWith('degraded') ? true : undefined), 5000);
    expect(states.get('telegram')).toMatch(/^degraded: no answer within 300 ms, next try at [\dT:Z-]+$/);
    expect(records.find((r) => r['level'] === 40)).toMatchObject({ platform: 'telegram', attempt: 1, retryInMs: 60_000 });
    await until('the hanging request to be abandoned', () => (hole.abandoned() >= 1 ? true : undefined), 5000);
  });

  it('retries with growing delays until the API answers, then reports up', async () => {
    const slack = new SlackEmulator();
    const port = await freePort();
    const config = loadConfig({ SLACK_BOT_TOKEN: slack.botToken, SLACK_SIGNING_SECRET: slack.signingSecret, SLACK_API_URL: `http://127.0.0.1:${port}/api/` }, { envFile: null });
    const adapter = createSlackAdapter({ config, core: { handle: async () => [] }, log: quiet });
    const states = new PlatformStates();
    const { log, records } = recordingLogger();
    starting = keepStarting({ platform: 'slack', start: (signal) => adapter.start(signal), describe: describeSlackStartError, states, log, firstDelayMs: 50, maxDelayMs: 200 });
    const failures = () => records.filter((r) => r['level'] === 40);
    await until('three failed attempts', () => (failures().length >= 3 ? true : undefined), 5000);
    expect(failures().map((r) => r['retryInMs']).slice(0, 3)).toEqual([50, 100, 200]);
    expect(states.get('slack')).toMatch(/^degraded: auth\.test: network error \(ECONNREFUSED\)/);

    const emulator = await slack.start();
    const back = await relay(port, Number(new URL(emulator).port));
    cleanups.push(
      () => back.close(),
      () => slack.stop(),
    );
    expect(await starting.started).toBe(true);
    expect(states.report()).toEqual({ slack: 'up' });
    expect(records.at(-1)).toMatchObject({ level: 30, platform: 'slack', msg: 'slack: started' });
  });

  it('stop() ends the retries (shutdown while a platform is down)', async () => {
    const port = await freePort();
    const config = loadConfig({ TELEGRAM_BOT_TOKEN: '123456:GONE', TELEGRAM_API_ROOT: `http://127.0.0.1:${port}` }, { envFile: null });
    const adapter = createTelegramAdapter({ config, core: createApp({ config, notifier: new RoutingNotifier(), log: quiet, now: () => new Date() }), log: quiet });
    const states = new PlatformStates();
    starting = keepStarting({ platform: 'telegram', start: (signal) => adapter.start(signal), describe: describeTelegramStartError, states, log: quiet, firstDelayMs: 60_000 });
    await until('degraded', () => (states.get('telegram')?.startsWith('degraded') ? true : undefined), 5000);
    starting.stop();
    expect(await starting.started).toBe(false);
  });
});
