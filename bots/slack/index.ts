/**
 * The Slack adapter (Bolt): a thin translator between Slack and the core's
 * `handle(incoming) → Reply[]`, plus the Slack {@link PlatformSender}. Nothing outside
 * `bots/slack` imports Bolt.
 *
 * Receiver: Bolt's own `HTTPReceiver`, never started as a server — its `requestListener` is
 * mounted at `POST /slack/events` on our one HTTP server, behind a small edge of ours:
 * - the body is read here, at most 1 MiB (413 above; src/http/body.ts), and handed to Bolt as
 *   its `rawBody` (Bolt's supported way in for an already-read body);
 * - the signature is checked here first (./verify.ts): Bolt refuses timestamps more than five
 *   minutes old but accepts any in the future, so a signed request dated an hour ahead would
 *   pass; ours refuses both directions, with Bolt's bodiless 401. Bolt's own check stays on and
 *   runs again after ours;
 * - until the adapter has started (auth.test answered; Slack unreachable at start-up), a signed
 *   request gets 503 and Slack retries it later — except `url_verification` and `ssl_check`,
 *   which Bolt answers without the app.
 * Bolt then does what it does well: answer `url_verification` and `ssl_check`, parse events,
 * slash commands and interactivity. `processBeforeResponse` stays false: the HTTP answer goes out
 * when `ack()` is called — immediately, before the core runs — so Slack's three-second deadline is
 * always met. Events are acknowledged by Bolt before listeners run.
 *
 * Exactly once: Slack retries an event it thinks failed (`X-Slack-Retry-Num`), with the same
 * `event_id`. The delivery id `slack:<event_id>` is claimed by the core with an insert-or-skip
 * on `_id`, so a retry — even one arriving at another process while the first is still running —
 * returns no replies and changes nothing.
 *
 * Answers: a DM is answered in the DM (`chat.postMessage`, through the sender, so 429s are
 * retried and order kept). Slash commands and button clicks are answered through `respond()`
 * (their `response_url`), ephemeral — visible only to the person who asked, wherever they asked,
 * so customer data never shows in a shared channel; files go to their DM with the app.
 *
 * Real traffic: a DM with only a file (`file_share`, no words) reaches the core with a summary
 * line; an edit (`message_changed`) as an edit with the old text; a reply in a thread is answered
 * in that thread. Other apps' slash commands, forms (`view_submission`), shortcuts and option
 * requests are acknowledged at once with a word on what to do — never Bolt's 404 after three
 * seconds. A button whose action the core does not know is answered "expired".
 *
 * Not here: Socket Mode (`SLACK_APP_TOKEN`). It needs a WebSocket server from Slack
 * (`apps.connections.open` + wss), which the local Slack emulator does not provide, so it could
 * not be tested end to end; HTTP events are the supported transport.
 *
 * @example
 *   const slack = createSlackAdapter({ config, core, log });
 *   notifier.register(slack.sender);
 *   http.mount(SLACK_EVENTS_PATH, slack.requestListener);
 *   await slack.start();
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { App, HTTPReceiver, HTTPReceiverDeferredRequestError, webApi, type ButtonAction, type RespondFn, type types } from '@slack/bolt';
import type { Config } from '../../src/config.js';
import type { Core } from '../../src/core/handle.js';
import { messagesFor } from '../../src/core/messages.js';
import { text, type Incoming, type Reply } from '../../src/core/types.js';
import { ConfigError, PlatformError } from '../../src/errors.js';
import { MAX_BODY_BYTES, readBodyOrRefuse } from '../../src/http/body.js';
import { networkErrorCode, untilAborted } from '../../src/http/platforms.js';
import type { Listener } from '../../src/http/server.js';
import type { Logger } from '../../src/log.js';
import type { RoutingNotifier } from '../../src/services/notifier.js';
import { isConfiguredOwner, isStaffMember } from '../../src/services/people.js';
import { isLiveAction } from '../shared/buttons.js';
import { WaitingForStaff, warnWhileNoStaff } from '../shared/waiting.js';
import { boltLogger } from './bolt-logger.js';
import { escapeMrkdwn } from './format.js';
import { clickIncoming, commandIncoming, dmIncoming, editIncoming, SlackPeople } from './incoming.js';
import { ACTION_ID_PREFIX, renderReplies, type SlackMessage, type SlackOutgoing } from './render.js';
import { SlackSender, slackErrorCode } from './sender.js';
import { verifySlackRequest } from './verify.js';

export { SlackSender } from './sender.js';

/** Where Slack posts events, slash commands and interactivity on our HTTP server. */
export const SLACK_EVENTS_PATH = '/slack/events';
/** The one slash command: `/crm <command> args`. */
export const SLASH_COMMAND = '/crm';
/** Slack accepts at most five posts to one `response_url`. */
const RESPONSE_URL_USES = 5;

