/**
 * Migrates a database made before string ids: customers 12 → "C12", orders 7 → "O7", every
 * reference to them, and the `_id` lists the new code reads (see docs/migrations.md).
 *
 *   npm run migrate:ids        → progress on stderr, the report (JSON) on stdout
 *
 * Run it once after upgrading, with the app stopped. Safe to run again: on a migrated database it
 * changes nothing and reports zeros; after a crash it finishes what the crashed run started.
 * Exit code 0 on success, 1 on an error (run it again), 2 on bad configuration. Refused while
 * `npm start` owns the same local data folder.
 */
import { migrateIds } from '../src/services/migrate-ids.js';
import { withDatabase } from './connect.js';

const say = (m: string) => process.stderr.write(`${m}\n`);

/** Told when a running `npm start` owns the local database folder. */
const BUSY_HINT = 'Stop `npm start` first: the migration must not run while the app writes to the database.';

async function main(): Promise<number> {
  return withDatabase(
    async () => {
      const started = Date.now();
      const report = await migrateIds({ log: say });
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      say(report.total === 0 ? 'Nothing to migrate: the database uses string ids already.' : `Migrated in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
      return 0;
    },
    say,
    { busyHint: BUSY_HINT },
  );
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`Migration failed: ${error instanceof Error ? error.message : String(error)}\nNothing is lost: once the cause is fixed, run \`npm run migrate:ids\` again to finish it.`);
    process.exit(1);
  },
);
