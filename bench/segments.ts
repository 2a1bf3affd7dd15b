/**
 * Segment recompute against the cheapest thing it could possibly be: one
 * projected scan of the customers collection, timed in the same run.
 *
 *   npx tsx bench/segments.ts [--customers 50000] [--orders 500000] [--month-roll]
 *   npm run bench segments -- --customers 10000 --orders 100000
 *
 * Data: N customers (15 % leads) and about M orders over three years, inserted
 * directly in batches of 5,000 with totals (including the monthly buckets)
 * computed in memory exactly as services/orders.ts would keep them; 3 % of
 * orders cancelled, 3 % in EUR. The clock is fixed, so runs are comparable.
 *
 * Timed: the baseline scan (`Customer.find({}, { totals: 1 }).lean().cursor()`),
 * a cold recompute (every state new), the baseline again, a warm recompute
 * (nothing changed), and with `--month-roll` a recompute a month later (the
 * window moves: many states change). Ratios are against the mean baseline.
 * Connects to MONGODB_URI, or starts the local server; the database is
 * `bench_segments_<hex>`, dropped at the end.
 */
import '../models/index.js';
import '../models/segment-state.js';
import { Customer } from '../models/customer.js';
import { Order } from '../models/order.js';
import { SegmentState } from '../models/segment-state.js';
import { monthKey, type MonthBucket } from '../src/services/order-months.js';
import { recomputeSegments, segmentSizes, type RecomputeResult } from '../src/services/segments/segments.js';
import { numberFlag, sampleMemory, withBenchDatabase } from './support.js';

/**
 * Default size: 50,000 customers and 500,000 orders, about ten minutes on the
 * 2-core CI machine with FerretDB. The full 100,000 / 1,000,000 run takes about
 * 18 minutes there (24 with --month-roll), most of it inserting the data:
 * ask for it with --customers 100000 --orders 1000000.
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
  const flushOrders = async (force = false) => {
    while (orders.length >= BATCH || (force && orders.length > 0)) {
      await Order.collection.insertMany(orders.splice(0, BATCH), { ordered: false });
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
            _id: ++orderId,
            customerId: id,
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
        _id: id,
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
    await Customer.collection.insertMany(batch, { ordered: false });
    await flushOrders();
  }
  await flushOrders(true);
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

await withBenchDatabase('segments', async ({ kind, dbName }) => {
  say(`bench/segments on ${kind} (${dbName}): ${customers.toLocaleString('en')} customers, ~${targetOrders.toLocaleString('en')} orders requested`);
  const genStarted = Date.now();
  const made = await generate();
  const genMs = Date.now() - genStarted;
  say(`generated ${customers.toLocaleString('en')} customers and ${made.toLocaleString('en')} orders in ${seconds(genMs)} (${Math.round(((customers + made) / genMs) * 1000).toLocaleString('en')} docs/s)`);

  // Each line is printed as soon as it is measured; ratios use the baseline measured so far.
  const baselines: number[] = [];
  const line = (label: string, ms: number, r?: { peakMb: number; result: RecomputeResult }) => {
    const base = baselines.reduce((a, b) => a + b, 0) / baselines.length;
    const extra = r
      ? ` · ${(ms / base).toFixed(2)}× baseline · peak RSS ${r.peakMb} MB · new ${r.result.inserted}, updated ${r.result.updated} (moved ${r.result.moved}), buyers ${r.result.buyers}, leads ${r.result.leads}`
      : '';
    say(`${label.padEnd(38)} ${seconds(ms).padStart(9)}${extra}`);
  };
  say('');
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
  if (monthRoll) {
    const later = await timedRecompute(new Date(NOW.getTime() + 31 * DAY));
    line('recompute, a month later', later.ms, later);
  }
  const base = (b1.ms + b2.ms) / 2;
  const sizes = await segmentSizes();
  say('');
  say(`segments: ${sizes.map((s) => `${s.segment} ${s.customers}`).join(' · ')}`);
  say(`states stored: ${(await SegmentState.estimatedDocumentCount()).toLocaleString('en')}`);
  say(`target: recompute ≤ 3× baseline (mean of the two scans, ${seconds(base)}) → cold ${(cold.ms / base).toFixed(2)}×, warm ${(warm.ms / base).toFixed(2)}×`);
  say(`process peak RSS (whole run, generation included): ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
});
