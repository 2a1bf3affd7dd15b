/**
 * `npm run demo`: the whole loop in under a minute, offline. It starts a local database (as
 * `npm start` does), the Telegram Bot API and Slack Web API emulators from tests/support, and the
 * app itself — core, HTTP server, Telegram adapter (webhook mode, real grammY) and Slack adapter
 * (real Bolt) — then plays a scripted conversation through real HTTP and prints the transcript:
 * what each person sent and what the bot answered, read from the emulators' recorded API calls.
 *
 * The story: the owner (Telegram) invites a salesperson and a manager; the salesperson logs a
 * lead; the customer writes to the shop's bot, says yes to offers and shares her phone (which
 * links her to the lead); her message reaches the salesperson; the salesperson records an order
 * and marks it paid; the customer asks /orders; the manager looks her up on Slack.
 *
 * It uses its own database (`chatcrm_demo_<random>`, dropped at the end) and the emulators' real
 * rate limits (1 message/s per chat), so the pauses you see are the throttler at work.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { startSlack, type SlackAdapter } from '../bots/slack/index.js';
import { TELEGRAM_LIMITS } from '../bots/telegram/index.js';
import { loadConfig } from '../src/config.js';
import { connectMongoose, disconnectMongoose, resolveDatabaseServer, type DatabaseServer } from '../src/db/index.js';
import { SlackEmulator } from '../tests/support/slack-emulator.js';
import { startTelegramHarness, type Delivery, type TelegramHarness } from '../tests/support/telegram-harness.js';
import '../models/index.js';
import '../models/telegram-callback.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const started = Date.now();

// The cast, by platform user id.
const OWNER = { id: 1001, name: 'Olga (owner, Telegram)', first: 'Olga', last: 'Tran' };
const SALES = { id: 1002, name: 'Sam (sales, Telegram)', first: 'Sam', last: 'Le' };
const CUSTOMER = { id: 2001, name: 'Anna (customer, Telegram)', first: 'Anna', last: 'Nguyen' };
const MANAGER = { id: 'UMAI', name: 'Mai (manager, Slack)' };
/** A customer whose Telegram is set to Vietnamese: the bot answers her in Vietnamese. */
const CUSTOMER_VI = { id: 2002, name: 'Hương (customer, Telegram, tiếng Việt)', first: 'Hương', last: 'Trần' };
const names = new Map<string, string>([OWNER, SALES, CUSTOMER, CUSTOMER_VI].map((p) => [String(p.id), p.name]));

const out = (line = '') => process.stdout.write(`${line}\n`);
const indent = (text: string, pad: string) => text.split('\n').join(`\n${pad}`);
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;

function section(title: string): void {
  out();
  out(`── ${title} ${'─'.repeat(Math.max(0, 70 - title.length))}`);
}

/** Prints what the bot sent while handling one update: to the sender first, then notifications to others. */
function printTelegram(h: TelegramHarness, fromId: number, d: Delivery): void {
  const ordered = [...d.sent.filter((s) => String(s.chat_id) === String(fromId)), ...d.sent.filter((s) => String(s.chat_id) !== String(fromId))];
  for (const s of ordered) {
    const to = String(s.chat_id) === String(fromId) ? 'bot' : `bot → ${names.get(String(s.chat_id)) ?? s.chat_id}`;
    const pad = ' '.repeat(to.length + 6);
    out(`    ${to}: ${indent(s.text ?? s.caption ?? '', pad)}`);
    const buttons = h.buttonsOf(s).map((b) => `[${b.label}]`);
    const markup = s.reply_markup as { keyboard?: { text: string }[][] } | undefined;
    for (const row of markup?.keyboard ?? []) for (const b of row) buttons.push(`[📱 ${b.text}]`);
    if (buttons.length) out(`${pad}${buttons.join(' ')}`);
  }
  if (d.sent.length === 0) out('    (no answer)');
}

