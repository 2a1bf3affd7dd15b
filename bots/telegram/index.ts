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
 * The webhook's edge (./webhook.ts) checks the `X-Telegram-Bot-Api-Secret-Token`
 * header (constant-time) before the body is read (401), caps the body (413),
 * refuses what is not a JSON object (400), then hands the update to grammY's
 * `webhookCallback`. Every update — webhook or polling — is first checked against
 * the shape of the fields we read (./update-shape.ts): a malformed one is dropped
 * with a warning (the webhook still answers 200: a re-send would not fix it).
 *
 * Real traffic (./incoming.ts says what each update becomes): every kind of message a customer
 * sends reaches the core with a summary line; in a group only staff commands run, answered in the
 * staff member's private chat (or, when they never opened one, a hint in the group) — nobody in a
 * group becomes a customer, and a group never becomes where anyone is notified; `my_chat_member`
 * marks a customer who blocked the bot unreachable (and unblocking clears it); a button whose
 * action the core does not know is answered "expired"; the first staff member to open the bot
 * hears what customers wrote before (../shared/waiting.ts), and start-up warns while nobody can.
 *
 * Start-up (`start(signal)`) makes each Bot API call itself, once, bounded by the
 * caller's signal — never through grammY's `bot.init()`, which retries a network
 * failure silently for as long as it lasts. src/main.ts retries it with backoff
 * (src/http/platforms.ts) while the rest of the app runs.
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
import { Bot, GrammyError, HttpError, type Context } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { Config } from '../../src/config.js';
import type { Core } from '../../src/core/handle.js';
import { messagesFor } from '../../src/core/messages.js';
import { text, type Incoming, type PlatformSender, type Reply, type SendResult } from '../../src/core/types.js';
import { PlatformError } from '../../src/errors.js';
import { networkErrorCode } from '../../src/http/platforms.js';
import type { Listener } from '../../src/http/server.js';
import type { Logger } from '../../src/log.js';
import { isConfiguredOwner, isStaffMember, setReachable } from '../../src/services/people.js';
import { isLiveAction } from '../shared/buttons.js';
import { WaitingForStaff, warnWhileNoStaff } from '../shared/waiting.js';
import { decodeCallbackData, encodeAction } from './callback-data.js';
import { learnTelegramBotUsername } from '../../src/services/start-links.js';
import { registerCommandMenus } from './commands.js';
import { translateUpdate } from './incoming.js';
import { TelegramSender } from './sender.js';
import { checkUpdate } from './update-shape.js';
import { telegramWebhookListener } from './webhook.js';

/** Where the webhook is mounted on the app's HTTP server. */
export const TELEGRAM_WEBHOOK_PATH = '/telegram/webhook';

/**
 * The update kinds the bot asks Telegram for — every kind ./incoming.ts handles: messages and
 * their edits, button presses, and `my_chat_member` (a person blocked or unblocked the bot).
 */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query', 'my_chat_member'] as const;

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
  /**
   * Long polling that was running stopped on an error grammY does not retry (409: another process
   * polls with the same token; 401: the token was revoked), with why in words safe for `/healthz`.
   * `start()` may be called again. Without it the stop is only logged.
   */
  onPollingStopped?: (reason: string) => void;
}

export interface TelegramAdapter {
  readonly bot: Bot;
  /** The outbound port for the RoutingNotifier. */
  readonly sender: PlatformSender;
  /** Node request listener for `POST /telegram/webhook` (answers 404 in polling mode). */
  readonly webhookListener: Listener;
  /**
   * `getMe` (unless known), the command menus, then in webhook mode `setWebhook` (when
   * TELEGRAM_WEBHOOK_URL is set), in polling mode starts polling (returns once it runs). Each
   * call is made once: a failure rejects (see {@link describeTelegramStartError}); `signal`
   * aborts the attempt. Safe to call again after a failure.
   */
  start(signal?: AbortSignal): Promise<void>;
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

  bot.use(async (ctx: Context, next) => {
    // The edge: wrong field types never reach the translator or the core (see ./update-shape.ts).
    const checked = checkUpdate(ctx.update);
    if (checked.ok) return next();
    log.warn({ platform: 'telegram', updateId: checked.updateId, problems: checked.problems }, 'telegram: malformed update dropped');
  });

  const waiting = new WaitingForStaff((who) => isConfiguredOwner(who, config));
  /** A link that opens a private chat with the bot. */
  const privateLink = () => `https://t.me/${bot.botInfo.username}`;

