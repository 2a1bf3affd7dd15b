/**
 * Database helper commands.
 *
 *   npx tsx scripts/db.ts build   build (or reuse) the FerretDB launcher in .cache/ferretdb
 *   npx tsx scripts/db.ts start   start a local database server (data in ./data) and print its URI;
 *                                 runs until Ctrl-C / SIGTERM; refused while another process
 *                                 (e.g. `npm start` without MONGODB_URI) owns ./data
 *
 * Why: the first FerretDB build downloads Go modules and takes minutes; CI runs `build` up
 * front so that time is not spent inside a test hook, and developers use `start` to get a
 * database for `npm start` without installing MongoDB.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureFerretDbLauncher } from '../src/db/ferretdb.js';
import { resolveDatabaseServer } from '../src/db/server.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const log = (msg: string): void => console.error(`[db] ${msg}`);

async function main(command: string | undefined): Promise<void> {
  switch (command) {
    case 'build': {
      const binary = await ensureFerretDbLauncher({ repoRoot, log });
      console.log(binary);
      return;
    }
    case 'start': {
      const server = await resolveDatabaseServer({
        mongodbUri: process.env.MONGODB_URI,
        dataDir: join(repoRoot, 'data'),
        repoRoot,
        env: process.env,
        log,
        busyHint: 'Stop that process first: it already runs a database on this folder (its start-up output shows the address).',
      });
      console.log(`MONGODB_URI=${server.uri}`);
      log(`${server.kind} is ready; press Ctrl-C to stop.`);
      await new Promise<void>((resolve) => {
        const keepAlive = setInterval(() => {}, 1 << 30);
        const onSignal = (signal: NodeJS.Signals): void => {
          log(`${signal} received, stopping...`);
          clearInterval(keepAlive);
          resolve();
        };
        process.once('SIGINT', onSignal);
        process.once('SIGTERM', onSignal);
      });
      await server.stop();
      log('stopped.');
      return;
    }
    default:
      console.error('usage: tsx scripts/db.ts <build|start>');
      process.exitCode = 2;
  }
}

main(process.argv[2]).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
