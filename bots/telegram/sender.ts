/**
 * Telegram's outbound side: the {@link PlatformSender} the RoutingNotifier and
 * the jobs use, and the path the bot's own replies take.
 *
 * Rate limits and 429s are not handled here: the grammY API client this gets
 * is configured (in ./index.ts) with `@grammyjs/transformer-throttler` (30/s
 * overall, 1/s per chat) and `@grammyjs/auto-retry` (waits `retry_after` and
 * retries). What is handled here:
 * - order: sends to one chat run one after the other ({@link ChatQueue}), so the
 *   parts of a split text, or a reply and a notification, arrive in order;
 * - failure words: the API's refusal comes back as a {@link SendResult}, with
 *   `permanent: true` when retrying cannot help (the user blocked the bot, the
 *   chat does not exist), so the caller can mark the customer unreachable.
 *
 * - forwards: a `forward` reply (a customer's message passed on to staff) is copied with
 *   `copyMessage` when it comes from Telegram — the staff member sees the photo, voice note or
 *   location itself. From another platform, or when Telegram will not copy it (deleted,
 *   protected), each attachment is downloaded and sent (`sendPhoto`, else `sendDocument`) with the
 *   caption; a file that cannot be fetched is named in a text instead — never dropped.
 *
 * @example
 *   const sender = new TelegramSender(bot.api, encodeAction, log);
 *   await sender.send('42', [text('Your order O7 has shipped.')]); // → { ok: true, platform: 'telegram' }
 *   await sender.send('7', [text('Offer!')]); // blocked → { ok: false, permanent: true, reason: 'Forbidden: bot was blocked by the user' }
 */
import { GrammyError, HttpError, InputFile, type Api } from 'grammy';
import { messagesFor } from '../../src/core/messages.js';
import type { PlatformSender, Reply, SendResult } from '../../src/core/types.js';
import type { Logger } from '../../src/log.js';
import { kindLabel } from '../shared/summary.js';
import { renderReplies, withCaption, type ActionEncoder, type Outbound } from './render.js';
import { splitText } from './split.js';

type ForwardReply = Extract<Reply, { kind: 'forward' }>;

/** Telegram's words when a message cannot be copied (gone, protected, a service message): then it is carried instead. */
const NOT_COPYABLE = /message to copy not found|message can't be copied|MESSAGE_ID_INVALID|message not found/i;

/**
 * Runs tasks one after another per key (a chat), concurrently across keys,
 * and can wait until everything queued has finished.
 *
 * @example
 *   const queue = new ChatQueue();
 *   void queue.run('42', () => api.sendMessage(42, 'one'));
 *   void queue.run('42', () => api.sendMessage(42, 'two')); // starts after 'one'
 *   await queue.idle();
 */
export class ChatQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Queues `task` behind the earlier tasks of `key`; resolves or rejects with its result. */
  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Resolves when every task queued so far (and any queued meanwhile) has settled. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}

/** Whether a refusal means retrying cannot help: blocked, deactivated, kicked, or no such chat. */
export function isPermanentRefusal(error: GrammyError): boolean {
  if (error.error_code === 403) return true;
  return error.error_code === 400 && /chat not found|user not found|PEER_ID_INVALID|chat_id is empty/i.test(error.description);
}

/** Telegram chat ids are numbers; `@channelname` stays a string. */
export function toChatId(chatId: string): number | string {
  return /^-?\d+$/.test(chatId) ? Number(chatId) : chatId;
}

const calls: { [M in Outbound['method']]: (api: Api, chatId: number | string, m: Extract<Outbound, { method: M }>) => Promise<unknown> } = {
  sendMessage: (api, chatId, m) => api.sendMessage(chatId, m.text, m.replyMarkup ? { reply_markup: m.replyMarkup } : {}),
  sendDocument: (api, chatId, m) => api.sendDocument(chatId, new InputFile(m.data, m.fileName), m.caption ? { caption: m.caption } : {}),
  sendPhoto: (api, chatId, m) => api.sendPhoto(chatId, new InputFile(m.data, m.fileName), m.caption ? { caption: m.caption } : {}),
};

