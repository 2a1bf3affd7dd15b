/**
 * A local emulator of the Telegram Bot API for tests and the offline demo.
 *
 * Why: the bot must be tested against the real client library (grammY) talking real HTTP, including
 * the failure modes that matter in production — 401 for a bad token, 400 for empty/too long text,
 * 403 for users who blocked the bot, and 429 flood control with `retry_after` — without network
 * access. Point grammY at it with `apiRoot`; feed updates with {@link TelegramEmulator.queueUpdate}
 * (long polling) or {@link TelegramEmulator.postWebhook} (webhook mode).
 *
 * Real traffic: update builders for photos, voice notes, audio, video, stickers, documents,
 * locations and venues, edits (`edited_message`) and blocks (`my_chat_member`), and
 * {@link TelegramEmulator.adopt} for captured updates (tests/fixtures/real-updates); the bot can
 * `copyMessage`/`forwardMessage` any message the emulator knows ({@link TelegramEmulator.copied}).
 *
 * Deliberate simplifications: text length is counted in UTF-16 units on the raw text (entities
 * from `parse_mode` are not parsed out); message ids come from one global counter (still
 * increasing per chat); `chat_id` must be numeric (`@username` → "chat not found");
 * `sendChatAction` is not rate limited.
 *
 * @example
 * const tg = new TelegramEmulator({ perChatRatePerSec: 0 });
 * const apiRoot = await tg.start();
 * const bot = new Bot(tg.token, { client: { apiRoot } });
 * tg.queueUpdate(tg.textUpdate({ fromId: 42, text: '/start' }));
 * void bot.start();
 * const reply = await tg.waitFor((c) => c.method === 'sendMessage' && c.chat_id === 42);
 * await bot.stop();
 * await tg.stop();
 */
import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { BotCommand, Message, Update, User } from 'grammy/types';
import {
  BodyParseError,
  HttpFixture,
  parseBody,
  postRaw,
  readBody,
  sendJson,
  sendText,
  type HttpResult,
} from './http-util.js';
import type { MultipartPart } from './multipart.js';
import { RecordLog } from './record-log.js';
import { SlidingWindowLimiter, retryAfterSeconds } from './sliding-window.js';
import {
  TelegramApiError,
  coerceParams,
  commandKey,
  extensionOf,
  inlineMarkup,
  mimeTypeFor,
  numberParam,
  requireMessageId,
  validateCommands,
  type TelegramParams,
} from './telegram-params.js';
import {
  TelegramUpdateFactory,
  chatFor,
  unixNow,
  type CallbackUpdateInput,
  type ContactUpdateInput,
  type DocumentUpdateInput,
  type EditedUpdateInput,
  type ForwardUpdateInput,
  type LocationUpdateInput,
  type MediaUpdateInput,
  type MyChatMemberUpdateInput,
  type TextUpdateInput,
  type UpdateFactoryHost,
} from './telegram-updates.js';

/** Constructor options; every field has a realistic default. */
export interface TelegramEmulatorOptions {
  /** Accepted bot token. Default `'123456:TEST-TOKEN'`. */
  token?: string;
  /** Bot user id. Default: the numeric prefix of the token (as in real tokens). */
  botId?: number;
  /** Default `'crm_test_bot'`. */
  botUsername?: string;
  /** Default `'CRM Test Bot'`. */
  botFirstName?: string;
  /** Sends/edits per second across all chats. Default 30; 0 disables. */
  globalRatePerSec?: number;
  /** Sends/edits per second per chat. Default 1; 0 disables. */
  perChatRatePerSec?: number;
  /** Default 4096. */
  maxTextLength?: number;
  /** Default 1024. */
  maxCaptionLength?: number;
  /** Fixed `retry_after` for every 429 instead of the computed one. */
  retryAfterSeconds?: number;
}

/** Resolved, mutable options: tests may change limits on the fly, e.g. `tg.options.perChatRatePerSec = 0`. */
export interface ResolvedTelegramOptions {
  token: string;
  botId: number;
  botUsername: string;
  botFirstName: string;
  globalRatePerSec: number;
  perChatRatePerSec: number;
  maxTextLength: number;
  maxCaptionLength: number;
  retryAfterSeconds: number | undefined;
}

export type { TelegramParams } from './telegram-params.js';

/** A file part received in a multipart request. */
export interface TelegramUploadInfo {
  /** Multipart field name (grammY uses a random id referenced as `attach://<id>`). */
  field: string;
  filename: string;
  size: number;
  contentType?: string;
}

/** One API call as the emulator saw it. Convenience fields are filled when they apply. */
export interface TelegramCallRecord {
  method: string;
  params: TelegramParams;
  /** `Date.now()` when the request arrived. */
  at: number;
  status: number;
  ok: boolean;
  description?: string;
  result?: unknown;
  files: TelegramUploadInfo[];
  chat_id?: number | string;
  text?: string;
  caption?: string;
  reply_markup?: unknown;
  message_id?: number;
}

