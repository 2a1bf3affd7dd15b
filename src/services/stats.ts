/**
 * Staff performance for a week or a month so far, in the reader's time zone:
 * per staff member, leads added, orders and revenue of the customers they own,
 * follow-ups done and overdue, and the median time to the first response to a
 * customer's message — the first reply the customer received (a note is no response: it never
 * leaves the shop; a reply whose send failed never arrived), counting the shop's opening hours
 * only when given them (a message at 19:55 answered at 08:05 next morning took ten minutes);
 * and the conversations they resolved and the average rating customers gave theirs
 * (src/services/ratings.ts).
 *
 * Each figure is one query: `$group`/`$sum` aggregations for counts, and one
 * streaming pass (sorted by customer, then time) over the period's
 * interactions for response times — never a query per staff member or customer.
 *
 * @example
 *   const report = await staffStats('week', new Date(), 'Asia/Ho_Chi_Minh');        // everyone
 *   const mine = await staffStats('month', new Date(), 'Europe/Berlin', 's_1a2b3c'); // one salesperson
 *   const shop = await staffStats('week', new Date(), zone, undefined, { hours: config.BUSINESS_HOURS, hoursZone: config.DEFAULT_TIMEZONE });
 */
import { DateTime } from 'luxon';
import mongoose from 'mongoose';
import { Customer } from '../../models/customer.js';
import { Interaction } from '../../models/interaction.js';
import { Order } from '../../models/order.js';
import { Staff, type StaffDoc } from '../../models/staff.js';
import { ALWAYS_OPEN, openMillisBetween, type OpeningHours } from '../values/opening-hours.js';
import { isReceivedReply } from './interactions.js';
import { resolutionFigures } from './ratings.js';

export const STATS_PERIODS = ['week', 'month'] as const;
export type StatsPeriod = (typeof STATS_PERIODS)[number];

export interface StaffStatsRow {
  staffId: string;
  name: string;
  role: string;
  /** Customers they created in the period (`createdBy: "staff:<id>"`; merged duplicates left out). */
  leads: number;
  /** Orders in the period (not cancelled) of customers they own. */
  orders: number;
  /** Revenue of those orders, minor units per currency. */
  revenue: Record<string, number>;
  /** Follow-ups assigned to them and done in the period. */
  followUpsDone: number;
  /** Follow-ups assigned to them, not done, and due before now. */
  followUpsOverdue: number;
  /** Customer messages they answered first in the period. */
  responses: number;
  /** Median minutes from a customer's message to the first reply the customer received from them (opening hours only, when given); absent without responses. */
  medianResponseMinutes?: number;
  /** Conversations they resolved in the period. */
  resolved: number;
  /** Ratings customers gave the conversations credited to them (resolved in the period), and their average (absent without ratings). */
  ratings: number;
  averageRating?: number;
}

/** How response times are measured: over the shop's opening hours (default: around the clock), in the shop's zone (default: the report's). */
export interface StaffStatsOptions {
  hours?: OpeningHours;
  hoursZone?: string;
}

export interface StaffStatsReport {
  period: StatsPeriod;
  from: Date;
  to: Date;
  zone: string;
  rows: StaffStatsRow[];
}

/**
 * The period so far: the week starts on Monday, the month on the 1st, at
 * midnight in `zone`; it ends at `now`.
 */
export function statsRange(period: StatsPeriod, now: Date, zone: string): { from: Date; to: Date } {
  const local = DateTime.fromJSDate(now).setZone(zone);
  return { from: local.startOf(period === 'week' ? 'week' : 'month').toJSDate(), to: now };
}

