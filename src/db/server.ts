/**
 * Picks the database server the app (or the test suite) talks to.
 *
 * Why: developers and CI machines differ — some have MongoDB running, some have a `mongod`
 * binary, some are offline with only Go available. Resolving in one place gives everyone a
 * working database with zero setup, and one clear error when nothing works.
 */
import { join } from 'node:path';
import { ensureFerretDbLauncher, startFerretDb, type StartedServer } from './ferretdb.js';
import { findSystemMongod, startDownloadedMongod, startMongod } from './mongod.js';

export type DatabaseServerKind = 'external' | 'mongod' | 'ferretdb' | 'memory-server';

/** A database server ready for connections; `stop()` is a no-op for external servers. */
export interface DatabaseServer extends StartedServer {
  kind: DatabaseServerKind;
}

export interface ResolveDatabaseServerOptions {
  /** Connection string of an existing server (usually `process.env.MONGODB_URI`); used as is when set. */
  mongodbUri?: string;
  /** Folder for local servers' data: `<dataDir>/mongod` or `<dataDir>/ferretdb`. */
  dataDir: string;
  /** Repository root, for `tools/ferretdb` and `.cache/ferretdb`. */
  repoRoot: string;
  /**
   * Environment used for every step: PATH (mongod, go), MONGOMS_* (mongodb-memory-server),
   * CHATCRM_GO, and CHATCRM_DB_SKIP_MONGOD=1 to skip the system mongod step.
   */
  env: NodeJS.ProcessEnv;
  log: (msg: string) => void;
}

/** One step of the resolution that did not produce a server. */
export interface DatabaseAttempt {
  step: 'MONGODB_URI' | 'mongod' | 'ferretdb' | 'memory-server';
  reason: string;
}

/** Thrown by {@link resolveDatabaseServer} when no step could provide a server. */
export class DatabaseUnavailableError extends Error {
  readonly code = 'DB_UNAVAILABLE' as const;
  readonly attempts: readonly DatabaseAttempt[];

  constructor(attempts: DatabaseAttempt[]) {
    super(
      [
        'No MongoDB-compatible database server is available. Tried, in order:',
        ...attempts.map((a) => `  - ${a.step}: ${a.reason}`),
        'Point the app at a running MongoDB instead by setting MONGODB_URI (environment or .env), e.g. MONGODB_URI=mongodb://localhost:27017/chatcrm',
      ].join('\n'),
    );
    this.name = 'DatabaseUnavailableError';
    this.attempts = attempts;
  }
}

/**
 * Returns a running database server, trying in order:
 * 1. `mongodbUri` (kind `external`, nothing is started and `stop()` does nothing);
 * 2. a `mongod` installed on the machine (MONGOMS_SYSTEM_BINARY or PATH), data in `<dataDir>/mongod`
 *    — skipped when `env.CHATCRM_DB_SKIP_MONGOD=1`;
 * 3. FerretDB built from `tools/ferretdb` (needs Go the first time), data in `<dataDir>/ferretdb`;
 * 4. a `mongod` downloaded by mongodb-memory-server (needs internet), temporary data.
 *
 * Throws {@link DatabaseUnavailableError} (code `DB_UNAVAILABLE`) listing why each step failed.
 *
 * @example
 * const server = await resolveDatabaseServer({
 *   mongodbUri: process.env.MONGODB_URI, dataDir: 'data', repoRoot: process.cwd(),
 *   env: process.env, log: console.log,
 * });
 * await connectMongoose(server.uri, 'chatcrm');
 * // ... on shutdown:
 * await disconnectMongoose();
 * await server.stop();
 */
export async function resolveDatabaseServer(opts: ResolveDatabaseServerOptions): Promise<DatabaseServer> {
  const { env, log } = opts;
  if (opts.mongodbUri) {
    log(`Using the MongoDB server from MONGODB_URI (${redactUri(opts.mongodbUri)}).`);
    return { kind: 'external', uri: opts.mongodbUri, stop: async () => {} };
  }
  const attempts: DatabaseAttempt[] = [{ step: 'MONGODB_URI', reason: 'not set' }];

  // 2. System mongod
  if (isTruthy(env.CHATCRM_DB_SKIP_MONGOD)) {
    attempts.push({ step: 'mongod', reason: 'skipped (CHATCRM_DB_SKIP_MONGOD=1)' });
  } else {
    const binary = findSystemMongod(env);
    if (!binary) {
      attempts.push({ step: 'mongod', reason: 'no mongod on PATH and MONGOMS_SYSTEM_BINARY is not set' });
    } else {
      try {
        const server = await startMongod({ binary, dataDir: join(opts.dataDir, 'mongod'), log });
        return { kind: 'mongod', ...server };
      } catch (err) {
        attempts.push({ step: 'mongod', reason: `${binary} failed to start: ${oneLine(err)}` });
        log(`mongod could not start, trying FerretDB next: ${oneLine(err)}`);
      }
    }
  }

  // 3. FerretDB
  try {
    const binary = await ensureFerretDbLauncher({ repoRoot: opts.repoRoot, log, env });
    const server = await startFerretDb({ binary, dataDir: join(opts.dataDir, 'ferretdb'), log });
    return { kind: 'ferretdb', ...server };
  } catch (err) {
    attempts.push({ step: 'ferretdb', reason: oneLine(err) });
    log(`FerretDB is not available, trying mongodb-memory-server next: ${oneLine(err)}`);
  }

  // 4. mongodb-memory-server download
  try {
    const server = await startDownloadedMongod({ log, env });
    return { kind: 'memory-server', ...server };
  } catch (err) {
    attempts.push({ step: 'memory-server', reason: `download/start failed: ${oneLine(err)}` });
  }

  throw new DatabaseUnavailableError(attempts);
}

/** Hides the password of a connection string for logs. */
function redactUri(uri: string): string {
  return uri.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

function isTruthy(value: string | undefined): boolean {
  return !!value && /^(1|true|yes|on)$/i.test(value.trim());
}

/** Collapses an error into one bounded line for the summary message. */
function oneLine(err: unknown, max = 600): string {
  const text = (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' | ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