async function main(): Promise<void> {
  const base = loadConfig();
  let db: DatabaseServer | undefined;
  let h: TelegramHarness | undefined;
  let slack: SlackEmulator | undefined;
  let slackAdapter: SlackAdapter | undefined;
  const dbName = `chatcrm_demo_${randomBytes(3).toString('hex')}`;
  try {
    db = await resolveDatabaseServer({
      mongodbUri: base.MONGODB_URI,
      // Its own folder, so a running `npm start` on ./data is never disturbed.
      dataDir: join(resolve(base.DATA_DIR), 'demo'),
      repoRoot,
      env: process.env,
      log: (m) => out(`[db] ${m}`),
    });
    await connectMongoose(db.uri, dbName);

    slack = new SlackEmulator();
    const slackApi = await slack.start();
    slack.addUser({ id: MANAGER.id, name: 'mai', realName: 'Mai Pham', tz: 'Asia/Ho_Chi_Minh' });

    h = await startTelegramHarness({
      ownerIds: [OWNER.id],
      emulator: { perChatRatePerSec: 1, globalRatePerSec: 30 },
      limits: TELEGRAM_LIMITS,
      env: { SLACK_BOT_TOKEN: slack.botToken, SLACK_SIGNING_SECRET: slack.signingSecret, SLACK_API_URL: slack.apiUrl },
    });
    // --- Slack: the same core, sender on the same notifier, /slack/events on the same HTTP server ---
    slackAdapter = await startSlack({ config: h.config, core: h.core, log: h.core.deps.log, notifier: h.notifier, http: h.http });
    const slackUrl = h.webhookUrl.replace('/telegram/webhook', '/slack/events');
    out(`Database ${db.kind} (${dbName}) · Telegram emulator ${h.config.TELEGRAM_API_ROOT} · Slack emulator ${slackApi} · app ${new URL(h.webhookUrl).origin}`);

    const tg = h;
    const say = async (who: typeof OWNER, line: string, languageCode?: string): Promise<Delivery> => {
      out(`  ${who.name} > ${line}`);
      const d = await tg.say(who.id, line, { firstName: who.first, lastName: who.last, ...(languageCode ? { languageCode } : {}) });
      printTelegram(tg, who.id, d);
      return d;
    };
    const press = async (who: typeof OWNER, label: string): Promise<Delivery> => {
      out(`  ${who.name} taps [${label}]`);
      const d = await tg.press(who.id, label);
      printTelegram(tg, who.id, d);
      return d;
    };
    const slackDm = async (line: string): Promise<void> => {
      out(`  ${MANAGER.name} > ${line}   (direct message to the app)`);
      const since = slack!.calls.length;
      await slack!.postEvent(slackUrl, slack!.dmMessageEvent({ userId: MANAGER.id, text: line }));
      await slack!.waitFor((c) => c.method === 'chat.postMessage' && c.channel === `D${MANAGER.id}`, 10_000, { since });
      await slackAdapter!.idle();
      for (const c of slack!.calls.slice(since).filter((c) => c.ok && c.method === 'chat.postMessage')) {
        const shown = (c.text ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
        out(`    bot: ${indent(shown, '         ')}`);
      }
    };

    section('The owner brings the team in');
    const invite = await say(OWNER, '/invite sales');
    const salesCode = /: ([A-Z0-9]{6,12})\n/.exec(invite.texts[0] ?? '')?.[1] ?? '?';
    await say(SALES, `/join ${salesCode}`);
    const invite2 = await say(OWNER, '/invite manager');
    const managerCode = /: ([A-Z0-9]{6,12})\n/.exec(invite2.texts[0] ?? '')?.[1] ?? '?';
    await slackDm(`join ${managerCode}`);

    section('A salesperson logs a lead on Telegram');
    const lead = await say(SALES, '/lead Anna Nguyen +84 912 345 678 #vip met at the expo, wants the blue áo dài');
    const customerRef = /C\d+/.exec(lead.texts[0] ?? '')?.[0] ?? 'C1';

    section('The customer writes to the shop bot');
    await say(CUSTOMER, '/start');
    out(`  ${CUSTOMER.name} shares her phone number (contact button)`);
    const shared = await tg.deliver(tg.tg.contactUpdate({ fromId: CUSTOMER.id, phone: '+84912345678', firstName: CUSTOMER.first, lastName: CUSTOMER.last }));
    printTelegram(tg, CUSTOMER.id, shared);
    await press(CUSTOMER, 'Yes, send me offers');
    await say(CUSTOMER, 'Do you still have the blue áo dài in size M?');

    section('The salesperson answers her');
    await say(SALES, `/reply ${customerRef} Yes, size M is in stock. Shall I put one aside for you?`);

    section('A customer writes in Vietnamese');
    await say(CUSTOMER_VI, 'Cho em hỏi áo dài đỏ còn size S không ạ?', 'vi');
    await say(OWNER, '/inbox');

    section('The salesperson records the order');
    await say(SALES, `/order ${customerRef} 1.2m 1x blue áo dài size M`);
    await press(SALES, 'Mark paid');

    section('The customer checks her orders');
    await say(CUSTOMER, '/orders');

    section('A manager looks the customer up on Slack');
    await slackDm(`customer ${customerRef}`);

    section(`Done in ${seconds()}`);
    out(`  Telegram API calls: ${tg.tg.calls.length} (429s answered by the emulator: ${tg.tg.stats.tooManyRequests}) · Slack API calls: ${slack.calls.length}`);
  } finally {
    await h?.stop().catch(() => undefined);
    await slackAdapter?.stop().catch(() => undefined);
    await slack?.stop().catch(() => undefined);
    if (mongoose.connection.readyState === mongoose.ConnectionStates.connected) {
      await mongoose.connection.dropDatabase().catch(() => undefined);
    }
    await disconnectMongoose().catch(() => undefined);
    await db?.stop().catch(() => undefined);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`Demo failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
