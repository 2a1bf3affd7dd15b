/**
 * src/db/data-lock.ts on real files: one owner per data folder, refusals that name the owner,
 * stale locks taken over, and a release that never removes someone else's lock.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DATA_FOLDER_LOCK_FILE,
  DataFolderInUseError,
  lockDataFolder,
  readDataFolderOwner,
  type DataFolderOwner,
} from '../../src/db/data-lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chatcrm-lock-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lockPath = () => join(dir, DATA_FOLDER_LOCK_FILE);

/** Writes a lock file as another process would have. */
async function writeLock(owner: Partial<DataFolderOwner>, ageMs = 0): Promise<void> {
  const full: DataFolderOwner = {
    pid: 1,
    host: hostname(),
    startedAt: '2026-01-01T00:00:00.000Z',
    command: 'node src/main.ts',
    token: 'other',
    ...owner,
  };
  await writeFile(lockPath(), JSON.stringify(full));
  if (ageMs) {
    const then = new Date(Date.now() - ageMs);
    await utimes(lockPath(), then, then);
  }
}

/** The pid of a process that has certainly exited. */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve(child.pid!));
  });
}

async function refusal(promise: Promise<unknown>): Promise<DataFolderInUseError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataFolderInUseError);
  return error as DataFolderInUseError;
}

describe('lockDataFolder', () => {
  it('creates the folder and a lock file naming this process, and removes it on release', async () => {
    const folder = join(dir, 'nested', 'data');
    const lock = await lockDataFolder(folder, { command: 'npm start' });
    const owner = await readDataFolderOwner(folder);
    expect(owner).toMatchObject({ pid: process.pid, host: hostname(), command: 'npm start', token: lock.owner.token });
    expect(Date.parse(owner!.startedAt)).toBeGreaterThan(Date.now() - 60_000);
    await lock.release();
    await lock.release(); // twice is fine
    expect(existsSync(join(folder, DATA_FOLDER_LOCK_FILE))).toBe(false);
  });

  it('refuses a second owner while the first holds the folder, naming its pid, and says what to do', async () => {
    const lock = await lockDataFolder(dir, { command: 'node src/main.ts' });
    try {
      const error = await refusal(lockDataFolder(dir, { hint: 'Stop npm start first.' }));
      expect(error.code).toBe('DB_DATA_FOLDER_IN_USE');
      expect(error.owner?.pid).toBe(process.pid);
      expect(error.message).toContain(`process ${process.pid} on this machine (node src/main.ts)`);
      expect(error.message).toContain(dir);
      expect(error.message).toMatch(/Stop npm start first\.$/);
    } finally {
      await lock.release();
    }
    const again = await lockDataFolder(dir);
    await again.release();
  });

  it('refuses while another live process on this host owns the folder; the default hint names DATA_DIR and MONGODB_URI', async () => {
    await writeLock({ pid: process.ppid, command: 'npm start' });
    const error = await refusal(lockDataFolder(dir));
    expect(error.message).toContain(`process ${process.ppid} on this machine (npm start)`);
    expect(error.message).toContain('DATA_DIR');
    expect(error.message).toContain('MONGODB_URI');
    expect((await readDataFolderOwner(dir))?.token).toBe('other'); // untouched
  });

  it('takes over a lock whose process is dead', async () => {
    await writeLock({ pid: await deadPid() });
    const lock = await lockDataFolder(dir);
    expect((await readDataFolderOwner(dir))?.pid).toBe(process.pid);
    await lock.release();
  });

  it('takes over a lock naming this very pid that this process does not hold (a restarted container reuses pids)', async () => {
    await writeLock({ pid: process.pid });
    const lock = await lockDataFolder(dir);
    expect((await readDataFolderOwner(dir))?.token).toBe(lock.owner.token);
    await lock.release();
  });

  it.skipIf(process.platform !== 'linux')('takes over a lock whose pid now belongs to a different process (start time differs)', async () => {
    await writeLock({ pid: process.ppid, processStart: '1' });
    const lock = await lockDataFolder(dir);
    expect((await readDataFolderOwner(dir))?.pid).toBe(process.pid);
    await lock.release();
  });

  it('respects a lock from another host while its heartbeat is fresh, and takes it over once it is old', async () => {
    await writeLock({ host: 'other-machine', pid: 4242 });
    const error = await refusal(lockDataFolder(dir, { foreignStaleMs: 60_000 }));
    expect(error.message).toContain('process 4242 on host other-machine');
    expect(error.message).toContain(`delete ${lockPath()}`);

    await writeLock({ host: 'other-machine', pid: 4242 }, 120_000);
    const lock = await lockDataFolder(dir, { foreignStaleMs: 60_000 });
    expect((await readDataFolderOwner(dir))?.host).toBe(hostname());
    await lock.release();
  });

  it('takes over an unreadable lock file only once it is older than a few seconds', async () => {
    await writeFile(lockPath(), '');
    const then = new Date(Date.now() - 60_000);
    await utimes(lockPath(), then, then);
    const lock = await lockDataFolder(dir);
    expect((await readDataFolderOwner(dir))?.pid).toBe(process.pid);
    await lock.release();
  });

  it('does not remove a lock on release that another process has taken meanwhile', async () => {
    const lock = await lockDataFolder(dir);
    await writeLock({ pid: process.ppid, token: 'newer' }); // e.g. ours was judged stale and replaced
    await lock.release();
    expect((await readDataFolderOwner(dir))?.token).toBe('newer');
  });

  it('removes the lock when the owning process exits without releasing it', async () => {
    const modulePath = fileURLToPath(new URL('../../src/db/data-lock.ts', import.meta.url));
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
    const script = `const { lockDataFolder } = await import(${JSON.stringify(modulePath)});
      await lockDataFolder(${JSON.stringify(dir)});
      console.log('locked');
      process.exit(3);`;
    const output = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout }));
    });
    expect(output).toEqual({ code: 3, stdout: 'locked\n' });
    expect(existsSync(lockPath())).toBe(false);
  });

  it('lets exactly one of many concurrent lockers win', async () => {
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => lockDataFolder(dir)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof DataFolderInUseError)).toHaveLength(7);
    const content = JSON.parse(await readFile(lockPath(), 'utf8')) as DataFolderOwner;
    expect(content.token).toBe((won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof lockDataFolder>>>).value.owner.token);
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof lockDataFolder>>>).value.release();
  });
});