/** A successful `sendMessage` / `sendDocument` / `sendPhoto`, as returned by {@link TelegramEmulator.sent}. */
export interface TelegramSentRecord {
  method: 'sendMessage' | 'sendDocument' | 'sendPhoto';
  chat_id: number | string;
  text?: string;
  caption?: string;
  reply_markup?: unknown;
  message_id: number;
  params: TelegramParams;
  files: TelegramUploadInfo[];
}

/** Webhook registration as set by `setWebhook`. */
export interface TelegramWebhookState {
  url: string;
  secretToken?: string;
  allowedUpdates?: string[];
}

/** Options for {@link TelegramEmulator.postWebhook}. `secret: null` sends no secret header. */
export interface PostWebhookOptions {
  url?: string;
  secret?: string | null;
}

interface StoredFile {
  fileId: string;
  uniqueId: string;
  path: string;
  data: Buffer;
  fileName?: string;
  mimeType?: string;
}

interface CallContext {
  record: TelegramCallRecord;
  uploads: MultipartPart[];
  signal: AbortSignal;
}

type MethodHandler = (params: TelegramParams, ctx: CallContext) => unknown;

const SEND_METHODS = new Set(['sendMessage', 'sendDocument', 'sendPhoto']);
const RATE_LIMITED_METHODS = new Set(['sendMessage', 'sendDocument', 'sendPhoto', 'editMessageText', 'editMessageReplyMarkup']);
const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;
const NOT_MODIFIED =
  'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

/** See the module comment. */
export class TelegramEmulator {
  readonly options: ResolvedTelegramOptions;
  /** Counters; `tooManyRequests` counts every 429 answered. */
  readonly stats = { tooManyRequests: 0 };

  private readonly http = new HttpFixture('TelegramEmulator', (req, res) => this.route(req, res));
  private readonly log = new RecordLog<TelegramCallRecord>((c) => `${c.method} ${c.status}${c.description ? ` ${c.description}` : ''}`);
  private readonly limiter = new SlidingWindowLimiter(1000);
  private readonly factory: TelegramUpdateFactory;
  private readonly handlers: Map<string, { name: string; handler: MethodHandler }>;
  private readonly updateEvents = new EventEmitter();
  private pendingUpdates: Update[] = [];
  private activePoll: { terminate: () => void } | undefined;
  private readonly messages = new Map<string, Message>();
  private readonly users = new Map<number, User>();
  private readonly files = new Map<string, StoredFile>();
  private readonly callbackIds = new Map<string, { answered: boolean }>();
  private readonly blockedChats = new Set<string>();
  private readonly notFoundChats = new Set<string>();
  private readonly commandSets = new Map<string, BotCommand[]>();
  private webhookState: TelegramWebhookState = { url: '' };
  private messageCounter = 0;
  private fileCounter = 0;

  constructor(options: TelegramEmulatorOptions = {}) {
    const token = options.token ?? '123456:TEST-TOKEN';
    const prefix = Number(token.split(':')[0]);
    this.options = {
      token,
      botId: options.botId ?? (Number.isSafeInteger(prefix) && prefix > 0 ? prefix : 123456),
      botUsername: options.botUsername ?? 'crm_test_bot',
      botFirstName: options.botFirstName ?? 'CRM Test Bot',
      globalRatePerSec: options.globalRatePerSec ?? 30,
      perChatRatePerSec: options.perChatRatePerSec ?? 1,
      maxTextLength: options.maxTextLength ?? 4096,
      maxCaptionLength: options.maxCaptionLength ?? 1024,
      retryAfterSeconds: options.retryAfterSeconds,
    };
    this.updateEvents.setMaxListeners(0);
    this.factory = new TelegramUpdateFactory(this.factoryHost());
    this.handlers = this.buildHandlers();
  }

  // ---------------------------------------------------------------- lifecycle

  /** The accepted token (pass it to `new Bot(token, …)`). */
  get token(): string {
    return this.options.token;
  }

  /** The Node server while started (bench/telegram-emulator-process.ts tunes its keep-alive). */
  private get server(): Server | undefined {
    return this.http.server;
  }

  /** Base URL (`http://127.0.0.1:PORT`) once started; use it as grammY's `apiRoot`. */
  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /**
   * Starts listening on an ephemeral port of 127.0.0.1 and returns the base URL.
   *
   * @example
   * const apiRoot = await tg.start(); // 'http://127.0.0.1:40123'
   */
  start(): Promise<string> {
    return this.http.start();
  }

  /** Ends pending long polls (with an empty result) and closes the server. */
  async stop(): Promise<void> {
    this.updateEvents.emit('stop');
    await this.http.stop();
  }

  /**
   * Clears per-test state: calls, stats, rate windows, queued updates, stored messages, blocked /
   * not-found chats and issued callback ids. Keeps the webhook, commands, registered files and the
   * id counters (a running poller's `offset` must stay valid).
   */
  reset(): void {
    this.log.clear();
    this.stats.tooManyRequests = 0;
    this.limiter.reset();
    this.pendingUpdates = [];
    this.messages.clear();
    this.blockedChats.clear();
    this.notFoundChats.clear();
    this.callbackIds.clear();
  }

