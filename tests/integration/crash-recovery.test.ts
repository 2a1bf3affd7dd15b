/**
 * Kill -9, for real: a child process works on this file's database (the suite's server, reached
 * through MONGODB_URI plus this file's database name, so it needs no data-folder lock), is killed
 * with SIGKILL part-way, and the work is resumed here.
 *
 * - Import: `scripts/import.ts` imports a generated CSV; killed once some of it is written. Importing
 *   the file again adds every row exactly once (same customers, contact keys and notes as a clean
 *   import), its report tells what this run did, and it takes about as long as a clean import.
 * - Broadcast: a child drains a promotion through the Telegram adapter's sender into the Telegram
 *   emulator running here (what reached the "platform" is recorded outside the child); killed
 *   mid-send. Nobody gets two messages; the next drain sends everyone who was not in flight; only
 *   the sends in flight (a handful) are uncertain, listed by `promo stats` and sent by
 *   `promo resend-uncertain`.
 *
 * Children run as `node --import tsx <file>` (see data-folder-lock.test.ts). Nothing sleeps a fixed
 * time: every wait polls a condition; children still running are killed in afterAll.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'csv-stringify/sync';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../models/index.js';
import { AuditEvent, ContactKey, Counter, Customer, Interaction } from '../../models/index.js';
import { Campaign, type CampaignDoc } from '../../models/campaign.js';
import { Identity } from '../../models/identity.js';
import { createTelegramAdapter, type TelegramAdapter } from '../../bots/telegram/index.js';
import { createApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Incoming } from '../../src/core/types.js';
import { silentLogger } from '../../src/log.js';
import { freezeCampaign } from '../../src/services/campaigns/audience.js';
import { campaignStats, createCampaign, parsePromoNew } from '../../src/services/campaigns/campaigns.js';
import { campaignFacts, callMarkedAt } from '../../src/services/campaigns/deliveries.js';
import { drainCampaign } from '../../src/services/campaigns/drain.js';
import { importCustomers, type ImportProgress } from '../../src/services/import/customers.js';
import { RoutingNotifier } from '../../src/services/notifier.js';
import { createTestChat, replyText, type Person } from '../support/chat.js';
import { useTestDatabase } from '../support/db.js';
import { seededRandom } from '../support/rng.js';
import { TelegramEmulator } from '../support/telegram-emulator.js';
import { nextDeliveryId } from '../support/test-app.js';

const db = useTestDatabase('crash_recovery');
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
// `--import tsx` resolves from the cwd; the children run in an empty temp dir, so name the loader by path.
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const log = silentLogger();

interface Proc {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exited: () => boolean;
  /** Resolves once the process is gone. */
  exit: Promise<void>;
}

const running = new Set<Proc>();
let tmp: string;

/** The suite's server with this file's database as the connection string's database. */
function uriWithDatabase(): string {
  return db.uri.replace(/^(mongodb(?:\+srv)?:\/\/[^/?]*)\/?([^?]*)/, `$1/${db.dbName}`);
}

