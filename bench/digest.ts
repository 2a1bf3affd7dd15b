/**
 * bench/digest: the weekly digest over 100,000 customers and 1,000,000 orders
 * (issue 5). Customers carry running totals consistent with their generated
 * orders (spread over a year), daily totals snapshots exist for the last two
 * weeks (as the totals-snapshot job leaves them), plus staff and open
 * follow-ups. The digest (`gatherDigest` + `renderDigest`, chart included)
 * reads one projected pass of customers and a few small collections — never
 * the orders.
 *
 * Baseline in the same run, on the same server: one projected full scan of
 * customers (same projection, raw driver). Measured in a child process so the
 * generator's memory does not count: time, ratio digest / scan (target ≤ 3×),
 * peak RSS (target < 256 MB).
 *
 *   npm run bench -- digest [--customers 100000] [--orders 1000000]
 *
 * Without flags: a calibration (2,000 customers, 20,000 orders) measures this
 * server's insert and scan rates; the full size is used when it fits in
 * ~10 minutes, otherwise both are scaled down (keeping 10 orders per customer)
 * to fit, and the size used is printed with the extrapolation to full size.
 * The database is dropped at the end.
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { DateTime } from 'luxon';
import mongoose from 'mongoose';
import { Customer } from '../models/customer.js';
import { FollowUp } from '../models/follow-up.js';
import { Order } from '../models/order.js';
import { Staff } from '../models/staff.js';
import { TotalsSnapshot } from '../models/totals-snapshot.js';
import { loadConfig } from '../src/config.js';
import { connectMongoose, disconnectMongoose } from '../src/db/index.js';
import { messagesFor } from '../src/core/messages.js';
import { renderDigest } from '../src/views/digest.js';
import { CUSTOMER_PASS_PROJECTION, gatherDigest, shopDay } from '../src/services/digest/data.js';
import { numberFlag, sampleMemory, withBenchDatabase } from './support.js';

const FULL = { customers: 100_000, orders: 1_000_000 };
const BUDGET_S = 10 * 60;
const BATCH = 5_000;
const DAY = 86_400_000;
const ZONE = 'Asia/Ho_Chi_Minh';

interface Figures {
  scanMs: number[];
  digestMs: number;
  scanned: number;
  peakMb: number;
  textChars: number;
  pngBytes: number;
}

if (process.argv.includes('--measure')) {
  await measure(arg('uri'), arg('db'));
} else {
  await main();
}

async function main(): Promise<void> {
  const explicit = process.argv.includes('--customers') || process.argv.includes('--orders');
  await withBenchDatabase('digest', async ({ uri, dbName, kind }) => {
    console.log(`bench/digest on ${kind} (${uri.replace(/\/\/[^@]*@/, '//')}${dbName})`);
    let size = { customers: numberFlag('customers', FULL.customers), orders: numberFlag('orders', FULL.orders) };
    if (!explicit) {
      const cal = { customers: 2_000, orders: 20_000 };
      const t0 = performance.now();
      await generate(cal, 0);
      const genS = (performance.now() - t0) / 1000;
      const scanS = (await scanOnce()).ms / 1000;
      const perUnit = (genS + 4 * scanS) / cal.customers; // generate + 3 scans + the digest's pass
      const fullS = perUnit * FULL.customers;
      console.log(`calibration: ${cal.customers} customers + ${cal.orders} orders generated in ${genS.toFixed(1)} s, scanned in ${(scanS * 1000).toFixed(0)} ms → full size would take ~${Math.round(fullS / 60)} min here`);
      if (fullS > BUDGET_S) {
        const customers = Math.max(cal.customers, Math.floor((BUDGET_S * 0.9) / perUnit / 1000) * 1000);
        size = { customers, orders: customers * 10 };
        console.log(`scaled down to fit ~10 min: --customers ${size.customers} --orders ${size.orders} (pass both flags for another size)`);
      }
      for (const model of [Staff, Order, Customer, TotalsSnapshot, FollowUp]) await model.collection.deleteMany({});
    }
    console.log(`generating ${size.customers.toLocaleString('en')} customers and ${size.orders.toLocaleString('en')} orders…`);
    const t0 = performance.now();
    await generate(size, 0);
    console.log(`generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // Measure in a fresh process: its peak RSS is the scan's and the digest's, not the generator's.
    const child = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--measure', '--uri', uri, '--db', dbName], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (child.status !== 0) throw new Error(`measurement failed (exit ${child.status})`);
    const f = JSON.parse(child.stdout.trim().split('\n').pop()!) as Figures;
    const baseline = f.scanMs.reduce((a, b) => a + b, 0) / f.scanMs.length;
    const ratio = f.digestMs / baseline;
    console.log(`baseline: projected full scan of ${f.scanned.toLocaleString('en')} customers: ${f.scanMs.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(', ')} (mean ${(baseline / 1000).toFixed(2)} s)`);
    console.log(`digest:   gather + render (text ${f.textChars} chars, chart ${f.pngBytes} bytes PNG): ${(f.digestMs / 1000).toFixed(2)} s`);
    console.log(`ratio digest / scan: ${ratio.toFixed(2)}× (target ≤ 3×) ${ratio <= 3 ? 'OK' : 'MISSED'}`);
    console.log(`peak RSS of the measuring process: ${f.peakMb} MB (target < 256 MB) ${f.peakMb < 256 ? 'OK' : 'MISSED'}`);
    if (size.customers !== FULL.customers) {
      const scale = FULL.customers / size.customers;
      console.log(`extrapolated to ${FULL.customers.toLocaleString('en')} customers / ${FULL.orders.toLocaleString('en')} orders: scan ~${((baseline * scale) / 1000).toFixed(0)} s, digest ~${((f.digestMs * scale) / 1000).toFixed(0)} s (both linear in customers; orders are never read), same ratio`);
    }
  });
}

/** Inserts customers with totals consistent with their orders, the orders, snapshots, staff and follow-ups. */
async function generate(size: { customers: number; orders: number }, firstId: number): Promise<void> {
  const now = Date.now();
  const yearAgo = now - 365 * DAY;
  const staff = ['s_an', 's_binh', 's_chi', 's_dung', 's_em'];
  await Staff.collection.insertMany(staff.map((id, i) => ({ _id: id as never, name: id.slice(2), role: i === 0 ? 'manager' : 'sales', timeZone: ZONE, active: true })));

  // 80% of customers have orders; each order goes to one of them.
  const buyers = Math.max(1, Math.floor(size.customers * 0.8));
  const orders = new Int32Array(size.customers);
  const revenue = new Float64Array(size.customers);
  const first = new Float64Array(size.customers).fill(Infinity);
  const last = new Float64Array(size.customers).fill(-Infinity);
  const today = shopDay(new Date(now), ZONE).start;
  const dayStarts = Array.from({ length: 15 }, (_, i) => today.minus({ days: 14 - i }).toMillis());
  const cumulative = dayStarts.map(() => ({ orders: 0, revenue: 0 }));
  let rng = 12345;
  const random = () => ((rng = (rng * 1103515245 + 12345) % 2147483648) / 2147483648);

  let batch: Record<string, unknown>[] = [];
  for (let i = 0; i < size.orders; i++) {
    const c = Math.floor(random() * buyers);
    const at = yearAgo + random() * (now - yearAgo);
    const amount = (1 + Math.floor(random() * 20)) * 50_000;
    orders[c]!++;
    revenue[c]! += amount;
    first[c] = Math.min(first[c]!, at);
    last[c] = Math.max(last[c]!, at);
    for (let d = 0; d < dayStarts.length; d++) {
      if (at < dayStarts[d]!) {
        cumulative[d]!.orders++;
        cumulative[d]!.revenue += amount;
      }
    }
    const when = new Date(at);
    batch.push({
      _id: `O${firstId + i + 1}`,
      customerId: `C${firstId + c + 1}`,
      items: [{ name: 'Áo dài lụa', qty: 1, unitMinor: amount }],
      amountMinor: amount,
      currency: 'VND',
      status: 'delivered',
      history: [{ status: 'new', at: when, by: `staff:${staff[c % staff.length]}` }],
      createdBy: `staff:${staff[c % staff.length]}`,
      counted: true,
      createdAt: when,
      updatedAt: when,
    });
    if (batch.length === BATCH) batch = await flush(Order.collection.collectionName, batch);
  }
  await flush(Order.collection.collectionName, batch);

  batch = [];
  for (let c = 0; c < size.customers; c++) {
    const created = new Date(yearAgo - 30 * DAY + random() * (now - yearAgo + 30 * DAY));
    const n = orders[c]!;
    batch.push({
      _id: `C${firstId + c + 1}`,
      name: `Nguyễn Văn Khách ${c}`,
      nameKey: `nguyen van khach ${c}`,
      phones: [`+8490${String(1_000_000 + c).padStart(7, '0')}`],
      emails: c % 3 === 0 ? [`khach${c}@shop.vn`] : [],
      tags: c % 10 === 0 ? ['vip'] : [],
      ownerId: staff[c % staff.length],
      source: 'import',
      consent: { promotions: c % 2 === 0 },
      unreachable: [],
      totals: n ? { orders: n, revenue: { VND: revenue[c] }, firstOrderAt: new Date(first[c]!), lastOrderAt: new Date(last[c]!) } : { orders: 0, revenue: {} },
      status: 'active',
      createdBy: `staff:${staff[c % staff.length]}`,
      createdAt: n ? new Date(Math.min(created.getTime(), first[c]!)) : created,
      updatedAt: created,
    });
    if (batch.length === BATCH) batch = await flush(Customer.collection.collectionName, batch);
  }
  await flush(Customer.collection.collectionName, batch);

  // The daily snapshots the totals-snapshot job would have taken over the last two weeks (and today).
  await TotalsSnapshot.collection.insertMany(
    dayStarts.map((ms, d) => ({
      _id: `day:${DateTime.fromMillis(ms, { zone: ZONE }).toISODate()}` as never,
      at: new Date(ms + 5 * 60_000),
      orders: cumulative[d]!.orders,
      revenue: { VND: cumulative[d]!.revenue },
      customers: size.customers,
      leads: size.customers - buyers,
      stages: {},
    })),
  );
  await FollowUp.collection.insertMany(
    Array.from({ length: Math.min(1000, size.customers) }, (_, i) => ({
      _id: `Fbench${i}` as never,
      customerId: `C${i + 1}`,
      assigneeId: staff[i % staff.length],
      dueAt: new Date(now + (i % 2 ? -1 : 1) * (1 + i) * 3_600_000),
      text: 'call back',
      status: 'open',
      createdBy: 'bench',
      source: 'manual',
      createdAt: new Date(now - 10 * DAY),
    })),
  );
}

