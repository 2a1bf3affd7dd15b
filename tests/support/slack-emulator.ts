/**
 * A local emulator of the Slack Web API (plus the Slack → app direction) for tests and the demo.
 *
 * Why: Bolt and `@slack/web-api` must be exercised with real HTTP, including what goes wrong in
 * production — `invalid_auth`, `channel_not_found`, `msg_too_long`, HTTP 429 with `Retry-After`
 * (1 message/second/channel), expired trigger ids — without network access. Point the client at it
 * with `slackApiUrl: base + '/api/'`; drive the app with signed events, slash commands and button
 * clicks via {@link SlackEmulator.postEvent}, {@link SlackEmulator.postSlashCommand} and
 * {@link SlackEmulator.postAction}.
 *
 * Real traffic: files a user shares ({@link SlackEmulator.addSharedFile}) are served at their
 * `url_private_download` to the bot token only; builders for `file_share`, thread replies and
 * `message_changed`; captured envelopes, interactions (`view_submission`) and slash-command forms
 * are posted as they are, signed ({@link SlackEmulator.postEnvelope}, {@link SlackEmulator.postInteraction}).
 *
 * Deliberate simplifications: any channel id is valid unless blocked with
 * {@link SlackEmulator.blockChannel}; posting to a user id (`U…`) lands in DM channel `D<user>`
 * (same id `conversations.open` returns); only `chat.postMessage` is rate limited.
 *
 * @example
 * const slack = new SlackEmulator();
 * const base = await slack.start();
 * const app = new App({ token: slack.botToken, signingSecret: slack.signingSecret, clientOptions: { slackApiUrl: `${base}/api/` } });
 * await slack.postSlashCommand(`${appUrl}/slack/events`, { userId: 'U1', text: 'find Ann' });
 * const reply = await slack.waitFor((c) => c.method === 'chat.postMessage' && c.channel === 'DU1');
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BodyParseError,
  HttpFixture,
  isRecord,
  maybeJson,
  parseBody,
  postRaw,
  readBody,
  sendJson,
  sendText,
  type HttpResult,
} from './http-util.js';
import { RecordLog } from './record-log.js';
import { SlidingWindowLimiter, retryAfterSeconds } from './sliding-window.js';
import {
  blockActionsPayload,
  blockIdFor,
  eventEnvelope,
  signSlackRequest,
  slackUserObject,
  slashCommandForm,
  unixSeconds,
  type SlackSignatureHeaders,
  type SlackUserInput,
  type SlackWorkspace,
} from './slack-payloads.js';

export type { SlackSignatureHeaders, SlackUserInput } from './slack-payloads.js';

/** Constructor options; every field has a realistic default. */
export interface SlackEmulatorOptions {
  /** Accepted token. Default `'xoxb-test'`. */
  botToken?: string;
  /** Default `'T0001'`. */
  teamId?: string;
  /** Default `'crm-test'`. */
  teamDomain?: string;
  /** Default `'UBOT'`. */
  botUserId?: string;
  /** Default `'B0001'`. */
  botId?: string;
  /** Default `'A0001'`. */
  appId?: string;
  /** Used to sign requests sent to the app. Default `'test-signing-secret'`. */
  signingSecret?: string;
  /** Legacy `token` field in payloads. Default `'test-verification-token'`. */
  verificationToken?: string;
  /** `chat.postMessage` per channel per second. Default 1; 0 disables. */
  perChannelRatePerSec?: number;
  /** Default 40000. */
  maxTextLength?: number;
  /** Fixed `Retry-After` for every 429 instead of the computed one. */
  retryAfterSeconds?: number;
  /** How long a `trigger_id` is valid for `views.open`. Default 3000 (like Slack); 0 = forever. */
  triggerTtlMs?: number;
}

/** Resolved, mutable options (tests may change limits on the fly). */
export interface ResolvedSlackOptions {
  botToken: string;
  teamId: string;
  teamDomain: string;
  botUserId: string;
  botId: string;
  appId: string;
  signingSecret: string;
  verificationToken: string;
  perChannelRatePerSec: number;
  maxTextLength: number;
  retryAfterSeconds: number | undefined;
  triggerTtlMs: number;
}

/** Decoded request parameters (query + body; JSON-valued form fields such as `blocks` parsed). */
export type SlackParams = Record<string, unknown>;

/** One Web API call as the emulator saw it. */
export interface SlackCallRecord {
  method: string;
  params: SlackParams;
  at: number;
  /** HTTP status: 200, or 429 when rate limited. */
  status: number;
  ok: boolean;
  error?: string;
  /** The JSON body answered. */
  response?: Record<string, unknown>;
  channel?: string;
  text?: string;
  ts?: string;
  blocks?: unknown;
}

/** A file created through `files.getUploadURLExternal` (+ upload + complete). */
export interface SlackFileRecord {
  id: string;
  filename: string;
  length: number;
  bytes?: Buffer;
  completed: boolean;
  title?: string;
  channel_id?: string;
  initial_comment?: string;
  thread_ts?: string;
}