export interface SlackAdapterOptions {
  /** `OWNER_SLACK_IDS` (when given) lets the adapter tell a configured owner's first message (../shared/waiting.ts). */
  config: Pick<Config, 'SLACK_BOT_TOKEN' | 'SLACK_SIGNING_SECRET' | 'SLACK_API_URL'> & Partial<Pick<Config, 'OWNER_SLACK_IDS'>>;
  /**
   * `handle` (tests may wrap it to count calls), and the registry when there is one: a button
   * whose action it does not know is answered "expired" (without it, every action is run).
   */
  core: Pick<Core, 'handle'> & Partial<Pick<Core, 'registry'>>;
  log: Logger;
  /**
   * The WebClient's retry policy for network errors, 5xx and 429s (429s wait `Retry-After`
   * first). Default: @slack/web-api's ten retries in about thirty minutes.
   */
  retryConfig?: webApi.RetryOptions;
  /** The clock request timestamps are checked against (milliseconds). Default `Date.now`. */
  now?: () => number;
  /** How long the start-up `auth.test` may take. Default 8 s (within the start attempt's 10 s). */
  startTimeoutMs?: number;
}

export interface SlackAdapter {
  readonly app: App;
  /** Outbound messages for the notifier. */
  readonly sender: SlackSender;
  /** Node request listener for `POST /slack/events` (body capped, signature checked both here and by Bolt). */
  readonly requestListener: Listener;
  /**
   * Checks the token (`auth.test`, one try, bounded) and learns the bot's own ids; until then
   * signed requests get 503. Rejects with a {@link PlatformError} (see
   * {@link describeSlackStartError}); safe to call again, and concurrent calls share one attempt.
   */
  start(signal?: AbortSignal): Promise<void>;
  /** Waits for requests already being handled; the HTTP server is closed by its owner. */
  stop(): Promise<void>;
  /** Resolves when no request is being handled (tests, shutdown). */
  idle(): Promise<void>;
}

