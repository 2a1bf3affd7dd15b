/**
 * `npm run import` as a child process (`node --import tsx scripts/import.ts`, what `npx tsx` runs)
 * on a DATA_DIR of its own: it starts its own local database there (the test server's folder
 * belongs to the test run). Used by the import tests that go through the script.
 *
 * @example
 *   const script = importScript('chatcrm-import-');
 *   beforeAll(script.setUp); afterAll(script.tearDown);
 *   const { code, stdout } = await script.run([join(script.dir(), 'list.csv')]);
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureFerretDbLauncher } from '../../src/db/ferretdb.js';

export interface ImportScript {
  /** Builds the launcher if needed and makes the temporary folder. */
  setUp: () => Promise<void>;
  tearDown: () => Promise<void>;
  /** The temporary folder (files to import go here; the data folder is `data/` inside it). */
  dir: () => string;
  run: (args: string[]) => Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export function importScript(prefix: string): ImportScript {
  const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
  const importPath = join(repoRoot, 'scripts', 'import.ts');
  const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  let tmp = '';
  return {
    async setUp() {
      await ensureFerretDbLauncher({ repoRoot, log: () => undefined, env: process.env });
      tmp = await mkdtemp(join(tmpdir(), prefix));
    },
    async tearDown() {
      if (tmp) await rm(tmp, { recursive: true, force: true });
    },
    dir: () => tmp,
    run(args) {
      const keep = Object.entries(process.env).filter(([k, v]) => v !== undefined && /^(PATH|HOME|TMPDIR|LANG|GO[A-Z0-9_]*|CHATCRM_GO)$/.test(k));
      const env = { ...Object.fromEntries(keep), DATA_DIR: join(tmp, 'data'), CHATCRM_DB_SKIP_MONGOD: '1', LOG_LEVEL: 'warn' };
      const child = spawn(process.execPath, ['--import', tsxLoader, importPath, ...args], { cwd: tmp, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`the import did not exit:\n${stderr}`));
        }, 90_000);
        child.once('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      });
    },
  };
}
