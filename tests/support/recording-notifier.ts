/**
 * A {@link Notifier} that records every notification instead of sending it,
 * so integration tests can assert who was told what.
 *
 * @example
 *   const notifier = new RecordingNotifier();
 *   await core.handle(customerMessage);
 *   expect(notifier.textsFor({ kind: 'staff', staffId })).toEqual([expect.stringContaining('💬')]);
 */
import type { Notifier, Recipient, Reply, SendResult } from '../../src/core/types.js';

export interface Notification {
  to: Recipient;
  replies: Reply[];
}

export class RecordingNotifier implements Notifier {
  readonly sent: Notification[] = [];

  async notify(to: Recipient, replies: Reply[]): Promise<SendResult> {
    this.sent.push({ to, replies });
    return { ok: true, platform: 'console' };
  }

  /** The text of every reply sent to a staff member. */
  textsForStaff(staffId: string): string[] {
    return this.sent
      .filter((n) => n.to.kind === 'staff' && n.to.staffId === staffId)
      .flatMap((n) => n.replies.flatMap((r) => (r.kind === 'text' ? [r.text] : [])));
  }

  /** Forgets what was sent (between steps of one test). */
  clear(): void {
    this.sent.length = 0;
  }
}
