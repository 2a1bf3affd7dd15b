/**
 * Exports every customer and order as CSV files.
 *
 *   npm run export -- --out exports/        → exports/customers.csv, exports/orders.csv
 *
 * Streams from the database straight into the files (flat memory). The files
 * open right in Excel: UTF-8 with a BOM, times in DEFAULT_TIMEZONE, amounts as
 * numbers beside a currency column (see src/services/export.ts). Exit code
 * 0 on success, 1 on an error, 2 on bad configuration or usage. Refused (exit
 * code 1) while `npm start` runs on the same local data folder: use the chat's
 * `export` command then.
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeCustomersCsv, writeOrdersCsv } from '../src/services/export.js';
import { withDatabase } from './connect.js';

const say = (m: string) => process.stderr.write(`${m}\n`);

/** Told when a running `npm start` owns the local database folder. */
const BUSY_HINT =
  'Stop `npm start` first, or export from the chat with the `export` command, or use MongoDB (MONGODB_URI) to run several processes on one database.';

async function main(): Promise<number> {
  let out: string;
  try {
    const { values } = parseArgs({ options: { out: { type: 'string', default: '.' } } });
    out = values.out;
  } catch (error) {
    say(`${error instanceof Error ? error.message : String(error)}\nusage: npm run export -- --out <folder>`);
    return 2;
  }
  try {
    await mkdir(out, { recursive: true });
    return await withDatabase(async (config) => {
      const options = { timeZone: config.DEFAULT_TIMEZONE, baseCurrency: config.BASE_CURRENCY };
      const customersFile = join(out, 'customers.csv');
      const ordersFile = join(out, 'orders.csv');
      const customers = await writeCustomersCsv(createWriteStream(customersFile), options);
      const orders = await writeOrdersCsv(createWriteStream(ordersFile), options);
      process.stdout.write(`${customersFile}: ${customers} customer(s)\n${ordersFile}: ${orders} order(s)\n`);
      return 0;
    }, say, { busyHint: BUSY_HINT });
  } catch (error) {
    say(`Export failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`Export failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
