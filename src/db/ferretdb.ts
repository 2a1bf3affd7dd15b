/**
 * FerretDB fallback database server.
 *
 * Why: the app and its tests need a MongoDB-compatible server, but
 * mongodb-memory-server cannot download a `mongod` on machines without
 * internet access. The repository ships a small Go launcher
 * (`tools/ferretdb/`) that runs FerretDB v1 on SQLite; it only needs the Go
 * toolchain and the Go module proxy. This module builds that launcher once
 * (safely across concurrent processes), against a copy of FerretDB with
 * `tools/ferretdb/sqlite-id-index.patch` applied (see docs/database.md), and starts/stops it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { access, chmod, copyFile, mkdir, open, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { delimiter, dirname, join, relative } from 'node:path';
import { createInterface } from 'node:readline';

/** A running database server: where to connect and how to stop it. */
export interface StartedServer {
  /** Connection string without a database name, e.g. `mongodb://127.0.0.1:40123/`. */
  uri: string;
  /** Stops the server and waits for it to exit. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface EnsureFerretDbLauncherOptions {
  /** Repository root: sources are read from `<repoRoot>/tools/ferretdb`, the binary goes to `<repoRoot>/.cache/ferretdb`. */
  repoRoot: string;
  /** Progress messages for humans (a handful of lines, never go's raw output). */
  log: (msg: string) => void;
  /** Environment for finding and running `go` (PATH, HOME, GOPATH, CHATCRM_GO...). Defaults to `process.env`. */
  env?: NodeJS.ProcessEnv;
  /**
   * Explicit path of the `go` binary. When unset: `env.CHATCRM_GO`, else `go` on `env.PATH`,
   * else `/usr/local/go/bin/go`. The last fallback is only used when neither this option
   * nor CHATCRM_GO is set, so tests can make "Go is missing" deterministic.
   */
  goBinary?: string;
}

export interface StartFerretDbOptions {
  /** Path returned by {@link ensureFerretDbLauncher}. */
  binary: string;
  /** Folder for FerretDB's SQLite files (created if missing, kept across runs). */
  dataDir: string;
  /** TCP port on 127.0.0.1; 0 or undefined picks a free port. */
  port?: number;
  log: (msg: string) => void;
  /** FerretDB log level written to its stderr (kept in memory for error messages). Default `error`. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** How long to wait for the READY line. Default 60 s. */
  readyTimeoutMs?: number;
}

const BINARY_NAME = process.platform === 'win32' ? 'ferretdb-launcher.exe' : 'ferretdb-launcher';
const LOCK_STALE_MS = 10 * 60 * 1000;
const LOCK_HEARTBEAT_MS = 30 * 1000;
const LOCK_POLL_MS = 1000;
const BUILD_TIMEOUT_MS = 30 * 60 * 1000;
const STOP_GRACE_MS = 5000;
const GO_FALLBACK = '/usr/local/go/bin/go';
/** Files of `tools/ferretdb` copied into the build folder. */
const LAUNCHER_SOURCES = ['main.go', 'go.mod', 'go.sum'];
/** Our fix to FerretDB, applied with `patch -p1` in the module root (see the file's header). */
const FERRETDB_PATCH = 'sqlite-id-index.patch';
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
/** Subfolder of the build folder holding the patched FerretDB module (the go.mod `replace` target). */
const FERRETDB_SRC_DIR = 'ferretdb-src';
/**
 * Part of the binary's input digest: bump it when the build recipe below changes in a way
 * that must rebuild existing binaries (v2: built against the patched module copy).
 */
const BUILD_RECIPE = 'chatcrm-ferretdb-launcher v2 (patched module copy + replace)';

