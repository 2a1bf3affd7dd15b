/**
 * One owning process per embedded data folder.
 *
 * Why: the embedded servers (FerretDB on SQLite, a local mongod) keep their files in DATA_DIR.
 * Two processes that each start a server on the same files do not see each other's writes in
 * time: both were handed the same customer numbers by `$inc`, and contact keys ended up pointing
 * at the wrong customer. So whoever starts a local server first owns the folder, recorded in
 * `<dataDir>/.owner.lock` (created with `wx`, so exactly one creator wins); everyone else is
 * refused before a database is started. Several processes on one database is what MongoDB
 * (MONGODB_URI) is for.
 *
 * The lock is released by {@link DataFolderLock.release} (called by the server's `stop()`) and,
 * as a last resort, on the process `exit` event. A lock whose process is gone (killed, crashed,
 * the machine rebooted) is stale and taken over: on this host by checking the pid (and, on Linux,
 * the process start time, so a recycled pid is not mistaken for the owner); from another host
 * (a shared folder, a replaced container) when its heartbeat is older than two minutes.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../errors.js';

/** File name of the lock inside the data folder. */
export const DATA_FOLDER_LOCK_FILE = '.owner.lock';

/** Who owns a data folder: the content of its lock file. */
export interface DataFolderOwner {
  pid: number;
  host: string;
  /** ISO time the lock was taken. */
  startedAt: string;
  /** What the owner runs, e.g. `node …/tsx src/main.ts`, for the refusal message. */
  command: string;
  /** Random per lock, so a release or a takeover never removes someone else's newer lock. */
  token: string;
  /** Linux: the owner's start time in clock ticks since boot (`/proc/<pid>/stat`), to detect recycled pids. */
  processStart?: string;
}

/** A held lock on a data folder. */
export interface DataFolderLock {
  /** Path of the lock file. */
  readonly path: string;
  readonly owner: DataFolderOwner;
  /** Removes the lock file if it is still ours. Safe to call more than once. */
  release(): Promise<void>;
}

export interface LockDataFolderOptions {
  /** Recorded in the lock for whoever is refused. Default: this process's argv. */
  command?: string;
  /**
   * What a refused process should be told to do, appended to the message. Default: stop the
   * owner, or set DATA_DIR to another folder, or use MongoDB (MONGODB_URI).
   */
  hint?: string;
  /** A lock from another host is stale after this long without a heartbeat. Default 2 minutes. */
  foreignStaleMs?: number;
  /** How often the lock's mtime is refreshed. Default 30 s. */
  heartbeatMs?: number;
}

/** Thrown by {@link lockDataFolder} when another live process owns the folder. For operators: not shown in chat. */
export class DataFolderInUseError extends AppError {
  readonly code = 'DB_DATA_FOLDER_IN_USE' as const;

  constructor(
    readonly dataDir: string,
    readonly lockPath: string,
    /** The owner, or undefined when the lock file could not be read. */
    readonly owner: DataFolderOwner | undefined,
    hint: string,
  ) {
    super(
      [
        `The database folder ${dataDir} is in use by ${describeOwner(owner)}.`,
        'Two processes on the same embedded database files corrupt each other’s data, so no database was started.',
        hint,
        owner && owner.host !== hostname()
          ? `If nothing on ${owner.host} uses this folder any more, delete ${lockPath}.`
          : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
    this.name = 'DataFolderInUseError';
  }
}

/** The advice given to a second app process. */
export const DEFAULT_DATA_FOLDER_HINT =
  'Stop that process first, or set DATA_DIR to another folder, or use MongoDB (MONGODB_URI=mongodb://…) to run several processes on one database.';

const FOREIGN_STALE_MS = 2 * 60_000;
const HEARTBEAT_MS = 30_000;
/** A lock file that stays empty or unreadable this long was left by a process that died while writing it. */
const UNREADABLE_STALE_MS = 5_000;
const RETRY_MS = 100;

/** Lock files held by this process (path → token), for the `exit` handler and double-lock checks. */
const held = new Map<string, string>();
/** Tokens of this process's locks, held or being created: a lock with our pid and another token is stale. */
const ownTokens = new Set<string>();
let exitHandlerInstalled = false;

/**
 * Takes exclusive ownership of `dataDir` (created if missing) for this process, taking over a
 * stale lock, or throws {@link DataFolderInUseError} naming the owner's pid, host, start time and
 * command, followed by `hint`.
 *
 * @example
 * const lock = await lockDataFolder('/srv/chatcrm/data', { command: 'npm start' });
 * try { ... start FerretDB on /srv/chatcrm/data/ferretdb ... } finally { await lock.release(); }
 */
export async function lockDataFolder(dataDir: string, opts: LockDataFolderOptions = {}): Promise<DataFolderLock> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, DATA_FOLDER_LOCK_FILE);
  const hint = opts.hint ?? DEFAULT_DATA_FOLDER_HINT;
  const foreignStaleMs = opts.foreignStaleMs ?? FOREIGN_STALE_MS;
  if (held.has(path)) throw new DataFolderInUseError(dataDir, path, await readOwner(path), hint);

