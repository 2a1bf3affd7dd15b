/**
 * Start-up: configuration, database, core, adapters, shutdown.
 * `npm start` with no platform tokens opens the console chat on a local database.
 */
import { join, resolve } from 'node:path';
import mongoose from 'mongoose';
import { ConsoleSender, runConsole } from '../bots/console/index.js';
import { createSlackAdapter, describeSlackStartError, mountSlack } from '../bots/slack/index.js';
import { createTelegramAdapter, describeTelegramStartError, mountTelegram } from '../bots/telegram/index.js';
import { runsAdapters, startJobsForRole } from '../jobs/worker.js';
import { loadConfig, type Config } from './config.js';
import { createApp } from './app.js';
import { connectMongoose, databaseEngine, databaseNameFor, disconnectMongoose, resolveDatabaseServer, type DatabaseServer } from './db/index.js';
import { ConfigError } from './errors.js';
import { keepStarting, PlatformStates, START_BACKOFF } from './http/platforms.js';
import { createHttpServer } from './http/server.js';
import { createLogger } from './log.js';
import { needsIdMigration } from './services/migrate-ids.js';
import { ensureSegmentsFresh } from './services/segments/segments.js';
import { RoutingNotifier } from './services/notifier.js';
import '../models/index.js';

async function main(): Promise<number> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nFix these in the environment or .env (see .env.example).\n`);
      return 2;
    }
    throw error;
  }
  const say = (m: string) => process.stderr.write(`${m}\n`);

  let server: DatabaseServer;
  try {
    server = await resolveDatabaseServer({
      mongodbUri: config.MONGODB_URI,
      dataDir: resolve(config.DATA_DIR),
      repoRoot: resolve(import.meta.dirname, '..'),
      env: process.env,
      log: say,
      role: config.ROLE, // ROLE=web|worker need MONGODB_URI; a local data folder has one owning process
    });
  } catch (error) {
    say(error instanceof Error ? error.message : String(error));
    return 1;
  }
  // Only now, as the data folder's owner: the console chat (no platform tokens) owns the terminal,
  // so logs go to a file in the data folder (at LOG_LEVEL) and only warnings and errors show here.
  const consoleChat = runsAdapters(config.ROLE) && !config.TELEGRAM_BOT_TOKEN && !config.SLACK_BOT_TOKEN;
  const logFile = consoleChat ? join(resolve(config.DATA_DIR), 'logs', 'chatcrm.log') : undefined;
  const log = logFile ? createLogger(config.LOG_LEVEL, { file: logFile }) : createLogger(config.LOG_LEVEL);
  if (logFile) say(`Log file: ${logFile} (only warnings and worse are shown here)`);
  let stopping = false;
  /** Run first on shutdown, in order (HTTP server, then adapters), before the database goes. */
  const stopFirst: (() => Promise<void>)[] = [];
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    for (const stop of stopFirst) await stop().catch(() => undefined);
    await disconnectMongoose().catch(() => undefined);
    await server.stop().catch(() => undefined);
  };
  process.once('SIGINT', () => void shutdown().then(() => process.exit(130)));
  process.once('SIGTERM', () => void shutdown().then(() => process.exit(143)));

  try {
    const dbName = databaseNameFor(server.uri, config.MONGODB_DB); // the URI's database, else MONGODB_DB
    await connectMongoose(server.uri, dbName);
    if (await needsIdMigration()) {
      say('This database was made by an older version: customers and orders have numeric ids. Stop here, then run once: npm run migrate:ids (see docs/migrations.md).');
      return 1;
    }
    const where = server.kind === 'external' ? 'from MONGODB_URI' : `local ${server.kind}, data in ${config.DATA_DIR}`;
    say(`Database: ${databaseEngine()} "${dbName}" (${where}${databaseEngine() === 'ferretdb' ? ', one connection' : ''})`);
    const notifier = new RoutingNotifier([new ConsoleSender(process.stdout)]);
    const core = createApp({ config, notifier, log, now: () => new Date() });
    const platforms = [config.TELEGRAM_BOT_TOKEN, config.SLACK_BOT_TOKEN].filter(Boolean);
    // Jobs (jobs/worker.ts): ROLE=worker|all runs the Agenda jobs, started once the senders are registered;
    // ROLE=worker registers senders only (no console, webhooks or polling). Jobs stop (drain) first on shutdown.
    const startJobs = async () => {
      const jobs = await startJobsForRole(core.deps);
      if (jobs) stopFirst.unshift(() => jobs.stop().then(() => undefined));
      // Segments a manager reads must not be stale or missing after a restart: recompute in the
      // background when they are (a recompute elsewhere is left to finish).
      if (jobs) {
        ensureSegmentsFresh(new Date(), 24, { baseCurrency: config.BASE_CURRENCY }).catch((error: unknown) =>
          log.warn({ err: error }, 'segment recompute at start failed; the nightly job will retry'),
        );
      }
    };
    if (!runsAdapters(config.ROLE)) {
      if (config.TELEGRAM_BOT_TOKEN) notifier.register(createTelegramAdapter({ config, core, log }).sender);
      if (config.SLACK_BOT_TOKEN) notifier.register(createSlackAdapter({ config, core, log }).sender);
      await startJobs();
      say('Job worker running (ROLE=worker); Ctrl-C stops it.');
      await new Promise<never>(() => undefined);
    }
    if (platforms.length === 0) {
      // Files in replies and notifications are saved here; notifications' buttons become pressable.
      const filesDir = join(resolve(config.DATA_DIR), 'files');
      const sender = new ConsoleSender(process.stdout, filesDir);
      notifier.register(sender);
      await startJobs();
      await runConsole({ core, input: process.stdin, output: process.stdout, interactive: Boolean(process.stdin.isTTY), ownerName: config.CONSOLE_OWNER_NAME, filesDir, sender });
    } else {
      // One HTTP server for every platform: /healthz, POST /slack/events, POST /telegram/webhook.
      // /healthz is 200 while the database is up, each platform's state listed beside it
      // ('up', 'starting', 'degraded: …'); 503 when the database is down (src/http/server.ts).
      const platformStates = new PlatformStates();
      const http = createHttpServer({
        log,
        health: async () => {
          if (mongoose.connection.readyState !== mongoose.ConnectionStates.connected) throw new Error('database not connected');
          return { db: 'up', ...platformStates.report() };
        },
      });
      stopFirst.push(() => http.close());
      // The adapters: sender on the notifier, listener mounted (Slack at /slack/events, Telegram at
      // /telegram/webhook unless it long-polls) — no network yet.
      const slack = config.SLACK_BOT_TOKEN ? mountSlack({ config, core, log, notifier, http }) : undefined;
      // Polling that stops once running (another process took over the token, the token was revoked)
      // shows on /healthz and is started again, with the same backoff as a first start.
      let restartTelegram: (reason: string) => void = () => undefined;
      const telegram = mountTelegram({ config, core, log, notifier, http, onPollingStopped: (reason) => restartTelegram(reason) });
      const port = await http.listen(config.HTTP_PORT);
      // Then each platform starts in the background: an unreachable API is logged at once and retried
      // with backoff (src/http/platforms.ts) while everything else runs.
      if (slack) {
        const starting = keepStarting({ platform: 'slack', start: (signal) => slack.start(signal), describe: describeSlackStartError, states: platformStates, log });
        stopFirst.push(async () => {
          starting.stop();
          await slack.stop();
        });
      }
      if (telegram) {
        const startTelegram = () => keepStarting({ platform: 'telegram', start: (signal) => telegram.start(signal), describe: describeTelegramStartError, states: platformStates, log });
        let starting = startTelegram();
        let stopping = false;
        // Restarts back off (1 s, 2 s … 5 min; reset after 10 quiet minutes): two processes polling
        // with one token end each other's polls (409), and must not do so in a tight loop.
        let restarts = 0;
        let lastRestartAt = 0;
        let restartTimer: NodeJS.Timeout | undefined;
        restartTelegram = (reason) => {
          if (stopping) return;
          if (Date.now() - lastRestartAt > 10 * 60_000) restarts = 0;
          const delayMs = Math.min(START_BACKOFF.firstDelayMs * 2 ** restarts, START_BACKOFF.maxDelayMs);
          restarts++;
          lastRestartAt = Date.now();
          starting.stop();
          const nextTry = new Date(Date.now() + delayMs).toISOString().replace(/\.\d+Z$/, 'Z');
          platformStates.set('telegram', `degraded: polling stopped (${reason}), next try at ${nextTry}`);
          clearTimeout(restartTimer);
          restartTimer = setTimeout(() => {
            if (!stopping) starting = startTelegram();
          }, delayMs);
        };
        stopFirst.push(async () => {
          stopping = true;
          clearTimeout(restartTimer);
          starting.stop();
          await telegram.stop();
        });
      }
      await startJobs(); // jobs: after the adapters registered their senders
      say(`HTTP server on port ${port}`);
      // Serve until SIGINT/SIGTERM: their handlers above shut down and exit.
      await new Promise<never>(() => undefined);
    }
  } finally {
    await shutdown();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