/**
 * Returns the path of the FerretDB launcher binary, building it with `go build` when it is
 * missing or was built from other inputs than the current `tools/ferretdb/main.go`, `go.mod`,
 * `go.sum` and `sqlite-id-index.patch` (a SHA-256 of them is kept in `ferretdb-launcher.inputs`
 * next to the binary; contents rather than mtimes, so a binary built before the patch existed
 * is never mistaken for a patched one).
 *
 * The build runs in `.cache/ferretdb/build/`: a copy of the launcher sources whose go.mod
 * `replace`s FerretDB with a copy of the FerretDB module (from Go's module cache) that has
 * `sqlite-id-index.patch` applied. A patch that does not apply fails the build.
 *
 * Why: building takes minutes the first time (Go downloads FerretDB and its modules), so the
 * result is cached in `.cache/ferretdb/`. Concurrent callers (vitest workers, two terminals)
 * coordinate through `.cache/ferretdb/build.lock` (created with `wx`, considered stale after
 * 10 minutes without a heartbeat or when its owner process is gone); go writes to a temporary
 * name that is then renamed, so nobody ever runs a half-written binary.
 *
 * Throws an Error when the binary cannot be produced (sources or Go missing, or `go build`
 * failing — the message then ends with the last lines of go's output).
 *
 * @example
 * const binary = await ensureFerretDbLauncher({ repoRoot: process.cwd(), log: console.log });
 * const server = await startFerretDb({ binary, dataDir: 'data/ferretdb', log: console.log });
 */
export async function ensureFerretDbLauncher(opts: EnsureFerretDbLauncherOptions): Promise<string> {
  const env = opts.env ?? process.env;
  const toolsDir = join(opts.repoRoot, 'tools', 'ferretdb');
  const cacheDir = join(opts.repoRoot, '.cache', 'ferretdb');
  const binary = join(cacheDir, BINARY_NAME);
  const sources = [...LAUNCHER_SOURCES, FERRETDB_PATCH].map((f) => join(toolsDir, f));

  const state = await binaryState(binary, sources);
  if (state === 'fresh') return binary;

  const problems: string[] = [];
  // go.sum is optional (the build runs with -mod=mod); the patch is not: never build unpatched.
  const missingSources = await missingFiles(sources.filter((f) => !f.endsWith('go.sum')));
  if (missingSources.length > 0) {
    problems.push(`launcher sources not found (${missingSources.map((f) => relative(opts.repoRoot, f)).join(', ')})`);
  }
  const go = await findGo(env, opts.goBinary);
  if (!go.path) {
    if (state === 'stale' && problems.length === 0) {
      opts.log(
        `FerretDB launcher was built from other sources than the current tools/ferretdb (possibly without ${FERRETDB_PATCH}) but Go is not available (${go.tried}); using the existing binary.`,
      );
      return binary;
    }
    problems.push(`Go toolchain not found (${go.tried})`);
  }
  if (problems.length > 0 || !go.path) {
    throw new Error(`Cannot build the FerretDB launcher ${relative(opts.repoRoot, binary)}: ${problems.join('; ')}`);
  }
  const goPath = go.path;

  await mkdir(cacheDir, { recursive: true });
  const lockPath = join(cacheDir, 'build.lock');
  return withBuildLock(lockPath, opts.log, async () => {
    // Another process may have finished the build while we waited for the lock.
    if ((await binaryState(binary, sources)) === 'fresh') return binary;
    // Digest of what we build from, taken before building: if a source changes meanwhile,
    // the next call sees a mismatch and rebuilds.
    const digest = await inputsDigest(sources);
    await goBuild({ go: goPath, toolsDir, buildDir: join(cacheDir, 'build'), binary, env, log: opts.log });
    await writeFile(inputsStampPath(binary), `${digest}\n`);
    return binary;
  });
}

/**
 * Starts the FerretDB launcher and resolves once it accepts connections.
 *
 * Why: FerretDB speaks the MongoDB wire protocol on top of SQLite, which makes it a
 * dependency-free stand-in for `mongod` in development and tests.
 *
 * The child is tied to this process: a `/bin/sh` wrapper holds our end of a stdin pipe and
 * terminates FerretDB when that pipe closes (which the kernel does even if this process is
 * SIGKILLed); an `exit` handler also sends SIGTERM on normal exits. `stop()` sends SIGTERM
 * and escalates to SIGKILL after 5 s.
 *
 * @example
 * const { uri, stop } = await startFerretDb({ binary, dataDir: 'data/ferretdb', log: console.log });
 * // uri === 'mongodb://127.0.0.1:40123/'
 * await stop();
 */
export async function startFerretDb(opts: StartFerretDbOptions): Promise<StartedServer> {
  const autoPort = !opts.port;
  const attempts = autoPort ? 3 : 1;
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const port = autoPort ? await pickFreePort() : (opts.port as number);
    try {
      return await startOnce(opts, port);
    } catch (err) {
      lastError = err;
      // A free port picked by us can be taken by someone else before FerretDB binds it.
      if (!autoPort || !/address already in use/i.test(String(err))) throw err;
      opts.log(`FerretDB: port ${port} was taken meanwhile, retrying with another one.`);
    }
  }
  throw lastError;
}

