/**
 * The Telegram adapter (grammY): a thin translator between the Bot API and the
 * core. The only place (with ./*.ts beside it) that imports grammY.
 *
 * Inbound: an update (webhook or long polling) → {@link translateUpdate} →
 * `core.handle(incoming)` → replies. The webhook is answered as soon as the
 * core has handled the update (its data is stored); the replies are sent
 * after the answer, through the rate-limited sender, so a busy chat never
 * makes Telegram wait. If the core fails (say, the database is down) the
 * webhook answers 500 and Telegram re-sends the update; the core runs each
 * `update_id` once, so a re-send after a success does nothing twice.
 * grammY's `webhookCallback` checks the `X-Telegram-Bot-Api-Secret-Token`
 * header (constant-time): a wrong or missing one gets 401 before the body is read.
 *
 * Outbound: {@link TelegramSender} over `bot.api`, which carries
 * `@grammyjs/transformer-throttler` (30/s overall, 1/s per private chat, 20/min
 * per group) and `@grammyjs/auto-retry` (waits `retry_after` on 429, at most a
 * minute, a few attempts; a network failure is not retried here but reported as
 * a non-permanent failure, so a job can try again later instead of hanging).
 * The throttler's timers are unref'd, so they never keep the process alive.
 *
 * @example
 *   const telegram = createTelegramAdapter({ config, core, log });
 *   notifier.register(telegram.sender);
 *   http.mount(TELEGRAM_WEBHOOK_PATH, telegram.webhookListener);
 *   await telegram.start();
 *   // … on SIGTERM:
 *   await telegram.stop();
 */
import { autoRetry } from '@grammyjs/auto-retry';
import { apiThrottler } from '@grammyjs/transformer-throttler';
import { Bot, webhookCallback, type Context } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Config } from '../../src/config.js';
import type { Core } from '../../src/core/handle.js';
import { messagesFor } from '../../src/core/messages.js';
import type { PlatformSender, Reply, SendResult } from '../../src/core/types.js';
import { PlatformError } from '../../src/errors.js';
import type { Listener } from '../../src/http/server.js';
import type { Logger } from '../../src/log.js';
import { decodeCallbackData, encodeAction } from './callback-data.js';
import { registerCommandMenus } from './commands.js';
import { translateUpdate } from './incoming.js';
import { TelegramSender } from './sender.js';

/** Where the webhook is mounted on the app's HTTP server. */
export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

/** The update kinds the bot asks Telegram for. */
const ALLOWED_UPDATES = ['message', 'callback_query'] as const;

/** Outbound limits; the defaults are Telegram's published ones. */
export interface TelegramLimits {
  /** Messages per second across all chats. */
  globalPerSec: number;
  /** Messages per second to one private chat. */
  perChatPerSec: number;
}

export const TELEGRAM_LIMITS: Readonly<TelegramLimits> = Object.freeze({ globalPerSec: 30, perChatPerSec: 1 });

export interface TelegramAdapterOptions {
  config: Config;
  core: Core;
  log: Logger;
  /** The bot's `getMe`, when known (skips that call at start; tests, several processes). */
  botInfo?: UserFromGetMe;
  /** Outbound throttling; `false` turns the throttler off (benchmarks against an unlimited emulator). */
  limits?: TelegramLimits | false;
  /** How long `stop()` waits for queued sends. Default 10 s. */
  stopTimeoutMs?: number;
}

export interface TelegramAdapter {
  readonly bot: Bot;
  /** The outbound port for the RoutingNotifier. */
  readonly sender: PlatformSender;
  /** Node request listener for `POST /telegram/webhook` (answers 404 in polling mode). */
  readonly webhookListener: Listener;
  /** Webhook mode: `setWebhook` (when TELEGRAM_WEBHOOK_URL is set); polling: starts polling (returns once it runs). Registers the command menus. */
  start(): Promise<void>;
  /** Stops polling and waits (bounded) for queued sends. */
  stop(): Promise<void>;
  /** Resolves when every reply and notification queued so far has been sent (tests, the demo). */
  idle(): Promise<void>;
}

