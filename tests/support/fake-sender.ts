/**
 * A {@link PlatformSender} for tests: records every message per chat, can
 * refuse chats for good (a blocked bot), take time per send (to let two
 * drains interleave), and "die" after K sends — every later call throws, the
 * way a killed worker's calls never complete.
 *
 * @example
 *   const telegram = new FakeSender('telegram');
 *   telegram.dieAfter = 37;
 *   await expect(drain()).rejects.toThrow('worker killed');
 *   telegram.messagesTo('1042') // → 1
 */
import type { Platform, PlatformSender, Reply, SendResult } from '../../src/core/types.js';

export class FakeSender implements PlatformSender {
  /** Successful sends, in order. */
  readonly delivered: { chatId: string; replies: Reply[] }[] = [];
  /** Chats whose send threw because the sender was "dead". */
  readonly killedCalls: string[] = [];
  readonly blocked = new Set<string>();
  /** Throw from every call after this many successful sends. */
  dieAfter: number | undefined;
  /** Milliseconds each send takes. */
  delayMs = 0;

  constructor(readonly platform: Platform) {}

  async send(chatId: string, replies: Reply[]): Promise<SendResult> {
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    if (this.dieAfter !== undefined && this.delivered.length >= this.dieAfter) {
      this.killedCalls.push(chatId);
      throw new Error('worker killed');
    }
    if (this.blocked.has(chatId)) return { ok: false, platform: this.platform, permanent: true, reason: 'Forbidden: bot was blocked by the user' };
    this.delivered.push({ chatId, replies });
    return { ok: true, platform: this.platform };
  }

  /** How many messages a chat got. */
  messagesTo(chatId: string): number {
    return this.delivered.filter((d) => d.chatId === chatId).length;
  }

  /** Chats that got more than one message. */
  duplicates(): string[] {
    const counts = new Map<string, number>();
    for (const d of this.delivered) counts.set(d.chatId, (counts.get(d.chatId) ?? 0) + 1);
    return [...counts].filter(([, n]) => n > 1).map(([chatId]) => chatId);
  }

  /** The text of the message a chat got. */
  textTo(chatId: string): string | undefined {
    const r = this.delivered.find((d) => d.chatId === chatId)?.replies[0];
    return r?.kind === 'text' ? r.text : undefined;
  }
}