/** A successful post into a channel, as returned by {@link SlackEmulator.posted}. */
export interface SlackPostedRecord {
  method: 'chat.postMessage' | 'chat.update' | 'files.completeUploadExternal';
  channel: string;
  ts?: string;
  text?: string;
  blocks?: unknown;
  thread_ts?: string;
  files?: SlackFileRecord[];
  params: SlackParams;
}

/** A body the app POSTed to a `response_url`. */
export interface SlackResponseRecord {
  id: string;
  /** Parsed JSON (or form fields) of the body. */
  body: unknown;
  raw: string;
  at: number;
}

/** Options shared by the request helpers that sign requests. */
export interface SignOptions {
  /** Sign with another secret (to test rejection). */
  secret?: string;
  /** Unix seconds to sign with (to test stale-request rejection). */
  timestamp?: number;
}

/** Options for {@link SlackEmulator.postEvent}. */
export interface PostEventOptions extends SignOptions {
  retryNum?: number;
  /** Default `'http_timeout'` when `retryNum` is set. */
  retryReason?: string;
  eventId?: string;
}

/** Input for {@link SlackEmulator.postSlashCommand}. `channelId` defaults to the user's DM `D<userId>`. */
export interface SlashCommandInput extends SignOptions {
  userId: string;
  channelId?: string;
  text: string;
  command?: string;
  responseUrl?: string;
}

/** Input for {@link SlackEmulator.postAction}. `messageTs` defaults to the bot's latest message in the channel. */
export interface ActionInput extends SignOptions {
  userId: string;
  channelId: string;
  actionId: string;
  value: string;
  messageTs?: string;
  blockId?: string;
}

/** Result of a request helper: the app's answer plus ids useful for follow-up assertions. */
export interface SlackRequestResult extends HttpResult {
  eventId?: string;
  responseUrl?: string;
  triggerId?: string;
}

class SlackApiError extends Error {}

class SlackRateLimited extends Error {
  constructor(readonly retryAfter: number) {
    super('ratelimited');
  }
}

type MethodHandler = (params: SlackParams, record: SlackCallRecord) => Record<string, unknown>;

const JSON_FIELDS = ['blocks', 'attachments', 'files', 'view', 'metadata'];
const POSTED_METHODS = new Set(['chat.postMessage', 'chat.update', 'files.completeUploadExternal']);

/** See the module comment. */
export class SlackEmulator {
  readonly options: ResolvedSlackOptions;
  /** Counters; `tooManyRequests` counts every 429 answered. */
  readonly stats = { tooManyRequests: 0 };

  private readonly http = new HttpFixture('SlackEmulator', (req, res) => this.route(req, res));
  private readonly log = new RecordLog<SlackCallRecord>((c) => `${c.method} ${c.status} ${c.ok ? 'ok' : (c.error ?? '')}`);
  private readonly responseLog = new RecordLog<SlackResponseRecord>((r) => `${r.id} ${r.raw.slice(0, 120)}`);
  private readonly postedLog: SlackPostedRecord[] = [];
  private readonly limiter = new SlidingWindowLimiter(1000);
  private readonly handlers: Map<string, MethodHandler>;
  private readonly users = new Map<string, SlackUserInput>();
  private readonly messages = new Map<string, Record<string, unknown>>();
  private readonly fileStore = new Map<string, SlackFileRecord>();
  private readonly sharedFiles = new Map<string, { name: string; mimetype: string; bytes: Buffer }>();
  private readonly blocked = new Map<string, string>();
  private readonly openedDms = new Set<string>();
  private readonly triggers = new Map<string, { issuedAt: number; used: boolean }>();
  private readonly reactions = new Set<string>();
  private readonly openedViews: Record<string, unknown>[] = [];
  private tsCounter = 0;
  private idCounter = 0;

  constructor(options: SlackEmulatorOptions = {}) {
    this.options = {
      botToken: options.botToken ?? 'xoxb-test',
      teamId: options.teamId ?? 'T0001',
      teamDomain: options.teamDomain ?? 'crm-test',
      botUserId: options.botUserId ?? 'UBOT',
      botId: options.botId ?? 'B0001',
      appId: options.appId ?? 'A0001',
      signingSecret: options.signingSecret ?? 'test-signing-secret',
      verificationToken: options.verificationToken ?? 'test-verification-token',
      perChannelRatePerSec: options.perChannelRatePerSec ?? 1,
      maxTextLength: options.maxTextLength ?? 40000,
      retryAfterSeconds: options.retryAfterSeconds,
      triggerTtlMs: options.triggerTtlMs ?? 3000,
    };
    this.handlers = this.buildHandlers();
  }

  // ---------------------------------------------------------------- lifecycle

  /** The accepted bot token. */
  get botToken(): string {
    return this.options.botToken;
  }

  /** The secret requests to the app are signed with. */
  get signingSecret(): string {
    return this.options.signingSecret;
  }

  /** Base URL (`http://127.0.0.1:PORT`) once started; the Web API lives under `${baseUrl}/api/`. */
  get baseUrl(): string {
    return this.http.baseUrl;
  }

