/**
 * bench/import: importing a customer CSV (issue 4). A generated file — 10% of
 * its rows repeat an earlier customer (phone in another format, e-mail in
 * capitals, name without diacritics), 2% are broken (bad phone, bad e-mail,
 * no contact detail), about a third carry a note — is imported with
 * `importCustomers` (streaming parse, validation, contact-key claims, batched
 * writes). Baseline in the same run, on the same server: the same valid rows
 * written as plain documents with `insertMany` in batches of 500 into a
 * scratch collection — the cost of the writes alone.
 *
 * Targets: import throughput ≥ 30% of the baseline's rows/s; peak RSS of the
 * import < 300 MB (sampled every 100 ms).
 *
 *   npm run bench -- import [--rows 100000] [--batch 500]
 *
 * Without --rows: 100,000 rows when that fits in ~10 minutes here; otherwise a
 * 2,000-row calibration picks a size that takes ~6 minutes (FerretDB on SQLite
 * on 2 cores is slow) and the size used is printed. The file goes to a temp
 * folder and is removed; the database is dropped.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { stringify } from 'csv-stringify/sync';
import { AuditEvent, ContactKey, Counter, Customer, Interaction } from '../models/index.js';
import { importCustomers } from '../src/services/import/customers.js';
import { numberFlag, sampleMemory, withBenchDatabase } from './support.js';
import { seededRandom } from '../tests/support/rng.js';


const FULL_ROWS = 100_000;
const TIME_BUDGET_S = 10 * 60;
const TARGET_S = 6 * 60;
const batch = numberFlag('batch', 500);
const explicitRows = process.argv.includes('--rows') ? numberFlag('rows', FULL_ROWS) : undefined;

const SURNAMES = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý'];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Ngọc', 'Thu', 'Đức', 'Hữu', 'Thanh', 'Quốc', 'Bảo'];
const GIVEN = ['An', 'Bình', 'Chi', 'Dũng', 'Giang', 'Hà', 'Hải', 'Hạnh', 'Hùng', 'Khánh', 'Lan', 'Linh', 'Long', 'Mai', 'Nam', 'Nga', 'Phúc', 'Quân', 'Sơn', 'Tâm', 'Thảo', 'Trang', 'Tú', 'Uyên', 'Việt', 'Yến'];
const TAGS = ['vip', 'wholesale', 'khách quen', 'facebook', 'zalo', 'hội chợ', ''];
const NOTES = ['Hỏi về áo dài size M', 'Muốn giao hàng thứ Sáu', 'Gặp ở hội chợ Tết', 'Thích màu xanh', 'Khách giới thiệu'];
const fold = (s: string) => s.normalize('NFD').replace(/\p{Diacritic}/gu, '').replace(/[đĐ]/g, 'd');


interface Row {
  cells: [string, string, string, string, string];
  valid: boolean;
}

/** The rows of the file: new customers, 10% repeats of earlier ones, 2% broken. */
function* generateRows(n: number): Generator<Row> {
  const rnd = seededRandom(42);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  const made: Row['cells'][] = [];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.02) {
      const kind = i % 3;
      const name = `${pick(SURNAMES)} ${pick(GIVEN)}`;
      if (kind === 0) yield { cells: [name, `09${i % 10}12`, '', '', ''], valid: false };
      else if (kind === 1) yield { cells: [name, '', `broken${i}@@shop`, '', ''], valid: false };
      else yield { cells: [name, '', '', 'vip', 'no contact at all'], valid: false };
      continue;
    }
    if (r < 0.12 && made.length > 0) {
      // A repeat of an earlier customer, written differently.
      const [name, phone, email, tags, note] = made[Math.floor(rnd() * made.length)]!;
      const digits = phone.replace(/\D/g, '');
      const phoneAgain = rnd() < 0.5 ? `+84 ${digits.slice(1, 4)} ${digits.slice(4, 7)} ${digits.slice(7)}` : `${digits.slice(0, 4)}.${digits.slice(4, 7)}.${digits.slice(7)}`;
      yield { cells: [fold(name).toUpperCase(), phoneAgain, email.toUpperCase(), tags, note], valid: true };
      continue;
    }
    const name = `${pick(SURNAMES)} ${pick(MIDDLE)} ${pick(GIVEN)}`;
    const phone = `09${String(10_000_000 + i).slice(-8)}`; // unique, valid VN mobile numbers
    const email = rnd() < 0.6 ? `${fold(name).toLowerCase().replace(/\s+/g, '.')}.${i}@example.vn` : '';
    const cells: Row['cells'] = [name, `${phone.slice(0, 4)} ${phone.slice(4, 7)} ${phone.slice(7)}`, email, pick(TAGS), rnd() < 0.33 ? pick(NOTES) : ''];
    if (made.length < 50_000) made.push(cells);
    else made[Math.floor(rnd() * made.length)] = cells;
    yield { cells, valid: true };
  }
}

