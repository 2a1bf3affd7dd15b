/**
 * Imports customers from a CSV file into the configured database.
 *
 *   npm run import -- customers.csv [--map phone=Tel,name="Họ tên"] [--by staff:s_1] [--json]
 *
 * The file may be UTF-8, UTF-16 or Windows-1258 (what Vietnamese Excel saves);
 * files in the old TCVN3/VNI font encodings are refused with how to convert them.
 * Progress goes to stderr (every 5,000 rows, and at least every 5 seconds); the report to stdout (readable text, or JSON with
 * --json): rejected rows (not imported) and warnings (rows imported with a
 * value left out) apart, by their line in the file (the header is row 1), and
 * the columns that were not imported. Exit code 0 even when rows were
 * rejected; 1 on a fatal error (the file cannot be read or decoded, no
 * phone/e-mail column, database unreachable);
 * 2 on bad configuration or usage. Refused (exit code 1) while `npm start`
 * runs on the same local data folder: use the chat's `import` command then.
 */
import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../src/errors.js';
import { parseMapping, warningLine } from '../src/services/import/columns.js';
import { importCustomers, type ImportReport } from '../src/services/import/customers.js';
import { withDatabase } from './connect.js';

const say = (m: string) => process.stderr.write(`${m}\n`);

/** Told when a running `npm start` owns the local database folder. */
const BUSY_HINT =
  'Stop `npm start` first, or import from the chat: the `import` command with a CSV file (send the file with the caption "import"), ' +
  'or use MongoDB (MONGODB_URI) to run several processes on one database.';

/** How the report names the encoding read. */
const ENCODING_NAMES: Record<ImportReport['encoding'], string> = {
  'utf-8': 'UTF-8',
  'utf-16le': 'UTF-16 LE (Excel "Unicode Text")',
  'utf-16be': 'UTF-16 BE',
  'windows-1258': 'Windows-1258 (Vietnamese Windows)',
};

function formatReport(file: string, r: ImportReport): string {
  const lines = [
    `Imported ${file}: ${r.rows} row(s) — ${r.created} new, ${r.updated} updated, ${r.unchanged} unchanged, ${r.rejected.length} rejected, ` +
      `${r.blank} blank line(s) skipped, ${r.warnings.length} warning(s).`,
    `Read as ${ENCODING_NAMES[r.encoding]}.`,
    ...(r.shared
      ? [`${r.shared} row(s) named someone else on a phone another customer has: imported as a second customer sharing the phone (see the warnings) — check \`dupes\`.`]
      : []),
    `Columns: ${Object.entries(r.columns).map(([field, headers]) => `${field} ← ${headers.join(' + ')}`).join(', ')}`,
  ];
  if (r.ignoredColumns.length) {
    lines.push(`Warning — columns not imported (not recognised): ${r.ignoredColumns.map((c) => `"${c}"`).join(', ')}; rename them or map them with --map to import them.`);
  }
  if (r.rejected.length) {
    lines.push('Rejected rows, not imported (row = line in the file; the header is row 1):');
    for (const x of r.rejected) lines.push(`  row ${x.row}: ${x.reason}`);
  }
  if (r.warnings.length) {
    lines.push('Warnings — rows imported, but a value was left out or shortened:');
    for (const w of r.warnings) lines.push(`  ${warningLine(w)}`);
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { map: { type: 'string' }, by: { type: 'string', default: 'script:import' }, json: { type: 'boolean', default: false } },
    });
  } catch (error) {
    say(`${error instanceof Error ? error.message : String(error)}\nusage: npm run import -- file.csv [--map phone=Tel,name="Họ tên"] [--json]`);
    return 2;
  }
  const file = parsed.positionals[0];
  if (!file || parsed.positionals.length > 1) {
    say('usage: npm run import -- file.csv [--map phone=Tel,name="Họ tên"] [--json]');
    return 2;
  }
  try {
    await access(file);
    const mapping = parsed.values.map ? parseMapping(parsed.values.map) : {};
    return await withDatabase(async (config) => {
      const started = Date.now();
      const report = await importCustomers(createReadStream(file), {
        region: config.DEFAULT_PHONE_REGION,
        by: parsed.values.by,
        mapping,
        label: basename(file),
        // Every 5,000 rows, and at least every 5 s: a slow stretch still shows the import is alive.
        progressEvery: 5000,
        progressEveryMs: 5000,
        onProgress: (p) =>
          say(`… ${p.rows} rows in ${(p.elapsedMs / 1000).toFixed(0)} s: ${p.created} new, ${p.updated} updated, ${p.unchanged} unchanged, ${p.rejected} rejected`),
      });
      say(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
      process.stdout.write(`${parsed.values.json ? JSON.stringify(report, null, 2) : formatReport(basename(file), report)}\n`);
      return 0;
    }, say, { busyHint: BUSY_HINT });
  } catch (error) {
    const message = error instanceof AppError || error instanceof Error ? error.message : String(error);
    say(`Import failed: ${message}`);
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`Import failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
