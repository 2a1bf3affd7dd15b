/**
 * Picks the database server the app (or the test suite) talks to.
 *
 * Why: developers and CI machines differ — some have MongoDB running, some have a `mongod`
 * binary, some are offline with only Go available. Resolving in one place gives everyone a
 * working database with zero setup, and one clear error when nothing works.
 */
import { join } from 'node:path';
import { AppError } from '../errors.js';
import { lockDataFolder, type DataFolderLock } from './data-lock.js';
import { ensureFerretDbLauncher, startFerretDb, type StartedServer } from './ferretdb.js';
import { findSystemMongod, startDownloadedMongod, startMongod } from './mongod.js';

export type DatabaseServerKind = 'external' | 'mongod' | 'ferretdb' | 'memory-server';

/**
 * A database server ready for connections; `stop()` is a no-op for external servers. For local
 * servers `stop()` also gives up the ownership of the data folder (see ./data-lock.ts).
 */
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
  /**
   * The app's `ROLE`. `web` and `worker` mean several processes share one database, which only a
   * MongoDB server can do: without `mongodbUri` they are refused ({@link SharedDatabaseRequiredError}).
   * Scripts leave it unset.
   */
  role?: 'web' | 'worker' | 'all';
  /**
   * What to tell a process that is refused because another one owns `dataDir`
   * (`DataFolderInUseError`); default: stop it, or another DATA_DIR, or MONGODB_URI.
   */
  busyHint?: string;
}

/** One step of the resolution that did not produce a server. */
export interface DatabaseAttempt {
  step: 'MONGODB_URI' | 'mongod' | 'ferretdb' | 'memory-server';
  reason: string;
}

/** Thrown by {@link resolveDatabaseServer} when no step could provide a server. For operators: not shown in chat. */
export class DatabaseUnavailableError extends AppError {
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

/** Thrown by {@link resolveDatabaseServer} for `ROLE=web|worker` without MONGODB_URI. For operators: not shown in chat. */
export class SharedDatabaseRequiredError extends AppError {
  readonly code = 'DB_SHARED_REQUIRED' as const;

  constructor(readonly role: 'web' | 'worker') {
    super(
      [
        `ROLE=${role} is one of several processes, but the embedded database (no MONGODB_URI) belongs to a single process:`,
        'use MongoDB (MONGODB_URI) to run several processes, e.g. MONGODB_URI=mongodb://localhost:27017/chatcrm,',
        'or run everything in one process with ROLE=all.',
      ].join('\n'),
    );
    this.name = 'SharedDatabaseRequiredError';
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
 * Before any local server starts, this process takes ownership of `dataDir` (`<dataDir>/.owner.lock`,
 * released by `stop()`): a second process on the same folder gets `DataFolderInUseError` (./data-lock.ts)
 * (code `DB_DATA_FOLDER_IN_USE`) and starts nothing, because two servers on the same files
 * corrupt each other's data. `role` `web` or `worker` without `mongodbUri` is refused up front
 * with {@link SharedDatabaseRequiredError} (code `DB_SHARED_REQUIRED`).
 *
 * Throws {@link DatabaseUnavailableError} (code `DB_UNAVAILABLE`) listing why each step failed.
 *
 * @example
 * const server = await resolveDatabaseServer({
 *   mongodbUri: process.env.MONGODB_URI, dataDir: 'data', repoRoot: process.cwd(),
 *   env: process.env, log: console.log, role: 'all',
 * });
 * await connectMongoose(server.uri, databaseNameFor(server.uri, 'chatcrm'));
 * // ... on shutdown:
 * await disconnectMongoose();
 * await server.stop();
 */
export async function resolveDatabaseServer(opts: ResolveDatabaseServerOptions): Promise<DatabaseServer> {
  const { log } = opts;
  if (opts.mongodbUri) {
    log(`Using the MongoDB server from MONGODB_URI (${redactUri(opts.mongodbUri)}).`);
    return { kind: 'external', uri: opts.mongodbUri, stop: async () => {} };
  }
  if (opts.role === 'web' || opts.role === 'worker') throw new SharedDatabaseRequiredError(opts.role);
  const lock = await lockDataFolder(opts.dataDir, opts.busyHint ? { hint: opts.busyHint } : {});
  try {
    const server = await startLocalServer(opts);
    return { ...server, stop: releasingAfter(() => server.stop(), lock) };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

/** `stop` followed by giving up the data folder; once, however often it is called. */
function releasingAfter(stop: () => Promise<void>, lock: DataFolderLock): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () =>
    (stopping ??= (async () => {
      try {
        await stop();
      } finally {
        await lock.release();
      }
    })());
}

/** Steps 2–4 of {@link resolveDatabaseServer}, with the data folder already ours. */
async function startLocalServer(opts: ResolveDatabaseServerOptions): Promise<DatabaseServer> {
  const { env, log } = opts;
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
