/**
 * A light outbound throttler for the Telegram Bot API, as a grammY API
 * transformer: every call with a `chat_id` gets the next free slot of an
 * evenly spaced schedule — per chat (1/s private, 20/min groups) and
 * overall (`globalPerSec`). Evenly spaced, not "N per window", so a sliding
 * one-second limit is never exceeded by a burst at a window's start.
 *
 * Why not @grammyjs/transformer-throttler: it runs on Bottleneck, which keeps
 * one limiter object per chat (a broadcast to 20,000 chats holds 20,000 of
 * them for five minutes) and passes every call through locks that each wait
 * a `setTimeout(0)`. Measured with bench/broadcast on a shared 2-core machine:
 * about 150 messages/s and ~2.8 ms CPU per message with it, against the
 * emulator's 1,000/s limit; this pacer costs a couple of Map operations and
 * at most two timers per waiting call.
 *
 * Not installed in the product: the adapter uses transformer-throttler. This
 * module is bench/broadcast's `paced` comparison, kept to measure whether
 * swapping is worth it. Installed, it goes where the throttler goes (before
 * auto-retry, so a retried call is paced again):
 *
 * @example
 *   bot.api.config.use(telegramPacer({ globalPerSec: 30, perChatPerSec: 1 }));
 *   bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60 }));
 */
import type { Transformer } from 'grammy';

export interface PacerLimits {
  /** Calls per second across all chats. */
  globalPerSec: number;
  /** Calls per second to one private chat. */
  perChatPerSec: number;
  /** Calls per minute to one group (negative chat id); Telegram's is 20. */
  perGroupPerMin?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** See the module comment. */
export function telegramPacer(limits: PacerLimits): Transformer {
  const globalGap = 1000 / limits.globalPerSec;
  const chatGap = 1000 / limits.perChatPerSec;
  const groupGap = 60_000 / (limits.perGroupPerMin ?? 20);
  const nextByChat = new Map<string, number>();
  let nextGlobal = 0;
  let calls = 0;

  return async (prev, method, payload, signal) => {
    const chatId = payload && typeof payload === 'object' && 'chat_id' in payload ? String((payload as { chat_id: unknown }).chat_id) : undefined;
    if (chatId === undefined) return prev(method, payload, signal);

    // The chat's own slot first (its spacing), then a global one: waiting for a chat never holds up other chats.
    let now = performance.now();
    const chatSlot = Math.max(now, nextByChat.get(chatId) ?? 0);
    nextByChat.set(chatId, chatSlot + (chatId.startsWith('-') ? groupGap : chatGap));
    if (chatSlot - now >= 1) {
      await sleep(chatSlot - now);
      now = performance.now();
    }
    const slot = Math.max(now, nextGlobal);
    nextGlobal = slot + globalGap;
    if (slot - now >= 1) await sleep(slot - now);

    // Forget chats whose next slot has passed (a broadcast touches each chat once).
    if (++calls % 1000 === 0) {
      const t = performance.now();
      for (const [chat, next] of nextByChat) if (next < t) nextByChat.delete(chat);
    }
    return prev(method, payload, signal);
  };
}