  bot.use(async (ctx: Context) => {
    const translated = await translateUpdate(ctx.update, {
      botId: ctx.me.id,
      botUsername: ctx.me.username,
      decodeAction: decodeCallbackData,
      isLiveAction: (action) => isLiveAction(core.registry, action),
      download,
    });
    const query = ctx.callbackQuery;
    const msg = messagesFor(ctx.from?.language_code);
    let notice: string | undefined = translated.kind === 'expired-button' ? msg.buttonExpired() : undefined;
    if (translated.kind === 'membership') {
      // Blocked (`kicked`) or unblocked: promotions and replies skip a customer who blocked the bot.
      const who = await setReachable({ platform: 'telegram', userId: translated.userId }, translated.reachable);
      log.info({ platform: 'telegram', reachable: translated.reachable, who }, 'telegram: a person blocked or unblocked the bot');
    } else if (translated.kind === 'ignored') {
      log.debug({ platform: 'telegram', updateId: ctx.update.update_id, reason: translated.reason }, 'telegram: update ignored');
    } else if (translated.kind === 'incoming') {
      const { incoming, groupChatId } = translated;
      if (groupChatId !== undefined) notice = await fromGroup(incoming, groupChatId, query !== undefined);
      else await fromPrivateChat(incoming);
    }
    // Always answer a button press (it stops the spinner); a failed answer is no reason to fail the update.
    if (query) {
      await ctx.answerCallbackQuery(notice ? { text: notice.slice(0, 200) } : undefined).catch((error: unknown) => log.debug({ err: error }, 'answerCallbackQuery failed'));
    }
  });

  /** A private chat: the core's answer there, plus what waited for the first staff member (../shared/waiting.ts). */
  async function fromPrivateChat(incoming: Incoming): Promise<void> {
    // Staff editing a command does not run it again; a customer's edit reaches staff as an edit.
    if (incoming.edit && (await isStaffMember(incoming, config))) return;
    const probe = await waiting.before(incoming);
    const replies = await core.handle(incoming);
    const extra = await waiting.after(probe, incoming);
    if (replies.length + extra.length > 0) sendAfterAnswer(incoming.chatId, [...replies, ...extra]);
  }

  /**
   * A command (or button) in a group: staff are answered in their private chat — customer data
   * never lands in a group — or, if they never opened one, told to. Nobody else is run through the
   * core (no customer is made of a group member); they are told to write privately. Returns the
   * text for a button press's answer, when the group should not hear it.
   */
  async function fromGroup(incoming: Incoming, groupChatId: string, pressed: boolean): Promise<string | undefined> {
    const msg = messagesFor(incoming.locale);
    if (!(await isStaffMember(incoming, config))) {
      const hint = msg.traffic.groupWriteMe(privateLink());
      if (pressed) return hint;
      sendAfterAnswer(groupChatId, [text(hint)]);
      return undefined;
    }
    const replies = await core.handle(incoming);
    if (replies.length > 0) sendAfterAnswer(incoming.chatId, replies, () => [groupChatId, [text(msg.traffic.groupOpenPrivate(privateLink()))]]);
    return undefined;
  }