  const owner: DataFolderOwner = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    command: opts.command ?? process.argv.join(' '),
    token: randomBytes(8).toString('hex'),
    processStart: processStartTicks(process.pid),
  };
  ownTokens.add(owner.token);
  try {
    for (;;) {
      if (await tryCreate(path, owner)) break;
      const current = await inspect(path, foreignStaleMs);
      if (current.state === 'gone') continue;
      if (current.state === 'live') throw new DataFolderInUseError(dataDir, path, current.owner, hint);
      if (current.state === 'unreadable-young') {
        await new Promise((r) => setTimeout(r, RETRY_MS)); // its creator is still writing it
        continue;
      }
      await removeStale(path, current.owner?.token);
    }
  } catch (err) {
    ownTokens.delete(owner.token);
    throw err;
  }

  held.set(path, owner.token);
  installExitHandler();
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(path, now, now).catch(() => undefined);
  }, opts.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();

  let released: Promise<void> | undefined;
  const release = (): Promise<void> =>
    (released ??= (async () => {
      clearInterval(heartbeat);
      held.delete(path);
      if ((await readOwner(path))?.token === owner.token) await rm(path, { force: true });
      ownTokens.delete(owner.token);
    })());
  return { path, owner, release };
}

/**
 * Reads the owner recorded in `<dataDir>/.owner.lock`, or `undefined` when there is no (readable)
 * lock. It does not say whether that owner is still alive.
 *
 * @example
 * const owner = await readDataFolderOwner('data'); // { pid: 4242, host: 'shop-pc', command: '…', … }
 */
export async function readDataFolderOwner(dataDir: string): Promise<DataFolderOwner | undefined> {
  return readOwner(join(dataDir, DATA_FOLDER_LOCK_FILE));
}

/** Creates the lock file with our content; false when it already exists. */
async function tryCreate(path: string, owner: DataFolderOwner): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    await handle.writeFile(`${JSON.stringify(owner, null, 2)}\n`);
  } finally {
    await handle.close();
  }
  return true;
}

type Inspection =
  | { state: 'gone' }
  | { state: 'live'; owner: DataFolderOwner | undefined }
  | { state: 'stale'; owner: DataFolderOwner | undefined }
  | { state: 'unreadable-young' };

async function inspect(path: string, foreignStaleMs: number): Promise<Inspection> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return { state: 'gone' };
  const owner = await readOwner(path);
  if (!owner) return Date.now() - info.mtimeMs > UNREADABLE_STALE_MS ? { state: 'stale', owner } : { state: 'unreadable-young' };
  if (owner.host !== hostname()) {
    return Date.now() - info.mtimeMs > foreignStaleMs ? { state: 'stale', owner } : { state: 'live', owner };
  }
  return isAlive(owner) ? { state: 'live', owner } : { state: 'stale', owner };
}

/** Whether the owner process (on this host) still runs. Our own pid counts as dead unless we hold this lock. */
function isAlive(owner: DataFolderOwner): boolean {
  if (owner.pid === process.pid) return ownTokens.has(owner.token);
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    // EPERM: it exists but belongs to another user.
  }
  const start = processStartTicks(owner.pid);
  return !(owner.processStart && start && start !== owner.processStart); // a recycled pid is another process
}

/**
 * Removes a stale lock. Renamed first, then checked: if another process replaced the stale lock
 * with its own fresh one in between, that one is put back instead of being deleted.
 */
async function removeStale(path: string, staleToken: string | undefined): Promise<void> {
  const doomed = `${path}.stale-${process.pid}-${randomBytes(3).toString('hex')}`;
  try {
    await rename(path, doomed);
  } catch {
    return; // someone else removed it first
  }
  const moved = await readOwner(doomed);
  if (moved && moved.token !== staleToken) {
    // Not the lock we judged stale: restore it (link fails if yet another lock appeared meanwhile).
    await link(doomed, path).catch(() => undefined);
    await rm(doomed, { force: true });
    return;
  }
  await rm(doomed, { force: true });
}

async function readOwner(path: string): Promise<DataFolderOwner | undefined> {
  try {
    return parseOwner(await readFile(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function parseOwner(text: string): DataFolderOwner | undefined {
  try {
    const v = JSON.parse(text) as Partial<DataFolderOwner>;
    if (typeof v.pid !== 'number' || typeof v.host !== 'string' || typeof v.token !== 'string') return undefined;
    return {
      pid: v.pid,
      host: v.host,
      token: v.token,
      startedAt: typeof v.startedAt === 'string' ? v.startedAt : '?',
      command: typeof v.command === 'string' ? v.command : '?',
      ...(typeof v.processStart === 'string' ? { processStart: v.processStart } : {}),
    };
  } catch {
    return undefined;
  }
}

/** Linux only: field 22 of `/proc/<pid>/stat` (start time in ticks since boot); undefined elsewhere. */
function processStartTicks(pid: number): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at field 3.
    return text.slice(text.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function describeOwner(owner: DataFolderOwner | undefined): string {
  if (!owner) return 'another process (its lock file is unreadable)';
  const where = owner.host === hostname() ? 'on this machine' : `on host ${owner.host}`;
  return `process ${owner.pid} ${where} (${owner.command}), running since ${owner.startedAt}`;
}

/** Releases our locks when the process exits without calling `release()` (process.exit, an uncaught error). */
function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', () => {
    for (const [path, token] of held) {
      try {
        if (parseOwner(readFileSync(path, 'utf8'))?.token === token) unlinkSync(path);
      } catch {
        // already gone
      }
    }
  });
}
