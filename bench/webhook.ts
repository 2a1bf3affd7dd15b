/**
 * bench/webhook: Telegram updates POSTed to `/telegram/webhook` — a `/lead` command each, unique
 * per update (own name and phone) — through the whole stack: the app's HTTP server, grammY's
 * webhookCallback (secret check), the adapter, `core.handle` on the database, the rate-limited
 * sender, and the Bot API emulator's `sendMessage`. Baseline in the same run, on the same
 * emulator: a bare grammY bot that echoes each text, behind `webhookCallback` on its own port.
 *
 * Latency is webhook POST → the matching `sendMessage` arriving at the emulator (ms resolution,
 * Date.now()). Each target is offered 25, 50, 100 and 200 updates/s for a few seconds each (open
 * loop, targets alternating), then driven flat out by a closed loop with 32 updates in flight —
 * "sustained" is updates answered per second over a stage. Emulator limits are off and the
 * adapter's throttler is set far above them, so the figures measure our stack, not Telegram's
 * 30 msg/s. Updates come from 50 owners (50 chats), as a team would send them. Loopback only.
 *
 * Targets (issue 3): the full stack sustains ≥ 30% of the echo bot's throughput; its p99 is
 * under 5× the echo's p99.
 *
 *   npm run bench -- webhook [--seconds 3] [--concurrency 32]
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Bot, webhookCallback } from 'grammy';
import type { Update } from 'grammy/types';
import '../models/telegram-callback.js';
import { TelegramEmulator, type TelegramCallRecord } from '../tests/support/telegram-emulator.js';
import { startTelegramHarness } from '../tests/support/telegram-harness.js';
import { numberFlag, percentile, withBenchDatabase } from './support.js';

const RATES = [25, 50, 100, 200];
const stageSeconds = numberFlag('seconds', 3);
const concurrency = numberFlag('concurrency', 32);
const OWNERS = Array.from({ length: 50 }, (_, i) => 7000 + i);
const REPLY_TIMEOUT_MS = 20_000;

interface Target {
  name: string;
  url: string;
  secret?: string;
}

interface StageResult {
  target: string;
  stage: string;
  offered: number;
  answered: number;
  failed: number;
  perSec: number;
  p50: number;
  p99: number;
}

let seq = 0;
const run = randomBytes(2).toString('hex');

/** One unique lead command: its update and the token its answer will contain. */
function leadUpdate(tg: TelegramEmulator): { update: Update; token: string; chatId: number } {
  seq += 1;
  const token = `Bench${run}x${seq.toString(36)}`;
  const phone = `09${String(10_000_000 + ((seq * 7919 + Number.parseInt(run, 16)) % 90_000_000)).slice(-8)}`;
  const chatId = OWNERS[seq % OWNERS.length]!;
  return { update: tg.textUpdate({ fromId: chatId, text: `/lead ${token} ${phone}` }), token, chatId };
}

/** Posts one update and resolves with the latency to its matching sendMessage (or NaN on failure). */
async function oneUpdate(tg: TelegramEmulator, target: Target): Promise<number> {
  const { update, token, chatId } = leadUpdate(tg);
  const since = tg.calls.length;
  const answered = tg.waitFor((c: TelegramCallRecord) => c.method === 'sendMessage' && c.chat_id === chatId && (c.text ?? '').includes(token), REPLY_TIMEOUT_MS, { since });
  answered.catch(() => undefined);
  const postedAt = Date.now();
  try {
    const res = await tg.postWebhook(update, { url: target.url, ...(target.secret ? { secret: target.secret } : {}) });
    if (res.status !== 200) return NaN;
    const call = await answered;
    return call.at - postedAt;
  } catch {
    return NaN;
  }
}

/** Offers `rate` updates/s for `seconds` (open loop: sends on schedule, whatever the answers do). */
async function openLoop(tg: TelegramEmulator, target: Target, rate: number, seconds: number): Promise<StageResult> {
  const total = Math.round(rate * seconds);
  const start = Date.now();
  const pending: Promise<number>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    pending.push(oneUpdate(tg, target));
  }
  const latencies = await Promise.all(pending);
  return summarise(target.name, `${rate}/s offered`, total, latencies, Date.now() - start);
}

/** Keeps `inFlight` updates outstanding for `seconds`: the most a target can answer. */
async function closedLoop(tg: TelegramEmulator, target: Target, inFlight: number, seconds: number): Promise<StageResult> {
  const start = Date.now();
  const stopAt = start + seconds * 1000;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (Date.now() < stopAt) latencies.push(await oneUpdate(tg, target));
    }),
  );
  return summarise(target.name, `max (${inFlight} in flight)`, latencies.length, latencies, Date.now() - start);
}

