/**
 * The whole Slack stack for end-to-end tests: the Slack emulator, the real core on the test
 * database, our HTTP server on an ephemeral port with the Slack adapter mounted at
 * `/slack/events` — wired the way src/main.ts wires it (`startSlack`).
 *
 * Why: e2e tests and the shared adapter contract drive Slack the same way — a signed slash
 * command, DM event or button click in, then what the app answered (response_url bodies or
 * `chat.postMessage` calls into the person's DM), as the reader sees it.
 *
 * @example
 *   const h = await startSlackHarness({ ownerIds: ['UOWNER'] });
 *   const { texts } = await h.slash('UOWNER', 'lead Anna +84912345678');
 *   await h.stop();
 */
import { SLACK_EVENTS_PATH, startSlack, type SlackAdapter } from '../../bots/slack/index.js';
import type { Config } from '../../src/config.js';
import type { Core } from '../../src/core/handle.js';
import type { Incoming, Reply } from '../../src/core/types.js';
import type { HttpServer } from '../../src/http/server.js';
import type { RoutingNotifier } from '../../src/services/notifier.js';
import { startAppStack } from './app-stack.js';
import { SlackEmulator, type PostEventOptions } from './slack-emulator.js';

/** A button as rendered into a message. */
export interface SlackButton {
  actionId: string;
  value: string;
  label: string;
}

/** One message the app sent to the person, as they see it. */
export interface SlackShownMessage {
  /** The fallback text with Slack's escapes undone (what a reader sees). */
  text: string;
  blocks: unknown[];
  buttons: SlackButton[];
  via: 'response_url' | 'chat.postMessage';
  /** The response_url body or the chat.postMessage parameters, as sent. */
  raw: Record<string, unknown>;
}

/** What one request to the app produced. */
export interface SlackExchange {
  /** HTTP status of the app's answer to the signed request. */
  status: number;
  messages: SlackShownMessage[];
  texts: string[];
  eventId?: string;
  triggerId?: string;
}

export interface SlackHarness {
  readonly slack: SlackEmulator;
  readonly core: Core;
  readonly adapter: SlackAdapter;
  readonly http: HttpServer;
  readonly notifier: RoutingNotifier;
  readonly config: Config;
  /** `http://127.0.0.1:<port>/slack/events` */
  readonly url: string;
  /** Every Incoming the adapter handed to the core, in order. */
  readonly coreCalls: Incoming[];
  /** Milliseconds the core waits before handling (to prove acks do not wait for it). */
  coreDelayMs: number;
  /** `/crm <line>` from a user; answers come through its response_url. */
  slash(userId: string, line: string): Promise<SlackExchange>;
  /** A DM to the app (`eventId`/`retryNum` to replay a delivery); answers are posts into that DM. */
  dm(userId: string, line: string, opts?: PostEventOptions & { event?: Record<string, unknown> }): Promise<SlackExchange>;
  /** Clicks a button in the user's DM; answers come through the click's response_url. */
  click(userId: string, button: Pick<SlackButton, 'actionId' | 'value'>): Promise<SlackExchange>;
  stop(): Promise<void>;
}

/** Slack shows `&lt;` as `<` and so on. */
export function shownText(s: string | undefined): string {
  return (s ?? '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Buttons of Block Kit blocks, in order. */
export function buttonsOf(blocks: unknown): SlackButton[] {
  if (!Array.isArray(blocks)) return [];
  return (blocks as { type: string; elements?: { action_id: string; value: string; text: { text: string } }[] }[]).flatMap((b) =>
    b.type === 'actions' ? (b.elements ?? []).map((e) => ({ actionId: e.action_id, value: e.value, label: e.text.text })) : [],
  );
}

function shown(raw: Record<string, unknown>, via: SlackShownMessage['via']): SlackShownMessage {
  const list = Array.isArray(raw['blocks']) ? (raw['blocks'] as unknown[]) : [];
  const text = typeof raw['text'] === 'string' ? raw['text'] : '';
  return { text: shownText(text), blocks: list, buttons: buttonsOf(list), via, raw };
}

/**
 * Starts emulator, core, HTTP server (./app-stack.ts) and adapter. The caller must have
 * connected the test database (`useTestDatabase`) and imported the models. A running
 * `slack` emulator passed in is used and left running by `stop()`, as the Telegram harness does.
 */
export async function startSlackHarness(options: { ownerIds: string[]; slack?: SlackEmulator }): Promise<SlackHarness> {
  const ownSlack = !options.slack;
  const slack = options.slack ?? new SlackEmulator();
  await slack.start();
  const { http, appUrl, config, notifier, core, log } = await startAppStack({
    env: () => ({
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_SIGNING_SECRET: slack.signingSecret,
      SLACK_API_URL: slack.apiUrl,
      OWNER_SLACK_IDS: options.ownerIds.join(','),
    }),
  });
  const coreCalls: Incoming[] = [];
  const h = { coreDelayMs: 0 };
  const spy = {
    async handle(incoming: Incoming): Promise<Reply[]> {
      coreCalls.push(incoming);
      if (h.coreDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, h.coreDelayMs));
      return core.handle(incoming);
    },
  };
  const adapter = await startSlack({ config, core: spy, log, notifier, http });
  const url = `${appUrl}${SLACK_EVENTS_PATH}`;

  const responsesFor = (responseUrl: string | undefined): SlackShownMessage[] => {
    const id = responseUrl?.split('/').pop() ?? '';
    return slack.responses
      .filter((r) => r.id === id)
      .map((r) => shown(r.body as Record<string, unknown>, 'response_url'));
  };
  const exchange = (status: number, messages: SlackShownMessage[], ids: { eventId?: string; triggerId?: string }): SlackExchange => ({
    status,
    messages,
    texts: messages.map((m) => m.text),
    ...ids,
  });

  return Object.assign(h, {
    slack,
    core,
    adapter,
    http,
    notifier,
    config,
    url,
    coreCalls,
    async slash(userId: string, line: string) {
      const res = await slack.postSlashCommand(url, { userId, text: line });
      await adapter.idle();
      return exchange(res.status, responsesFor(res.responseUrl), { triggerId: res.triggerId });
    },
    async dm(userId: string, line: string, opts: PostEventOptions & { event?: Record<string, unknown> } = {}) {
      const since = slack.calls.length;
      const { event, ...postOptions } = opts;
      const res = await slack.postEvent(url, event ?? slack.dmMessageEvent({ userId, text: line }), postOptions);
      await adapter.idle();
      const posts = slack.calls.slice(since).filter((c) => c.ok && c.method === 'chat.postMessage' && c.channel === `D${userId}`);
      return exchange(
        res.status,
        posts.map((p) => shown(p.params, 'chat.postMessage')),
        res.eventId === undefined ? {} : { eventId: res.eventId },
      );
    },
    async click(userId: string, button: Pick<SlackButton, 'actionId' | 'value'>) {
      const res = await slack.postAction(url, { userId, channelId: `D${userId}`, actionId: button.actionId, value: button.value });
      await adapter.idle();
      return exchange(res.status, responsesFor(res.responseUrl), { triggerId: res.triggerId });
    },
    async stop() {
      await adapter.stop();
      await http.close();
      if (ownSlack) await slack.stop();
    },
  });
}