/** Builds the adapter; no I/O until {@link SlackAdapter.start}. */
export function createSlackAdapter(options: SlackAdapterOptions): SlackAdapter {
  const { config, core } = options;
  const log = options.log.child({ platform: 'slack' });
  const token = config.SLACK_BOT_TOKEN;
  const signingSecret = config.SLACK_SIGNING_SECRET;
  if (!token || !signingSecret) {
    throw new ConfigError([...(token ? [] : ['SLACK_BOT_TOKEN: is required']), ...(signingSecret ? [] : ['SLACK_SIGNING_SECRET: is required'])]);
  }
  const logger = boltLogger(log);
  const receiver = new HTTPReceiver({
    signingSecret,
    endpoints: SLACK_EVENTS_PATH,
    processBeforeResponse: false,
    signatureVerification: true,
    bodyLimit: MAX_BODY_BYTES,
    logger,
  });
  const app = new App({
    token,
    receiver,
    logger,
    // No auth.test from the constructor: start() does it, awaited.
    deferInitialization: true,
    clientOptions: {
      slackApiUrl: config.SLACK_API_URL,
      rejectRateLimitedCalls: false,
      retryConfig: options.retryConfig ?? webApi.retryPolicies.tenRetriesInAboutThirtyMinutes,
    },
  });
  const sender = new SlackSender(app.client, log);
  // Who the configuration makes an owner (the options may leave OWNER_SLACK_IDS out: then nobody).
  const owners = { OWNER_SLACK_IDS: [], OWNER_TELEGRAM_IDS: [], ...config } as unknown as Config;
  const waiting = new WaitingForStaff((who) => isConfiguredOwner(who, owners));
  const download = privateFileDownloader(token, config.SLACK_API_URL);
  const people = new SlackPeople(app.client, log);
  const inFlight = new Set<Promise<void>>();

  /** Runs a handler's work, tracked for idle()/stop(); errors are logged, never thrown into Bolt. */
  async function track(what: string, work: () => Promise<void>): Promise<void> {
    const p = work().catch((error: unknown) => {
      log.error({ err: error, what }, 'slack: handling failed');
    });
    inFlight.add(p);
    try {
      await p;
    } finally {
      inFlight.delete(p);
    }
  }

  /** The core's answer; if the core itself fails (database down), a "try again" with a log ref. */
  async function handle(incoming: Incoming): Promise<Reply[]> {
    try {
      return await core.handle(incoming);
    } catch (error) {
      const ref = randomBytes(3).toString('hex');
      log.error({ err: error, ref, deliveryId: incoming.deliveryId }, 'slack: core failed');
      return [text(messagesFor(incoming.locale).internalError(ref))];
    }
  }

  /**
   * Answers a slash command or a click through its response_url: ephemeral messages, never
   * replacing the message that was clicked. Uploads — and messages past the response_url's five
   * uses — go to the person's DM with the app.
   */
  async function answerPrivately(respond: RespondFn, userId: string, replies: Reply[]): Promise<void> {
    const { items, dropped } = renderReplies(replies);
    if (dropped.length > 0) log.warn({ dropped }, 'slack: parts of a reply did not fit Slack limits');
    const viaResponseUrl = items.filter((i): i is SlackMessage => i.kind === 'message').slice(0, RESPONSE_URL_USES);
    const toDm: SlackOutgoing[] = items.filter((i) => !viaResponseUrl.includes(i as SlackMessage));
    for (const m of viaResponseUrl) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: m.text, blocks: m.blocks });
    }
    if (toDm.length > 0) {
      const result = await sender.sendRendered(userId, toDm);
      if (!result.ok) log.warn({ reason: result.reason }, 'slack: could not deliver part of an answer to the DM');
    }
  }

  // Slash command: ack at once (the HTTP answer), then the core, then respond().
  app.command(SLASH_COMMAND, async ({ command, ack, respond }) => {
    await ack();
    await track('command', async () => {
      const who = await people.lookup(command.user_id, command.user_name);
      const incoming = commandIncoming(command, who);
      const probe = await waiting.before(incoming);
      const replies = [...(await handle(incoming)), ...(await waiting.after(probe, incoming))];
      await answerPrivately(respond, command.user_id, replies);
    });
  });

  /** A DM (or its edit) through the core, answered in the DM — in its thread when it was written in one. */
  async function answerDm(incoming: Incoming): Promise<void> {
    // Staff editing a command does not run it again; a customer's edit reaches staff as an edit.
    if (incoming.edit && (await isStaffMember(incoming, owners))) return;
    const probe = await waiting.before(incoming);
    const replies = [...(await handle(incoming)), ...(await waiting.after(probe, incoming))];
    const result = await sender.send(incoming.chatId, replies, incoming.threadId ? { threadTs: incoming.threadId } : {});
    if (!result.ok) log.warn({ reason: result.reason }, 'slack: could not answer a DM');
  }

  // Direct messages to the app (with files: `file_share`; thread replies; edits: `message_changed`).
  // Bolt has already acknowledged the event; deletions, joins and bot messages are not someone writing to us.
  app.event('message', async ({ event, body }) => {
    if (event.channel_type !== 'im') return;
    if (event.subtype === 'message_changed') {
      const changed = event as unknown as { channel: string; message?: EditedMessage; previous_message?: { text?: string } };
      const message = changed.message;
      if (!message?.user || message.bot_id !== undefined || (message.subtype !== undefined && message.subtype !== 'file_share')) return;
      const user = message.user;
      await track('edit', async () => {
        const who = await people.lookup(user);
        const incoming = editIncoming({ eventId: body.event_id, teamId: body.team_id, channel: changed.channel, message: { ...message, user }, previous: changed.previous_message ?? {} }, who);
        if (incoming) await answerDm(incoming);
      });
      return;
    }
    if (!(event.subtype === undefined || event.subtype === 'file_share' || event.subtype === 'thread_broadcast')) return;
    if (('bot_id' in event && event.bot_id !== undefined) || !('user' in event) || !event.user) return;
    const dm = event;
    await track('dm', async () => {
      const who = await people.lookup(dm.user);
      await answerDm(dmIncoming({ eventId: body.event_id, teamId: body.team_id, event: dm }, who, download));
    });
  });

  // Button clicks (every block action is acknowledged; only ours run a command, and only one whose
  // action the core still knows — an old or forged one is answered "expired").
  app.action(/.*/, async ({ ack, body, action, respond }) => {
    await ack();
    if (body.type !== 'block_actions' || !isOurButton(action)) return;
    const value = action.value;
    if (!value) return;
    const userId = body.user.id;
    await track('click', async () => {
      const who = await people.lookup(userId, body.user.name ?? body.user.username);
      if (!isLiveAction(core.registry, value)) {
        await respond({ response_type: 'ephemeral', replace_original: false, text: escapeMrkdwn(messagesFor(who.locale).buttonExpired()) });
        return;
      }
      const teamId = body.user.team_id ?? body.team?.id ?? '';
      const incoming = clickIncoming({ teamId, userId, triggerId: body.trigger_id, actionTs: action.action_ts, value }, who);
      const replies = await handle(incoming);
      await answerPrivately(respond, userId, replies);
    });
  });

  // Requests that are not ours to run are still acknowledged, with a word on what to do instead —
  // never Bolt's 404 after three seconds and an error in the log. (Bolt runs every listener that
  // matches, so the catch-all command pattern leaves out ours.)
  app.command(new RegExp(`^(?!${SLASH_COMMAND}$).*`), async ({ command, ack }) => {
    await ack({ response_type: 'ephemeral', text: escapeMrkdwn(messagesFor(undefined).traffic.slackOtherCommand(command.command, SLASH_COMMAND)) });
  });
  app.view({ type: 'view_submission', callback_id: /.*/ }, async ({ ack }) => {
    await ack({ response_action: 'update', view: goneView(messagesFor(undefined).traffic.slackFormGone()) });
  });
  app.view({ type: 'view_closed', callback_id: /.*/ }, async ({ ack }) => {
    await ack();
  });
  app.shortcut(/.*/, async ({ ack }) => {
    await ack();
  });
  app.options(/.*/, async ({ ack }) => {
    await ack({ options: [] });
  });

  app.error(async (error) => {
    log.error({ err: error }, 'slack: unhandled error in a listener');
  });

  const toBolt = (req: IncomingMessage, res: ServerResponse) => {
    try {
      receiver.requestListener(req, res);
    } catch (error) {
      // Bolt throws for what it does not route (e.g. GET /slack/events): answer, don't crash.
      if (!res.headersSent) res.writeHead(error instanceof HTTPReceiverDeferredRequestError ? 405 : 500).end();
      if (!(error instanceof HTTPReceiverDeferredRequestError)) log.error({ err: error }, 'slack: request failed');
    }
  };

  let ready = false;
  const now = options.now ?? Date.now;

  /** The edge in front of Bolt: body limit, both-sided signature check, not-started-yet; see the module comment. */
  const requestListener: Listener = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') return toBolt(req, res);
    const raw = await readBodyOrRefuse(req, res);
    if (!raw) return;
    const body = raw.toString('utf8');
    const contentType = req.headers['content-type'];
    // Bolt answers ssl_check without a signature (and drops anything else in it); so do we.
    if (!isSslCheck(contentType, body)) {
      const verdict = verifySlackRequest({ signingSecret, body, signature: oneHeader(req, 'x-slack-signature'), timestamp: oneHeader(req, 'x-slack-request-timestamp'), nowMs: now() });
      if (!verdict.ok) {
        log.warn({ reason: verdict.reason }, 'slack: request refused');
        res.writeHead(401).end();
        return;
      }
      if (!ready && !isUrlVerification(body)) {
        res.writeHead(503, { 'retry-after': '10' }).end();
        return;
      }
    }
    Object.assign(req, { rawBody: raw }); // Bolt reads a pre-read body from here instead of the stream
    toBolt(req, res);
  };

  // Start-up: one bounded auth.test of our own, then Bolt's init (its own auth.test, through the
  // app's client with its long retry policy — which must not be what start-up waits on).
  const probe = new webApi.WebClient(token, {
    slackApiUrl: config.SLACK_API_URL,
    retryConfig: { retries: 0 },
    timeout: options.startTimeoutMs ?? 8000,
    rejectRateLimitedCalls: true,
    logger,
  });
  let starting: Promise<void> | undefined;
  async function initialize(): Promise<void> {
    try {
      await probe.auth.test();
      await app.init();
      ready = true;
      void warnWhileNoStaff(log, 'slack');
    } catch (error) {
      const code = slackErrorCode(error);
      throw new PlatformError('slack', 'auth.test', code ?? transportFailure(error), code !== undefined);
    }
  }

  async function idle(): Promise<void> {
    // One turn of the event loop first: a request whose ack just went out has its work registered by then.
    await new Promise((resolve) => setImmediate(resolve));
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  }

  return {
    app,
    sender,
    requestListener,
    async start(signal?: AbortSignal) {
      if (ready) return;
      starting ??= initialize().finally(() => {
        starting = undefined;
      });
      await (signal ? untilAborted(starting, signal) : starting);
    },
    stop: idle,
    idle,
  };
}

