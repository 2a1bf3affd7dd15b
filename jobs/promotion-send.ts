/**
 * Every minute: freezes the audience of promotions whose time has come, and
 * drains every campaign that is due (just frozen, or waiting for quiet hours
 * to end, or for a dead worker's claims to go stale).
 *
 * Idempotent by construction, not by Agenda's lock (which is not atomic on
 * FerretDB v1): deliveries are unique inserts, each send is marked by a
 * unique insert just before its platform call and its result is another. Two
 * workers running this at once split the recipients between them; a rerun
 * skips what is marked; after a run killed half-way, the next run sends what
 * it had claimed but not called, and records the few calls it had under way
 * as `failed: interrupted` once stale — uncertain, for a person to resend
 * (`promo resend-uncertain`), never resent by the job: at most once, never
 * twice (see src/services/campaigns/drain.ts).
 *
 * Sends go through the RoutingNotifier's platform senders to the chat ids
 * frozen in the deliveries: the adapters' throttlers keep each platform's rate
 * and wait out 429s.
 */
import type { Notifier } from '../src/core/types.js';
import type { SenderLookup } from '../src/services/campaigns/drain.js';
import { runDueCampaigns } from '../src/services/campaigns/campaigns.js';
import type { JobDefinition } from './agenda.js';

export const promotionSend: JobDefinition = {
  name: 'promotion-send',
  every: '1 minute',
  // A drain touches its lock between claim groups, so this only has to outlast one group.
  lockLifetime: 10 * 60_000,
  async run(job, deps) {
    // A clock that starts at the run's moment (tests pass their own) and moves with deps.now.
    const offset = job.now.getTime() - deps.now().getTime();
    const now = () => new Date(deps.now().getTime() + offset);
    const summaries = await runDueCampaigns({ senders: sendersOf(deps.notifier), now, worker: job.worker, log: deps.log, config: deps.config, touch: () => job.touch() });
    for (const s of summaries) {
      if (s.sent || s.failed || s.deferred) deps.log.info({ ...s }, 'promotion run');
    }
  },
};

/**
 * The platform senders behind the app's notifier (the port's optional `senderFor`,
 * which the RoutingNotifier offers).
 *
 * @example
 *   const senders = sendersOf(new RoutingNotifier([telegramSender]));
 *   senders('telegram') // → telegramSender
 */
export function sendersOf(notifier: Notifier): SenderLookup {
  if (!notifier.senderFor) throw new Error('promotion-send needs platform senders: deps.notifier must offer senderFor (a RoutingNotifier)');
  return (platform) => notifier.senderFor?.(platform);
}
