/**
 * What opening hours and satisfaction read like, for commands and jobs alike: the away message a
 * customer gets outside opening hours, the alerts about conversations left waiting, and the
 * request to rate a resolved conversation with its 1–5 buttons.
 *
 * @example
 *   awayText(opensAt, now, 'Asia/Ho_Chi_Minh', messagesFor('vi')) // → 'Cảm ơn anh/chị … mở cửa lúc 08:00 thứ Hai …'
 *   ratingRequest('1772420400000', msg) // → text + buttons rate 1 … rate 5
 */
import type { Messages } from '../core/messages.js';
import { text, type Reply } from '../core/types.js';
import type { WaitingConversation } from '../services/waiting-alerts.js';
import { describeOpening } from '../values/opening-hours.js';
import { conversationButtons } from './inbox.js';
import { truncate } from './customers.js';

/**
 * The away message: thanks, the shop is closed, and when it opens — today, tomorrow or on a
 * weekday, at the shop's local time — in the reader's language.
 *
 * @example
 *   awayText(new Date('2026-03-03T01:00:00Z'), new Date('2026-03-02T14:00:00Z'), 'Asia/Ho_Chi_Minh', msg)
 *   // → "Thanks, we got your message. We're closed now; we open tomorrow at 08:00 and will answer you then."
 */
export function awayText(opensAt: Date, now: Date, zone: string, msg: Messages): string {
  const o = describeOpening(opensAt, now, zone);
  const when = o.day === 'today' ? msg.hours.opensToday(o.time) : o.day === 'tomorrow' ? msg.hours.opensTomorrow(o.time) : msg.hours.opensOn(msg.format.weekday(o.weekday), o.time);
  return msg.hours.away(when);
}

/**
 * An alert about a conversation left waiting, with the conversation's buttons: to its assignee
 * (`escalation` false) or, after as long again, to the managers (`escalation` true, naming who has it).
 */
export function waitingAlert(w: WaitingConversation, view: { escalation: boolean; assigneeName?: string }, msg: Messages): Reply {
  const name = w.name || msg.noName();
  const waited = msg.minutes(w.waitedMs / 60_000);
  const preview = truncate(w.preview, 200);
  const line = view.escalation
    ? msg.hours.waitingEscalation(w.customerId, name, waited, view.assigneeName ?? msg.inbox.onDuty(), preview)
    : msg.hours.waitingAlert(w.customerId, name, waited, preview);
  return text(line, conversationButtons(w.customerId, msg));
}

/** The request to rate a resolved conversation: five buttons, `rate <1–5> <opened ms>`. */
export function ratingRequest(openedMs: string, msg: Messages): Reply {
  return text(msg.rating.ask(), [[1, 2, 3, 4, 5].map((n) => ({ label: msg.rating.button(n), action: `rate ${n} ${openedMs}` }))]);
}
