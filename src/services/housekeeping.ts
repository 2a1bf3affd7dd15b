/**
 * Housekeeping that TTL indexes would do on MongoDB (FerretDB v1 refuses
 * them): expired invite and link codes and their claims, processed-delivery
 * records older than the platforms' re-delivery window, stored long Telegram
 * button actions nobody pressed for weeks, and `lead` questions (same phone / same name) whose
 * buttons are that old too — answered or not, nobody will press them now. Deleting is idempotent, so two
 * workers running it at once is harmless (jobs/cleanup.ts runs it hourly).
 *
 * @example
 *   const removed = await cleanUpExpired(new Date()); // { invites: 3, deliveries: 120, callbacks: 0 }
 */
import { CodeClaim } from '../../models/code-claim.js';
import { Invite } from '../../models/invite.js';
import { LeadQuestion } from '../../models/lead-question.js';
import { ProcessedDelivery } from '../../models/processed-delivery.js';
import { TelegramCallback } from '../../models/telegram-callback.js';

/** Telegram re-delivers for up to 24 h and Slack retries within minutes: a week is ample. */
export const DELIVERY_RETENTION_MS = 7 * 24 * 3_600_000;
/** Buttons older than this answer "expired". */
export const CALLBACK_RETENTION_MS = 30 * 24 * 3_600_000;

/** Removes what has expired as of `now`; returns the counts. */
export async function cleanUpExpired(now: Date): Promise<{ invites: number; deliveries: number; callbacks: number; leadQuestions: number }> {
  const invites = await Invite.deleteMany({ expiresAt: { $lt: now } });
  await CodeClaim.deleteMany({ expiresAt: { $lt: now } });
  const deliveries = await ProcessedDelivery.deleteMany({ at: { $lt: new Date(now.getTime() - DELIVERY_RETENTION_MS) } });
  const callbacks = await TelegramCallback.deleteMany({ at: { $lt: new Date(now.getTime() - CALLBACK_RETENTION_MS) } });
  const leadQuestions = await LeadQuestion.deleteMany({ createdAt: { $lt: new Date(now.getTime() - CALLBACK_RETENTION_MS) } });
  return { invites: invites.deletedCount, deliveries: deliveries.deletedCount, callbacks: callbacks.deletedCount, leadQuestions: leadQuestions.deletedCount };
}
