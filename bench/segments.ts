/**
 * Segment recompute against the cheapest thing it could possibly be: one
 * projected scan of the customers collection, timed in the same run.
 *
 *   npx tsx bench/segments.ts [--customers 50000] [--orders 500000] [--month-roll]
 *   npm run bench segments -- --customers 100000 --orders 1000000 --month-roll
 *
 * Data: N customers (15 % leads, ids "C1"…) and about M orders ("O1"…) over
 * three years, inserted directly in unordered batches of 5,000 — the next
 * batch generated while the previous one is inserted — with totals (including
 * the monthly buckets) computed in memory exactly as services/orders.ts would
 * keep them; 3 % of orders cancelled, 3 % in EUR. The clock is fixed, so runs
 * are comparable.
 *
 * Timed, in a fresh child process (so its peak RSS is the recompute's, not the
 * generator's): the baseline scan (`Customer.find({}, { totals: 1 }).lean().cursor()`),
 * a cold recompute (every state new), the baseline again, a warm recompute
 * (nothing changed), and with `--month-roll` a recompute a month later (the
 * window moves: many states change). Ratios are against the mean baseline;
 * targets (issue 8, issue 13): ≤ 3× and < 256 MB at 100,000 / 1,000,000.
 * Connects to MONGODB_URI, or starts the local server on `.cache/bench-db`
 * under the working directory (one process per folder: run from another
 * directory to run beside another benchmark); the database is
 * `bench_segments_<hex>`, dropped at the end.
 */
import { spawnSync } from 'node:child_process';
import '../models/index.js';
import '../models/segment-state.js';
import { Customer } from '../models/customer.js';
import { Order } from '../models/order.js';
import { SegmentState } from '../models/segment-state.js';
import { monthKey, type MonthBucket } from '../src/services/order-months.js';
import { recomputeSegments, segmentSizes, type RecomputeResult } from '../src/services/segments/segments.js';
import { connectMongoose, disconnectMongoose } from '../src/db/index.js';
import { customerIdFor, orderIdFor } from '../src/values/refs.js';
import { numberFlag, sampleMemory, withBenchDatabase } from './support.js';

/**
 * Default size: 50,000 customers and 500,000 orders. The full 100,000 /
 * 1,000,000 with --month-roll takes about 5–6 minutes on the 2-core machine
 * with FerretDB (under two of them inserting the data).
 */
const customers = numberFlag('customers', 50_000);
const targetOrders = numberFlag('orders', 500_000);
const monthRoll = process.argv.includes('--month-roll');
const BATCH = 5000;
const NOW = new Date('2026-11-25T03:00:00Z');
const DAY = 86_400_000;
const SPAN_DAYS = 3 * 365;

/** mulberry32: a small deterministic PRNG, so every run generates the same data. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const say = (line: string) => process.stdout.write(`${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Inserts customers and their orders; returns how many orders were made. */
async function generate(): Promise<number> {
  const random = prng(20261125);
  const buyersShare = 0.85;
  const perBuyer = targetOrders / (customers * buyersShare);
  let orderId = 0;
  const orders: Record<string, unknown>[] = [];
  // One insert in flight while the next batch is generated: the server inserts while Node builds.
  let inFlight: Promise<unknown> = Promise.resolve();
  const send = async (insert: () => Promise<unknown>) => {
    await inFlight;
    const next = insert();
    next.catch(() => undefined); // awaited (and rethrown) by the next send or the end
    inFlight = next;
  };
  const flushOrders = async (force = false) => {
    while (orders.length >= BATCH || (force && orders.length > 0)) {
      const docs = orders.splice(0, BATCH);
      await send(() => Order.collection.insertMany(docs, { ordered: false }));
    }
  };
  for (let first = 1; first <= customers; first += BATCH) {
    const batch: Record<string, unknown>[] = [];
    for (let id = first; id < Math.min(first + BATCH, customers + 1); id++) {
      const totals = { orders: 0, revenue: {} as Record<string, number>, months: {} as Record<string, MonthBucket>, firstOrderAt: undefined as Date | undefined, lastOrderAt: undefined as Date | undefined };
      const createdAt = new Date(NOW.getTime() - (SPAN_DAYS + 30) * DAY * random());
      if (random() < buyersShare) {
        // Active from `start` until `end` (many stop buying: recency spreads out).
        const start = NOW.getTime() - SPAN_DAYS * DAY * random();
        const end = start + (NOW.getTime() - start) * (random() < 0.5 ? 1 : random());
        const count = 1 + Math.floor(-Math.log(1 - random()) * Math.max(0, perBuyer - 0.5));
        for (let k = 0; k < count; k++) {
          const at = new Date(start + (end - start) * random());
          const eur = random() < 0.03;
          const currency = eur ? 'EUR' : 'VND';
          const amountMinor = eur ? 500 + Math.floor(random() * 19_500) : Math.round(Math.exp(Math.log(50_000) + random() * Math.log(100)) / 1000) * 1000;
          const cancelled = random() < 0.03;
          orders.push({
            _id: orderIdFor(++orderId),
            customerId: customerIdFor(id),
            items: [{ name: 'Item', qty: 1 }],
            amountMinor,
            currency,
            status: cancelled ? 'cancelled' : 'delivered',
            history: [{ status: 'new', at, by: 'bench' }],
            createdBy: 'bench',
            counted: !cancelled,
            createdAt: at,
            updatedAt: at,
          });
          if (cancelled) continue;
          totals.orders++;
          totals.revenue[currency] = (totals.revenue[currency] ?? 0) + amountMinor;
          const bucket = (totals.months[monthKey(at)] ??= { orders: 0, revenue: {} });
          bucket.orders = (bucket.orders ?? 0) + 1;
          bucket.revenue = { ...bucket.revenue, [currency]: (bucket.revenue?.[currency] ?? 0) + amountMinor };
          if (!totals.firstOrderAt || at < totals.firstOrderAt) totals.firstOrderAt = at;
          if (!totals.lastOrderAt || at > totals.lastOrderAt) totals.lastOrderAt = at;
        }
      }
      if (!totals.firstOrderAt) {
        delete totals.firstOrderAt;
        delete totals.lastOrderAt;
      }
      batch.push({
        _id: customerIdFor(id),
        name: `Customer ${id}`,
        nameKey: `customer ${id}`,
        phones: [],
        emails: [],
        tags: [],
        source: 'bench',
        consent: { promotions: false },
        unreachable: [],
        totals,
        status: 'active',
        createdBy: 'bench',
        createdAt,
        updatedAt: createdAt,
      });
    }
    await send(() => Customer.collection.insertMany(batch, { ordered: false }));
    await flushOrders();
  }
  await flushOrders(true);
  await inFlight;
  return orderId;
}

