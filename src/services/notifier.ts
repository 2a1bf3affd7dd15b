/**
 * The {@link Notifier} the services and jobs use: finds the person's platform
 * identities and sends through the first platform sender that can reach them.
 * A permanent failure on a platform marks a customer unreachable there (a
 * customer who blocked the bot gets no more promotions on it).
 *
 * Bulk senders (promotion drains) freeze `{platform, chatId}` into their
 * delivery records instead of calling `notify` per recipient, so this
 * per-person identity lookup stays off the hot path.
 *
 * @example
 *   const notifier = new RoutingNotifier([telegramSender, slackSender]);
 *   await notifier.notify({ kind: 'staff', staffId: 's_1' }, [text('Follow up with C12')]);
 */
import { Customer } from '../../models/customer.js';
import type { Notifier, Platform, PlatformSender, Recipient, Reply, SendResult } from '../core/types.js';
import { identitiesOf } from './identities.js';

export class RoutingNotifier implements Notifier {
  private readonly senders = new Map<Platform, PlatformSender>();

  constructor(senders: PlatformSender[] = []) {
    for (const s of senders) this.senders.set(s.platform, s);
  }

  /** Adds (or replaces) the sender for a platform. */
  register(sender: PlatformSender): void {
    this.senders.set(sender.platform, sender);
  }

  /** The sender for a platform, if connected (bulk senders — promotion drains — use it with frozen chat ids). */
  senderFor(platform: Platform): PlatformSender | undefined {
    return this.senders.get(platform);
  }

  async notify(to: Recipient, replies: Reply[]): Promise<SendResult> {
    // `_id` reads only: the person, then each of their identities (src/services/identities.ts).
    let identities;
    let unreachable: string[] = [];
    if (to.kind === 'customer') {
      const c = await Customer.findById(to.customerId, { unreachable: 1, identityIds: 1 }).lean();
      unreachable = c?.unreachable ?? [];
      identities = await identitiesOf('customer', to.customerId, c?.identityIds ?? []);
    } else {
      identities = await identitiesOf('staff', to.staffId);
    }
    let last: SendResult = { ok: false, reason: 'no identity on a connected platform', permanent: true };
    for (const identity of identities) {
      const platform = identity.platform as Platform;
      const sender = this.senders.get(platform);
      if (!sender || !identity.chatId || unreachable.includes(platform)) continue;
      const result = await sender.send(identity.chatId, replies);
      if (result.ok) return { ...result, platform };
      last = { ...result, platform };
      if (result.permanent && to.kind === 'customer') {
        await Customer.updateOne({ _id: to.customerId }, { $addToSet: { unreachable: platform } });
      }
    }
    return last;
  }
}