  /** `slackApiUrl` for `WebClient` / Bolt `clientOptions` (with trailing slash). */
  get apiUrl(): string {
    return `${this.baseUrl}/api/`;
  }

  /**
   * Starts listening on an ephemeral port of 127.0.0.1 and returns the base URL.
   *
   * @example
   * const base = await slack.start();
   * const client = new WebClient(slack.botToken, { slackApiUrl: `${base}/api/` });
   */
  start(): Promise<string> {
    return this.http.start();
  }

  /** Closes the server. */
  stop(): Promise<void> {
    return this.http.stop();
  }

  /**
   * Clears per-test state: calls, posts, responses, stats, rate windows, stored messages, files,
   * blocked channels, triggers, reactions and views. Keeps registered users and id counters.
   */
  reset(): void {
    this.log.clear();
    this.responseLog.clear();
    this.postedLog.length = 0;
    this.stats.tooManyRequests = 0;
    this.limiter.reset();
    this.messages.clear();
    this.fileStore.clear();
    this.blocked.clear();
    this.openedDms.clear();
    this.triggers.clear();
    this.reactions.clear();
    this.openedViews.length = 0;
  }

  // ---------------------------------------------------------------- test controls

  /** Every Web API call so far (plus `upload` entries for file bytes), oldest first. */
  get calls(): SlackCallRecord[] {
    return this.log.items;
  }

  /** Bodies the app POSTed to `response_url`s, oldest first. */
  get responses(): SlackResponseRecord[] {
    return this.responseLog.items;
  }

  /** Files known to the emulator (pending and completed uploads). */
  get files(): SlackFileRecord[] {
    return [...this.fileStore.values()];
  }

  /** Views opened with `views.open`, as returned to the app. */
  get views(): Record<string, unknown>[] {
    return this.openedViews;
  }

  /**
   * Registers a workspace member for `users.info`.
   *
   * @example
   * slack.addUser({ id: 'U1', name: 'ann', realName: 'Ann Lee', tz: 'Europe/Berlin' });
   */
  addUser(user: SlackUserInput): void {
    // Validate the zone early (throws RangeError for a bad IANA name).
    slackUserObject(this.options.teamId, user);
    this.users.set(user.id, user);
  }

  /**
   * Makes posts to a channel fail with `error` (default `channel_not_found`; e.g. `is_archived`,
   * `not_in_channel`). A user id blocks that user's DM as well.
   *
   * @example
   * slack.blockChannel('DU1');
   */
  blockChannel(channelId: string, error = 'channel_not_found'): void {
    this.blocked.set(channelId, error);
  }

  /** A stored bot message (after edits) by channel and ts. */
  getMessage(channel: string, ts: string): Record<string, unknown> | undefined {
    return this.messages.get(`${channel}:${ts}`);
  }

  /**
   * Successful `chat.postMessage`, `chat.update` and channel file uploads, optionally for one channel.
   *
   * @example
   * expect(slack.posted('C1').map((p) => p.text)).toContain('Saved Ann');
   */
  posted(channel?: string): SlackPostedRecord[] {
    return channel === undefined ? [...this.postedLog] : this.postedLog.filter((p) => p.channel === channel);
  }

  /**
   * Resolves with the first successful call matching `predicate` — already recorded or arriving
   * within `timeoutMs`. Pass `since: slack.calls.length` (captured earlier) to ignore older calls.
   *
   * @example
   * await slack.waitFor((c) => c.method === 'views.open');
   */
  waitFor(predicate: (call: SlackCallRecord) => boolean, timeoutMs = 5000, opts: { since?: number } = {}): Promise<SlackCallRecord> {
    return this.log.waitFor((c) => c.ok && predicate(c), timeoutMs, opts.since ?? 0);
  }

  /**
   * Resolves with the first body POSTed to a `response_url` that matches `predicate`.
   *
   * @example
   * const { body } = await slack.waitForResponse();
   */
  waitForResponse(predicate: (r: SlackResponseRecord) => boolean = () => true, timeoutMs = 5000, opts: { since?: number } = {}): Promise<SlackResponseRecord> {
    return this.responseLog.waitFor(predicate, timeoutMs, opts.since ?? 0);
  }

  /** Issues a fresh `trigger_id` that `views.open` accepts (for hand-built payloads). */
  newTriggerId(): string {
    const id = `${Date.now()}.${++this.idCounter}.${randomBytes(8).toString('hex')}`;
    this.triggers.set(id, { issuedAt: Date.now(), used: false });
    return id;
  }

  // ---------------------------------------------------------------- requests to the app

  /**
   * Slack request-signing headers for a raw body.
   *
   * @example
   * const headers = slack.signBody('a=1'); // { 'x-slack-signature': 'v0=…', 'x-slack-request-timestamp': '…' }
   */
  signBody(body: string, timestamp: number = unixSeconds(), secret: string = this.options.signingSecret): SlackSignatureHeaders {
    return signSlackRequest(secret, body, timestamp);
  }

