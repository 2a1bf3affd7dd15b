/**
 * One owning process per embedded data folder, with real processes: `src/main.ts` (console mode,
 * FerretDB on a temporary DATA_DIR) owns the folder; `scripts/import.ts` and a second
 * `src/main.ts` on the same folder are refused without starting a database; once the owner exits
 * (or died, leaving a stale lock) the import runs.
 *
 * Children run as `node --import tsx <file>` (what `npx tsx <file>` does, without npm's extra
 * processes, so the pid in the lock is the child's) in an empty temp dir (no `.env`), with only
 * the environment given here — no MONGODB_URI.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATA_FOLDER_LOCK_FILE, readDataFolderOwner } from '../../src/db/data-lock.js';
import { ensureFerretDbLauncher } from '../../src/db/ferretdb.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const mainPath = join(repoRoot, 'src', 'main.ts');
const importPath = join(repoRoot, 'scripts', 'import.ts');
// `--import tsx` resolves from the cwd; the children run in an empty temp dir, so name the loader by path.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

interface Proc {
  child: ChildProcessWithoutNullStreams;
  stdout: string;
  stderr: string;
  /** Resolves with the exit code (null when killed by a signal) once the process is gone. */
  exit: Promise<number | null>;
}

const running = new Set<Proc>();
let tmp: string;
let dataDir: string;
let csv: string;

function env(extra: Record<string, string> = {}): Record<string, string> {
  const keep = Object.entries(process.env).filter(
    ([k, v]) => v !== undefined && /^(PATH|HOME|TMPDIR|LANG|GO[A-Z0-9_]*|CHATCRM_GO)$/.test(k),
  ) as [string, string][];
  return { ...Object.fromEntries(keep), DATA_DIR: dataDir, CHATCRM_DB_SKIP_MONGOD: '1', LOG_LEVEL: 'warn', ...extra };
}

function run(file: string, args: string[] = [], extraEnv: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, ['--import', tsxLoader, file, ...args], {
    cwd: tmp,
    env: env(extraEnv),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const proc: Proc = {
    child,
    stdout: '',
    stderr: '',
    exit: new Promise((resolve) => child.once('close', (code) => resolve(code))),
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (proc.stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (proc.stderr += d));
  child.stdin.on('error', () => undefined);
  running.add(proc);
  void proc.exit.then(() => running.delete(proc));
  return proc;
}

/** Runs a process to its end (stdin closed) and returns its exit code and output. */
async function runToEnd(file: string, args: string[] = [], extraEnv: Record<string, string> = {}) {
  const proc = run(file, args, extraEnv);
  proc.child.stdin.end();
  const code = await withTimeout(proc.exit, 90_000, () => `${file} did not exit\n${proc.stderr}`);
  return { code, stdout: proc.stdout, stderr: proc.stderr };
}

/** Polls `condition` every 50 ms until it holds; fails with `describe()` after `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out: ${describe()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, describe: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Timed out: ${describe()}`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Starts `src/main.ts` in console mode and waits until it has its database and reads commands. */
async function startApp(): Promise<Proc> {
  const app = run(mainPath);
  const exited = () => app.child.exitCode !== null || app.child.signalCode !== null;
  await until(() => /^Database: /m.test(app.stderr) || exited(), 90_000, () => `the app did not start:\n${app.stderr}`);
  expect(exited(), app.stderr).toBe(false);
  app.child.stdin.write('help\n');
  await until(() => app.stdout.includes('Owner> help') || exited(), 30_000, () => `the console did not answer:\n${app.stdout}\n${app.stderr}`);
  return app;
}

/** The pid of a process that has certainly exited. */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', () => resolve(child.pid!));
  });
}

beforeAll(async () => {
  // Built once here (a no-op when fresh), so no child has to build it.
  await ensureFerretDbLauncher({ repoRoot, log: () => undefined, env: process.env });
  tmp = await mkdtemp(join(tmpdir(), 'chatcrm-lock-e2e-'));
  dataDir = join(tmp, 'data');
  csv = join(tmp, 'customers.csv');
  await writeFile(csv, 'name,phone\nAnna Nguyen,0912 345 678\nBinh Tran,0987 654 321\n');
});

