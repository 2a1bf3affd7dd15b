/**
 * How follow-ups read in chat — the due time in the reader's zone and the buttons under a
 * reminder or a new follow-up — for the commands and the reminder job alike.
 *
 * @example
 *   formatDue(new Date('2026-11-27T03:00:00Z'), 'Asia/Ho_Chi_Minh') // → 'Fri 2026-11-27 10:00'
 */
import { DateTime } from 'luxon';
import type { Messages } from '../core/messages.js';
import type { Button } from '../core/types.js';

/** `Fri 2026-11-27 10:00` in the reader's zone. */
export function formatDue(at: Date, zone: string): string {
  return DateTime.fromJSDate(at).setZone(zone).toFormat('ccc yyyy-LL-dd HH:mm');
}

/** The buttons under a reminder or a new follow-up. */
/** Done / snooze an hour / snooze a day, and the customer's card. */
export function followUpButtons(id: string, customerId: string, msg: Messages): Button[][] {
  return [
    [
      { label: msg.followUp.doneButton(), action: `followup done ${id}` },
      { label: msg.followUp.snoozeHourButton(), action: `followup snooze ${id} 1h` },
      { label: msg.followUp.snoozeDayButton(), action: `followup snooze ${id} 1d` },
    ],
    [{ label: msg.openCustomerButton(), action: `customer ${customerId}` }],
  ];
}