/** See the module comment. */
export class TelegramSender implements PlatformSender {
  readonly platform = 'telegram' as const;
  private readonly queue = new ChatQueue();

  constructor(
    private readonly api: Api,
    private readonly encode: ActionEncoder,
    private readonly log: Logger,
  ) {}

  /**
   * Sends the replies to a chat, in order, after anything already queued for it.
   * API refusals and network failures come back as `{ ok: false, reason, permanent }`;
   * our own bugs (anything else) are thrown.
   */
  send(chatId: string, replies: Reply[]): Promise<SendResult> {
    return this.queue.run(chatId, () => this.deliver(chatId, replies));
  }

  /** Resolves when every queued send has finished (shutdown, tests, the demo). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async deliver(chatId: string, replies: Reply[]): Promise<SendResult> {
    const target = toChatId(chatId);
    let first: string | undefined;
    const sent = (result: unknown) => {
      const id = (result as { message_id?: unknown } | undefined)?.message_id;
      if (first === undefined && typeof id === 'number') first = String(id);
    };
    try {
      for (const reply of replies) {
        if (reply.kind === 'forward') {
          await this.forward(target, reply, sent);
          continue;
        }
        for (const message of await renderReplies([reply], this.encode)) sent(await this.call(target, message));
      }
      return first === undefined ? { ok: true, platform: 'telegram' } : { ok: true, platform: 'telegram', messageId: first, chatId };
    } catch (error) {
      if (error instanceof GrammyError) {
        const permanent = isPermanentRefusal(error);
        this.log.info({ method: error.method, code: error.error_code, permanent }, 'telegram refused a send');
        return { ok: false, platform: 'telegram', permanent, reason: error.description };
      }
      if (error instanceof HttpError) {
        this.log.warn({ err: error.message }, 'telegram unreachable');
        return { ok: false, platform: 'telegram', permanent: false, reason: error.message };
      }
      throw error;
    }
  }

  private call(target: number | string, message: Outbound): Promise<unknown> {
    return (calls[message.method] as (api: Api, chatId: number | string, m: Outbound) => Promise<unknown>)(this.api, target, message);
  }

  /** A customer's message to a staff chat: copied natively, else carried (see the module comment). */
  private async forward(target: number | string, reply: ForwardReply, sent: (result: unknown) => void): Promise<void> {
    if (reply.from.platform === 'telegram') {
      try {
        sent(await this.api.copyMessage(target, toChatId(reply.from.chatId), Number(reply.from.messageId)));
        return;
      } catch (error) {
        if (!(error instanceof GrammyError && error.error_code === 400 && NOT_COPYABLE.test(error.description))) throw error;
        this.log.info({ code: error.error_code }, 'telegram: message not copyable; carrying its files instead');
      }
    }
    const msg = messagesFor('en');
    let caption = reply.caption;
    for (const attachment of reply.attachments ?? []) {
      let data: Buffer;
      try {
        data = await attachment.download();
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        this.log.warn({ platform: reply.from.platform, reason }, 'telegram: a forwarded file could not be fetched');
        for (const part of splitText(msg.traffic.notCarried(kindLabel(msg, attachment.kind), reason))) sent(await this.call(target, { method: 'sendMessage', text: part }));
        continue;
      }
      const fileName = attachment.fileName ?? `${attachment.kind}${extensionFor(attachment.mimeType)}`;
      const method = attachment.kind === 'image' && !/gif|svg/i.test(attachment.mimeType ?? '') ? 'sendPhoto' : 'sendDocument';
      for (const message of withCaption({ method, data, fileName }, caption)) sent(await this.call(target, message));
      caption = undefined; // said once, with the first file
    }
    if (caption?.trim()) for (const part of splitText(caption)) sent(await this.call(target, { method: 'sendMessage', text: part }));
  }
}

/** `.jpg` for `image/jpeg`, `.ogg` for `audio/ogg`…; `''` when unknown. */
function extensionFor(mimeType: string | undefined): string {
  const sub = mimeType?.split('/')[1]?.split(';')[0]?.trim().toLowerCase();
  if (!sub) return '';
  return `.${sub === 'jpeg' ? 'jpg' : sub === 'mpeg' ? 'mp3' : sub.replace(/^x-/, '')}`;
}
