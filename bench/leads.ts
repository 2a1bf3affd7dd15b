/**
 * bench/leads: N `lead` commands through `core.handle` (actor resolution,
 * parsing, de-duplication by contact keys, writes) against a baseline in the
 * same run: the same customer documents written with bare `insertOne` calls
 * on the same server. 10% of the leads repeat an earlier phone in another
 * format, so the de-duplication path is exercised too.
 *
 * Targets (issue 2): core throughput ≥ 40% of the baseline; core p99 ≤ 3× baseline p99.
 *
 *   npm run bench -- leads [--leads 20000]
 */
import { performance } from 'node:perf_hooks';
import mongoose from 'mongoose';
import { loadConfig } from '../src/config.js';
import { createApp } from '../src/app.js';
import { silentLogger } from '../src/log.js';
import { foldName } from '../src/values/names.js';
import type { Notifier } from '../src/core/types.js';
import { numberFlag, percentile, withBenchDatabase } from './support.js';

const total = numberFlag('leads', 20_000);
/** `--trace`: count the collection calls (round trips) each lead costs, printed by kind. */
const trace = process.argv.includes('--trace');

function phoneOf(i: number): string {
  return `09${String(10_000_000 + i).slice(-8)}`;
}

await withBenchDatabase('leads', async ({ kind }) => {
  const config = loadConfig({ LOG_LEVEL: 'silent' }, { envFile: null });
  const notifier: Notifier = { notify: async () => ({ ok: true }) };
  const core = createApp({ config, notifier, log: silentLogger(), now: () => new Date() });

  // Warm-up: owner identity, counters, connection pool.
  await core.handle({ platform: 'console', chatId: 'owner', userId: 'owner', displayName: 'Owner', text: 'whoami', deliveryId: 'bench:warm' });

  // Baseline: the same documents with bare insertOne.
  const scratch = mongoose.connection.collection('bench_baseline');
  const baseLat: number[] = [];
  const baseStart = performance.now();
  for (let i = 0; i < total; i++) {
    const name = `Customer ${i} Nguyễn`;
    const t = performance.now();
    await scratch.insertOne({ _id: i as never, name, nameKey: foldName(name), phones: [`+849${String(10_000_000 + i).slice(-8)}`], emails: [], tags: ['bench'], createdAt: new Date() });
    baseLat.push(performance.now() - t);
  }
  const baseSecs = (performance.now() - baseStart) / 1000;

  // Core: lead commands, 10% of them repeating an earlier phone written differently.
  const commands = new Map<string, number>();
  if (trace) {
    // Mongoose's debug hook sees every collection call (one call is one round trip here).
    mongoose.set('debug', (collection: string, method: string) => {
      const key = `${method} ${collection}`;
      commands.set(key, (commands.get(key) ?? 0) + 1);
    });
  }
  const coreLat: number[] = [];
  let duplicates = 0;
  const coreStart = performance.now();
  for (let i = 0; i < total; i++) {
    let text: string;
    if (i % 10 === 9) {
      const j = i - 5;
      const p = phoneOf(j);
      text = `lead Customer ${j} Nguyễn +84 ${p.slice(1, 4)} ${p.slice(4, 7)} ${p.slice(7)} #bench`;
      duplicates++;
    } else {
      text = `lead Customer ${i} Nguyễn ${phoneOf(i)} #bench`;
    }
    const t = performance.now();
    await core.handle({ platform: 'console', chatId: 'owner', userId: 'owner', displayName: 'Owner', text, deliveryId: `bench:${i}` });
    coreLat.push(performance.now() - t);
  }
  const coreSecs = (performance.now() - coreStart) / 1000;
  if (trace) mongoose.set('debug', false);
  const customers = await mongoose.connection.collection('customers').countDocuments();

  const baseRate = total / baseSecs;
  const coreRate = total / coreSecs;
  const f = (n: number) => n.toFixed(2);
  console.log(`bench/leads — ${total} leads (${duplicates} repeats), database: ${kind}`);
  console.log(`  baseline insertOne : ${baseRate.toFixed(0)}/s   p50 ${f(percentile(baseLat, 50))} ms   p99 ${f(percentile(baseLat, 99))} ms`);
  console.log(`  core.handle lead   : ${coreRate.toFixed(0)}/s   p50 ${f(percentile(coreLat, 50))} ms   p99 ${f(percentile(coreLat, 99))} ms`);
  console.log(`  throughput ratio   : ${((coreRate / baseRate) * 100).toFixed(1)}% of baseline (target ≥ 40%)`);
  console.log(`  p99 ratio          : ${(percentile(coreLat, 99) / percentile(baseLat, 99)).toFixed(2)}× baseline (target ≤ 3×)`);
  console.log(`  customers created  : ${customers} (expected ${total - duplicates}; duplicates avoided: ${total - customers})`);
  if (trace) {
    const all = [...commands.values()].reduce((a, b) => a + b, 0);
    console.log(`  collection calls   : ${(all / total).toFixed(2)} per lead`);
    for (const [k, n] of [...commands].sort((a, b) => b[1] - a[1])) console.log(`    ${(n / total).toFixed(2)}  ${k}`);
  }
});