async function writeCsv(file: string, n: number): Promise<void> {
  const out = createWriteStream(file);
  out.write(stringify([['Họ tên', 'Số điện thoại', 'Email', 'Nhãn', 'Ghi chú']]));
  let chunk: string[][] = [];
  for (const row of generateRows(n)) {
    chunk.push(row.cells);
    if (chunk.length === 1000) {
      if (!out.write(stringify(chunk))) await once(out, 'drain');
      chunk = [];
    }
  }
  out.end(stringify(chunk));
  await once(out, 'finish');
}

/**
 * Empties collections by dropping and re-indexing them: FerretDB v1 (SQLite)
 * cannot `deleteMany({})` more than ~32k documents ("too many SQL variables").
 */
async function empty(models: readonly (typeof Customer | typeof ContactKey | typeof Interaction | typeof Counter | typeof AuditEvent)[]): Promise<void> {
  for (const model of models) {
    await model.collection.drop().catch(() => undefined);
    await model.createCollection();
    await model.createIndexes();
  }
}

async function clear(): Promise<void> {
  await empty([Customer, ContactKey, Interaction, Counter, AuditEvent]);
  await mongoose.connection.collection('bench_baseline').drop().catch(() => undefined);
}

async function runImport(file: string): Promise<{ seconds: number; peakMb: number; report: Awaited<ReturnType<typeof importCustomers>> }> {
  const memory = sampleMemory();
  const t0 = performance.now();
  const report = await importCustomers(createReadStream(file), {
    region: 'VN',
    by: 'script:bench',
    batchSize: batch,
    progressEvery: 10_000,
    onProgress: (p) => process.stderr.write(`  import: ${p.rows} rows, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`),
  });
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, peakMb: memory.stop(), report };
}

async function runBaseline(n: number): Promise<{ seconds: number; rows: number }> {
  const scratch = mongoose.connection.collection('bench_baseline');
  const t0 = performance.now();
  let docs: Record<string, unknown>[] = [];
  let rows = 0;
  for (const row of generateRows(n)) {
    if (!row.valid) continue;
    const [name, phone, email, tags, note] = row.cells;
    docs.push({ name, phone, email, tags, note, at: new Date() });
    rows++;
    if (docs.length === 500) {
      await scratch.insertMany(docs);
      docs = [];
    }
  }
  if (docs.length) await scratch.insertMany(docs);
  return { seconds: (performance.now() - t0) / 1000, rows };
}

/**
 * A second reference: the very documents the import wrote (customers, contact
 * keys, notes), read back and inserted again with plain `insertMany` × 500 into
 * their own collections (same indexes) — the writes alone, without parsing,
 * validation or de-duplication. Shows how much of the import's time is the
 * data model's cost on this server and how much is the import's own work.
 */
