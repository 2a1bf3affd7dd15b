/**
 * How the inbox reads in chat, for commands and jobs alike: the notice staff get when a customer
 * writes (today's text, with the conversation's buttons), the `inbox` page, and the saved replies.
 *
 * @example
 *   customerMessageNotice({ ref: 'C12', name: 'Anna', platform: 'telegram', body: 'where is my parcel?', complaint: false }, msg)
 *   // → 💬 C12 Anna (telegram): where is my parcel?   [Open customer] [Assign to me] [Resolve] [Reply…]
 */
import type { Messages } from '../core/messages.js';
import { text, type Button, type Reply } from '../core/types.js';
import type { InboxItem } from '../services/conversations.js';
import type { Page } from '../services/contacts.js';
import { truncate } from './customers.js';
import { pageNav } from './paging.js';

/** The buttons under anything about a customer's conversation; "Open customer" stays first (the console's [1]). */
export function conversationButtons(ref: string, msg: Messages): Button[][] {
  return [
    [{ label: msg.openCustomerButton(), action: `customer ${ref}` }],
    [
      { label: msg.inbox.assignToMeButton(), action: `assign ${ref} me` },
      { label: msg.inbox.resolveButton(), action: `resolve ${ref}` },
    ],
    [{ label: msg.inbox.replyButton(), action: `reply ${ref}` }],
  ];
}

/** What staff get when a customer writes: the message (a complaint flagged) and the conversation's buttons. */
export function customerMessageNotice(n: { ref: string; name: string; platform: string; body: string; complaint: boolean }, msg: Messages): Reply {
  const name = n.name || msg.noName();
  const body = truncate(n.body, 1500);
  const line = n.complaint ? msg.notifyComplaint(n.ref, name, n.platform, body) : msg.notifyMessage(n.ref, name, n.platform, body);
  return text(line, conversationButtons(n.ref, msg));
}

/** What a colleague gets when a conversation is given to them. */
export function assignedNotice(n: { ref: string; name: string; by: string; preview: string }, msg: Messages): Reply {
  return text(msg.inbox.assignedToYou(n.ref, n.name || msg.noName(), n.by, n.preview), conversationButtons(n.ref, msg));
}

/**
 * One page of `inbox`: a line per conversation (how long it has waited, who has it, how it began),
 * a button per conversation to open the customer, paging, and the mine/everyone switch.
 */
export function inboxPage(
  page: Page<InboxItem>,
  view: { mine: boolean; now: Date; staffNames: ReadonlyMap<string, string> },
  msg: Messages,
): Reply {
  if (page.total === 0) return text(msg.inbox.none(view.mine), [[switchButton(view.mine, msg)]]);
  const lines = [msg.inbox.title(page.total, view.mine)];
  for (const item of page.items) {
    const waited = msg.minutes(Math.max(0, view.now.getTime() - item.since.getTime()) / 60_000);
    const who = item.assigneeId ? (view.staffNames.get(item.assigneeId) ?? item.assigneeId) : msg.inbox.onDuty();
    lines.push(msg.inbox.line(item.customerId, item.name || msg.noName(), waited, who, truncate(item.preview, 60), item.complaint));
  }
  if (page.pages > 1) lines.push(msg.page(page.page, page.pages, page.total));
  const open = page.items.slice(0, 5).map((i) => [{ label: `${i.customerId} ${i.name || msg.noName()}`.slice(0, 40), action: `customer ${i.customerId}` }]);
  const nav = pageNav(page, (p) => `inbox${view.mine ? ' mine' : ''} page ${p}`, msg);
  return text(lines.join('\n'), [...open, ...(nav.length ? [nav] : []), [switchButton(view.mine, msg)]]);
}

function switchButton(mine: boolean, msg: Messages): Button {
  return mine ? { label: msg.inbox.allButton(), action: 'inbox' } : { label: msg.inbox.mineButton(), action: 'inbox mine' };
}

/** The saved replies, by name. */
export function snippetList(snippets: readonly { name: string; text: string }[], msg: Messages): Reply {
  if (snippets.length === 0) return text(msg.inbox.snippetsNone());
  return text([msg.inbox.snippetsTitle(snippets.length), ...snippets.map((s) => msg.inbox.snippetLine(s.name, truncate(s.text.replace(/\s+/g, ' '), 100)))].join('\n'));
}
