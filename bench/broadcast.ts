/**
 * bench/broadcast: one promotion to N recipients (default 20,000) through the
 * real path — freeze into deliveries, drain with claims and results, the
 * Telegram sender (grammY + auto-retry + a throttler set to the limit) — into
 * the Telegram emulator with its global limit at 1,000 messages/s (one
 * message per chat, so the per-chat limit never binds). The emulator runs in
 * its own process: Telegram's servers do not share our CPU.
 *
 * Prints: freeze time, achieved send rate and its ratio to the limit (target
 * ≥ 90%), 429s the emulator answered, duplicates (chats with more than one
 * message) and losses (recipients without one). Targets: ≥ 90%, 0, 0.
 *
 * `--sender` picks what sits between the drain and the emulator, so a run can
 * tell the drain's ceiling from the sender's:
 * - `adapter` (default): the Telegram adapter's own sender, its
 *   transformer-throttler configured for the limit (`limits: { globalPerSec }`);
 * - `paced`: the same adapter sender with bots/telegram/pacer.ts (evenly
 *   spaced slots at the same limits) instead of transformer-throttler;
 * - `null`: no platform at all — the drain and the database alone.
 *
 *   npm run bench -- broadcast [--recipients 20000] [--limit 1000] [--sender adapter|paced|null]
 *                              [--concurrency 256] [--claim-batch 64] [--emulator process|inline]
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createTelegramAdapter } from '../bots/telegram/index.js';
import { telegramPacer } from '../bots/telegram/pacer.js';
import { Campaign, type CampaignDoc } from '../models/campaign.js';
import { Customer } from '../models/customer.js';
import { Identity } from '../models/identity.js';
import { loadConfig } from '../src/config.js';
import { createApp } from '../src/app.js';
import type { PlatformSender } from '../src/core/types.js';
import { silentLogger } from '../src/log.js';
import { freezeCampaign } from '../src/services/campaigns/audience.js';
import { drainCampaign } from '../src/services/campaigns/drain.js';
import { createCampaign, parsePromoNew } from '../src/services/campaigns/campaigns.js';
import { RoutingNotifier } from '../src/services/notifier.js';
import { TelegramEmulator } from '../tests/support/telegram-emulator.js';
import { numberFlag, sampleMemory, withBenchDatabase } from './support.js';
import { keepConnectionsAlive, startEmulatorProcess, type EmulatorReport } from './telegram-emulator-process.js';

const recipients = numberFlag('recipients', 20_000);
const limit = numberFlag('limit', 1000);
const concurrency = numberFlag('concurrency', 256);
const claimBatch = numberFlag('claim-batch', 64);
const senderKind = stringFlag('sender', 'adapter', ['adapter', 'paced', 'null']);
const emulatorKind = stringFlag('emulator', 'process', ['process', 'inline']);
const FIRST_CHAT = 500_000_000;

function stringFlag<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  return v && (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
}

/** The pid of the FerretDB launcher whose command line contains `needle` (Linux /proc): the bench's database. */
function findProcess(needle: string): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.split('\0')[0]?.endsWith('ferretdb-launcher') && cmd.includes(needle)) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** CPU time (user + system) a process has used, in ms. */
function processCpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

interface Emulator {
  apiRoot: string;
  token: string;
  report(): Promise<EmulatorReport>;
  stop(): Promise<void>;
}

async function startEmulator(): Promise<Emulator> {
  const options = { globalRatePerSec: limit, perChatRatePerSec: 1 };
  if (emulatorKind === 'process') return startEmulatorProcess(options);
  const tg = new TelegramEmulator(options);
  const apiRoot = await tg.start();
  keepConnectionsAlive(tg);
  return {
    apiRoot,
    token: tg.token,
    async report() {
      const sendsPerChat: Record<string, number> = {};
      let firstAt = Infinity;
      let lastAt = 0;
      for (const c of tg.calls) {
        if (c.method !== 'sendMessage' || !c.ok) continue;
        sendsPerChat[String(c.chat_id)] = (sendsPerChat[String(c.chat_id)] ?? 0) + 1;
        firstAt = Math.min(firstAt, c.at);
        lastAt = Math.max(lastAt, c.at);
      }
      return { tooManyRequests: tg.stats.tooManyRequests, sendsPerChat, firstAt, lastAt, calls: tg.calls.length, cpuMs: 0 };
    },
    stop: () => tg.stop(),
  };
}