function spawnChild(file: string, args: string[], env: Record<string, string>): Proc {
  const keep = Object.entries(process.env).filter(([k, v]) => v !== undefined && /^(PATH|HOME|TMPDIR|LANG)$/.test(k)) as [string, string][];
  const child = spawn(process.execPath, ['--import', tsxLoader, file, ...args], {
    cwd: tmp,
    env: { ...Object.fromEntries(keep), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc: Proc = {
    child,
    stdout: '',
    stderr: '',
    exited: () => child.exitCode !== null || child.signalCode !== null,
    exit: new Promise((resolve) => child.once('close', () => resolve())),
  };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (proc.stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (proc.stderr += d));
  running.add(proc);
  void proc.exit.then(() => running.delete(proc));
  return proc;
}

/** Polls `condition` every 10 ms until it holds; fails with `describe()` after `timeoutMs`. */
async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, describe: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out: ${describe()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** SIGKILL, then waits until the server has finished the dead client's last command (counts stop moving). */
async function killNow(proc: Proc, counts: () => Promise<string>): Promise<void> {
  proc.child.kill('SIGKILL');
  await proc.exit;
  let last = await counts();
  let same = 0;
  await until(
    async () => {
      const now = await counts();
      same = now === last ? same + 1 : 0;
      last = now;
      return same >= 3;
    },
    10_000,
    () => `the database kept changing after the kill: ${last}`,
  );
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'chatcrm-crash-'));
});

afterAll(async () => {
  for (const proc of running) {
    proc.child.kill('SIGKILL');
    await proc.exit;
  }
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('an import killed with SIGKILL', () => {
  /**
   * A shop's list: unique phones, some e-mails, a third with a note, 1% without any contact, 10%
   * repeating an earlier row, and 25% a later call with an earlier customer (a new note for them:
   * so a batch's writes take a while, and a kill often lands after the next batch has claimed its
   * keys but before it has written its customers — the hardest state to resume from).
   */
  async function writeCsv(file: string, n: number): Promise<void> {
    const random = seededRandom(11);
    const rows: string[][] = [['Họ tên', 'Số điện thoại', 'Email', 'Nhãn', 'Ghi chú']];
    const made: string[][] = [];
    for (let i = 0; i < n; i++) {
      const r = random();
      const earlier = made[Math.floor(random() * made.length)];
      if (r < 0.01) rows.push([`Không liên lạc ${i}`, '', '', 'vip', '']);
      else if (r < 0.11 && earlier) {
        const [name, phone, email, tag, note] = earlier;
        rows.push([name!.toUpperCase(), phone!.replace(/ /g, '.'), email!.toUpperCase(), tag!, note!]);
      } else if (r < 0.36 && earlier) {
        rows.push([earlier[0]!, earlier[1]!, '', '', `Gọi lại lần ${i}`]);
      } else {
        const phone = `09${String(10_000_000 + i).slice(-8)}`;
        const row = [`Khách ${i}`, `${phone.slice(0, 4)} ${phone.slice(4, 7)} ${phone.slice(7)}`, random() < 0.5 ? `khach.${i}@example.vn` : '', random() < 0.3 ? 'vip' : '', random() < 0.33 ? `Ghi chú ${i % 7}` : ''];
        made.push(row);
        rows.push(row);
      }
    }
    await writeFile(file, stringify(rows));
  }

  async function counts(): Promise<{ customers: number; keys: number; notes: number }> {
    const [customers, keys, notes] = await Promise.all([Customer.countDocuments(), ContactKey.countDocuments(), Interaction.countDocuments({ kind: 'note' })]);
    return { customers, keys, notes };
  }

  /** Drops what an import writes (FerretDB cannot deleteMany({}) a large collection) and re-creates the indexes. */
  async function emptyImported(): Promise<void> {
    for (const model of [Customer, ContactKey, Interaction, Counter, AuditEvent] as const) {
      await model.collection.drop().catch(() => undefined);
      await model.createCollection();
      await model.createIndexes();
    }
  }

  it('importing the file again adds every row exactly once, reports what it did, shows progress, and takes about as long as a clean import', async () => {
    const file = join(tmp, 'customers.csv');
    await writeCsv(file, 4000);
    const options = { region: 'VN', by: 'script:import' };

    const cleanStart = performance.now();
    const clean = await importCustomers(createReadStream(file), options);
    const cleanMs = performance.now() - cleanStart;
    const reference = await counts();
    expect(clean.created).toBe(reference.customers);
    await emptyImported();

    // `npm run import` in a child, killed once about 40% of the contact keys are claimed — preferably
    // just after a batch claimed its keys and before it wrote its customers (the hardest case to resume).
    const importer = spawnChild(join(repoRoot, 'scripts', 'import.ts'), [file], { MONGODB_URI: uriWithDatabase() });
    let previousKeys = 0;
    await until(
      async () => {
        if (importer.exited()) return true;
        const keys = await ContactKey.estimatedDocumentCount();
        const justClaimed = keys - previousKeys >= 200; // a batch's keys arrive in one insert, its customers next
        previousKeys = keys;
        return (keys >= 0.3 * reference.keys && justClaimed) || keys >= 0.6 * reference.keys;
      },
      60_000,
      () => `the import did not get going:\n${importer.stderr}`,
    );
    expect(importer.exited(), importer.stderr).toBe(false);
    await killNow(importer, async () => JSON.stringify(await counts()));
    const killed = await counts();
    expect(importer.stdout).toBe(''); // it never got to its report
    expect(killed.customers).toBeGreaterThan(0);
    expect(killed.customers).toBeLessThan(reference.customers);
    const existing = new Set((await Customer.find({}, { _id: 1 }).lean()).map((c) => c._id));
    const dangling = (await ContactKey.find({}, { customerId: 1 }).lean()).filter((k) => !existing.has(k.customerId)).length;

    const progress: ImportProgress[] = [];
    const rerunStart = performance.now();
    const again = await importCustomers(createReadStream(file), { ...options, progressEvery: 1000, progressEveryMs: 500, onProgress: (p) => progress.push(p) });
    const rerunMs = performance.now() - rerunStart;
    const after = await counts();
    const figures = `clean ${cleanMs.toFixed(0)} ms, re-run ${rerunMs.toFixed(0)} ms; killed at ${JSON.stringify(killed)} with ${dangling} dangling key(s)`;

    // Every row exactly once: the same customers, keys and notes as the clean import.
    expect(after, figures).toEqual(reference);
    // The report tells what this run did.
    expect(again.rows).toBe(clean.rows);
    expect(again.rejected.map((r) => r.row)).toEqual(clean.rejected.map((r) => r.row));
    expect(again.created).toBe(after.customers - killed.customers);
    expect(again.created + again.updated + again.unchanged + again.rejected.length).toBe(again.rows);
    expect(again.unchanged).toBeGreaterThan(0);
    // Each contact key's customer exists and holds that detail; no detail is on two customers.
    const customers = await Customer.find({}, { phones: 1, emails: 1 }).lean();
    const details = customers.flatMap((c) => [...c.phones.map((p) => `phone:${p}:${c._id}`), ...c.emails.map((e) => `email:${e}:${c._id}`)]);
    const keys = (await ContactKey.find({}, { customerId: 1 }).lean()).map((k) => `${k._id}:${k.customerId}`);
    expect(details.sort()).toEqual(keys.sort());
    // Progress was reported as it went, and the re-run costs about what the clean import did.
    expect(progress.length).toBeGreaterThanOrEqual(3);
    expect(progress.map((p) => p.rows)).toEqual([...progress.map((p) => p.rows)].sort((a, b) => a - b));
    const gaps = progress.map((p, i) => p.elapsedMs - (progress[i - 1]?.elapsedMs ?? 0));
    expect(Math.max(...gaps), `reports at ${progress.map((p) => p.elapsedMs).join(', ')} ms`).toBeLessThan(3000); // never silent for long
    expect(progress.at(-1)).toMatchObject({ rows: again.rows, created: again.created, updated: again.updated, unchanged: again.unchanged });
    expect(rerunMs, figures).toBeLessThan(3 * cleanMs + 1000);
  }, 90_000);
});

describe('a broadcast killed with SIGKILL mid-send', () => {
  const RATE = 100; // messages per second, for the emulator and the adapter's throttler
  const RECIPIENTS = 300;
  const FIRST_CHAT = 700_000_000;
  const manager: Person = { platform: 'telegram', userId: '3901', displayName: 'Mai' };
  let tg: TelegramEmulator;
  let adapter: TelegramAdapter | undefined;

  beforeAll(async () => {
    tg = new TelegramEmulator({ globalRatePerSec: RATE, perChatRatePerSec: 1 });
  });

  afterAll(async () => {
    await adapter?.stop();
    await tg.stop();
  });

  /** Messages per chat that reached the emulator. */
  function messagesPerChat(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const m of tg.sent()) counts.set(String(m.chat_id), (counts.get(String(m.chat_id)) ?? 0) + 1);
    return counts;
  }

  it('sends nobody two messages, resumes everyone not in flight, and leaves only the in-flight sends uncertain for a person to resend', async () => {
    const apiRoot = await tg.start();
    const config = loadConfig({ LOG_LEVEL: 'silent', TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: apiRoot }, { envFile: null });

    // A manager (hired the real way), and recipients who all live where it is about midday now and in 16 minutes.
    await createTestChat().hire('manager', manager);
    const etc = new Date().getUTCHours() - 12; // Etc/GMT+N is N hours *behind* UTC
    const zone = etc === 0 ? 'Etc/GMT' : `Etc/GMT${etc > 0 ? '+' : ''}${etc}`;
    const ids = Array.from({ length: RECIPIENTS }, (_, i) => i + 1);
    await Customer.insertMany(
      ids.map((i) => ({ _id: `C${9000 + i}`, name: `Customer ${i}`, nameKey: `customer ${i}`, tags: ['crash'], consent: { promotions: true }, timeZone: zone, status: 'active' })),
    );
    await Identity.collection.insertMany(
      ids.map((i) => ({ _id: `telegram:${FIRST_CHAT + i}`, platform: 'telegram', platformUserId: String(FIRST_CHAT + i), kind: 'customer', refId: `C${9000 + i}`, chatId: String(FIRST_CHAT + i) })) as never[],
    );
    const created = await createCampaign(parsePromoNew('#crash at now: Flash sale today', { now: new Date(), zone }), { by: 'staff:test', now: new Date(), config });
    await freezeCampaign(created, { now: new Date(), config, log });
    const chatOf = (deliveryId: string) => String(FIRST_CHAT + Number(deliveryId.slice(deliveryId.lastIndexOf(':C') + 2)) - 9000);

    // The child drains through the real adapter sender (its throttler set to the emulator's limit); killed mid-send.
    const script = join(tmp, 'drain-child.mts');
    const from = (path: string) => JSON.stringify(pathToFileURL(join(repoRoot, path)).href);
    await writeFile(
      script,
      `import ${from('models/index.js')};
import { connectMongoose } from ${from('src/db/connect.js')};
import { loadConfig } from ${from('src/config.js')};
import { createApp } from ${from('src/app.js')};
import { createTelegramAdapter } from ${from('bots/telegram/index.js')};
import { RoutingNotifier } from ${from('src/services/notifier.js')};
import { silentLogger } from ${from('src/log.js')};
import { drainCampaign } from ${from('src/services/campaigns/drain.js')};
const env = process.env;
await connectMongoose(env.MONGODB_URI, env.TEST_DB);
const config = loadConfig({ LOG_LEVEL: 'silent', TELEGRAM_BOT_TOKEN: env.TOKEN, TELEGRAM_API_ROOT: env.API_ROOT }, { envFile: null });
const notifier = new RoutingNotifier();
const log = silentLogger();
const adapter = createTelegramAdapter({ config, core: createApp({ config, notifier, log, now: () => new Date() }), log, limits: { globalPerSec: Number(env.RATE), perChatPerSec: 1 } });
notifier.register(adapter.sender);
const summary = await drainCampaign(env.CAMPAIGN, { senders: (p) => notifier.senderFor(p), now: () => new Date(), worker: 'child', log });
process.stdout.write(JSON.stringify(summary) + '\\n');
process.exit(0);
`,
    );
    const drainer = spawnChild(script, [], { MONGODB_URI: db.uri, TEST_DB: db.dbName, TOKEN: tg.token, API_ROOT: apiRoot, RATE: String(RATE), CAMPAIGN: created._id });
    await until(() => drainer.exited() || tg.sent().length >= 60, 60_000, () => `the child did not send:\n${drainer.stderr}`);
    expect(drainer.exited(), drainer.stderr).toBe(false);
    await killNow(drainer, async () => `${tg.calls.length}`);
    expect(drainer.stdout).toBe('');
    const sentByChild = tg.sent().length;
    expect(sentByChild).toBeLessThan(RECIPIENTS);
    expect([...messagesPerChat().values()].filter((n) => n > 1)).toEqual([]);

    // What the dead child left: marked calls without an outcome (uncertain) — a handful — and claims it never called.
    const facts = await campaignFacts(created._id);
    const inFlight = [...facts].filter(([, f]) => callMarkedAt(f) && !f.result).map(([id]) => id);
    const claimedNotCalled = [...facts].filter(([, f]) => f.attemptLease && !callMarkedAt(f) && !f.result).length;
    expect(inFlight.length).toBeGreaterThanOrEqual(1);
    expect(inFlight.length).toBeLessThanOrEqual(16); // claims made ahead of the calls left 35 here

    // The next run here: everyone not in flight gets exactly one message; the in-flight ones are left alone.
    const notifier = new RoutingNotifier();
    const clock = { now: new Date() };
    const core = createApp({ config, notifier, log, now: () => new Date(clock.now.getTime()) });
    adapter = createTelegramAdapter({ config, core, log, limits: { globalPerSec: RATE, perChatPerSec: 1 } });
    notifier.register(adapter.sender);
    const senders = (p: string) => notifier.senderFor(p as 'telegram');
    const next = await drainCampaign(created._id, { senders, now: () => new Date(), worker: 'next', log });
    expect(next).toMatchObject({ inFlightElsewhere: inFlight.length, resumed: claimedNotCalled, done: false });
    const perChat = messagesPerChat();
    expect([...perChat.values()].filter((n) => n > 1)).toEqual([]);
    const uncertainChats = new Set(inFlight.map(chatOf));
    for (const i of ids) {
      const chat = String(FIRST_CHAT + i);
      if (!uncertainChats.has(chat)) expect(perChat.get(chat), chat).toBe(1);
    }

    // 16 minutes later nobody can still be sending them: recorded interrupted, listed as uncertain, not resent.
    clock.now = new Date(Date.now() + 16 * 60_000);
    const sweep = await drainCampaign(created._id, { senders, now: () => new Date(clock.now.getTime()), worker: 'sweep', log });
    expect(sweep).toMatchObject({ sent: 0, interrupted: inFlight.length, done: true });
    expect((await campaignStats(created._id, { now: clock.now })).uncertain.count).toBe(inFlight.length);
    const say = async (text: string) =>
      replyText(await core.handle({ platform: manager.platform, userId: manager.userId, chatId: manager.userId, displayName: manager.displayName, text, deliveryId: nextDeliveryId() } satisfies Incoming));
    const stats = await say(`promo stats ${created._id}`);
    expect(stats).toContain(`Uncertain ${inFlight.length}: `);
    expect(stats).toContain(`promo resend-uncertain ${created._id}`);
    expect(messagesPerChat()).toEqual(perChat);

    // A person resends them: each uncertain recipient now has a message; only they can have two; never a third.
    expect(await say(`promo resend-uncertain ${created._id}`)).toBe(`Resent ${inFlight.length} uncertain send(s) of ${created._id}.`);
    const final = messagesPerChat();
    for (const i of ids) expect(final.get(String(FIRST_CHAT + i)), String(i)).toBeGreaterThanOrEqual(1);
    expect([...final].filter(([, n]) => n > 1).every(([chat, n]) => uncertainChats.has(chat) && n === 2)).toBe(true);
    expect(await say(`promo resend-uncertain ${created._id}`)).toBe(`${created._id} has no uncertain sends.`);
    expect(messagesPerChat()).toEqual(final);
    expect((await Campaign.findById(created._id).lean<CampaignDoc>())?.counters).toMatchObject({ frozen: RECIPIENTS, sent: RECIPIENTS, failed: 0 });
    expect(mongoose.connection.name).toBe(db.dbName);
  }, 90_000);
});