  /**
   * Queues replies; the webhook is answered without waiting for them (see the module comment).
   * `otherwise` gives where to say something else when they cannot be delivered (a staff member
   * who never opened a private chat with the bot).
   */
  function sendAfterAnswer(chatId: string, replies: Reply[], otherwise?: () => [string, Reply[]]): void {
    void sender.send(chatId, replies).then(
      async (result: SendResult) => {
        if (result.ok) return;
        log.warn({ permanent: result.permanent, reason: result.reason }, 'reply not delivered');
        if (otherwise && result.permanent) {
          const [where, instead] = otherwise();
          const fallback = await sender.send(where, instead);
          if (!fallback.ok) log.warn({ reason: fallback.reason }, 'telegram: the hint to open a private chat was not delivered');
        }
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
    ? telegramWebhookListener({ bot, secretToken: config.TELEGRAM_WEBHOOK_SECRET })
    : (_req, res) => {
        res.writeHead(404).end();
      };

  let polling: Promise<void> | undefined;

  return {
    bot,
    sender,
    webhookListener,
    async start(signal?: AbortSignal) {
      const apiSignal = asApiSignal(signal);
      // Not bot.init(): it retries network failures silently, for as long as they last.
      if (!bot.isInited()) bot.botInfo = await bot.api.getMe(apiSignal);
      // `chat link` builds t.me/<bot>?start=<code> links with it (src/services/start-links.ts).
      learnTelegramBotUsername(bot.botInfo.username);
      await registerCommandMenus(bot.api, core.registry, config.OWNER_TELEGRAM_IDS, messagesFor('en'), apiSignal);
      if (webhookMode) {
        if (config.TELEGRAM_WEBHOOK_URL) {
          await bot.api.setWebhook(
            config.TELEGRAM_WEBHOOK_URL,
            {
              allowed_updates: [...ALLOWED_UPDATES],
              ...(config.TELEGRAM_WEBHOOK_SECRET ? { secret_token: config.TELEGRAM_WEBHOOK_SECRET } : {}),
            },
            apiSignal,
          );
        }
        log.info({ bot: bot.botInfo.username, url: config.TELEGRAM_WEBHOOK_URL ?? '(set elsewhere)' }, 'telegram webhook ready');
        void warnWhileNoStaff(log, 'telegram');
        return;
      }
      if (polling) return;
      // The same for polling: grammY's start() retries deleteWebhook by itself; the signal stops it.
      await bot.api.deleteWebhook(undefined, apiSignal);
      await new Promise<void>((resolve, reject) => {
        let running = false;
        const abort = () => void bot.stop().catch(() => undefined);
        signal?.addEventListener('abort', abort, { once: true });
        const onStart = () => {
          running = true;
          signal?.removeEventListener('abort', abort);
          resolve();
        };
        const run = bot.start({ allowed_updates: [...ALLOWED_UPDATES], onStart }).then(
          () => undefined,
          (error: unknown) => {
            signal?.removeEventListener('abort', abort);
            if (running) {
              const reason = describeTelegramStartError(error);
              log.error({ platform: 'telegram', reason }, 'telegram polling stopped');
              options.onPollingStopped?.(reason);
            } else reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
        polling = run;
        void run.finally(() => {
          if (polling === run) polling = undefined;
        });
      });
      log.info({ bot: bot.botInfo.username }, 'telegram polling');
      void warnWhileNoStaff(log, 'telegram');
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
  onPollingStopped?: TelegramAdapterOptions['onPollingStopped'];
}

/**
 * When TELEGRAM_BOT_TOKEN is set: creates the adapter, registers its sender and mounts the
 * webhook (webhook mode) — no network yet; src/main.ts then starts it in the background with
 * retries. Returns the adapter, or `undefined` when Telegram is not configured.
 *
 * @example
 *   const telegram = mountTelegram({ config, core, log, notifier, http });
 *   if (telegram) keepStarting({ platform: 'telegram', start: (signal) => telegram.start(signal), describe: describeTelegramStartError, states, log });
 */
export function mountTelegram(deps: TelegramStartDeps): TelegramAdapter | undefined {
  if (!deps.config.TELEGRAM_BOT_TOKEN) return undefined;
  const adapter = createTelegramAdapter(deps);
  deps.notifier.register(adapter.sender);
  if (deps.config.TELEGRAM_MODE === 'webhook') deps.http.mount(TELEGRAM_WEBHOOK_PATH, adapter.webhookListener);
  return adapter;
}

/**
 * {@link mountTelegram}, then one awaited start (which throws if Telegram cannot be reached) —
 * for scripts and tests that need the bot ready before they go on.
 *
 * @example
 *   const telegram = await startTelegram({ config, core, log, notifier, http });
 */
export async function startTelegram(deps: TelegramStartDeps): Promise<TelegramAdapter | undefined> {
  const adapter = mountTelegram(deps);
  await adapter?.start();
  return adapter;
}

/**
 * Why a Bot API call failed, in words safe for logs and `/healthz`: the method and Telegram's
 * answer, or the network error's code — never the request URL, which carries the token.
 *
 * @example
 *   describeTelegramStartError(httpError) // → "getMe: network error (ECONNREFUSED)"
 *   describeTelegramStartError(grammyError) // → "getMe: 401 Unauthorized"
 */
export function describeTelegramStartError(error: unknown): string {
  if (error instanceof GrammyError) return `${error.method}: ${error.error_code} ${error.description}`;
  if (error instanceof HttpError) {
    const method = /'([^']+)'/.exec(error.message)?.[1] ?? 'request';
    return `${method}: network error (${networkErrorCode(error.error) ?? 'no answer'})`;
  }
  return error instanceof Error ? error.name : 'unknown error';
}

/**
 * grammY types its signals with the `abort-controller` polyfill's class; Node's own AbortSignal is
 * what it gets at run time, and node-fetch (grammY's fetch on Node) accepts it.
 */
function asApiSignal(signal: AbortSignal | undefined): Parameters<Bot['api']['getMe']>[0] {
  return signal as unknown as Parameters<Bot['api']['getMe']>[0];
}