await withBenchDatabase('broadcast', async ({ kind }) => {
  const emulator = senderKind === 'null' ? undefined : await startEmulator();
  try {
    const log = silentLogger();
    const config = loadConfig({ LOG_LEVEL: 'silent', TELEGRAM_BOT_TOKEN: emulator?.token ?? '1:x', TELEGRAM_API_ROOT: emulator?.apiRoot ?? 'http://127.0.0.1:9' }, { envFile: null });
    const notifier = new RoutingNotifier();
    const core = createApp({ config, notifier, log, now: () => new Date() });
    let stopSender = async () => {};
    let sender: PlatformSender;
    if (senderKind === 'adapter' || senderKind === 'paced') {
      // The adapter's sender; `paced` swaps its transformer-throttler for the pacer, at the same limits.
      const paced = senderKind === 'paced';
      const adapter = createTelegramAdapter({ config, core, log, limits: paced ? false : { globalPerSec: limit, perChatPerSec: 1 } });
      if (paced) adapter.bot.api.config.use(telegramPacer({ globalPerSec: limit, perChatPerSec: 1 }));
      sender = adapter.sender;
      stopSender = () => adapter.stop();
    } else {
      sender = { platform: 'telegram', send: async () => ({ ok: true, platform: 'telegram' }) };
    }
    notifier.register(sender);

    // A bench run must not wait for quiet hours: every customer lives where it is about midday now.
    const etc = new Date().getUTCHours() - 12; // Etc/GMT+N is N hours *behind* UTC
    const zone = etc === 0 ? 'Etc/GMT' : `Etc/GMT${etc > 0 ? '+' : ''}${etc}`;

    // Recipients: customers with consent and a Telegram chat each, written in bulk.
    const seedStart = performance.now();
    for (let from = 0; from < recipients; from += 1000) {
      const ids = Array.from({ length: Math.min(1000, recipients - from) }, (_, k) => from + k + 1);
      await Customer.insertMany(
        ids.map((id) => ({ _id: id, name: `Customer ${id}`, nameKey: `customer ${id}`, tags: ['bench'], consent: { promotions: true }, timeZone: zone, status: 'active' })),
        { lean: true },
      );
      await Identity.collection.insertMany(
        ids.map((id) => ({ _id: `telegram:${FIRST_CHAT + id}`, platform: 'telegram', platformUserId: String(FIRST_CHAT + id), kind: 'customer', refId: String(id), chatId: String(FIRST_CHAT + id) })) as never[],
      );
    }
    const seedSecs = (performance.now() - seedStart) / 1000;

    const now = new Date();
    const created = await createCampaign(parsePromoNew('#bench at now: Spring sale — 20% off everything this week!', { now, zone }), { by: 'bench', now, config });

    const memory = sampleMemory();
    const freezeStart = performance.now();
    const frozen = await freezeCampaign(created, { now: new Date(), config, log });
    const freezeSecs = (performance.now() - freezeStart) / 1000;

    const cpu0 = process.cpuUsage();
    const emulatorCpu0 = (await emulator?.report())?.cpuMs ?? 0;
    const dbPid = kind === 'ferretdb' ? findProcess('bench-db') : undefined;
    const dbCpu0 = dbPid ? processCpuMs(dbPid) : 0;
    const drainStart = performance.now();
    const summary = await drainCampaign(created._id, { senders: (p) => notifier.senderFor(p), now: () => new Date(), worker: 'bench', log, concurrency, claimBatch });
    const drainSecs = (performance.now() - drainStart) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const dbCpuMs = dbPid ? processCpuMs(dbPid) - dbCpu0 : undefined;
    const peakMb = memory.stop();
    const campaign = (await Campaign.findById(created._id).lean<CampaignDoc>())!;
    const rate = summary.sent / drainSecs;
    const pct = (r: number) => `${((r / limit) * 100).toFixed(1)}%`;

    console.log(`bench/broadcast — ${recipients} recipients, limit ${limit}/s, sender: ${senderKind}, emulator: ${emulator ? emulatorKind : 'none'}, database: ${kind}`);
    console.log(`  seed (customers + identities) : ${seedSecs.toFixed(1)} s`);
    console.log(`  freeze (audience → deliveries): ${freezeSecs.toFixed(1)} s  (${frozen.insertedRecipients} recipients frozen)`);
    console.log(`  drain                         : ${drainSecs.toFixed(1)} s  sent ${summary.sent}, failed ${summary.failed}, campaign ${campaign.status}; CPU of this process ${((cpu.user + cpu.system) / 1000 / Math.max(1, summary.sent)).toFixed(2)} ms/message`);
    console.log(`  achieved rate (drain)         : ${rate.toFixed(0)}/s = ${pct(rate)} of the limit (target ≥ 90%)`);
    if (emulator) {
      const report = await emulator.report();
      const counts = Object.values(report.sendsPerChat);
      const duplicates = counts.filter((n) => n > 1).length;
      let losses = 0;
      for (let id = 1; id <= recipients; id++) if (!report.sendsPerChat[String(FIRST_CHAT + id)]) losses++;
      const windowRate = counts.reduce((a, b) => a + b, 0) / Math.max(0.001, (report.lastAt - report.firstAt) / 1000);
      console.log(`  rate at the emulator          : ${windowRate.toFixed(0)}/s = ${pct(windowRate)} between its first and last message`);
      console.log(`  429s received                 : ${report.tooManyRequests}`);
      console.log(`  duplicates                    : ${duplicates} chat(s) with more than one message (target 0)`);
      console.log(`  losses                        : ${losses} recipient(s) without a message (target 0)`);
      const per = (ms: number) => (ms / Math.max(1, summary.sent)).toFixed(2);
      const ours = (cpu.user + cpu.system) / 1000;
      const emu = report.cpuMs - emulatorCpu0;
      const total = ours + emu + (dbCpuMs ?? 0);
      console.log(
        `  CPU per message               : drain+sender ${per(ours)} ms, emulator ${per(emu)} ms${dbCpuMs === undefined ? '' : `, database ${per(dbCpuMs)} ms`}` +
          ` = ${per(total)} ms in all (${(summary.sent / (total / 1000)).toFixed(0)} messages per CPU-second); this run got ${(total / 1000 / drainSecs).toFixed(2)} CPU on average`,
      );
    }
    console.log(`  peak RSS                      : ${peakMb} MB; drain options: concurrency ${concurrency}, claim batch ${claimBatch}`);
    await stopSender();
  } finally {
    await emulator?.stop();
  }
});