function summarise(target: string, stage: string, offered: number, latencies: number[], elapsedMs: number): StageResult {
  const ok = latencies.filter((l) => Number.isFinite(l));
  return { target, stage, offered, answered: ok.length, failed: offered - ok.length, perSec: ok.length / (elapsedMs / 1000), p50: percentile(ok, 50), p99: percentile(ok, 99) };
}

async function listenEcho(tg: TelegramEmulator, apiRoot: string): Promise<{ server: Server; url: string }> {
  const bot = new Bot(tg.token, { client: { apiRoot } });
  bot.on('message:text', (ctx) => ctx.reply(ctx.message.text));
  await bot.init();
  const server = createServer(webhookCallback(bot, 'http'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

await withBenchDatabase('webhook', async ({ kind }) => {
  const tg = new TelegramEmulator({ globalRatePerSec: 0, perChatRatePerSec: 0 });
  const apiRoot = await tg.start();
  const echo = await listenEcho(tg, apiRoot);
  const app = await startTelegramHarness({ tg, ownerIds: OWNERS, limits: { globalPerSec: 1_000_000, perChatPerSec: 1_000_000 } });
  const echoTarget: Target = { name: 'echo bot', url: echo.url };
  const appTarget: Target = { name: 'full stack', url: app.webhookUrl, secret: app.config.TELEGRAM_WEBHOOK_SECRET };
  // Time spent inside core.handle, to tell the adapter's share of the latency from the core's.
  const coreMs: number[] = [];
  const handle = app.core.handle.bind(app.core);
  app.core.handle = async (incoming) => {
    const t = performance.now();
    try {
      return await handle(incoming);
    } finally {
      coreMs.push(performance.now() - t);
    }
  };
  try {
    // Warm-up: every owner's staff record, connection pools, JIT.
    for (const id of OWNERS) await app.say(id, '/whoami');
    await closedLoop(tg, echoTarget, 8, 1);
    await closedLoop(tg, appTarget, 8, 1);

    coreMs.length = 0;
    const results: StageResult[] = [];
    for (const rate of RATES) {
      for (const target of [echoTarget, appTarget]) {
        results.push(await openLoop(tg, target, rate, stageSeconds));
        await app.adapter.idle();
      }
    }
    const echoMax = await closedLoop(tg, echoTarget, concurrency, stageSeconds);
    const appMax = await closedLoop(tg, appTarget, concurrency, stageSeconds);
    results.push(echoMax, appMax);

    const f = (n: number) => (Number.isFinite(n) ? n.toFixed(0).padStart(5) : '    –');
    console.log(`bench/webhook — Telegram webhook → /lead → sendMessage, database: ${kind}, ${stageSeconds}s per stage, loopback`);
    console.log('  target       stage                   answered  failed  sustained/s   p50 ms   p99 ms');
    for (const r of results) {
      console.log(
        `  ${r.target.padEnd(12)} ${r.stage.padEnd(22)} ${String(r.answered).padStart(8)}  ${String(r.failed).padStart(6)}  ${f(r.perSec).padStart(11)}  ${f(r.p50).padStart(7)}  ${f(r.p99).padStart(7)}`,
      );
    }
    const top = results.filter((r) => r.stage.endsWith('/s offered') && r.stage.startsWith(`${RATES[RATES.length - 1]}/s`));
    const echoTop = top.find((r) => r.target === echoTarget.name)!;
    const appTop = top.find((r) => r.target === appTarget.name)!;
    console.log(`  throughput ratio (max)      : ${((appMax.perSec / echoMax.perSec) * 100).toFixed(1)}% of the echo bot (target ≥ 30%)`);
    console.log(`  p99 ratio at ${RATES[RATES.length - 1]}/s offered  : ${(appTop.p99 / echoTop.p99).toFixed(2)}× the echo bot (target < 5×)`);
    console.log(`  p99 ratio at max load       : ${(appMax.p99 / echoMax.p99).toFixed(2)}× the echo bot`);
    console.log(`  inside core.handle (all full-stack updates): p50 ${f(percentile(coreMs, 50)).trim()} ms, p99 ${f(percentile(coreMs, 99)).trim()} ms`);
  } finally {
    await app.stop();
    await new Promise<void>((resolve) => {
      echo.server.closeAllConnections();
      echo.server.close(() => resolve());
    });
    await tg.stop();
  }
});