/** The baseline: one projected full scan of the customers collection. */
async function baseline(): Promise<{ ms: number; docs: number }> {
  const started = Date.now();
  let docs = 0;
  for await (const c of Customer.find({}, { totals: 1 }).lean().cursor()) if (c) docs++;
  return { ms: Date.now() - started, docs };
}

async function timedRecompute(now: Date): Promise<{ ms: number; peakMb: number; result: RecomputeResult }> {
  const memory = sampleMemory();
  const started = Date.now();
  const result = await recomputeSegments(now, { baseCurrency: 'VND' });
  return { ms: Date.now() - started, peakMb: memory.stop(), result };
}

/**
 * The measuring child: connected to the generated database, it times the scans and the recomputes
 * and prints each line as it is measured — its RSS is the recompute's, not the generator's.
 */
async function measure(uri: string, dbName: string): Promise<void> {
  await connectMongoose(uri, dbName);
  const baselines: number[] = [];
  const line = (label: string, ms: number, r?: { peakMb: number; result: RecomputeResult }) => {
    const base = baselines.reduce((a, b) => a + b, 0) / baselines.length;
    const extra = r
      ? ` · ${(ms / base).toFixed(2)}× baseline · peak RSS ${r.peakMb} MB · new ${r.result.inserted}, updated ${r.result.updated} (moved ${r.result.moved}), buyers ${r.result.buyers}, leads ${r.result.leads}`
      : '';
    say(`${label.padEnd(38)} ${seconds(ms).padStart(9)}${extra}`);
  };
  const b1 = await baseline();
  baselines.push(b1.ms);
  line(`baseline scan (${b1.docs.toLocaleString('en')} docs)`, b1.ms);
  const cold = await timedRecompute(NOW);
  line('recompute, cold (all states new)', cold.ms, cold);
  const b2 = await baseline();
  baselines.push(b2.ms);
  line('baseline scan again', b2.ms);
  const warm = await timedRecompute(NOW);
  line('recompute, warm (nothing changed)', warm.ms, warm);
  const later = monthRoll ? await timedRecompute(new Date(NOW.getTime() + 31 * DAY)) : undefined;
  if (later) line('recompute, a month later', later.ms, later);
  const base = (b1.ms + b2.ms) / 2;
  const sizes = await segmentSizes();
  say('');
  say(`segments: ${sizes.map((s) => `${s.segment} ${s.customers}`).join(' · ')}`);
  say(`states stored: ${(await SegmentState.estimatedDocumentCount()).toLocaleString('en')}`);
  const ratios = [cold, warm, ...(later ? [later] : [])].map((r) => r.ms / base);
  const peak = Math.max(cold.peakMb, warm.peakMb, later?.peakMb ?? 0);
  say(
    `target: recompute ≤ 3× baseline (mean of the two scans, ${seconds(base)}) → cold ${ratios[0]!.toFixed(2)}×, warm ${ratios[1]!.toFixed(2)}×` +
      (later ? `, month roll ${ratios[2]!.toFixed(2)}×` : '') +
      ` ${ratios.every((x) => x <= 3) ? 'OK' : 'MISSED'}`,
  );
  say(`peak RSS during the recomputes: ${peak} MB; of the measuring process: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (target < 256 MB) ${peak < 256 ? 'OK' : 'MISSED'}`);
  await disconnectMongoose();
}

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (!v) throw new Error(`--${name} is required`);
  return v;
}

if (process.argv.includes('--measure')) {
  await measure(arg('uri'), arg('db'));
  process.exit(0);
} else {
  await withBenchDatabase('segments', async ({ uri, kind, dbName }) => {
    say(`bench/segments on ${kind} (${dbName}): ${customers.toLocaleString('en')} customers, ~${targetOrders.toLocaleString('en')} orders requested`);
    const genStarted = Date.now();
    const made = await generate();
    const genMs = Date.now() - genStarted;
    say(`generated ${customers.toLocaleString('en')} customers and ${made.toLocaleString('en')} orders in ${seconds(genMs)} (${Math.round(((customers + made) / genMs) * 1000).toLocaleString('en')} docs/s)`);
    say(`generator peak RSS: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (not counted: the recomputes run in a fresh process)`);
    say('');
    const args = [...process.argv.slice(2).filter((a) => a !== '--measure'), '--measure', '--uri', uri, '--db', dbName];
    const child = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), import.meta.filename, ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (child.status !== 0) throw new Error(`measurement failed (exit ${child.status})`);
  });
}