/** Files larger than this are not downloaded (the import command has its own, smaller limit). */
const MAX_DOWNLOAD_BYTES = 50 * 1024 * 1024;

/**
 * Downloads a shared file from its `url_private_download` with the bot token — only from Slack's
 * own hosts (`*.slack.com`, or the host of SLACK_API_URL), so the token never goes elsewhere.
 */
function privateFileDownloader(token: string, apiUrl: string): (url: string) => Promise<Buffer> {
  const apiHost = new URL(apiUrl).hostname;
  return async (url) => {
    const host = new URL(url).hostname;
    if (host !== apiHost && host !== 'slack.com' && !host.endsWith('.slack.com')) throw new Error(`refusing to download a file from ${host}`);
    // fetch drops the authorization header if a redirect leaves the origin.
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`file download failed: HTTP ${res.status}`);
    const length = Number(res.headers.get('content-length') ?? '0');
    if (length > MAX_DOWNLOAD_BYTES) throw new Error('file too large to download');
    const data = Buffer.from(await res.arrayBuffer());
    if (data.length > MAX_DOWNLOAD_BYTES) throw new Error('file too large to download');
    return data;
  };
}

/** The fields of an edited message (`message_changed`'s `message`) we read. */
interface EditedMessage {
  user?: string;
  text?: string;
  ts?: string;
  thread_ts?: string;
  team?: string;
  user_team?: string;
  bot_id?: string;
  subtype?: string;
}

