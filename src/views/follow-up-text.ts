/**
 * What a follow-up says, in its reader's language. A person's follow-up says what they typed; one
 * the CRM made (a quiet new lead, the digest's lapsed list) is a catalogue text, so it is written
 * again for whoever reads it — the reminder's recipient, the `followups` list — rather than in the
 * language of whoever happened to create it.
 *
 * @example
 *   followUpText({ text: 'call back', source: 'manual' }, messagesFor('vi'), 3)      // → 'call back'
 *   followUpText({ text: 'New lead with …', source: 'auto-lead' }, messagesFor('vi'), 3)
 *   // → 'Khách tiềm năng mới chưa được liên hệ sau 3 ngày — hãy liên hệ.'
 */
import type { FollowUpDoc } from '../../models/follow-up.js';
import type { Messages } from '../core/messages.js';

/** The follow-up's text for this reader; `autoFollowUpDays` is the shop's `AUTO_FOLLOWUP_DAYS`. */
export function followUpText(f: Pick<FollowUpDoc, 'text'> & { source?: string | null }, msg: Messages, autoFollowUpDays: number): string {
  if (f.source === 'auto-lead') return msg.followUp.autoLead(autoFollowUpDays);
  if (f.source === 'lapsed') return msg.followUp.lapsed();
  return f.text ?? '';
}
