/**
 * The whole Telegram stack on loopback, for e2e tests, the demo and the benchmark:
 * a {@link TelegramEmulator}, the app's stack (./app-stack.ts: the core built like
 * src/main.ts builds it, the HTTP server) with the adapter's webhook mounted, and
 * the adapter in webhook mode with its sender registered on the RoutingNotifier.
 *
 * Why: every Telegram test is "a person sends X → the bot answers Y"; this puts
 * that in one call ({@link TelegramHarness.say}) that posts the update exactly as
 * Telegram would (real HTTP, the secret header) and waits until the adapter has
 * sent everything, then returns what the bot sent to each chat. Mongoose must
 * already be connected (useTestDatabase in tests; the demo connects its own).
 *
 * @example
 *   const h = await startTelegramHarness({ ownerIds: [1001] });
 *   const { texts } = await h.say(1001, '/lead Anna +84912345678');
 *   expect(texts).toEqual([expect.stringMatching(/^New lead C\d+ Anna saved\.$/)]);
 *   await h.stop();
 */
import type { Update } from 'grammy/types';
import { createTelegramAdapter, TELEGRAM_WEBHOOK_PATH, type TelegramAdapter, type TelegramLimits } from '../../bots/telegram/index.js';
import type { Config } from '../../src/config.js';
import type { Core } from '../../src/core/handle.js';
import type { HttpServer } from '../../src/http/server.js';
import type { Logger } from '../../src/log.js';
import type { RoutingNotifier } from '../../src/services/notifier.js';
import { startAppStack } from './app-stack.js';
import { TelegramEmulator, type TelegramCallRecord, type TelegramEmulatorOptions, type TelegramSentRecord } from './telegram-emulator.js';
import type { TextUpdateInput } from './telegram-updates.js';

export const TELEGRAM_TEST_SECRET = 'e2e-webhook-secret';
const SEND_METHODS = new Set(['sendMessage', 'sendDocument', 'sendPhoto']);

export interface TelegramHarnessOptions {
  /** Telegram user ids that are owners from the start (OWNER_TELEGRAM_IDS). */
  ownerIds?: number[];
  /** Emulator options; by default its rate limits are off (tests of limits turn them on). */
  emulator?: TelegramEmulatorOptions;
  /** The adapter's outbound limits; default: high enough never to slow a test down. */
  limits?: TelegramLimits | false;
  /** More configuration keys. */
  env?: Record<string, string>;
  log?: Logger;
  /** Use this running emulator instead of starting one (it is then not stopped by `stop()`). */
  tg?: TelegramEmulator;
}

/** What one delivered update made the bot do. */
export interface Delivery {
  /** The webhook's HTTP status. */
  status: number;
  /** Every API call the bot made while handling it (including answerCallbackQuery). */
  calls: TelegramCallRecord[];
  /** Messages the bot sent (successful sendMessage/sendDocument/sendPhoto calls), in order. */
  sent: TelegramCallRecord[];
  /** Texts (or captions) sent to the chat of the update, in order. */
  texts: string[];
}

export interface TelegramHarness {
  readonly tg: TelegramEmulator;
  readonly core: Core;
  readonly adapter: TelegramAdapter;
  readonly http: HttpServer;
  readonly notifier: RoutingNotifier;
  readonly config: Config;
  /** `http://127.0.0.1:<port>/telegram/webhook` */
  readonly webhookUrl: string;
  /** Posts an update to the webhook (with the registered secret unless `secret` says otherwise) and waits until the bot is idle. */
  deliver(update: Update, opts?: { secret?: string | null }): Promise<Delivery>;
  /** A text message from a user (private chat), delivered. */
  say(fromId: number, text: string, extra?: Omit<TextUpdateInput, 'fromId' | 'text'>): Promise<Delivery>;
  /** Presses the inline button labelled `label` on the latest bot message in the user's chat that has it. */
  press(fromId: number, label: string | RegExp): Promise<Delivery>;
  /** The inline buttons of a sent message, as `{ label, data }`. */
  buttonsOf(record: Pick<TelegramSentRecord, 'reply_markup'>): { label: string; data: string }[];
  stop(): Promise<void>;
}

/**
 * Starts the stack; see the module comment.
 *
 * @example
 *   const h = await startTelegramHarness({ ownerIds: [1001], limits: false });
 */
export async function startTelegramHarness(options: TelegramHarnessOptions = {}): Promise<TelegramHarness> {
  const ownTg = !options.tg;
  const tg = options.tg ?? new TelegramEmulator({ globalRatePerSec: 0, perChatRatePerSec: 0, ...options.emulator });
  const apiRoot = await tg.start();
  const { http, appUrl, config, notifier, core, log } = await startAppStack({
    log: options.log,
    env: (url) => ({
      TELEGRAM_BOT_TOKEN: tg.token,
      TELEGRAM_API_ROOT: apiRoot,
      TELEGRAM_MODE: 'webhook',
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_TEST_SECRET,
      TELEGRAM_WEBHOOK_URL: `${url}${TELEGRAM_WEBHOOK_PATH}`,
      OWNER_TELEGRAM_IDS: (options.ownerIds ?? []).join(','),
      ...options.env,
    }),
  });
  const webhookUrl = `${appUrl}${TELEGRAM_WEBHOOK_PATH}`;
  const adapter = createTelegramAdapter({
    config,
    core,
    log,
    limits: options.limits === undefined ? { globalPerSec: 10_000, perChatPerSec: 10_000 } : options.limits,
  });
  notifier.register(adapter.sender);
  http.mount(TELEGRAM_WEBHOOK_PATH, adapter.webhookListener);
  await adapter.start();

  const buttonsOf = (record: Pick<TelegramSentRecord, 'reply_markup'>): { label: string; data: string }[] => {
    const markup = typeof record.reply_markup === 'string' ? (JSON.parse(record.reply_markup) as unknown) : record.reply_markup;
    const rows = (markup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined)?.inline_keyboard ?? [];
    return rows.flat().map((b) => ({ label: b.text, data: b.callback_data ?? '' }));
  };

  async function deliver(update: Update, opts: { secret?: string | null } = {}): Promise<Delivery> {
    const since = tg.calls.length;
    const res = await tg.postWebhook(update, opts.secret === undefined ? {} : { secret: opts.secret });
    await adapter.idle();
    const calls = tg.calls.slice(since);
    const chatId = update.message?.chat.id ?? update.callback_query?.message?.chat.id ?? update.callback_query?.from.id;
    const sent = calls.filter((c) => c.ok && SEND_METHODS.has(c.method));
    const texts = sent.filter((s) => String(s.chat_id) === String(chatId)).map((s) => s.text ?? s.caption ?? '');
    return { status: res.status, calls, sent, texts };
  }

  return {
    tg,
    core,
    adapter,
    http,
    notifier,
    config,
    webhookUrl,
    deliver,
    say: (fromId, text, extra = {}) => deliver(tg.textUpdate({ fromId, text, ...extra })),
    async press(fromId, label) {
      const matches = (l: string) => (typeof label === 'string' ? l === label : label.test(l));
      const message = [...tg.sent(fromId)].reverse().find((s) => buttonsOf(s).some((b) => matches(b.label)));
      if (!message) throw new Error(`no message to ${fromId} has a button ${String(label)}`);
      const button = buttonsOf(message).find((b) => matches(b.label))!;
      return deliver(tg.callbackUpdate({ fromId, data: button.data, messageId: message.message_id }));
    },
    buttonsOf,
    async stop() {
      await adapter.stop();
      await http.close();
      if (ownTg) await tg.stop();
    },
  };
}