/** Per-staff figures; with `staffId`, that person's row only (present even when all zero). */
export async function staffStats(period: StatsPeriod, now: Date, zone: string, staffId?: string, options: StaffStatsOptions = {}): Promise<StaffStatsReport> {
  const { from, to } = statsRange(period, now, zone);
  const hours = options.hours ?? ALWAYS_OPEN;
  const hoursZone = options.hoursZone ?? zone;
  const inPeriod = { $gte: from, $lt: to };
  const staff = await Staff.find(staffId ? { _id: staffId } : {}, { name: 1, role: 1, active: 1 }).lean<StaffDoc[]>();
  const rows = new Map<string, StaffStatsRow>();
  const samples = new Map<string, number[]>();
  const row = (id: string): StaffStatsRow | undefined => {
    const existing = rows.get(id);
    if (existing) return existing;
    const s = staff.find((x) => x._id === id);
    if (!s) return undefined; // not staff (or not the one asked about)
    const created: StaffStatsRow = { staffId: id, name: s.name, role: s.role, leads: 0, orders: 0, revenue: {}, followUpsDone: 0, followUpsOverdue: 0, responses: 0, resolved: 0, ratings: 0 };
    rows.set(id, created);
    return created;
  };

  // Leads added: customers created by a staff member in the period.
  const leads = await Customer.aggregate<{ _id: string | null; n: number }>([
    { $match: { createdAt: inPeriod, status: { $ne: 'merged' }, ...(staffId ? { createdBy: `staff:${staffId}` } : {}) } },
    { $group: { _id: '$createdBy', n: { $sum: 1 } } },
  ]);
  for (const g of leads) {
    if (g._id?.startsWith('staff:')) {
      const r = row(g._id.slice(6));
      if (r) r.leads += g.n;
    }
  }

  // Orders and revenue: the period's orders per customer, credited to the customers' owners.
  // One accumulator per $group: FerretDB v1 feeds the documents to the first accumulator only
  // (the others answer 0), so the count and the sum are two pipelines.
  const counted = { $match: { createdAt: inPeriod, status: { $ne: 'cancelled' } } };
  const byCustomerAndCurrency = { customerId: '$customerId', currency: '$currency' };
  type Group = { _id: { customerId: string; currency: string }; n: number };
  const [orderCounts, revenues] = await Promise.all([
    Order.aggregate<Group>([counted, { $group: { _id: byCustomerAndCurrency, n: { $sum: 1 } } }]),
    Order.aggregate<Group>([counted, { $group: { _id: byCustomerAndCurrency, n: { $sum: '$amountMinor' } } }]),
  ]);
  if (orderCounts.length > 0) {
    const owned = await Customer.find({ ownerId: staffId ?? { $in: staff.map((s) => s._id) } }, { ownerId: 1 }).lean<{ _id: string; ownerId: string }[]>();
    const ownerOf = new Map(owned.map((c) => [c._id, c.ownerId]));
    const credit = (g: Group, add: (r: StaffStatsRow) => void) => {
      const owner = ownerOf.get(g._id.customerId);
      const r = owner ? row(owner) : undefined;
      if (r) add(r);
    };
    for (const g of orderCounts) credit(g, (r) => (r.orders += g.n));
    for (const g of revenues) credit(g, (r) => (r.revenue[g._id.currency] = (r.revenue[g._id.currency] ?? 0) + g.n));
  }

  // Follow-ups, read from the collection so this works whichever FollowUp model is loaded.
  const followUps = mongoose.models.FollowUp?.collection ?? mongoose.connection.collection('followups');
  const assignee = staffId ? { assigneeId: staffId } : {};
  const [done, overdue] = await Promise.all([
    followUps.aggregate<{ _id: string; n: number }>([{ $match: { ...assignee, status: 'done', doneAt: inPeriod } }, { $group: { _id: '$assigneeId', n: { $sum: 1 } } }]).toArray(),
    followUps
      .aggregate<{ _id: string; n: number }>([
        { $match: { ...assignee, status: { $in: ['open', 'snoozed'] }, dueAt: { $lt: now } } },
        { $group: { _id: '$assigneeId', n: { $sum: 1 } } },
      ])
      .toArray(),
  ]);
  for (const g of done) {
    const r = row(g._id);
    if (r) r.followUpsDone += g.n;
  }
  for (const g of overdue) {
    const r = row(g._id);
    if (r) r.followUpsOverdue += g.n;
  }

  // First response: each customer message or complaint → the next reply by staff that reached the customer.
  // Notes are skipped: they stay in the shop, so the customer is still waiting.
  const cursor = Interaction.find({ at: inPeriod }, { customerId: 1, kind: 1, staffId: 1, at: 1, delivery: 1 })
    .sort({ customerId: 1, at: 1 })
    .lean<{ customerId: string; kind: string; staffId?: string | null; at: Date; delivery?: string | null }[]>()
    .cursor({ batchSize: 1000 });
  let current: string | undefined;
  let waiting: Date[] = [];
  for await (const i of cursor) {
    if (i.customerId !== current) {
      current = i.customerId;
      waiting = []; // unanswered within the period: no response time to count
    }
    if (i.kind === 'message' || i.kind === 'complaint') {
      if (!i.staffId) waiting.push(i.at);
    } else if (isReceivedReply(i) && i.staffId && waiting.length > 0) {
      if (!staffId || i.staffId === staffId) {
        const list = samples.get(i.staffId) ?? [];
        for (const asked of waiting) list.push(openMillisBetween(hours, hoursZone, asked, i.at) / 60_000);
        samples.set(i.staffId, list);
      }
      waiting = [];
    }
  }
  for (const [id, minutes] of samples) {
    const r = row(id);
    if (!r) continue;
    r.responses = minutes.length;
    r.medianResponseMinutes = median(minutes);
  }

  // Conversations resolved, and the ratings of those credited to each person.
  for (const [id, f] of await resolutionFigures(from, to, staffId)) {
    const r = row(id);
    if (!r) continue;
    r.resolved += f.resolved;
    r.ratings += f.ratings.length;
    if (r.ratings > 0) r.averageRating = f.ratings.reduce((a, b) => a + b, 0) / f.ratings.length;
  }

  // Everyone asked about, every active salesperson, and anyone with something to show.
  if (staffId) row(staffId);
  else for (const s of staff) if (s.active !== false && s.role === 'sales') row(s._id);
  const list = [...rows.values()].sort((a, b) => a.name.localeCompare(b.name) || a.staffId.localeCompare(b.staffId));
  return { period, from, to, zone, rows: list };
}

/** The median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
