/**
 * Slack's outbound side, the {@link PlatformSender} the notifier and the adapter's own replies
 * use: `chat.postMessage` for text and buttons, `files.uploadV2` for files and images.
 *
 * Rate limits: Slack allows about one message per second per channel and answers 429 with
 * `Retry-After`. The WebClient is built with `rejectRateLimitedCalls: false`, so it waits that
 * long and retries by itself (its retry policy also covers network errors and 5xx) — a 429 is
 * never a failure here. Sends to one channel are queued in this process so replies keep their
 * order; across processes the 429 retry is what paces us.
 *
 * Failures come back as results, never as throws: an error about the recipient
 * (`channel_not_found`, `is_archived`, `user_not_found`, …) is `{ ok: false, permanent: true }`,
 * which makes the notifier mark a customer unreachable on Slack.
 *
 * Threads: `send(chat, replies, { threadTs })` posts into a thread — the answer to a customer who
 * wrote in a thread of their DM goes to that thread, not the top of the DM.
 *
 * Forwards: a `forward` reply (a customer's message for staff) is carried over: each attachment is
 * downloaded (Telegram `getFile`, Slack's private URL — the attachment knows how) and uploaded with
 * `files.uploadV2`, the caption as its comment; a file that cannot be fetched is named in a text.
 * Slack has no "copy this message" call, and a file shared in a customer's DM is not visible to
 * staff, so a Slack file is re-uploaded too.
 *
 * @example
 *   const sender = new SlackSender(app.client, log);
 *   await sender.send('U0123', [text('Follow up with C12 today')]); // DMs the user
 */
import type { webApi } from '@slack/bolt';
import { messagesFor } from '../../src/core/messages.js';
import type { Reply, PlatformSender, SendResult } from '../../src/core/types.js';
import type { Logger } from '../../src/log.js';
import { kindLabel } from '../shared/summary.js';
import { escapeMrkdwn } from './format.js';
import { renderReplies, type SlackForward, type SlackOutgoing } from './render.js';

/** Where in a conversation to post. */
export interface SlackSendOptions {
  /** Post into this thread (the `ts` of its first message). */
  threadTs?: string;
}

/** Slack errors that mean "this recipient cannot be reached"; retrying cannot help. */
export const PERMANENT_ERRORS: ReadonlySet<string> = new Set([
  'channel_not_found',
  'is_archived',
  'user_not_found',
  'user_not_visible',
  'users_not_found',
  'not_in_channel',
  'account_inactive',
  'user_disabled',
  'cannot_dm_bot',
  'messages_tab_disabled',
  'restricted_action',
  'team_access_not_granted',
]);

/** How long a user id → DM channel id mapping from `conversations.open` is reused. */
const DM_CACHE_MS = 60 * 60 * 1000;
const DM_CACHE_MAX = 5000;

