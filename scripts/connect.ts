/**
 * Database set-up for one-shot scripts (import, export), the way src/main.ts
 * does it: configuration, then MONGODB_URI or a local server, then mongoose
 * with indexes — and everything closed again afterwards.
 *
 * A local server is only started when no other process (a running `npm start`)
 * owns the data folder; otherwise the script is refused with `busyHint`
 * (see src/db/data-lock.ts), because two servers on the same files corrupt them.
 *
 * @example
 *   const code = await withDatabase(async (config) => { … return 0; }, say, { busyHint: 'Stop npm start first.' });
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../src/config.js';
import { connectMongoose, databaseNameFor, disconnectMongoose, resolveDatabaseServer } from '../src/db/index.js';
import { ConfigError } from '../src/errors.js';
import '../models/index.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

export interface WithDatabaseOptions {
  /** What to do instead when `npm start` already owns the local data folder. */
  busyHint?: string;
}

/**
 * Runs `fn` connected to the configured database (the database MONGODB_URI names, else
 * MONGODB_DB); returns its exit code (2 for bad configuration). Throws when no database is
 * available or another process owns the local data folder. Ctrl-C / SIGTERM stop the local
 * server and give up the data folder before exiting.
 *
 * @example
 *   process.exitCode = await withDatabase(async () => { await exportAll(); return 0; });
 */
export async function withDatabase(
  fn: (config: Config) => Promise<number>,
  say: (m: string) => void = (m) => process.stderr.write(`${m}\n`),
  options: WithDatabaseOptions = {},
): Promise<number> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      say(`${error.message}\nFix these in the environment or .env (see .env.example).`);
      return 2;
    }
    throw error;
  }
  const server = await resolveDatabaseServer({
    mongodbUri: config.MONGODB_URI,
    dataDir: resolve(config.DATA_DIR),
    repoRoot,
    env: process.env,
    log: say,
    ...(options.busyHint ? { busyHint: options.busyHint } : {}),
  });
  const close = async (): Promise<void> => {
    await disconnectMongoose().catch(() => undefined);
    await server.stop().catch(() => undefined);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    say(`${signal} received, stopping.`);
    void close().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await connectMongoose(server.uri, databaseNameFor(server.uri, config.MONGODB_DB));
    return await fn(config);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await close();
  }
}
