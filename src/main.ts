/**
 * Start-up: configuration, database, core, adapters, shutdown.
 * `npm start` with no platform tokens opens the console chat on a local database.
 */
import { resolve } from 'node:path';
import { ConsoleSender, runConsole } from '../bots/console/index.js';
import { loadConfig, type Config } from './config.js';
import { createCore } from './core/handle.js';
import { connectMongoose, disconnectMongoose, resolveDatabaseServer, type DatabaseServer } from './db/index.js';
import { ConfigError } from './errors.js';
import { createLogger } from './log.js';
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
  const log = createLogger(config.LOG_LEVEL);
  const say = (m: string) => process.stderr.write(`${m}\n`);

  let server: DatabaseServer;
  try {
    server = await resolveDatabaseServer({
      mongodbUri: config.MONGODB_URI,
      dataDir: resolve(config.DATA_DIR),
      repoRoot: resolve(import.meta.dirname, '..'),
      env: process.env,
      log: say,
    });
  } catch (error) {
    say(error instanceof Error ? error.message : String(error));
    return 1;
  }
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    await disconnectMongoose().catch(() => undefined);
    await server.stop().catch(() => undefined);
  };
  process.once('SIGINT', () => void shutdown().then(() => process.exit(130)));
  process.once('SIGTERM', () => void shutdown().then(() => process.exit(143)));

  try {
    await connectMongoose(server.uri, config.MONGODB_DB);
    if (server.kind !== 'external') say(`Database: ${server.kind} (local, data in ${config.DATA_DIR})`);
    const notifier = new RoutingNotifier([new ConsoleSender(process.stdout)]);
    const core = createCore({ config, notifier, log, now: () => new Date() });
    const platforms = [config.TELEGRAM_BOT_TOKEN, config.SLACK_BOT_TOKEN].filter(Boolean);
    if (platforms.length === 0) {
      await runConsole({ core, input: process.stdin, output: process.stdout, interactive: Boolean(process.stdin.isTTY), ownerName: config.CONSOLE_OWNER_NAME });
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