  // ---------------------------------------------------------------- test controls

  /** Every call so far (successful or not), oldest first. */
  get calls(): TelegramCallRecord[] {
    return this.log.items;
  }

  /** Current webhook registration (`url: ''` when none). */
  get webhook(): TelegramWebhookState {
    return { ...this.webhookState };
  }

  /** Updates queued for `getUpdates` and not yet confirmed by an `offset`. */
  get queuedUpdates(): readonly Update[] {
    return this.pendingUpdates;
  }

  /**
   * Makes sends to this chat fail with 403 "Forbidden: bot was blocked by the user".
   *
   * @example
   * tg.blockChat(42);
   */
  blockChat(chatId: number | string): void {
    this.blockedChats.add(String(chatId));
  }

  /** Makes calls for this chat fail with 400 "Bad Request: chat not found". */
  markChatNotFound(chatId: number | string): void {
    this.notFoundChats.add(String(chatId));
  }

  /**
   * Registers a downloadable file for `getFile` and `/file/bot<token>/<filePath>`.
   *
   * @example
   * tg.addFile('DOC1', Buffer.from('name,phone\nAnn,+100'), 'documents/contacts.csv');
   * tg.queueUpdate(tg.documentUpdate({ fromId: 42, fileId: 'DOC1', fileName: 'contacts.csv', mimeType: 'text/csv' }));
   */
  addFile(fileId: string, data: Buffer, filePath: string): void {
    this.files.set(fileId, { fileId, uniqueId: `u-${fileId}`.slice(0, 32), path: filePath, data });
  }

  /** Bytes of a registered or uploaded file (e.g. a CSV export the bot sent with `sendDocument`). */
  fileBytes(fileId: string): Buffer | undefined {
    return this.files.get(fileId)?.data;
  }

  /** A stored message (sent by the bot or built by an update helper), after any edits. */
  getMessage(chatId: number, messageId: number): Message | undefined {
    return this.messages.get(messageKey(chatId, messageId));
  }

  /** Commands set with `setMyCommands` for the default scope (or the given language). */
  myCommands(languageCode = ''): BotCommand[] {
    return this.commandSets.get(commandKey(undefined, languageCode)) ?? [];
  }

  /**
   * Successful `sendMessage`/`sendDocument`/`sendPhoto` calls, optionally for one chat.
   *
   * @example
   * expect(tg.sent(42).map((m) => m.text)).toEqual(['Welcome!']);
   */
  sent(chatId?: number | string): TelegramSentRecord[] {
    const out: TelegramSentRecord[] = [];
    for (const call of this.log.items) {
      if (!call.ok || !SEND_METHODS.has(call.method) || call.chat_id === undefined || call.message_id === undefined) continue;
      if (chatId !== undefined && String(call.chat_id) !== String(chatId)) continue;
      const record: TelegramSentRecord = {
        method: call.method as TelegramSentRecord['method'],
        chat_id: call.chat_id,
        message_id: call.message_id,
        params: call.params,
        files: call.files,
      };
      if (call.text !== undefined) record.text = call.text;
      if (call.caption !== undefined) record.caption = call.caption;
      if (call.reply_markup !== undefined) record.reply_markup = call.reply_markup;
      out.push(record);
    }
    return out;
  }

  /**
   * Resolves with the first successful call matching `predicate` — already recorded or arriving
   * within `timeoutMs`. Pass `since: tg.calls.length` (captured earlier) to ignore older calls.
   *
   * @example
   * const call = await tg.waitFor((c) => c.method === 'sendMessage' && /Saved/.test(c.text ?? ''));
   */
  waitFor(predicate: (call: TelegramCallRecord) => boolean, timeoutMs = 5000, opts: { since?: number } = {}): Promise<TelegramCallRecord> {
    return this.log.waitFor((c) => c.ok && predicate(c), timeoutMs, opts.since ?? 0);
  }

  // ---------------------------------------------------------------- updates

  /** Builds a text message update (see {@link TelegramUpdateFactory.textUpdate}). */
  textUpdate(input: TextUpdateInput): Update {
    return this.factory.textUpdate(input);
  }

  /** Builds a callback-query update for a button on a bot message (see {@link TelegramUpdateFactory.callbackUpdate}). */
  callbackUpdate(input: CallbackUpdateInput): Update {
    return this.factory.callbackUpdate(input);
  }

  /** Builds a shared-contact update (see {@link TelegramUpdateFactory.contactUpdate}). */
  contactUpdate(input: ContactUpdateInput): Update {
    return this.factory.contactUpdate(input);
  }

  /** Builds a document update (see {@link TelegramUpdateFactory.documentUpdate}). */
  documentUpdate(input: DocumentUpdateInput): Update {
    return this.factory.documentUpdate(input);
  }

  /** Builds a forwarded-message update with `forward_origin` (see {@link TelegramUpdateFactory.forwardUpdate}). */
  forwardUpdate(input: ForwardUpdateInput): Update {
    return this.factory.forwardUpdate(input);
  }