/** Creates the adapter; nothing touches the network until `start()` (or the first webhook). */
export function createTelegramAdapter(options: TelegramAdapterOptions): TelegramAdapter {
  const { config, core, log } = options;
  const token = config.TELEGRAM_BOT_TOKEN;
  if (!token) throw new PlatformError('telegram', 'init', 'TELEGRAM_BOT_TOKEN is not set', true);
  const apiRoot = config.TELEGRAM_API_ROOT.replace(/\/+$/, '');
  const bot = new Bot(token, { client: { apiRoot }, ...(options.botInfo ? { botInfo: options.botInfo } : {}) });

  const limits = options.limits === undefined ? TELEGRAM_LIMITS : options.limits;
  if (limits) {
    bot.api.config.use(
      apiThrottler({
        global: { reservoir: limits.globalPerSec, reservoirRefreshAmount: limits.globalPerSec, reservoirRefreshInterval: 1000 },
        // 5% slack on the per-chat spacing: requests that leave 1 s apart may arrive a few ms closer.
        out: { maxConcurrent: 1, minTime: Math.ceil((1000 / limits.perChatPerSec) * 1.05) },
      }),
    );
  }
  // Installed last, so it wraps the throttler: a retried call is throttled again.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60, rethrowHttpErrors: true }));

  const sender = new TelegramSender(bot.api, encodeAction, log);

  async function download(fileId: string): Promise<Buffer> {
    const file = await bot.api.getFile(fileId);
    if (!file.file_path) throw new PlatformError('telegram', 'getFile', 'no file_path (file too big to download?)', true);
    const res = await fetch(`${apiRoot}/file/bot${token}/${file.file_path}`);
    if (!res.ok) throw new PlatformError('telegram', 'file download', `HTTP ${res.status}`, res.status === 404);
    return Buffer.from(await res.arrayBuffer());
  }

  bot.use(async (ctx: Context) => {
    const translated = await translateUpdate(ctx.update, { botId: ctx.me.id, decodeAction: decodeCallbackData, download });
    const query = ctx.callbackQuery;
    // Always answer a button press (it stops the spinner); a failed answer is no reason to fail the update.
    const answering = query
      ? ctx
          .answerCallbackQuery(translated.kind === 'expired-button' ? { text: messagesFor(query.from.language_code).buttonExpired() } : undefined)
          .then(
            () => undefined,
            (error: unknown) => log.debug({ err: error }, 'answerCallbackQuery failed'),
          )
      : Promise.resolve();
    if (translated.kind === 'incoming') {
      const { incoming } = translated;
      const replies = await core.handle(incoming);
      if (replies.length > 0) sendAfterAnswer(incoming.chatId, replies);
    }
    await answering;
  });

  /** Queues replies; the webhook is answered without waiting for them (see the module comment). */
  function sendAfterAnswer(chatId: string, replies: Reply[]): void {
    void sender.send(chatId, replies).then(
      (result: SendResult) => {
        if (!result.ok) log.warn({ permanent: result.permanent, reason: result.reason }, 'reply not delivered');
      },
      (error: unknown) => log.error({ err: error }, 'sending a reply failed'),
    );
  }

  bot.catch((error) => {
    // Polling only (webhook errors propagate to the HTTP server, which answers 500 so Telegram re-sends).
    log.error({ err: error.error, updateId: error.ctx.update.update_id }, 'telegram update failed');
  });

  const webhookMode = config.TELEGRAM_MODE === 'webhook';
  const webhookListener: Listener = webhookMode
    ? webhookCallback(bot, 'http', { secretToken: config.TELEGRAM_WEBHOOK_SECRET, timeoutMilliseconds: Infinity })
    : (_req, res) => {
        res.writeHead(404).end();
      };

  let polling: Promise<void> | undefined;

  return {
    bot,
    sender,
    webhookListener,
    async start() {
      await bot.init();
      await registerCommandMenus(bot.api, core.registry, config.OWNER_TELEGRAM_IDS, messagesFor('en'));
      if (webhookMode) {
        if (config.TELEGRAM_WEBHOOK_URL) {
          await bot.api.setWebhook(config.TELEGRAM_WEBHOOK_URL, {
            allowed_updates: [...ALLOWED_UPDATES],
            ...(config.TELEGRAM_WEBHOOK_SECRET ? { secret_token: config.TELEGRAM_WEBHOOK_SECRET } : {}),
          });
        }
        log.info({ bot: bot.botInfo.username, url: config.TELEGRAM_WEBHOOK_URL ?? '(set elsewhere)' }, 'telegram webhook ready');
        return;
      }
      await new Promise<void>((resolve, reject) => {
        polling = bot.start({ allowed_updates: [...ALLOWED_UPDATES], onStart: () => resolve() }).catch((error: unknown) => {
          log.error({ err: error }, 'telegram polling stopped');
          reject(error instanceof Error ? error : new Error(String(error)));
        });
      });
      log.info({ bot: bot.botInfo.username }, 'telegram polling');
    },
    async stop() {
      if (polling) {
        await bot.stop();
        await polling;
        polling = undefined;
      }
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), options.stopTimeoutMs ?? 10_000);
      });
      const outcome = await Promise.race([sender.idle().then(() => 'idle' as const), timeout]);
      clearTimeout(timer);
      if (outcome === 'timeout') log.warn('telegram: stopped with sends still queued');
    },
    idle: () => sender.idle(),
  };
}

/** What {@link startTelegram} needs from main: somewhere to register the sender and to mount the webhook. */
export interface TelegramStartDeps {
  config: Config;
  core: Core;
  log: Logger;
  notifier: { register(sender: PlatformSender): void };
  http: { mount(path: string, listener: Listener): void };
}

/**
 * Main's one-liner: when TELEGRAM_BOT_TOKEN is set, creates the adapter,
 * registers its sender, mounts the webhook (webhook mode) and starts it.
 * Returns the adapter (to stop it), or `undefined` when Telegram is not configured.
 *
 * @example
 *   const telegram = await startTelegram({ config, core, log, notifier, http });
 */
export async function startTelegram(deps: TelegramStartDeps): Promise<TelegramAdapter | undefined> {
  if (!deps.config.TELEGRAM_BOT_TOKEN) return undefined;
  const adapter = createTelegramAdapter(deps);
  deps.notifier.register(adapter.sender);
  if (deps.config.TELEGRAM_MODE === 'webhook') deps.http.mount(TELEGRAM_WEBHOOK_PATH, adapter.webhookListener);
  await adapter.start();
  return adapter;
}