// ---------------------------------------------------------------------------------------------
// Start / stop

/**
 * Shell wrapper (POSIX sh): starts the launcher in the background, reports its pid, forwards
 * TERM/INT/HUP, and kills it when our stdin pipe reaches EOF (i.e. when the parent is gone).
 * fd 3 keeps the pipe because a non-interactive shell gives background jobs /dev/null as stdin.
 */
const WRAPPER_SCRIPT = `
exec 3<&0
"$@" </dev/null 3<&- &
child=$!
echo "FERRETDB PID $child"
trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP
( cat <&3 >/dev/null 2>&1; kill -TERM "$child" 2>/dev/null ) >/dev/null 2>&1 &
exec 3<&-
while :; do
  wait "$child"; status=$?
  kill -0 "$child" 2>/dev/null || exit "$status"
done
`;

async function startOnce(opts: StartFerretDbOptions, port: number): Promise<StartedServer> {
  await mkdir(opts.dataDir, { recursive: true });
  const listen = `127.0.0.1:${port}`;
  const args = ['-listen', listen, '-data', opts.dataDir, '-log-level', opts.logLevel ?? 'error'];
  const useWrapper = process.platform !== 'win32';
  const child: ChildProcess = useWrapper
    ? spawn('/bin/sh', ['-c', WRAPPER_SCRIPT, 'ferretdb-wrapper', opts.binary, ...args], {
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: false,
      })
    : spawn(opts.binary, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: false });

  const stderrTail = new Tail(8 * 1024);
  let stopping: Promise<void> | undefined;
  child.stderr?.on('data', (chunk: Buffer) => stderrTail.push(chunk.toString('utf8')));
  let ferretPid: number | undefined = useWrapper ? undefined : child.pid;
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      child.stdin?.destroy(); // lets the wrapper's watchdog `cat` finish
      resolve();
    });
  });
  child.stdin?.on('error', () => {}); // EPIPE when the wrapper is gone

  const killSync = (signal: NodeJS.Signals): void => {
    for (const pid of [ferretPid, child.pid]) {
      if (pid === undefined) continue;
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  };
  const onParentExit = (): void => {
    if (!exited) killSync('SIGTERM');
  };
  process.on('exit', onParentExit);

  const ready = new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    let isReady = false;
    const timer = setTimeout(() => {
      reject(new Error(`FerretDB did not report READY within ${Math.round((opts.readyTimeoutMs ?? 60_000) / 1000)} s${formatTail(stderrTail)}`));
    }, opts.readyTimeoutMs ?? 60_000);
    lines.on('line', (line) => {
      const pidMatch = /^FERRETDB PID (\d+)$/.exec(line);
      if (pidMatch) {
        ferretPid = Number(pidMatch[1]);
      } else if (!isReady && line.startsWith('FERRETDB READY')) {
        isReady = true;
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`Cannot run the FerretDB launcher ${opts.binary}: ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!isReady) {
        reject(new Error(`FerretDB exited before it was ready (${signal ?? `exit code ${code}`})${formatTail(stderrTail)}`));
      } else if (!stopping) {
        opts.log(`FerretDB on ${listen} exited unexpectedly (${signal ?? `exit code ${code}`})${formatTail(stderrTail)}`);
      }
    });
  });

  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (!exited) {
        killSync('SIGTERM');
        const killer = setTimeout(() => killSync('SIGKILL'), STOP_GRACE_MS);
        await exitPromise;
        clearTimeout(killer);
      }
      child.stdin?.destroy();
      process.removeListener('exit', onParentExit);
    })();
    return stopping;
  };

  try {
    await ready;
  } catch (err) {
    await stop();
    throw err;
  }
  opts.log(`FerretDB is listening on ${listen} (data: ${opts.dataDir}).`);
  return { uri: `mongodb://${listen}/`, stop };
}

function pickFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not pick a free TCP port'))));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Build

/**
 * `fresh` when the binary exists and its `.inputs` stamp holds the digest of the current sources;
 * a missing or different stamp (e.g. a binary built before the FerretDB patch) means `stale`.
 */
async function binaryState(binary: string, sources: string[]): Promise<'missing' | 'stale' | 'fresh'> {
  if (!(await isFile(binary))) return 'missing';
  const stamp = await readFile(inputsStampPath(binary), 'utf8').catch(() => '');
  return stamp.trim() === (await inputsDigest(sources)) ? 'fresh' : 'stale';
}

function inputsStampPath(binary: string): string {
  return `${binary}.inputs`;
}

/** SHA-256 over the build recipe and each source's name and contents (missing files count too). */
async function inputsDigest(sources: string[]): Promise<string> {
  const hash = createHash('sha256').update(BUILD_RECIPE);
  for (const source of sources) {
    const content = await readFile(source).catch(() => undefined);
    hash.update(`\0${source.split(/[\\/]/).pop()}\0${content ? content.length : 'missing'}\0`);
    if (content) hash.update(content);
  }
  return hash.digest('hex');
}

async function missingFiles(files: string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const file of files) {
    if (!(await isFile(file))) missing.push(file);
  }
  return missing;
}

async function isFile(path: string): Promise<boolean> {
  const s = await stat(path).catch(() => undefined);
  return !!s?.isFile();
}

async function isExecutable(path: string): Promise<boolean> {
  if (!(await isFile(path))) return false;
  return access(path, fsConstants.X_OK).then(
    () => true,
    () => false,
  );
}

async function findGo(env: NodeJS.ProcessEnv, explicit?: string): Promise<{ path?: string; tried: string }> {
  const forced = explicit ?? env.CHATCRM_GO;
  if (forced) {
    return (await isExecutable(forced)) ? { path: forced, tried: forced } : { tried: `${forced} is not an executable` };
  }
  const onPath = await findOnPath(process.platform === 'win32' ? 'go.exe' : 'go', env);
  if (onPath) return { path: onPath, tried: onPath };
  if (await isExecutable(GO_FALLBACK)) return { path: GO_FALLBACK, tried: GO_FALLBACK };
  return { tried: `no go on PATH=${env.PATH ?? ''} nor at ${GO_FALLBACK}; set CHATCRM_GO or install Go` };
}

/** First executable named `exe` in the folders of `env.PATH`, if any. */
async function findOnPath(exe: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, exe);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Builds the launcher against a patched copy of FerretDB, in `buildDir` (under the build lock):
 *
 *   buildDir/{main.go,go.mod,go.sum}   copies of tools/ferretdb
 *   buildDir/ferretdb-src/             copy of the FerretDB module from Go's module cache, made
 *                                      writable, with tools/ferretdb/sqlite-id-index.patch applied
 *   go mod edit -replace github.com/FerretDB/FerretDB=./ferretdb-src
 *   go build -mod=mod -o <binary>.tmp-… .   then an atomic rename to <binary>
 *
 * `go build -overlay` would avoid the copy but refuses files in the module cache, and
 * `go mod vendor` copies every dependency (~230 MB) to patch one file; this copies 3.4 MB.
 * `-mod=mod` (on the command line, so it wins over GOFLAGS, e.g. a `-mod=vendor` with no vendor
 * folder) lets go fix up the throwaway copy's go.mod/go.sum; GOWORK=off keeps a go.work found
 * in a parent folder out of it. Everything else in the environment (GOFLAGS, GOPROXY...) is kept.
 * The build folder is removed after a successful build and kept for inspection after a failure.
 */
async function goBuild(args: {
  go: string;
  toolsDir: string;
  buildDir: string;
  binary: string;
  env: NodeJS.ProcessEnv;
  log: (msg: string) => void;
}): Promise<void> {
  const { go, toolsDir, buildDir, binary, log } = args;
  const tmp = `${binary}.tmp-${process.pid}-${randomBytes(3).toString('hex')}`;
  const env: NodeJS.ProcessEnv = {
    ...args.env,
    PATH: [dirname(go), args.env.PATH].filter(Boolean).join(delimiter),
    GOWORK: 'off',
  };
  log(
    `Building the FerretDB launcher with ${go} (FerretDB patched with tools/ferretdb/${FERRETDB_PATCH}). The first build downloads Go modules and takes a few minutes; later builds are cached.`,
  );
  const started = Date.now();
  const progress = setInterval(() => {
    log(`...still building the FerretDB launcher (${Math.round((Date.now() - started) / 1000)} s)`);
  }, 60_000);
  progress.unref();
  const runGo = async (goArgs: string[], what: string): Promise<string> => {
    const result = await runCommand(go, goArgs, { cwd: buildDir, env, timeoutMs: BUILD_TIMEOUT_MS });
    if (!result.ok) {
      throw new Error(`${what} failed (${result.why}).${formatTail(result.output, 20, "go's last output lines")}`);
    }
    return result.stdout;
  };
  try {
    await rm(buildDir, { recursive: true, force: true });
    await mkdir(buildDir, { recursive: true });
    for (const file of LAUNCHER_SOURCES) {
      const source = join(toolsDir, file);
      if (await isFile(source)) await copyFile(source, join(buildDir, file));
    }

    const moduleDir = await ferretDbModuleDir(runGo);
    const srcDir = join(buildDir, FERRETDB_SRC_DIR);
    await copyTreeWritable(moduleDir, srcDir);
    await applyPatch({ srcDir, patchFile: join(toolsDir, FERRETDB_PATCH), moduleDir, env });

    await runGo(['mod', 'edit', `-replace=${FERRETDB_MODULE}=./${FERRETDB_SRC_DIR}`], 'go mod edit -replace');
    await runGo(['build', '-mod=mod', '-o', tmp, '.'], 'go build of tools/ferretdb');
    await chmod(tmp, 0o755);
    await rename(tmp, binary); // atomic: readers see the old binary or the complete new one
    await rm(buildDir, { recursive: true, force: true });
    log(`Built the FerretDB launcher in ${Math.round((Date.now() - started) / 1000)} s: ${binary}`);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`${message}\n(build folder kept for inspection: ${buildDir})`, { cause: err });
  } finally {
    clearInterval(progress);
    await rm(tmp, { force: true });
  }
}

/**
 * Where Go keeps the FerretDB module that go.mod requires: `go list -m -json` names its `Dir`
 * once it is in the module cache; `go mod download` puts it there first when it is not.
 */
async function ferretDbModuleDir(runGo: (goArgs: string[], what: string) => Promise<string>): Promise<string> {
  const listDir = async (): Promise<string | undefined> => {
    const json = await runGo(['list', '-mod=mod', '-m', '-json', FERRETDB_MODULE], `go list -m ${FERRETDB_MODULE}`);
    const info = JSON.parse(json) as { Dir?: string; Replace?: { Dir?: string } };
    return info.Replace?.Dir ?? info.Dir;
  };
  let dir = await listDir();
  if (!dir) {
    await runGo(['mod', 'download', FERRETDB_MODULE], `go mod download ${FERRETDB_MODULE}`);
    dir = await listDir();
  }
  if (!dir) throw new Error(`go list -m -json ${FERRETDB_MODULE} gives no module folder even after go mod download`);
  return dir;
}

/**
 * Applies the patch in `srcDir` with `patch -p1` (or `git apply -p1` when patch(1) is not
 * installed). Refuses patches that are already applied (`--forward`), so an upstream fix
 * shows up as a failed build rather than a silently different one.
 */
async function applyPatch(args: { srcDir: string; patchFile: string; moduleDir: string; env: NodeJS.ProcessEnv }): Promise<void> {
  const { srcDir, patchFile, env } = args;
  const patchExe = await findOnPath(process.platform === 'win32' ? 'patch.exe' : 'patch', env);
  const gitExe = patchExe ? undefined : await findOnPath(process.platform === 'win32' ? 'git.exe' : 'git', env);
  let result: RunResult;
  if (patchExe) {
    result = await runCommand(patchExe, ['-p1', '--forward', '--batch', '--no-backup-if-mismatch', '-i', patchFile], {
      cwd: srcDir,
      env,
      timeoutMs: 60_000,
    });
  } else if (gitExe) {
    // The build folder sits inside our repository: stop git from finding it, or `git apply`
    // would take the patch's paths as relative to the repository root.
    result = await runCommand(gitExe, ['apply', '-p1', '--whitespace=nowarn', patchFile], {
      cwd: srcDir,
      env: { ...env, GIT_CEILING_DIRECTORIES: dirname(srcDir) },
      timeoutMs: 60_000,
    });
  } else {
    throw new Error(`Cannot patch FerretDB: neither patch nor git is on PATH=${env.PATH ?? ''}`);
  }
  if (!result.ok) {
    throw new Error(
      `tools/ferretdb/${FERRETDB_PATCH} does not apply to ${FERRETDB_MODULE} (${args.moduleDir}) with ${patchExe ?? gitExe} (${result.why}). ` +
        `If FerretDB was upgraded in tools/ferretdb/go.mod, check whether upstream fixed the _id index mismatch, ` +
        `then update or remove the patch (see docs/database.md).${formatTail(result.output, 20, 'patch output')}`,
    );
  }
}

/**
 * Copies a folder tree, giving the owner write permission on everything copied
 * (Go's module cache is read-only, and a read-only copy could neither be patched nor removed).
 */
async function copyTreeWritable(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory()) {
      await copyTreeWritable(src, dst);
    } else if (entry.isFile()) {
      await copyFile(src, dst);
      await chmod(dst, ((await stat(src)).mode & 0o777) | 0o200);
    }
    // module zips hold no symlinks or other special files
  }
}