async function flush(collection: string, docs: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  if (docs.length) await mongoose.connection.db!.collection(collection).insertMany(docs, { ordered: false });
  return [];
}

async function scanOnce(): Promise<{ ms: number; n: number }> {
  const t0 = performance.now();
  let n = 0;
  for await (const doc of Customer.collection.find({}, { projection: CUSTOMER_PASS_PROJECTION, batchSize: 1000 })) {
    if (doc) n++;
  }
  return { ms: performance.now() - t0, n };
}

/** The child: baseline scan, digest, baseline scan again; prints the figures as one JSON line. */
async function measure(uri: string, dbName: string): Promise<void> {
  await connectMongoose(uri, dbName);
  const memory = sampleMemory();
  const config = loadConfig({ DEFAULT_TIMEZONE: ZONE, BASE_CURRENCY: 'VND', LOG_LEVEL: 'silent' }, { envFile: null });
  const first = await scanOnce();
  const t0 = performance.now();
  const replies = renderDigest(await gatherDigest(new Date(), config), messagesFor('en'));
  const digestMs = performance.now() - t0;
  const second = await scanOnce();
  const text = replies[0]?.kind === 'text' ? replies[0].text : '';
  const png = replies[1]?.kind === 'image' ? replies[1].data : Buffer.alloc(0);
  const figures: Figures = { scanMs: [first.ms, second.ms], digestMs, scanned: first.n, peakMb: memory.stop(), textChars: text.length, pngBytes: png.length };
  await disconnectMongoose();
  console.log(JSON.stringify(figures));
  process.exit(0);
}

function arg(name: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (!v) throw new Error(`--${name} is required`);
  return v;
}