export class SlackSender implements PlatformSender {
  readonly platform = 'slack' as const;
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly dms = new Map<string, { channel: string; at: number }>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly log: Logger,
  ) {}

  /**
   * Sends replies to a channel id (`C…`, `D…`, `G…`) or a user id (`U…`/`W…`, whose DM with the
   * app is opened first).
   */
  async send(chatId: string, replies: Reply[], options: SlackSendOptions = {}): Promise<SendResult> {
    const { items, dropped } = renderReplies(replies);
    if (dropped.length > 0) this.log.warn({ dropped }, 'slack: parts of a reply did not fit Slack limits');
    return this.sendRendered(chatId, items, options);
  }

  /** Sends already rendered messages and uploads, in order, queued per channel. */
  sendRendered(chatId: string, items: SlackOutgoing[], options: SlackSendOptions = {}): Promise<SendResult> {
    if (items.length === 0) return Promise.resolve({ ok: true, platform: 'slack' });
    const previous = this.queues.get(chatId) ?? Promise.resolve();
    const run = previous.then(() => this.deliver(chatId, items, options));
    const tail = run.catch(() => undefined);
    this.queues.set(chatId, tail);
    void tail.then(() => {
      if (this.queues.get(chatId) === tail) this.queues.delete(chatId);
    });
    return run;
  }

  private async deliver(chatId: string, items: SlackOutgoing[], options: SlackSendOptions): Promise<SendResult> {
    let method = 'conversations.open';
    let first: string | undefined;
    const thread = options.threadTs ? { thread_ts: options.threadTs } : {};
    try {
      const channel = await this.channelFor(chatId);
      const post = async (text: string, blocks?: SlackMessageBlocks) => {
        method = 'chat.postMessage';
        const res = await this.client.chat.postMessage({ channel, text, ...(blocks ? { blocks } : {}), ...thread });
        first ??= typeof res.ts === 'string' ? res.ts : undefined;
      };
      const upload = async (data: Buffer, fileName: string, caption: string | undefined) => {
        method = 'files.uploadV2';
        await this.client.filesUploadV2({ channel_id: channel, file: data, filename: fileName, title: fileName, ...(caption ? { initial_comment: caption } : {}), ...thread });
      };
      for (const item of items) {
        if (item.kind === 'message') await post(item.text, item.blocks);
        else if (item.kind === 'upload') await upload(item.data, item.fileName, item.caption);
        else await this.forward(item, post, upload);
      }
      return first === undefined ? { ok: true, platform: 'slack' } : { ok: true, platform: 'slack', messageId: first, chatId: channel };
    } catch (error) {
      const platformError = slackErrorCode(error);
      const reason = platformError ?? (error instanceof Error ? error.message : String(error));
      const permanent = platformError !== undefined && PERMANENT_ERRORS.has(platformError);
      this.log.warn({ method, reason, permanent }, 'slack: send failed');
      if (permanent && /^[UW]/.test(chatId)) this.dms.delete(chatId);
      return { ok: false, platform: 'slack', reason, permanent };
    }
  }

  /** A customer's message for staff: its files downloaded and uploaded (see the module comment). */
  private async forward(
    item: SlackForward,
    post: (text: string) => Promise<void>,
    upload: (data: Buffer, fileName: string, caption: string | undefined) => Promise<void>,
  ): Promise<void> {
    const msg = messagesFor('en');
    let caption = item.reply.caption;
    for (const attachment of item.reply.attachments ?? []) {
      let data: Buffer;
      try {
        data = await attachment.download();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.log.warn({ from: item.reply.from.platform, reason }, 'slack: a forwarded file could not be fetched');
        await post(escapeMrkdwn(msg.traffic.notCarried(kindLabel(msg, attachment.kind), reason)));
        continue;
      }
      await upload(data, attachment.fileName ?? `${attachment.kind}${extensionFor(attachment.mimeType)}`, caption);
      caption = undefined; // said once, with the first file
    }
    if (caption?.trim()) await post(escapeMrkdwn(caption));
  }

  /** The conversation to post into: channel ids as they are, user ids via `conversations.open`. */
  private async channelFor(chatId: string): Promise<string> {
    if (!/^[UW][A-Z0-9]+$/.test(chatId)) return chatId;
    const cached = this.dms.get(chatId);
    if (cached && Date.now() - cached.at < DM_CACHE_MS) return cached.channel;
    const opened = await this.client.conversations.open({ users: chatId });
    const channel = opened.channel?.id;
    if (!channel) throw new Error('conversations.open returned no channel');
    if (this.dms.size >= DM_CACHE_MAX) this.dms.clear();
    this.dms.set(chatId, { channel, at: Date.now() });
    return channel;
  }
}

/** The `error` string of a Web API refusal (`ok: false`), or `undefined` for other errors. */
export function slackErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { code?: unknown; data?: { error?: unknown } };
  return e.code === 'slack_webapi_platform_error' && typeof e.data?.error === 'string' ? e.data.error : undefined;
}

type SlackMessageBlocks = Extract<SlackOutgoing, { kind: 'message' }>['blocks'];

/** `.jpg` for `image/jpeg`, `.ogg` for `audio/ogg`…; `''` when unknown. */
function extensionFor(mimeType: string | undefined): string {
  const sub = mimeType?.split('/')[1]?.split(';')[0]?.trim().toLowerCase();
  if (!sub) return '';
  return `.${sub === 'jpeg' ? 'jpg' : sub === 'mpeg' ? 'mp3' : sub.replace(/^x-/, '')}`;
}