  /**
   * A DM `message` event (`channel_type: 'im'`) from a user to the bot.
   *
   * @example
   * await slack.postEvent(url, slack.dmMessageEvent({ userId: 'U1', text: 'add Ann +1 555 0100' }));
   */
  dmMessageEvent(input: { userId: string; text: string; channel?: string; threadTs?: string }): Record<string, unknown> {
    const ts = this.nextTs();
    const event: Record<string, unknown> = {
      type: 'message',
      channel: input.channel ?? dmChannelId(input.userId),
      user: input.userId,
      text: input.text,
      ts,
      event_ts: ts,
      channel_type: 'im',
      team: this.options.teamId,
      client_msg_id: randomUUID(),
    };
    // A reply in a thread: `thread_ts` is the thread's first message (Slack adds `parent_user_id`).
    if (input.threadTs !== undefined) Object.assign(event, { thread_ts: input.threadTs, parent_user_id: input.userId });
    return event;
  }

  /**
   * Registers a file a user shares, downloadable (with the bot token) from its
   * `url_private_download` on this emulator, and returns the file object a `file_share` carries.
   *
   * @example
   * const file = slack.addSharedFile({ name: 'dress.jpg', mimetype: 'image/jpeg', bytes: Buffer.from('…') });
   * await slack.postEvent(url, slack.fileShareEvent({ userId: 'U1', text: '', files: [file] }));
   */
  addSharedFile(input: { name: string; mimetype: string; bytes: Buffer; id?: string }): Record<string, unknown> {
    const id = input.id ?? `F${String(++this.idCounter).padStart(10, '0')}`;
    this.sharedFiles.set(id, { name: input.name, mimetype: input.mimetype, bytes: input.bytes });
    const base = `${this.baseUrl}/files-pri/${this.options.teamId}-${id}`;
    return {
      id,
      created: unixSeconds(),
      timestamp: unixSeconds(),
      name: input.name,
      title: input.name,
      mimetype: input.mimetype,
      filetype: input.name.split('.').pop() ?? 'binary',
      size: input.bytes.length,
      mode: 'hosted',
      is_external: false,
      url_private: `${base}/${encodeURIComponent(input.name)}`,
      url_private_download: `${base}/download/${encodeURIComponent(input.name)}`,
    };
  }

  /** A `file_share` DM: the files a user shared, with the words they typed (may be empty). */
  fileShareEvent(input: { userId: string; text: string; files: Record<string, unknown>[]; threadTs?: string }): Record<string, unknown> {
    return { ...this.dmMessageEvent(input), subtype: 'file_share', upload: false, display_as_bot: false, files: input.files };
  }

  /** A `message_changed` event in the user's DM: they edited the message `ts` from `previousText` to `text`. */
  messageChangedEvent(input: { userId: string; ts: string; text: string; previousText: string }): Record<string, unknown> {
    const channel = dmChannelId(input.userId);
    const ts = this.nextTs();
    const base = { type: 'message', user: input.userId, team: this.options.teamId, ts: input.ts };
    return {
      type: 'message',
      subtype: 'message_changed',
      hidden: true,
      channel,
      channel_type: 'im',
      ts,
      event_ts: ts,
      message: { ...base, text: input.text, edited: { user: input.userId, ts } },
      previous_message: { ...base, text: input.previousText },
    };
  }

  /**
   * POSTs a whole captured Events API envelope (a fixture), signed, as it is — only what the
   * caller adapted (ids) differs from the capture.
   */
  async postEnvelope(url: string, envelope: Record<string, unknown>, opts: SignOptions = {}): Promise<SlackRequestResult> {
    const body = JSON.stringify(envelope);
    const res = await postRaw(url, body, { 'content-type': 'application/json', ...this.signBody(body, opts.timestamp, opts.secret) });
    const eventId = typeof envelope['event_id'] === 'string' ? envelope['event_id'] : undefined;
    return eventId === undefined ? res : { ...res, eventId };
  }