afterAll(async () => {
  for (const proc of running) {
    proc.child.kill('SIGKILL');
    await proc.exit;
  }
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('one process owns an embedded data folder', () => {
  let app: Proc;

  it('the first app process takes the data folder and starts its database', async () => {
    app = await startApp();
    expect(app.stderr).toMatch(/^Database: ferretdb "chatcrm" \(local ferretdb, data in .*, one connection\)$/m);
    const owner = await readDataFolderOwner(dataDir);
    expect(owner).toMatchObject({ pid: app.child.pid, host: hostname() });
    expect(owner?.command).toContain('main.ts');
  }, 120_000);

  it('refuses `npm run import` while the app runs: exit code 1, the owner’s pid and what to do, no database started', async () => {
    const result = await runToEnd(importPath, [csv]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`in use by process ${app.child.pid} on this machine`);
    expect(result.stderr).toContain('Stop `npm start` first');
    expect(result.stderr).toContain('the `import` command with a CSV file');
    expect(result.stderr).toContain('MONGODB_URI');
    expect(result.stderr).not.toContain('FerretDB is listening');
    expect(result.stdout).not.toContain('Imported');
    expect((await readDataFolderOwner(dataDir))?.pid).toBe(app.child.pid);
  }, 120_000);

  it('refuses a second app process on the same folder, and the first keeps working', async () => {
    const result = await runToEnd(mainPath);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`in use by process ${app.child.pid} on this machine`);
    expect(result.stderr).toContain('set DATA_DIR to another folder');
    expect(result.stderr).toContain('MONGODB_URI');
    expect(result.stderr).not.toContain('FerretDB is listening');
    expect(result.stderr).not.toMatch(/^Database: /m);

    const before = app.stdout.length;
    app.child.stdin.write('lead Chi Le 0903 111 222\n');
    // The console echoes the command, then the reply names the new customer's number.
    const answered = /Owner> lead Chi Le 0903 111 222\n[^]*\bC\d+\b/;
    await until(() => answered.test(app.stdout.slice(before)), 30_000, () => `no answer:\n${app.stdout.slice(before)}`);
    expect(app.child.exitCode).toBeNull();
  }, 120_000);

  it('refuses ROLE=worker and ROLE=web on the embedded database before taking or starting anything', async () => {
    const otherDir = join(tmp, 'other-data');
    for (const role of ['worker', 'web']) {
      const result = await runToEnd(mainPath, [], { ROLE: role, DATA_DIR: otherDir });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain(`ROLE=${role}`);
      expect(result.stderr).toMatch(/use MongoDB \(MONGODB_URI\) to run several processes/);
      expect(result.stderr).not.toContain('FerretDB is listening');
    }
    expect(existsSync(otherDir)).toBe(false);
  }, 120_000);

  it('lets the import run once the app has exited, and releases the folder again', async () => {
    app.child.stdin.end(':quit\n');
    expect(await withTimeout(app.exit, 60_000, () => `the app did not exit:\n${app.stderr}`)).toBe(0);
    expect(existsSync(join(dataDir, DATA_FOLDER_LOCK_FILE))).toBe(false);

    const result = await runToEnd(importPath, [csv]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Imported customers\.csv: 2 row\(s\) — 2 new,/m);
    expect(existsSync(join(dataDir, DATA_FOLDER_LOCK_FILE))).toBe(false);
  }, 120_000);

  it('takes over a stale lock left by a process that died', async () => {
    const pid = await deadPid();
    await writeFile(
      join(dataDir, DATA_FOLDER_LOCK_FILE),
      JSON.stringify({ pid, host: hostname(), startedAt: new Date().toISOString(), command: 'node src/main.ts', token: 'dead' }),
    );
    const result = await runToEnd(importPath, [csv]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Imported customers\.csv: 2 row\(s\) — 0 new, 0 updated, 2 unchanged,/m);
    expect(existsSync(join(dataDir, DATA_FOLDER_LOCK_FILE))).toBe(false);
  }, 120_000);

  it('gives the folder up when the app is stopped with SIGTERM', async () => {
    const again = await startApp();
    expect((await readDataFolderOwner(dataDir))?.pid).toBe(again.child.pid);
    again.child.kill('SIGTERM');
    expect(await withTimeout(again.exit, 60_000, () => `the app did not stop:\n${again.stderr}`)).toBe(143);
    expect(existsSync(join(dataDir, DATA_FOLDER_LOCK_FILE))).toBe(false);
  }, 120_000);
});