interface RunResult {
  ok: boolean;
  /** Why it failed, e.g. `exit code 1`, `killed by SIGKILL` or the spawn error. */
  why: string;
  stdout: string;
  /** stdout and stderr interleaved, for error messages. */
  output: Tail;
}

/** Runs a command to completion, collecting its output; never rejects. */
function runCommand(
  command: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<RunResult> {
  const output = new Tail(64 * 1024);
  let stdout = '';
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c: Buffer) => {
      const text = c.toString('utf8');
      stdout += text;
      output.push(text);
    });
    child.stderr.on('data', (c: Buffer) => output.push(c.toString('utf8')));
    const timeout = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timeout);
      resolve({ ok: false, why: error.message, stdout, output });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timeout);
      const why = signal ? `killed by ${signal}` : `exit code ${code}`;
      resolve({ ok: code === 0 && !signal, why, stdout, output });
    });
  });
}

/** Runs `fn` while holding an exclusive lock file; waits (polling) while another live process holds it. */
async function withBuildLock<T>(lockPath: string, log: (msg: string) => void, fn: () => Promise<T>): Promise<T> {
  let announced = false;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      try {
        await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }));
      } finally {
        await handle.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (await isLockStale(lockPath)) {
      log(`Removing a stale FerretDB build lock ${lockPath}.`);
      // Rename first so two waiters cannot both delete a lock a third process just created.
      const doomed = `${lockPath}.stale-${process.pid}-${randomBytes(3).toString('hex')}`;
      await rename(lockPath, doomed).then(
        () => rm(doomed, { force: true }),
        () => undefined,
      );
      continue;
    }
    if (!announced) {
      log(`Another process is building the FerretDB launcher; waiting for it (lock: ${lockPath}).`);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
  }

  // Heartbeat: keeps the lock's mtime fresh so a long first build is not mistaken for a stale lock.
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(lockPath, now, now).catch(() => {});
  }, LOCK_HEARTBEAT_MS);
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    await rm(lockPath, { force: true });
  }
}

async function isLockStale(lockPath: string): Promise<boolean> {
  const s = await stat(lockPath).catch(() => undefined);
  if (!s) return false; // gone: just retry
  if (Date.now() - s.mtimeMs > LOCK_STALE_MS) return true;
  try {
    const info = JSON.parse(await readFile(lockPath, 'utf8')) as { pid?: number; host?: string };
    if (info.host === hostname() && typeof info.pid === 'number' && info.pid !== process.pid) {
      try {
        process.kill(info.pid, 0);
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'ESRCH'; // owner died without cleaning up
      }
    }
  } catch {
    // empty or half-written lock file: its owner is still writing it
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Keeps the last `max` characters of a text stream. */
class Tail {
  private text = '';
  constructor(private readonly max: number) {}
  push(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.max * 2) this.text = this.text.slice(-this.max);
  }
  lastLines(n: number): string[] {
    return this.text.slice(-this.max).split(/\r?\n/).filter((l) => l.trim() !== '').slice(-n);
  }
}

function formatTail(tail: Tail, n = 10, label = 'last stderr lines'): string {
  const lines = tail.lastLines(n);
  return lines.length === 0 ? '' : `\n${label}:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}
