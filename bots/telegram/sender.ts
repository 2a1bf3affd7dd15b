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
 * @example
 *   const sender = new TelegramSender(bot.api, encodeAction, log);
 *   await sender.send('42', [text('Your order O7 has shipped.')]); // → { ok: true, platform: 'telegram' }
 *   await sender.send('7', [text('Offer!')]); // blocked → { ok: false, permanent: true, reason: 'Forbidden: bot was blocked by the user' }
 */
import { GrammyError, HttpError, InputFile, type Api } from 'grammy';
import type { PlatformSender, Reply, SendResult } from '../../src/core/types.js';
import type { Logger } from '../../src/log.js';
import { renderReplies, type ActionEncoder, type Outbound } from './render.js';

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
    try {
      for (const message of await renderReplies(replies, this.encode)) {
        await (calls[message.method] as (api: Api, chatId: number | string, m: Outbound) => Promise<unknown>)(this.api, target, message);
      }
      return { ok: true, platform: 'telegram' };
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
}
