/**
 * How customers and orders read in chat: one-line summaries and the profile
 * card, in the reader's time zone (luxon). Pure functions over documents.
 */
import { DateTime } from 'luxon';
import type { CustomerDoc } from '../../models/customer.js';
import type { InteractionDoc } from '../../models/interaction.js';
import type { OrderDoc } from '../../models/order.js';
import { formatMoney } from '../values/money.js';
import type { Messages } from '../core/messages.js';
import { formatPhone } from '../values/phone.js';

/** `2026-11-25 14:30` in the given zone. */
export function formatWhen(at: Date | undefined | null, zone: string): string {
  if (!at) return '—';
  return DateTime.fromJSDate(at).setZone(zone).toFormat('yyyy-LL-dd HH:mm');
}

/** Revenue per currency, e.g. "350,000 ₫ + €19.99"; "—" when there is none. */
export function formatRevenue(revenue: Record<string, number> | undefined): string {
  const parts = Object.entries(revenue ?? {})
    .filter(([, v]) => v !== 0)
    .map(([currency, minor]) => formatMoney(minor, currency));
  return parts.length ? parts.join(' + ') : '—';
}

/** One line per customer in lists: `C12 Anna Nguyen · +84 91 234 56 78 · #vip`. */
export function customerLine(c: CustomerDoc, msg: Messages): string {
  const parts = [`${c._id} ${c.name || msg.noName()}`];
  if (c.phones[0]) parts.push(formatPhone(c.phones[0]));
  else if (c.emails[0]) parts.push(c.emails[0]);
  if (c.tags.length) parts.push(c.tags.map((t) => `#${t}`).join(' '));
  return parts.join(' · ');
}

export function orderLine(o: OrderDoc, msg: Messages, zone: string): string {
  const items = (o.items ?? []).map((i) => (i.qty && i.qty > 1 ? `${i.qty}× ${i.name}` : i.name)).join(', ');
  return msg.orderLine(o._id, formatWhen(o.createdAt, zone), formatMoney(o.amountMinor, o.currency), o.status, items);
}

/** A phone several customers use (a family phone): its holder and the others (services/lead-questions.ts `phoneSharers`). */
export interface SharedPhone {
  phone: string;
  holder: string;
  sharers: CustomerDoc[];
}

/**
 * The question a lead asks before writing (services/lead-questions.ts): who the details or the
 * name already belong to, and one button per answer (`lead-answer <Q…> same <C1>` / `… new`).
 *
 * @example
 *   leadQuestionView({ _id: 'Q1a', kind: 'shared-phone', … }, [lan], 'Mai', msg)
 *   // → { text: 'C1 Nguyễn Thị Lan already has this phone number. Is Mai the same person? …', buttons: [[Same person (keep Mai…)], [Different person…]] }
 */
export function leadQuestionView(
  question: { _id: string; kind: string },
  candidates: readonly CustomerDoc[],
  newName: string,
  msg: Messages,
): { text: string; buttons: { label: string; action: string }[][] } {
  const answer = (choice: string) => `lead-answer ${question._id} ${choice}`;
  const shown = candidates.slice(0, 5);
  const name = (c: CustomerDoc) => c.name || msg.noName();
  if (question.kind === 'shared-phone') {
    const holder = shown[0]!;
    const same =
      shown.length === 1
        ? [[{ label: msg.leadAsk.samePersonAlias(newName), action: answer(`same ${holder._id}`) }]]
        : shown.map((c) => [{ label: msg.leadAsk.samePersonAs(c._id, name(c)), action: answer(`same ${c._id}`) }]);
    return {
      text: msg.leadAsk.sharedPhone(holder._id, name(holder), newName),
      buttons: [...same, [{ label: msg.leadAsk.differentPerson(), action: answer('new') }]],
    };
  }
  return {
    text: msg.leadAsk.sameName(newName, shown.map((c) => customerLine(c, msg)).join('; ')),
    buttons: [
      ...shown.map((c) => [{ label: msg.leadAsk.samePersonAs(c._id, name(c)), action: answer(`same ${c._id}`) }]),
      [{ label: msg.leadAsk.newCustomer(), action: answer('new') }],
    ],
  };
}

/** The profile card: contact data, tags, owner, totals, last orders and interactions. */
export function customerCard(
  c: CustomerDoc,
  extra: { ownerName?: string; orders: OrderDoc[]; interactions: InteractionDoc[]; sharedPhone?: SharedPhone },
  msg: Messages,
  zone: string,
): string {
  const lines = [msg.card.title(c._id, c.name || msg.noName())];
  if (c.aliases?.length) lines.push(msg.card.aliases(c.aliases.join(', ')));
  lines.push(`${msg.card.phones()}: ${c.phones.map(formatPhone).join(', ') || msg.none()}`);
  if (extra.sharedPhone?.sharers.length) {
    const { phone, holder, sharers } = extra.sharedPhone;
    lines.push(msg.card.sharedPhone(formatPhone(phone), holder, sharers.map((s) => `${s._id} ${s.name || msg.noName()}`).join(', ')));
  }
  lines.push(`${msg.card.emails()}: ${c.emails.join(', ') || msg.none()}`);
  lines.push(`${msg.card.tags()}: ${c.tags.map((t) => `#${t}`).join(' ') || msg.none()}`);
  lines.push(`${msg.card.owner()}: ${extra.ownerName ?? msg.none()}`);
  lines.push(`${msg.card.consent()}: ${c.consent?.promotions ? msg.card.consentYes() : msg.card.consentNo()}`);
  lines.push(msg.card.totals(c.totals?.orders ?? 0, formatRevenue(c.totals?.revenue as Record<string, number> | undefined)));
  if (c.totals?.lastOrderAt) lines.push(`${msg.card.lastOrder()}: ${formatWhen(c.totals.lastOrderAt, zone)}`);
  if (c.unreachable?.length) lines.push(msg.card.unreachable(c.unreachable.join(', ')));
  if (extra.orders.length) {
    lines.push('', msg.card.ordersTitle(), ...extra.orders.map((o) => `  ${orderLine(o, msg, zone)}`));
  }
  if (extra.interactions.length) {
    lines.push('', msg.card.interactionsTitle());
    for (const i of extra.interactions) {
      lines.push(`  ${formatWhen(i.at, zone)} ${i.kind}${i.priority === 'high' ? ' ⚠️' : ''}: ${truncate(i.text, 120)}`);
    }
  }
  return lines.join('\n');
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
