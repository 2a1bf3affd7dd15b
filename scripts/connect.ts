/**
 * Database set-up for one-shot scripts (import, export), the way src/main.ts
 * does it: configuration, then MONGODB_URI or a local server, then mongoose
 * with indexes — and everything closed again afterwards.
 *
 * @example
 *   const code = await withDatabase(async (config) => { … return 0; });
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from '../src/config.js';
import { connectMongoose, disconnectMongoose, resolveDatabaseServer } from '../src/db/index.js';
import { ConfigError } from '../src/errors.js';
import '../models/index.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Runs `fn` connected to the configured database; returns its exit code (2 for bad configuration). */
export async function withDatabase(fn: (config: Config) => Promise<number>, say: (m: string) => void = (m) => process.stderr.write(`${m}\n`)): Promise<number> {
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
  });
  try {
    await connectMongoose(server.uri, config.MONGODB_DB);
    return await fn(config);
  } finally {
    await disconnectMongoose().catch(() => undefined);
    await server.stop().catch(() => undefined);
  }
}