  /** Builds a photo, voice, audio, video, sticker or document message (see {@link TelegramUpdateFactory.mediaUpdate}). */
  mediaUpdate(input: MediaUpdateInput): Update {
    return this.factory.mediaUpdate(input);
  }

  /** Builds a location or venue message (see {@link TelegramUpdateFactory.locationUpdate}). */
  locationUpdate(input: LocationUpdateInput): Update {
    return this.factory.locationUpdate(input);
  }

  /** Builds an `edited_message` (see {@link TelegramUpdateFactory.editedUpdate}). */
  editedUpdate(input: EditedUpdateInput): Update {
    return this.factory.editedUpdate(input);
  }

  /** Builds a `my_chat_member` block/unblock (see {@link TelegramUpdateFactory.myChatMemberUpdate}). */
  myChatMemberUpdate(input: MyChatMemberUpdateInput): Update {
    return this.factory.myChatMemberUpdate(input);
  }

  /**
   * A captured update (a fixture) with a fresh `update_id`, its messages remembered so
   * `copyMessage`/`forwardMessage` find them (see {@link TelegramUpdateFactory.adopt}).
   *
   * @example
   * await tg.postWebhook(tg.adopt(fixture.update));
   */
  adopt(update: Omit<Update, 'update_id'> & { update_id?: number }): Update {
    return this.factory.adopt(update);
  }

  /** Successful `copyMessage`/`forwardMessage` calls into a chat: what was passed on, from where. */
  copied(chatId?: number | string): { method: string; chat_id: number | string; from_chat_id: number; message_id: number; new_message_id: number }[] {
    return this.log.items
      .filter((c) => c.ok && (c.method === 'copyMessage' || c.method === 'forwardMessage') && (chatId === undefined || String(c.chat_id) === String(chatId)))
      .map((c) => ({
        method: c.method,
        chat_id: c.chat_id ?? '',
        from_chat_id: Number(c.params['from_chat_id']),
        message_id: Number(c.params['message_id']),
        new_message_id: c.message_id ?? 0,
      }));
  }

  /**
   * Queues an update for `getUpdates` and wakes a waiting long poll.
   *
   * @example
   * tg.queueUpdate(tg.textUpdate({ fromId: 42, text: 'hello' }));
   */
  queueUpdate(update: Update): Update {
    this.noteCallbackQuery(update);
    this.pendingUpdates.push(update);
    this.updateEvents.emit('update');
    return update;
  }

  /**
   * POSTs an update to the registered webhook (or `opts.url`) as Telegram does, with the
   * `X-Telegram-Bot-Api-Secret-Token` header set to the registered secret (or `opts.secret`;
   * `null` omits it).
   *
   * @example
   * const { status } = await tg.postWebhook(tg.textUpdate({ fromId: 42, text: '/start' }));
   * const rejected = await tg.postWebhook(update, { secret: 'wrong' }); // expect 401/403 from the app
   */
  async postWebhook(update: Update, opts: PostWebhookOptions = {}): Promise<HttpResult> {
    const url = opts.url ?? this.webhookState.url;
    if (!url) throw new Error('postWebhook: no webhook registered (call setWebhook first or pass opts.url)');
    this.noteCallbackQuery(update);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const secret = opts.secret === undefined ? this.webhookState.secretToken : opts.secret;
    if (secret !== null && secret !== undefined) headers['x-telegram-bot-api-secret-token'] = secret;
    return postRaw(url, JSON.stringify(update), headers);
  }

