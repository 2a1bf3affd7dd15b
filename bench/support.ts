/**
 * Shared bench plumbing: a database for one benchmark (MONGODB_URI, or the
 * local server the app would start), percentiles, peak-memory sampling.
 * Benchmarks print figures; they are not tests and assert nothing.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import mongoose from 'mongoose';
import { connectMongoose, disconnectMongoose, resolveDatabaseServer } from '../src/db/index.js';
import '../models/index.js';

/** Runs `fn` connected to a fresh database `bench_<name>_<hex>`, dropped afterwards. */
export async function withBenchDatabase<T>(name: string, fn: (info: { uri: string; dbName: string; kind: string }) => Promise<T>): Promise<T> {
  const server = await resolveDatabaseServer({
    mongodbUri: process.env.MONGODB_URI,
    dataDir: resolve('.cache/bench-db'),
    repoRoot: resolve(import.meta.dirname, '..'),
    env: process.env,
    log: (m) => process.stderr.write(`${m}\n`),
  });
  const dbName = `bench_${name}_${randomBytes(3).toString('hex')}`;
  try {
    await connectMongoose(server.uri, dbName);
    return await fn({ uri: server.uri, dbName, kind: server.kind });
  } finally {
    await mongoose.connection.dropDatabase().catch(() => undefined);
    await disconnectMongoose();
    await server.stop();
  }
}

/** The p-th percentile (0–100) of a list of numbers. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Samples RSS every 100 ms; `stop()` returns the peak in MB. */
export function sampleMemory(): { stop: () => number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  return {
    stop() {
      clearInterval(timer);
      return Math.round(Math.max(peak, process.memoryUsage().rss) / 1024 / 1024);
    },
  };
}

/** Reads `--name value` from argv as a number. */
export function numberFlag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}
