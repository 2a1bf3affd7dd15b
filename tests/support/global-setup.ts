/**
 * vitest globalSetup: one database server for the whole test run.
 *
 * Why: starting a server per test file is slow; one server shared by all files, with a
 * separate database per file (see `useTestDatabase` in ./db.ts), keeps files isolated and fast.
 * Uses MONGODB_URI when set, else resolveDatabaseServer (a system mongod if present, else
 * FerretDB built from tools/ferretdb) with its data in `.cache/test-db/<pid>`, wiped before
 * and removed after the run. Like the app, the run owns that folder (`.owner.lock`, see
 * src/db/data-lock.ts) until its teardown stops the server.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { resolveDatabaseServer, type DatabaseServer } from '../../src/db/server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection string of the test database server, without a database name. */
    mongodbUri: string;
  }
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const log = (msg: string): void => console.log(`[test-db] ${msg}`);

/**
 * Starts (or picks) the test database server and returns the teardown that stops it.
 *
 * @example
 * // vitest.config.ts
 * export default defineConfig({ test: { globalSetup: ['tests/support/global-setup.ts'] } });
 * // in a test file
 * const uri = inject('mongodbUri');
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.MONGODB_URI;
  if (external) {
    project.provide('mongodbUri', external);
    return async () => {};
  }

  const testDbRoot = join(repoRoot, '.cache', 'test-db');
  await removeLeftoversOfDeadRuns(testDbRoot);
  const dataDir = join(testDbRoot, String(process.pid));
  await rm(dataDir, { recursive: true, force: true });

  const env = { ...process.env };
  delete env.CHATCRM_DB_SKIP_MONGOD; // a real mongod is welcome when installed
  let server: DatabaseServer;
  try {
    server = await resolveDatabaseServer({ dataDir, repoRoot, env, log });
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  log(`Tests use ${server.kind} at ${server.uri}`);
  project.provide('mongodbUri', server.uri);
  process.env.MONGODB_URI = server.uri;

  return async () => {
    delete process.env.MONGODB_URI;
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}

/** Removes `.cache/test-db/<pid>` folders of runs that were killed before their teardown. */
async function removeLeftoversOfDeadRuns(root: string): Promise<void> {
  const entries = await readdir(root).catch(() => [] as string[]);
  for (const entry of entries) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') await rm(join(root, entry), { recursive: true, force: true });
    }
  }
}