  // ---------------------------------------------------------------- HTTP routing

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const fileMatch = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileMatch && (req.method === 'GET' || req.method === 'HEAD')) {
      this.serveFile(res, safeDecode(fileMatch[1] ?? ''), safeDecode(fileMatch[2] ?? ''));
      return;
    }
    const apiMatch = /^\/bot([^/]+)\/([^/]*)$/.exec(url.pathname);
    if (!apiMatch) {
      sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    await this.handleApi(req, res, url, safeDecode(apiMatch[1] ?? ''), safeDecode(apiMatch[2] ?? ''));
  }

  private serveFile(res: ServerResponse, token: string, path: string): void {
    if (token !== this.options.token) {
      sendJson(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      return;
    }
    const file = [...this.files.values()].find((f) => f.path === path);
    if (!file) {
      sendJson(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    sendText(res, 200, file.data, file.mimeType ?? 'application/octet-stream');
  }

  private async handleApi(req: IncomingMessage, res: ServerResponse, url: URL, token: string, rawMethod: string): Promise<void> {
    const entry = this.handlers.get(rawMethod.toLowerCase());
    const record: TelegramCallRecord = { method: entry?.name ?? rawMethod, params: {}, at: Date.now(), status: 0, ok: false, files: [] };
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableEnded) controller.abort();
    });
    let status = 200;
    let body: Record<string, unknown>;
    try {
      let uploads: MultipartPart[] = [];
      try {
        const parsed = parseBody(req.headers['content-type'], await readBody(req));
        record.params = coerceParams({ ...Object.fromEntries(url.searchParams), ...parsed.fields });
        uploads = parsed.files;
        record.files = uploads.map((p) => uploadInfo(p));
      } catch (error) {
        if (error instanceof BodyParseError) throw new TelegramApiError(400, "Bad Request: can't parse JSON object");
        throw error;
      }
      if (token !== this.options.token) throw new TelegramApiError(401, 'Unauthorized');
      if (!entry) throw new TelegramApiError(404, 'Not Found: method not found');
      const result = await entry.handler(record.params, { record, uploads, signal: controller.signal });
      body = { ok: true, result };
      record.ok = true;
      record.result = result;
    } catch (error) {
      if (!(error instanceof TelegramApiError)) throw error;
      status = error.code;
      body = { ok: false, error_code: error.code, description: error.description };
      if (error.parameters) body['parameters'] = error.parameters;
      record.description = error.description;
    }
    record.status = status;
    this.log.push(record);
    if (!res.destroyed) sendJson(res, status, body);
  }

  // ---------------------------------------------------------------- method handlers

  private buildHandlers(): Map<string, { name: string; handler: MethodHandler }> {
    const table: Record<string, MethodHandler> = {
      getMe: () => ({
        ...this.botUser(),
        can_join_groups: true,
        can_read_all_group_messages: false,
        supports_inline_queries: false,
        can_connect_to_business: false,
        has_main_web_app: false,
      }),
      getUpdates: (p, ctx) => this.getUpdates(p, ctx.signal),
      setWebhook: (p) => this.setWebhook(p),
      deleteWebhook: (p) => {
        if (p['drop_pending_updates'] === true) this.pendingUpdates = [];
        this.webhookState = { url: '' };
        return true;
      },
      getWebhookInfo: () => {
        const info: Record<string, unknown> = {
          url: this.webhookState.url,
          has_custom_certificate: false,
          pending_update_count: this.pendingUpdates.length,
        };
        if (this.webhookState.allowedUpdates) info['allowed_updates'] = this.webhookState.allowedUpdates;
        return info;
      },
      setMyCommands: (p) => {
        this.commandSets.set(commandKey(p['scope'], p['language_code']), validateCommands(p['commands']));
        return true;
      },
      getMyCommands: (p) => this.commandSets.get(commandKey(p['scope'], p['language_code'])) ?? [],
      deleteMyCommands: (p) => {
        this.commandSets.delete(commandKey(p['scope'], p['language_code']));
        return true;
      },
      sendMessage: (p, ctx) => this.sendMessage(p, ctx.record),
      editMessageText: (p, ctx) => this.editMessage(p, ctx.record, 'text'),
      editMessageReplyMarkup: (p, ctx) => this.editMessage(p, ctx.record, 'markup'),
      answerCallbackQuery: (p) => this.answerCallbackQuery(p),
      copyMessage: (p, ctx) => this.copyMessage(p, ctx.record, 'copy'),
      forwardMessage: (p, ctx) => this.copyMessage(p, ctx.record, 'forward'),
      sendDocument: (p, ctx) => this.sendFile('document', p, ctx),
      sendPhoto: (p, ctx) => this.sendFile('photo', p, ctx),
      sendChatAction: (p, ctx) => {
        ctx.record.chat_id = this.resolveChat(p);
        if (typeof p['action'] !== 'string' || p['action'] === '') throw new TelegramApiError(400, 'Bad Request: wrong parameter action in request');
        return true;
      },
      getFile: (p) => this.getFile(p),
      deleteMessage: (p, ctx) => {
        const chatId = this.resolveChat(p);
        ctx.record.chat_id = chatId;
        const messageId = requireMessageId(p);
        ctx.record.message_id = messageId;
        if (!this.messages.delete(messageKey(chatId, messageId))) throw new TelegramApiError(400, 'Bad Request: message to delete not found');
        return true;
      },
    };
    return new Map(Object.entries(table).map(([name, handler]) => [name.toLowerCase(), { name, handler }]));
  }

  private async getUpdates(p: TelegramParams, signal: AbortSignal): Promise<Update[]> {
    if (this.webhookState.url) {
      throw new TelegramApiError(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
    }
    // Like Telegram: a newer getUpdates terminates the older long poll.
    this.activePoll?.terminate();
    const offset = numberParam(p['offset']);
    if (offset !== undefined) {
      this.pendingUpdates = offset < 0 ? this.pendingUpdates.slice(offset) : this.pendingUpdates.filter((u) => u.update_id >= offset);
    }
    const allowed = Array.isArray(p['allowed_updates']) ? p['allowed_updates'].filter((x): x is string => typeof x === 'string') : [];
    if (allowed.length > 0) this.pendingUpdates = this.pendingUpdates.filter((u) => allowed.includes(updateKind(u)));
    const timeoutSec = Math.max(0, numberParam(p['timeout']) ?? 0);
    if (this.pendingUpdates.length === 0 && timeoutSec > 0) await this.waitForUpdate(timeoutSec * 1000, signal);
    const limit = Math.min(100, Math.max(1, numberParam(p['limit']) ?? 100));
    const visible = allowed.length > 0 ? this.pendingUpdates.filter((u) => allowed.includes(updateKind(u))) : this.pendingUpdates;
    return visible.slice(0, limit);
  }

  private waitForUpdate(timeoutMs: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const poll = {
        terminate: () => {
          cleanup();
          reject(new TelegramApiError(409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running'));
        },
      };
      const done = (): void => {
        cleanup();
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.updateEvents.off('update', done);
        this.updateEvents.off('stop', done);
        signal.removeEventListener('abort', done);
        if (this.activePoll === poll) this.activePoll = undefined;
      };
      this.activePoll = poll;
      this.updateEvents.on('update', done);
      this.updateEvents.on('stop', done);
      signal.addEventListener('abort', done);
    });
  }

  private setWebhook(p: TelegramParams): true {
    const url = typeof p['url'] === 'string' ? p['url'] : '';
    if (url !== '' && !/^https?:\/\//.test(url)) throw new TelegramApiError(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
    const secret = p['secret_token'];
    if (secret !== undefined && (typeof secret !== 'string' || !/^[A-Za-z0-9_-]{1,256}$/.test(secret))) {
      throw new TelegramApiError(400, 'Bad Request: secret token contains unallowed characters');
    }
    if (p['drop_pending_updates'] === true) this.pendingUpdates = [];
    const state: TelegramWebhookState = { url };
    if (typeof secret === 'string') state.secretToken = secret;
    if (Array.isArray(p['allowed_updates'])) state.allowedUpdates = p['allowed_updates'].filter((x): x is string => typeof x === 'string');
    this.webhookState = url === '' ? { url: '' } : state;
    return true;
  }

  private sendMessage(p: TelegramParams, record: TelegramCallRecord): Message {
    const chatId = this.resolveChatIdParam(p);
    record.chat_id = chatId;
    const text = this.checkText(p['text']);
    record.text = text;
    if (p['reply_markup'] !== undefined) record.reply_markup = p['reply_markup'];
    this.checkChat(chatId);
    this.throttle('sendMessage', chatId);
    const extra: Partial<Message> = { text };
    const markup = inlineMarkup(p['reply_markup']);
    if (markup) extra.reply_markup = markup;
    if (Array.isArray(p['entities'])) extra.entities = p['entities'] as Message['entities'];
    const message = this.botMessage(chatId, extra);
    record.message_id = message.message_id;
    return message;
  }

  private editMessage(p: TelegramParams, record: TelegramCallRecord, what: 'text' | 'markup'): Message | true {
    const text = what === 'text' ? this.checkText(p['text']) : undefined;
    if (text !== undefined) record.text = text;
    if (p['reply_markup'] !== undefined) record.reply_markup = p['reply_markup'];
    const markup = inlineMarkup(p['reply_markup']);
    if (p['inline_message_id'] !== undefined) {
      this.throttle('editMessageText', `inline:${paramText(p['inline_message_id'])}`);
      return true;
    }
    const chatId = this.resolveChat(p);
    record.chat_id = chatId;
    const messageId = requireMessageId(p);
    record.message_id = messageId;
    const key = messageKey(chatId, messageId);
    const current = this.messages.get(key);
    if (!current) throw new TelegramApiError(400, 'Bad Request: message to edit not found');
    if (current.from?.id !== this.options.botId) throw new TelegramApiError(400, "Bad Request: message can't be edited");
    const nextText = text ?? current.text;
    if (nextText === current.text && JSON.stringify(markup) === JSON.stringify(current.reply_markup)) throw new TelegramApiError(400, NOT_MODIFIED);
    this.throttle('editMessageText', chatId);
    const updated: Message = { ...current, edit_date: unixNow() };
    if (nextText !== undefined) updated.text = nextText;
    if (text !== undefined) delete updated.entities;
    if (markup) updated.reply_markup = markup;
    else delete updated.reply_markup;
    this.messages.set(key, updated);
    return updated;
  }

  /**
   * `copyMessage` (a copy without a link to the original; returns `{ message_id }`) and
   * `forwardMessage` (returns the forwarded Message). The source must be a message this emulator
   * knows (built by an update helper or adopted); a protected or service message cannot be copied.
   */
  private copyMessage(p: TelegramParams, record: TelegramCallRecord, how: 'copy' | 'forward'): Message | { message_id: number } {
    const chatId = this.resolveChatIdParam(p);
    record.chat_id = chatId;
    const fromChat = numberParam(p['from_chat_id']);
    if (fromChat === undefined) throw new TelegramApiError(400, 'Bad Request: chat_id is empty');
    const messageId = requireMessageId(p);
    const original = this.messages.get(messageKey(fromChat, messageId));
    if (!original) throw new TelegramApiError(400, `Bad Request: message to ${how} not found`);
    if (original.has_protected_content) throw new TelegramApiError(400, "Bad Request: message can't be copied");
    this.checkChat(chatId);
    this.throttle('sendMessage', chatId);
    const { message_id: _old, date: _date, chat: _chat, from: _from, forward_origin: _origin, edit_date: _edit, ...content } = original as Message & Record<string, unknown>;
    const extra: Partial<Message> = { ...content };
    if (how === 'forward' && original.from) extra.forward_origin = { type: 'user', date: original.date, sender_user: original.from };
    const copy = this.botMessage(chatId, extra);
    record.message_id = copy.message_id;
    if (typeof copy.text === 'string') record.text = copy.text;
    if (typeof copy.caption === 'string') record.caption = copy.caption;
    return how === 'copy' ? { message_id: copy.message_id } : copy;
  }

  private answerCallbackQuery(p: TelegramParams): true {
    const id = p['callback_query_id'];
    const state = typeof id === 'string' ? this.callbackIds.get(id) : undefined;
    if (!state || state.answered) {
      throw new TelegramApiError(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
    }
    if (typeof p['text'] === 'string' && p['text'].length > 200) throw new TelegramApiError(400, 'Bad Request: MESSAGE_TOO_LONG');
    state.answered = true;
    return true;
  }

  private sendFile(kind: 'document' | 'photo', p: TelegramParams, ctx: CallContext): Message {
    const { record } = ctx;
    const chatId = this.resolveChatIdParam(p);
    record.chat_id = chatId;
    const caption = p['caption'] === undefined ? undefined : paramText(p['caption']);
    if (caption !== undefined) {
      record.caption = caption;
      if (caption.length > this.options.maxCaptionLength) throw new TelegramApiError(400, 'Bad Request: message caption is too long');
    }
    if (p['reply_markup'] !== undefined) record.reply_markup = p['reply_markup'];
    const file = this.resolveInputFile(kind, p[kind], ctx.uploads);
    this.checkChat(chatId);
    this.throttle(kind === 'document' ? 'sendDocument' : 'sendPhoto', chatId);
    const extra: Partial<Message> = {};
    if (kind === 'document') {
      extra.document = {
        file_id: file.fileId,
        file_unique_id: file.uniqueId,
        file_name: file.fileName ?? 'document',
        mime_type: file.mimeType ?? mimeTypeFor(file.fileName ?? ''),
        file_size: file.data.length,
      };
    } else {
      extra.photo = [{ file_id: file.fileId, file_unique_id: file.uniqueId, width: 800, height: 600, file_size: file.data.length }];
    }
    if (caption !== undefined) extra.caption = caption;
    const markup = inlineMarkup(p['reply_markup']);
    if (markup) extra.reply_markup = markup;
    const message = this.botMessage(chatId, extra);
    record.message_id = message.message_id;
    return message;
  }

  private resolveInputFile(kind: 'document' | 'photo', input: unknown, uploads: MultipartPart[]): StoredFile {
    const missing = new TelegramApiError(400, `Bad Request: there is no ${kind} in the request`);
    let part: MultipartPart | undefined;
    if (typeof input === 'string' && input.startsWith('attach://')) {
      part = uploads.find((u) => u.name === input.slice('attach://'.length));
      if (!part) throw missing;
    } else if (input === undefined || input === '') {
      part = uploads.find((u) => u.name === kind);
      if (!part) throw missing;
    }
    if (part) {
      this.fileCounter += 1;
      const fileName = part.filename || `${kind}_${this.fileCounter}`;
      const stored: StoredFile = {
        fileId: `${kind === 'photo' ? 'AgAC' : 'BQAC'}EMU${this.fileCounter}`,
        uniqueId: `AQADEMU${this.fileCounter}`,
        path: `${kind === 'photo' ? 'photos' : 'documents'}/file_${this.fileCounter}${extensionOf(fileName)}`,
        data: part.data,
        fileName,
        mimeType: part.contentType && part.contentType !== 'application/octet-stream' ? part.contentType : mimeTypeFor(fileName),
      };
      this.files.set(stored.fileId, stored);
      return stored;
    }
    if (typeof input !== 'string') throw missing;
    const known = this.files.get(input);
    if (known) return known;
    if (/^https?:\/\//.test(input)) {
      this.fileCounter += 1;
      const fileName = decodeURIComponent(new URL(input).pathname.split('/').pop() || `${kind}_${this.fileCounter}`);
      const stored: StoredFile = {
        fileId: `BQACURL${this.fileCounter}`,
        uniqueId: `AQADURL${this.fileCounter}`,
        path: `documents/file_${this.fileCounter}${extensionOf(fileName)}`,
        data: Buffer.alloc(0),
        fileName,
      };
      this.files.set(stored.fileId, stored);
      return stored;
    }
    throw new TelegramApiError(400, 'Bad Request: wrong file identifier/HTTP URL specified');
  }

  private getFile(p: TelegramParams): Record<string, unknown> {
    const id = p['file_id'];
    const file = typeof id === 'string' ? this.files.get(id) : undefined;
    if (!file) throw new TelegramApiError(400, 'Bad Request: invalid file_id');
    if (file.data.length > MAX_DOWNLOAD_BYTES) throw new TelegramApiError(400, 'Bad Request: file is too big');
    return { file_id: file.fileId, file_unique_id: file.uniqueId, file_size: file.data.length, file_path: file.path };
  }

  // ---------------------------------------------------------------- validation helpers

  /** `chat_id` as a number; 400 when missing or not numeric. Does not check blocked/not found. */
  private resolveChatIdParam(p: TelegramParams): number {
    const raw = p['chat_id'];
    if (raw === undefined || raw === null || raw === '') throw new TelegramApiError(400, 'Bad Request: chat_id is empty');
    if (typeof raw !== 'number' || !Number.isSafeInteger(raw)) throw new TelegramApiError(400, 'Bad Request: chat not found');
    return raw;
  }

  /** `chat_id` plus the not-found/blocked checks. */
  private resolveChat(p: TelegramParams): number {
    const chatId = this.resolveChatIdParam(p);
    this.checkChat(chatId);
    return chatId;
  }

  private checkChat(chatId: number): void {
    if (this.notFoundChats.has(String(chatId))) throw new TelegramApiError(400, 'Bad Request: chat not found');
    if (this.blockedChats.has(String(chatId))) throw new TelegramApiError(403, 'Forbidden: bot was blocked by the user');
  }

  private checkText(value: unknown): string {
    const text = value === undefined || value === null ? '' : paramText(value);
    if (text.trim() === '') throw new TelegramApiError(400, 'Bad Request: message text is empty');
    if (text.length > this.options.maxTextLength) throw new TelegramApiError(400, 'Bad Request: message is too long');
    return text;
  }

  /** Applies the global and per-chat sliding windows; counts the call when it passes. */
  private throttle(method: string, chatKey: number | string): void {
    if (!RATE_LIMITED_METHODS.has(method)) return;
    const now = Date.now();
    const chat = `chat:${chatKey}`;
    const wait = Math.max(
      this.limiter.waitMs('global', this.options.globalRatePerSec, now),
      this.limiter.waitMs(chat, this.options.perChatRatePerSec, now),
    );
    if (wait > 0) {
      this.stats.tooManyRequests += 1;
      const seconds = this.options.retryAfterSeconds ?? retryAfterSeconds(wait);
      throw new TelegramApiError(429, `Too Many Requests: retry after ${seconds}`, { retry_after: seconds });
    }
    if (this.options.globalRatePerSec > 0) this.limiter.hit('global', now);
    if (this.options.perChatRatePerSec > 0) this.limiter.hit(chat, now);
  }

  // ---------------------------------------------------------------- state helpers

  private botUser(): User {
    return { id: this.options.botId, is_bot: true, first_name: this.options.botFirstName, username: this.options.botUsername };
  }

  private nextMessageId(): number {
    this.messageCounter += 1;
    return this.messageCounter;
  }

  private botMessage(chatId: number, extra: Partial<Message>): Message {
    const message: Message = {
      message_id: this.nextMessageId(),
      date: unixNow(),
      chat: chatFor(chatId, this.users.get(chatId)),
      from: this.botUser(),
      ...extra,
    };
    this.messages.set(messageKey(chatId, message.message_id), message);
    return message;
  }

  private noteCallbackQuery(update: Update): void {
    const id = update.callback_query?.id;
    if (id !== undefined && !this.callbackIds.has(id)) this.callbackIds.set(id, { answered: false });
  }

  private factoryHost(): UpdateFactoryHost {
    return {
      nextMessageId: () => this.nextMessageId(),
      botUser: () => this.botUser(),
      findMessage: (chatId, messageId) => {
        if (messageId !== undefined) return this.messages.get(messageKey(chatId, messageId));
        let latest: Message | undefined;
        for (const message of this.messages.values()) {
          if (message.chat.id === chatId && message.from?.id === this.options.botId) latest = message;
        }
        return latest;
      },
      rememberMessage: (message) => {
        this.messages.set(messageKey(message.chat.id, message.message_id), message);
      },
      rememberUser: (user) => {
        this.users.set(user.id, user);
      },
      knownUser: (userId) => this.users.get(userId),
      rememberCallbackQuery: (id) => {
        this.callbackIds.set(id, { answered: false });
      },
      fileSize: (fileId) => this.files.get(fileId)?.data.length,
    };
  }
}

// -------------------------------------------------------------------- module helpers

function messageKey(chatId: number, messageId: number): string {
  return `${chatId}:${messageId}`;
}

function updateKind(update: Update): string {
  return Object.keys(update).find((k) => k !== 'update_id') ?? '';
}

function uploadInfo(part: MultipartPart): TelegramUploadInfo {
  const info: TelegramUploadInfo = { field: part.name, filename: part.filename ?? '', size: part.data.length };
  if (part.contentType !== undefined) info.contentType = part.contentType;
  return info;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A parameter as the API reads it: strings as they are, numbers and booleans as text, anything else as JSON. */
function paramText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}