/** A modal that only says something (the answer to a form we no longer handle). */
function goneView(words: string): types.ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: 'CRM' },
    blocks: [{ type: 'section', text: { type: 'plain_text', text: words } }],
  };
}

/** A Block Kit button we rendered (legacy attachment buttons and other elements are ignored). */
function isOurButton(action: unknown): action is ButtonAction {
  const a = action as Partial<ButtonAction>;
  return a.type === 'button' && typeof a.action_id === 'string' && a.action_id.startsWith(ACTION_ID_PREFIX) && typeof a.action_ts === 'string';
}

/** A failure that is not Slack's answer, in a few safe words: `HTTP 503`, `rate limited`, `network error (ECONNREFUSED)`. */
function transportFailure(error: unknown): string {
  const { code, statusCode } = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; statusCode?: unknown };
  if (typeof statusCode === 'number') return `HTTP ${statusCode}`;
  if (code === 'slack_webapi_rate_limited_error') return 'rate limited';
  return `network error (${networkErrorCode(error) ?? 'no answer'})`;
}

/** Is this Slack's `ssl_check` (form-encoded `ssl_check=1`), which Bolt answers unsigned? Bolt's own test. */
function isSslCheck(contentType: string | undefined, body: string): boolean {
  return contentType === 'application/x-www-form-urlencoded' && parseQuery(body)['ssl_check'] === '1';
}

/** Is this the `url_verification` handshake (answered by Bolt before the app is involved)? */
function isUrlVerification(body: string): boolean {
  try {
    return (JSON.parse(body) as { type?: unknown } | null)?.type === 'url_verification';
  } catch {
    return false;
  }
}

function oneHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? undefined : value;
}

/** What {@link mountSlack} needs besides the adapter's options. */
export interface SlackMountDeps extends SlackAdapterOptions {
  notifier: Pick<RoutingNotifier, 'register'>;
  http: { mount(path: string, listener: Listener): void };
}

/**
 * Start-up wiring for src/main.ts: builds the adapter, registers its sender with the notifier and
 * mounts its listener at `/slack/events` — no network yet; main then starts it in the background
 * with retries (src/http/platforms.ts).
 *
 * @example
 *   const slack = mountSlack({ config, core, log, notifier, http });
 *   keepStarting({ platform: 'slack', start: (signal) => slack.start(signal), describe: describeSlackStartError, states, log });
 */
export function mountSlack(options: SlackMountDeps): SlackAdapter {
  const adapter = createSlackAdapter(options);
  options.notifier.register(adapter.sender);
  options.http.mount(SLACK_EVENTS_PATH, adapter.requestListener);
  return adapter;
}

/**
 * {@link mountSlack}, then one awaited start (which throws if Slack cannot be reached or refuses
 * the token) — for scripts and tests that need the adapter ready before they go on.
 *
 * @example
 *   const slack = await startSlack({ config, core, log, notifier, http });
 */
export async function startSlack(options: SlackMountDeps): Promise<SlackAdapter> {
  const adapter = mountSlack(options);
  await adapter.start();
  return adapter;
}

/**
 * Why the start failed, in words safe for logs and `/healthz` (Slack's error code, or the network
 * error's code).
 *
 * @example
 *   describeSlackStartError(error) // → 'auth.test: invalid_auth' or 'auth.test: network error (ECONNREFUSED)'
 */
export function describeSlackStartError(error: unknown): string {
  if (error instanceof PlatformError) return `${error.method}: ${error.description}`;
  return error instanceof Error ? error.name : 'unknown error';
}
