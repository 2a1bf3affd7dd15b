/** The one command registry every platform shares. */
import { CommandRegistry } from '../core/registry.js';
import { dupes, incomplete } from './data-quality.js';
import { exportCommand, forget, myData } from './export.js';
import { importCommand } from './import.js';
import { merge, totals, unmerge } from './admin.js';
import { customer, find, lead, leadAnswer, note, tag, untag } from './customers.js';
import { helpCommand } from './help.js';
import { lapsed, segment, segments, segmentsRefresh } from './segments.js';
import { stats } from './stats.js';
import { order, orders, orderStatus } from './orders.js';
import { complaint, consent, start, stop } from './self-service.js';
import { invite, join, link, whoami } from './team.js';
import { lang } from './lang.js';
import { digest } from './digest.js';
import { followup, followupDone, followups, followupSnooze, followupsFor } from './follow-ups.js';
import { contactShared, customerText, fileAttached, fileReply, forwardedMessage, replyToNotification } from './flows.js';
import { promotionCommands } from './promotions.js';
import { inboxCommands } from './inbox.js';
import { rate } from './ratings.js';
import { chatLink } from './start-links.js';
import { staffList, staffRemove } from './staff-admin.js';

/** Builds the registry with every flow (in the order they are tried) and command (in the order help lists them). */
export function createRegistry(): CommandRegistry {
  const registry = new CommandRegistry();
  registry.addFlow(contactShared, forwardedMessage, fileReply, replyToNotification, fileAttached);
  registry.setCustomerText(customerText);
  registry.add(lead, leadAnswer, find, customer, note, tag, untag, order, orderStatus, orders, merge, unmerge, invite, totals);
  registry.add(start, consent, stop, complaint, join, link, whoami);
  registry.add(lang);
  registry.add(segments, segment, segmentsRefresh, lapsed, stats);
  registry.add(importCommand, dupes, incomplete, exportCommand, myData, forget);
  registry.add(followup, followups, followupDone, followupSnooze, followupsFor, digest);
  registry.add(...promotionCommands);
  registry.add(...inboxCommands);
  registry.add(rate);
  registry.add(chatLink, staffList, staffRemove);
  registry.add(helpCommand(registry));
  return registry;
}