async function runWritesAlone(): Promise<{ seconds: number; docs: number; per: string }> {
  const models = [Customer, ContactKey, Interaction] as const;
  const saved = [];
  for (const model of models) saved.push(await model.collection.find({}).toArray());
  await empty(models);
  const t0 = performance.now();
  let docs = 0;
  const per: string[] = [];
  for (const [i, model] of models.entries()) {
    const all = saved[i]!;
    const t1 = performance.now();
    for (let j = 0; j < all.length; j += 500) await model.collection.insertMany(all.slice(j, j + 500));
    per.push(`${model.collection.collectionName} ${all.length} in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
    docs += all.length;
  }
  return { seconds: (performance.now() - t0) / 1000, docs, per: per.join(', ') };
}

async function measure(dir: string, n: number, label: string) {
  const file = join(dir, `customers-${n}.csv`);
  await writeCsv(file, n);
  const size = (await stat(file)).size;
  process.stderr.write(`${label}: ${n} rows (${(size / 1024 / 1024).toFixed(1)} MB CSV)\n`);
  await clear();
  const imp = await runImport(file);
  const base = await runBaseline(n);
  const alone = await runWritesAlone();
  await rm(file, { force: true });
  return { n, size, imp, base, alone };
}

await withBenchDatabase('import', async ({ kind }) => {
  const dir = await mkdtemp(join(tmpdir(), 'chatcrm-bench-import-'));
  try {
    let rows = explicitRows ?? FULL_ROWS;
    if (explicitRows === undefined) {
      const cal = await measure(dir, 2_000, 'calibration');
      const perRow = (cal.imp.seconds + cal.base.seconds + cal.alone.seconds) / cal.n;
      const projected = perRow * FULL_ROWS;
      if (projected > TIME_BUDGET_S) rows = Math.max(5_000, Math.floor(TARGET_S / perRow / 5_000) * 5_000);
      process.stderr.write(`calibration: ~${projected.toFixed(0)} s projected for ${FULL_ROWS} rows (import + references); using ${rows}\n`);
    }
    const { n, size, imp, base, alone } = await measure(dir, rows, 'run');
    const importRate = n / imp.seconds;
    const baseRate = base.rows / base.seconds;
    const ratio = importRate / baseRate;
    const r = imp.report;
    const why = explicitRows !== undefined ? ' (--rows)' : n < FULL_ROWS ? ` (scaled down from ${FULL_ROWS}: the full size would not finish in ~10 min here)` : '';
    console.log(`bench/import on ${kind}: ${n} rows${why}, ${(size / 1024 / 1024).toFixed(1)} MB CSV, batches of ${batch}`);
    console.log(`  report:   created ${r.created}, updated ${r.updated}, unchanged ${r.unchanged}, rejected ${r.rejected.length}, blank ${r.blank}`);
    console.log(`  import:   ${imp.seconds.toFixed(1)} s, ${importRate.toFixed(0)} rows/s (all rows read, parsed, validated, de-duplicated, written)`);
    console.log(`  baseline: ${base.seconds.toFixed(1)} s, ${baseRate.toFixed(0)} rows/s (${base.rows} valid rows, insertMany × 500, no parsing or checks)`);
    console.log(`  ratio:    ${(ratio * 100).toFixed(0)}% of baseline (target ≥ 30%) — ${ratio >= 0.3 ? 'met' : 'NOT met'}`);
    const aloneRate = n / alone.seconds;
    console.log(`  writes alone: ${alone.seconds.toFixed(1)} s for the ${alone.docs} documents the import wrote (customers, keys, notes), ${aloneRate.toFixed(0)} rows/s = ${((aloneRate / baseRate) * 100).toFixed(0)}% of baseline;`);
    console.log(`                (${alone.per})`);
    console.log(`                the import reaches ${((importRate / aloneRate) * 100).toFixed(0)}% of its own writes' speed`);
    console.log(`  peak RSS during import: ${imp.peakMb} MB (target < 300 MB) — ${imp.peakMb < 300 ? 'met' : 'NOT met'}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
process.exit(0);
