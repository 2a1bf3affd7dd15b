/**
 * Real `mongod` servers, started through mongodb-memory-server.
 *
 * Why: a real MongoDB is the most faithful backend (TTL, partial and text indexes work), so a
 * `mongod` already installed on the machine is preferred over FerretDB. mongodb-memory-server
 * handles port selection, start-up detection and killing mongod if we die.
 */
import { constants as fsConstants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { statSync, accessSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { StartedServer } from './ferretdb.js';

/**
 * Finds a `mongod` binary installed on this machine: `env.MONGOMS_SYSTEM_BINARY` when set
 * (returned as is, so a wrong value fails loudly when starting), else `mongod` on `env.PATH`.
 *
 * @example
 * const mongod = findSystemMongod(process.env); // '/usr/bin/mongod' or undefined
 */
export function findSystemMongod(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.MONGOMS_SYSTEM_BINARY) return env.MONGOMS_SYSTEM_BINARY;
  const exe = process.platform === 'win32' ? 'mongod.exe' : 'mongod';
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, exe);
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not there
    }
  }
  return undefined;
}

export interface StartMongodOptions {
  /** Path of the mongod binary, e.g. from {@link findSystemMongod}. */
  binary: string;
  /** Persistent data folder (wiredTiger); created if missing and kept on stop. */
  dataDir: string;
  log: (msg: string) => void;
}

/**
 * Starts a local `mongod` binary on a free port with a persistent wiredTiger data folder.
 *
 * @example
 * const server = await startMongod({ binary: '/usr/bin/mongod', dataDir: 'data/mongod', log: console.log });
 * // server.uri === 'mongodb://127.0.0.1:41234/'
 * await server.stop(); // data stays in data/mongod
 */
export async function startMongod(opts: StartMongodOptions): Promise<StartedServer> {
  await access(opts.binary, fsConstants.X_OK).catch(() => {
    throw new Error(`${opts.binary} is not an executable file`);
  });
  await mkdir(opts.dataDir, { recursive: true });
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  const server = await MongoMemoryServer.create({
    binary: { systemBinary: opts.binary },
    instance: { dbPath: opts.dataDir, storageEngine: 'wiredTiger', ip: '127.0.0.1' },
  });
  const uri = server.getUri();
  opts.log(`mongod (${opts.binary}) is listening at ${uri} (data: ${opts.dataDir}).`);
  return { uri, stop: once(async () => void (await server.stop({ doCleanup: false, force: false }))) };
}

export interface StartDownloadedMongodOptions {
  log: (msg: string) => void;
  /**
   * Environment whose `MONGOMS_*` variables configure mongodb-memory-server (download URL,
   * retries, RUNTIME_DOWNLOAD...). mongodb-memory-server only reads `process.env`, so these
   * are copied into `process.env` while the server starts and restored afterwards.
   * Defaults to `process.env`.
   */
  env?: NodeJS.ProcessEnv;
}

/**
 * Last resort: lets mongodb-memory-server download a `mongod` (cached under
 * `node_modules/.cache/mongodb-memory-server`) and run it on a temporary data folder that is
 * deleted on stop. Fails on machines without internet access — which is expected.
 *
 * @example
 * const server = await startDownloadedMongod({ log: console.log });
 */
export async function startDownloadedMongod(opts: StartDownloadedMongodOptions): Promise<StartedServer> {
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  opts.log('Starting a mongod downloaded by mongodb-memory-server (needs internet access the first time)...');
  const server = await withMongomsEnv(opts.env, () => MongoMemoryServer.create({ instance: { ip: '127.0.0.1' } }));
  const uri = server.getUri();
  opts.log(`mongodb-memory-server is listening at ${uri} (temporary data).`);
  return { uri, stop: once(async () => void (await server.stop({ doCleanup: true, force: false }))) };
}

/** Makes `process.env`'s MONGOMS_* variables equal to `env`'s while `fn` runs. */
async function withMongomsEnv<T>(env: NodeJS.ProcessEnv | undefined, fn: () => Promise<T>): Promise<T> {
  if (!env || env === process.env) return fn();
  const isMongoms = (k: string): boolean => k.startsWith('MONGOMS_');
  const saved = Object.fromEntries(Object.entries(process.env).filter(([k]) => isMongoms(k)));
  for (const key of Object.keys(saved)) delete process.env[key];
  for (const [key, value] of Object.entries(env)) if (isMongoms(key) && value !== undefined) process.env[key] = value;
  try {
    return await fn();
  } finally {
    for (const key of Object.keys(process.env)) if (isMongoms(key)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}
