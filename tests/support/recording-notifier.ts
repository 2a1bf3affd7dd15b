/**
 * A {@link Notifier} that records every notification instead of sending it,
 * so integration tests can assert who was told what. `delayMs` makes each
 * send take that long (a slow platform, to widen race windows in the jobs tests).
 *
 * @example
 *   const notifier = new RecordingNotifier();
 *   await core.handle(customerMessage);
 *   expect(notifier.textsForStaff(staffId)).toEqual([expect.stringContaining('💬')]);
 */
import type { Notifier, Recipient, Reply, SendResult } from '../../src/core/types.js';

export interface Notification {
  to: Recipient;
  replies: Reply[];
}

export class RecordingNotifier implements Notifier {
  readonly sent: Notification[] = [];
  /** Milliseconds each send takes. */
  delayMs = 0;

  async notify(to: Recipient, replies: Reply[]): Promise<SendResult> {
    if (this.delayMs) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    this.sent.push({ to, replies });
    return { ok: true, platform: 'console' };
  }

  /** The text of every reply sent to a staff member, in order. */
  textsForStaff(staffId: string): string[] {
    return this.sent
      .filter((n) => n.to.kind === 'staff' && n.to.staffId === staffId)
      .flatMap((n) => n.replies.flatMap((r) => (r.kind === 'text' ? [r.text] : [])));
  }

  /** Same as {@link RecordingNotifier.textsForStaff} (the jobs tests' name for it). */
  textsFor(staffId: string): string[] {
    return this.textsForStaff(staffId);
  }

  /** Forgets what was sent (between steps of one test). */
  clear(): void {
    this.sent.length = 0;
  }
}