  /** POSTs an interactivity payload (`view_submission`, `shortcut`, …) as `payload=<json>`, signed. */
  async postInteraction(url: string, payload: Record<string, unknown>, opts: SignOptions = {}): Promise<SlackRequestResult> {
    return this.postForm(url, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), opts);
  }

  /** POSTs a raw slash-command form body (a fixture), signed. */
  async postCommandForm(url: string, form: URLSearchParams, opts: SignOptions = {}): Promise<SlackRequestResult> {
    return this.postForm(url, form.toString(), opts);
  }

  /**
   * POSTs a signed Events API `event_callback` envelope; `retryNum` adds the
   * `X-Slack-Retry-Num`/`X-Slack-Retry-Reason` headers Slack sends on redelivery.
   *
   * @example
   * const first = await slack.postEvent(url, event);
   * await slack.postEvent(url, event, { eventId: first.eventId, retryNum: 1 }); // redelivery
   */
  async postEvent(url: string, event: Record<string, unknown>, opts: PostEventOptions = {}): Promise<SlackRequestResult> {
    const eventId = opts.eventId ?? `Ev${(++this.idCounter).toString(36).toUpperCase().padStart(9, '0')}`;
    const body = JSON.stringify(eventEnvelope(this.workspace(), event, eventId, unixSeconds()));
    const headers: Record<string, string> = { 'content-type': 'application/json', ...this.signBody(body, opts.timestamp, opts.secret) };
    if (opts.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(opts.retryNum);
      headers['x-slack-retry-reason'] = opts.retryReason ?? 'http_timeout';
    }
    return { ...(await postRaw(url, body, headers)), eventId };
  }

  /**
   * POSTs a signed slash command (form-encoded) like Slack; `response_url` points at this
   * emulator (`/response/<id>`) unless given, and bodies posted there land in {@link responses}.
   *
   * @example
   * const res = await slack.postSlashCommand(url, { userId: 'U1', text: 'find Ann' });
   * expect(res.status).toBe(200);
   */
  async postSlashCommand(url: string, input: SlashCommandInput): Promise<SlackRequestResult> {
    const responseUrl = input.responseUrl ?? this.newResponseUrl();
    const triggerId = this.newTriggerId();
    const channelId = input.channelId ?? dmChannelId(input.userId);
    const form = slashCommandForm(this.workspace(), {
      userId: input.userId,
      userName: this.users.get(input.userId)?.name ?? input.userId.toLowerCase(),
      channelId,
      channelName: channelId.startsWith('D') ? 'directmessage' : channelId,
      command: input.command ?? '/crm',
      text: input.text,
      responseUrl,
      triggerId,
    });
    return { ...(await this.postForm(url, form.toString(), input)), responseUrl, triggerId };
  }

  /**
   * POSTs a signed `block_actions` interaction (a button click) as `payload=<json>`.
   *
   * @example
   * await slack.postAction(url, { userId: 'U1', channelId: 'DU1', actionId: 'contact_delete', value: 'c123' });
   */
  async postAction(url: string, input: ActionInput): Promise<SlackRequestResult> {
    const message = this.actionMessage(input.channelId, input.messageTs);
    const responseUrl = this.newResponseUrl();
    const triggerId = this.newTriggerId();
    const payload = blockActionsPayload(this.workspace(), {
      userId: input.userId,
      userName: this.users.get(input.userId)?.name ?? input.userId.toLowerCase(),
      channelId: input.channelId,
      actionId: input.actionId,
      blockId: input.blockId ?? blockIdFor(message['blocks'], input.actionId) ?? 'actions',
      value: input.value,
      message,
      responseUrl,
      triggerId,
    });
    const form = new URLSearchParams({ payload: JSON.stringify(payload) });
    return { ...(await this.postForm(url, form.toString(), input)), responseUrl, triggerId };
  }

  private postForm(url: string, body: string, sign: SignOptions): Promise<HttpResult> {
    return postRaw(url, body, { 'content-type': 'application/x-www-form-urlencoded', ...this.signBody(body, sign.timestamp, sign.secret) });
  }

  private actionMessage(channelId: string, messageTs: string | undefined): Record<string, unknown> {
    if (messageTs !== undefined) {
      return this.messages.get(`${channelId}:${messageTs}`) ?? { type: 'message', ts: messageTs, text: '', user: this.options.botUserId };
    }
    let latest: Record<string, unknown> | undefined;
    for (const [key, message] of this.messages) if (key.startsWith(`${channelId}:`)) latest = message;
    return latest ?? { type: 'message', ts: this.nextTs(), text: '', user: this.options.botUserId };
  }

  private newResponseUrl(): string {
    return `${this.baseUrl}/response/${++this.idCounter}-${randomBytes(6).toString('hex')}`;
  }

  private workspace(): SlackWorkspace {
    const o = this.options;
    return { teamId: o.teamId, teamDomain: o.teamDomain, appId: o.appId, botUserId: o.botUserId, verificationToken: o.verificationToken };
  }

  // ---------------------------------------------------------------- HTTP routing

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const [, root, rest] = /^\/([^/]+)\/(.+)$/.exec(url.pathname) ?? [];
    if (req.method === 'POST' && root === 'upload' && rest) return this.handleUpload(req, res, decodeURIComponent(rest));
    if (req.method === 'POST' && root === 'response' && rest) return this.handleResponse(req, res, decodeURIComponent(rest));
    if (root === 'api' && rest) return this.handleApi(req, res, url, decodeURIComponent(rest));
    if ((req.method === 'GET' || req.method === 'HEAD') && root === 'files-pri' && rest) return this.serveSharedFile(req, res, rest);
    sendText(res, 404, 'Not Found');
  }

  private async handleApi(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    const record: SlackCallRecord = { method, params: {}, at: Date.now(), status: 200, ok: false };
    let body: Record<string, unknown>;
    const headers: Record<string, string> = {};
    try {
      let fields: Record<string, unknown>;
      try {
        fields = parseBody(req.headers['content-type'], await readBody(req)).fields;
      } catch (error) {
        if (error instanceof BodyParseError) throw new SlackApiError('invalid_json');
        throw error;
      }
      const params: SlackParams = { ...Object.fromEntries(url.searchParams), ...fields };
      for (const key of JSON_FIELDS) if (key in params) params[key] = maybeJson(params[key]);
      record.params = params;
      const handler = this.handlers.get(method);
      if (!handler) throw new SlackApiError('unknown_method');
      const auth = req.headers.authorization;
      const token = auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : typeof params['token'] === 'string' ? params['token'] : '';
      if (token === '') throw new SlackApiError('not_authed');
      if (token !== this.options.botToken) throw new SlackApiError('invalid_auth');
      body = { ok: true, ...handler(params, record) };
      record.ok = true;
    } catch (error) {
      if (error instanceof SlackRateLimited) {
        record.status = 429;
        headers['Retry-After'] = String(error.retryAfter);
        body = { ok: false, error: 'ratelimited' };
      } else if (error instanceof SlackApiError) {
        body = { ok: false, error: error.message };
        if (error.message === 'unknown_method') body['req_method'] = method;
      } else {
        throw error;
      }
      record.error = String(body['error']);
    }
    record.response = body;
    this.log.push(record);
    if (record.ok && POSTED_METHODS.has(method)) this.notePosted(record);
    sendJson(res, record.status, body, headers);
  }

  /** `GET /files-pri/<team>-<file id>/[download/]<name>` with `Authorization: Bearer <bot token>`, as Slack serves shared files. */
  private serveSharedFile(req: IncomingMessage, res: ServerResponse, rest: string): void {
    const id = /^[^-/]+-([^/]+)\//.exec(rest)?.[1];
    const file = id === undefined ? undefined : this.sharedFiles.get(id);
    this.log.push({ method: 'files-pri', params: { file_id: id ?? '' }, at: Date.now(), status: 200, ok: file !== undefined });
    // Without the token Slack answers with its login page, not the file.
    if (req.headers.authorization !== `Bearer ${this.options.botToken}`) return sendText(res, 302, '');
    if (!file) return sendText(res, 404, 'Not Found');
    sendText(res, 200, file.bytes, file.mimetype);
  }

  private async handleUpload(req: IncomingMessage, res: ServerResponse, fileId: string): Promise<void> {
    const file = this.fileStore.get(fileId);
    const parsed = parseBody(req.headers['content-type'], await readBody(req));
    if (!file) {
      sendText(res, 404, 'Not Found');
      return;
    }
    const part = parsed.files[0];
    file.bytes = parsed.kind === 'multipart' ? (part?.data ?? Buffer.from(paramText(parsed.fields['body'] ?? parsed.fields['file'] ?? ''))) : parsed.raw;
    this.log.push({ method: 'upload', params: { file_id: fileId, size: file.bytes.length }, at: Date.now(), status: 200, ok: true });
    sendText(res, 200, `OK - ${file.bytes.length}`);
  }

  private async handleResponse(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const raw = await readBody(req);
    let body: unknown = raw.toString('utf8');
    try {
      const parsed = parseBody(req.headers['content-type'] ?? 'application/json', raw);
      if (parsed.kind !== 'raw') body = parsed.fields;
    } catch {
      // Not JSON after all: keep the text.
    }
    this.responseLog.push({ id, body, raw: raw.toString('utf8'), at: Date.now() });
    sendJson(res, 200, { ok: true });
  }

  private notePosted(record: SlackCallRecord): void {
    const p = record.params;
    const method = record.method as SlackPostedRecord['method'];
    if (method === 'files.completeUploadExternal') {
      const files = Array.isArray(record.response?.['files']) ? (record.response['files'] as { id: string }[]) : [];
      const stored = files.map((f) => this.fileStore.get(f.id)).filter((f): f is SlackFileRecord => f !== undefined);
      const channel = stored[0]?.channel_id;
      if (channel === undefined) return;
      const posted: SlackPostedRecord = { method, channel, files: stored, params: p };
      if (stored[0]?.initial_comment !== undefined) posted.text = stored[0].initial_comment;
      if (stored[0]?.thread_ts !== undefined) posted.thread_ts = stored[0].thread_ts;
      this.postedLog.push(posted);
      return;
    }
    const posted: SlackPostedRecord = { method, channel: record.channel ?? '', params: p };
    if (record.ts !== undefined) posted.ts = record.ts;
    if (record.text !== undefined) posted.text = record.text;
    if (record.blocks !== undefined) posted.blocks = record.blocks;
    if (typeof p['thread_ts'] === 'string') posted.thread_ts = p['thread_ts'];
    this.postedLog.push(posted);
  }

  // ---------------------------------------------------------------- method handlers

  private buildHandlers(): Map<string, MethodHandler> {
    const o = this.options;
    const table: Record<string, MethodHandler> = {
      'auth.test': () => ({
        url: `https://${o.teamDomain}.slack.com/`,
        team: 'CRM Test',
        user: 'crm_bot',
        team_id: o.teamId,
        user_id: o.botUserId,
        bot_id: o.botId,
        is_enterprise_install: false,
      }),
      'chat.postMessage': (p, r) => this.postMessage(p, r),
      'chat.update': (p, r) => this.updateMessage(p, r),
      'chat.postEphemeral': (p, r) => {
        this.channelParam(p['channel'], r);
        if (typeof p['user'] !== 'string' || p['user'] === '') throw new SlackApiError('user_not_found');
        this.messageContent(p, r);
        return { message_ts: this.nextTs() };
      },
      'conversations.open': (p) => this.openConversation(p),
      'users.info': (p) => {
        const user = typeof p['user'] === 'string' ? this.users.get(p['user']) : undefined;
        if (!user) throw new SlackApiError('user_not_found');
        return { user: slackUserObject(o.teamId, user) };
      },
      'files.getUploadURLExternal': (p) => {
        const length = Number(p['length']);
        if (typeof p['filename'] !== 'string' || p['filename'] === '' || !Number.isInteger(length) || length < 0) {
          throw new SlackApiError('invalid_arguments');
        }
        const id = `F${String(++this.idCounter).padStart(10, '0')}`;
        this.fileStore.set(id, { id, filename: p['filename'], length, completed: false });
        return { upload_url: `${this.baseUrl}/upload/${id}`, file_id: id };
      },
      'files.completeUploadExternal': (p, r) => this.completeUpload(p, r),
      'views.open': (p) => this.openView(p),
      'reactions.add': (p, r) => {
        const channel = this.channelParam(p['channel'], r);
        if (typeof p['timestamp'] !== 'string' || p['timestamp'] === '') throw new SlackApiError('no_item_specified');
        if (typeof p['name'] !== 'string' || p['name'] === '') throw new SlackApiError('invalid_name');
        const key = `${channel}:${p['timestamp']}:${p['name']}`;
        if (this.reactions.has(key)) throw new SlackApiError('already_reacted');
        this.reactions.add(key);
        return {};
      },
    };
    return new Map(Object.entries(table));
  }

  private postMessage(p: SlackParams, record: SlackCallRecord): Record<string, unknown> {
    const channel = this.channelParam(p['channel'], record);
    const { text, blocks } = this.messageContent(p, record);
    this.throttle(channel);
    const ts = this.nextTs();
    record.ts = ts;
    const message: Record<string, unknown> = { type: 'message', text: text ?? '', user: this.options.botUserId, bot_id: this.options.botId, app_id: this.options.appId, team: this.options.teamId, ts };
    if (blocks !== undefined) message['blocks'] = blocks;
    if (typeof p['thread_ts'] === 'string') message['thread_ts'] = p['thread_ts'];
    this.messages.set(`${channel}:${ts}`, message);
    return { channel, ts, message };
  }

  private updateMessage(p: SlackParams, record: SlackCallRecord): Record<string, unknown> {
    const channel = this.channelParam(p['channel'], record);
    const ts = typeof p['ts'] === 'string' ? p['ts'] : '';
    record.ts = ts;
    const current = this.messages.get(`${channel}:${ts}`);
    if (!current) throw new SlackApiError('message_not_found');
    const { text, blocks } = this.messageContent(p, record);
    const message: Record<string, unknown> = { ...current, text: text ?? '', edited: { user: this.options.botUserId, ts: this.nextTs() } };
    if (blocks !== undefined) message['blocks'] = blocks;
    else delete message['blocks'];
    this.messages.set(`${channel}:${ts}`, message);
    return { channel, ts, text: message['text'], message };
  }

  private completeUpload(p: SlackParams, record: SlackCallRecord): Record<string, unknown> {
    const list = p['files'];
    if (!Array.isArray(list) || list.length === 0) throw new SlackApiError('invalid_arguments');
    const rawChannel = typeof p['channel_id'] === 'string' && p['channel_id'] !== '' ? p['channel_id'] : typeof p['channels'] === 'string' && p['channels'] !== '' ? p['channels'].split(',')[0] : undefined;
    const channel = rawChannel === undefined ? undefined : this.channelParam(rawChannel, record);
    const entries = list.map((item: unknown) => {
      const id = isRecord(item) && typeof item['id'] === 'string' ? item['id'] : '';
      const file = this.fileStore.get(id);
      if (!file || file.bytes === undefined || file.completed) throw new SlackApiError('file_not_found');
      return { file, title: isRecord(item) && typeof item['title'] === 'string' ? item['title'] : undefined };
    });
    const comment = typeof p['initial_comment'] === 'string' ? p['initial_comment'] : undefined;
    if (comment !== undefined) record.text = comment;
    return {
      files: entries.map(({ file, title }) => {
        file.completed = true;
        file.title = title ?? file.filename;
        if (channel !== undefined) file.channel_id = channel;
        if (comment !== undefined) file.initial_comment = comment;
        if (typeof p['thread_ts'] === 'string') file.thread_ts = p['thread_ts'];
        return { id: file.id, created: unixSeconds(), name: file.filename, title: file.title, size: file.bytes?.length ?? 0, user: this.options.botUserId, channels: channel === undefined ? [] : [channel] };
      }),
    };
  }

  private openConversation(p: SlackParams): Record<string, unknown> {
    if (typeof p['channel'] === 'string' && p['channel'] !== '') return { no_op: true, already_open: true, channel: { id: p['channel'] } };
    const users = (Array.isArray(p['users']) ? p['users'].map(String) : typeof p['users'] === 'string' ? p['users'].split(',') : []).map((u) => u.trim()).filter(Boolean);
    if (users.length === 0) throw new SlackApiError('users_list_not_supplied');
    if (users.length > 8) throw new SlackApiError('too_many_users');
    const id = users.length === 1 ? dmChannelId(users[0] ?? '') : `G${[...users].sort().join('')}`;
    const alreadyOpen = this.openedDms.has(id);
    this.openedDms.add(id);
    return { no_op: alreadyOpen, already_open: alreadyOpen, channel: { id } };
  }

  private openView(p: SlackParams): Record<string, unknown> {
    const triggerId = p['trigger_id'];
    const view = p['view'];
    if (typeof triggerId !== 'string' || triggerId === '' || !isRecord(view)) throw new SlackApiError('invalid_arguments');
    const trigger = this.triggers.get(triggerId);
    if (!trigger) throw new SlackApiError('invalid_trigger_id');
    if (this.options.triggerTtlMs > 0 && Date.now() - trigger.issuedAt > this.options.triggerTtlMs) throw new SlackApiError('expired_trigger_id');
    if (trigger.used) throw new SlackApiError('exchanged_trigger_id');
    if (view['type'] !== 'modal' || !isRecord(view['title'])) throw new SlackApiError('invalid_arguments');
    if (Array.isArray(view['blocks']) && view['blocks'].length > 100) throw new SlackApiError('invalid_arguments');
    trigger.used = true;
    const opened: Record<string, unknown> = {
      id: `V${String(++this.idCounter).padStart(10, '0')}`,
      team_id: this.options.teamId,
      private_metadata: '',
      callback_id: '',
      state: { values: {} },
      hash: `${unixSeconds()}.${randomBytes(4).toString('hex')}`,
      app_id: this.options.appId,
      bot_id: this.options.botId,
      ...view,
    };
    this.openedViews.push(opened);
    return { view: opened };
  }

  // ---------------------------------------------------------------- validation helpers

  /** Resolves a channel parameter (user id → DM), records it, and applies blocks. */
  private channelParam(value: unknown, record: SlackCallRecord): string {
    if (typeof value !== 'string' || value === '') throw new SlackApiError('channel_not_found');
    const channel = /^[UW][A-Z0-9]+$/.test(value) ? dmChannelId(value) : value;
    record.channel = channel;
    // A blocked user id also blocks their DM when it is addressed by its `D<user>` id (as after conversations.open).
    const error = this.blocked.get(channel) ?? this.blocked.get(value) ?? (channel.startsWith('D') ? this.blocked.get(channel.slice(1)) : undefined);
    if (error !== undefined) throw new SlackApiError(error);
    return channel;
  }

  /** Validates text/blocks like Slack (`no_text`, `invalid_blocks`, `msg_too_long`) and records them. */
  private messageContent(p: SlackParams, record: SlackCallRecord): { text?: string; blocks?: unknown[] } {
    const text = p['text'] === undefined || p['text'] === null ? undefined : paramText(p['text']);
    const blocks = p['blocks'];
    const hasAttachments = Array.isArray(p['attachments']) && p['attachments'].length > 0;
    if (blocks !== undefined && (!Array.isArray(blocks) || blocks.length > 50 || !blocks.every((b) => isRecord(b) && typeof b['type'] === 'string'))) {
      throw new SlackApiError('invalid_blocks');
    }
    if ((text === undefined || text.trim() === '') && blocks === undefined && !hasAttachments) throw new SlackApiError('no_text');
    if (text !== undefined && text.length > this.options.maxTextLength) throw new SlackApiError('msg_too_long');
    const out: { text?: string; blocks?: unknown[] } = {};
    if (text !== undefined) {
      out.text = text;
      record.text = text;
    }
    if (blocks !== undefined) {
      out.blocks = blocks;
      record.blocks = blocks;
    }
    return out;
  }

  private throttle(channel: string): void {
    const now = Date.now();
    const key = `channel:${channel}`;
    const wait = this.limiter.waitMs(key, this.options.perChannelRatePerSec, now);
    if (wait > 0) {
      this.stats.tooManyRequests += 1;
      throw new SlackRateLimited(this.options.retryAfterSeconds ?? retryAfterSeconds(wait));
    }
    if (this.options.perChannelRatePerSec > 0) this.limiter.hit(key, now);
  }

  /** Unique, increasing message timestamps (`<unix>.<6 digits>`). */
  private nextTs(): string {
    this.tsCounter += 1;
    return `${unixSeconds()}.${String(this.tsCounter % 1_000_000).padStart(6, '0')}`;
  }
}

/** The DM channel id the emulator uses for a user: `D` + user id. */
function dmChannelId(userId: string): string {
  return `D${userId}`;
}

/** A parameter as the API reads it: strings as they are, numbers and booleans as text, anything else as JSON. */
function paramText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value) ?? '';
}
