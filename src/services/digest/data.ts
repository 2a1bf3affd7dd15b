/**
 * Gathers the weekly digest's data with one streaming pass over customers
 * (projected, raw driver) plus a handful of small reads — never a query per
 * customer and never the orders collection: orders and revenue per day and
 * per week are differences of daily totals snapshots (models/totals-snapshot.ts),
 * which are sums of the customers' running totals.
 *
 * Weeks are counted in the shop's zone (`DEFAULT_TIMEZONE`), so every manager
 * sees the same numbers: "this week" is the seven whole days before today.
 *
 * @example
 *   const data = await gatherDigest(new Date(), config);
 *   const replies = renderDigest(data, messagesFor('en'));
 */
import { DateTime } from 'luxon';
import { Customer } from '../../../models/customer.js';
import { FollowUp } from '../../../models/follow-up.js';
import { Staff } from '../../../models/staff.js';
import { snapshotId, TotalsSnapshot, type TotalsSnapshotDoc } from '../../../models/totals-snapshot.js';
import type { Config } from '../../config.js';
import { staffIdOf } from '../../values/refs.js';
import { audienceOf, describeAudience } from '../campaigns/audience.js';
import { listCampaigns } from '../campaigns/campaigns.js';
import { PENDING } from '../follow-ups.js';
import { latestRun, movements, segmentSizes, summariseMovements } from '../segments/segments.js';
import { isDuplicateKey } from '../../db/writes.js';
import { refNumber } from '../../values/refs.js';

export type Revenue = Record<string, number>;

export interface WeekFigures {
  orders: number;
  revenue: Revenue;
}

export interface DigestCustomer {
  id: string;
  name: string;
  /** Lifetime revenue per currency. */
  revenue: Revenue;
  orders: number;
  ownerId?: string;
}

export interface DigestCampaign {
  ref: string;
  audience: string;
  sent: number;
  responded: number;
  optedOut: number;
  /** From the last stored conversion results, when computed. */
  converted?: number;
  revenue?: Revenue;
  upliftPoints?: number;
}

export interface DigestData {
  /** Shop time zone the days are counted in. */
  zone: string;
  baseCurrency: string;
  /** First day of the week (local midnight) and the day after its last. */
  from: Date;
  to: Date;
  lapsedDays: number;
  /** This week and the week before, from totals snapshots; `undefined` while history is shorter. */
  thisWeek?: WeekFigures;
  previousWeek?: WeekFigures;
  /** The first day with a recorded snapshot (shown while the comparison is not available). */
  historySince?: string;
  /** Base-currency revenue per day of the week (`undefined` for a day without snapshots). */
  revenuePerDay: { date: string; minor: number | undefined }[];
  /** New leads by staff id (`''` = nobody). */
  leadsBy: Record<string, number>;
  /** Segment sizes now and a week ago (when known). */
  segments: { name: string; size: number; previous?: number }[];
  topCustomers: DigestCustomer[];
  lapsed: { total: number; newlyCount: number; newly: DigestCustomer[] };
  /** Overdue pending follow-ups by assignee staff id. */
  overdueBy: Record<string, number>;
  /** The largest segment moves of the week (RFM segments only), e.g. `Lead → New: 3`. */
  moves?: string[];
  /** Results of campaigns sent in the last two weeks (from their stored counters and results). */
  campaigns?: DigestCampaign[];
  /** Staff names by id. */
  staffNames: Record<string, string>;
}

/** How many lapsed customers the digest lists (and the button covers). */
export const LAPSED_LISTED = 10;

const DAY = 86_400_000;
/** A first order this recent makes a customer "new". */
export const NEW_CUSTOMER_DAYS = 30;
export const STAGES = ['lead', 'new', 'active', 'lapsed'] as const;
export type Stage = (typeof STAGES)[number];
const STAGE_NAMES: Record<Stage, string> = { lead: 'Leads', new: 'New', active: 'Active', lapsed: 'Lapsed' };
const TOP = 5;

export interface CustomerPassOptions {
  now: Date;
  /** The digest week: customers created in it are new leads, ordering in it makes a top customer. */
  from: Date;
  to: Date;
  lapsedDays: number;
  baseCurrency: string;
  /** Called every `BATCH` customers (a job extends its lock here). */
  onProgress?: () => Promise<void>;
}

export interface CustomerPassResult {
  sums: { orders: number; revenue: Revenue; customers: number; leads: number };
  stages: Record<Stage, number>;
  leadsBy: Record<string, number>;
  top: DigestCustomer[];
  lapsedTotal: number;
  newlyLapsedCount: number;
  newlyLapsed: DigestCustomer[];
}

interface CustomerRow {
  _id: string;
  name?: string;
  ownerId?: string;
  createdBy?: string;
  createdAt?: Date;
  status?: string;
  totals?: { orders?: number; revenue?: Revenue; firstOrderAt?: Date; lastOrderAt?: Date };
}

/** The projection of the one customer pass (the bench's baseline scan uses the same). */
export const CUSTOMER_PASS_PROJECTION = { name: 1, ownerId: 1, createdBy: 1, createdAt: 1, status: 1, totals: 1 } as const;
const BATCH = 1000;

/** One streaming pass over active customers computing every customer-based figure. */
export async function customerPass(options: CustomerPassOptions): Promise<CustomerPassResult> {
  const { now, from, to, lapsedDays, baseCurrency } = options;
  const lapsedBefore = now.getTime() - lapsedDays * DAY;
  const newlyFrom = from.getTime() - lapsedDays * DAY;
  const newlyTo = to.getTime() - lapsedDays * DAY;
  const newSince = now.getTime() - NEW_CUSTOMER_DAYS * DAY;
  const result: CustomerPassResult = {
    sums: { orders: 0, revenue: {}, customers: 0, leads: 0 },
    stages: { lead: 0, new: 0, active: 0, lapsed: 0 },
    leadsBy: {},
    top: [],
    lapsedTotal: 0,
    newlyLapsedCount: 0,
    newlyLapsed: [],
  };
  const base = (c: DigestCustomer) => c.revenue[baseCurrency] ?? 0;
  const keepTop = (list: DigestCustomer[], n: number) => {
    if (list.length > n * 20) list.splice(0, list.length, ...list.sort((a, b) => base(b) - base(a) || refNumber(a.id) - refNumber(b.id)).slice(0, n));
  };
  const cursor = Customer.collection.find({}, { projection: CUSTOMER_PASS_PROJECTION, batchSize: BATCH });
  let seen = 0;
  for await (const doc of cursor) {
    const c = doc as unknown as CustomerRow;
    if (++seen % BATCH === 0 && options.onProgress) await options.onProgress();
    if (c.status && c.status !== 'active') continue;
    const t = c.totals ?? {};
    const orders = t.orders ?? 0;
    const revenue = t.revenue ?? {};
    result.sums.customers++;
    result.sums.orders += orders;
    for (const [currency, minor] of Object.entries(revenue)) result.sums.revenue[currency] = (result.sums.revenue[currency] ?? 0) + minor;
    const last = t.lastOrderAt?.getTime();
    let stage: Stage;
    if (orders <= 0) stage = 'lead';
    else if (last !== undefined && last < lapsedBefore) stage = 'lapsed';
    else if ((t.firstOrderAt?.getTime() ?? 0) >= newSince) stage = 'new';
    else stage = 'active';
    result.stages[stage]++;
    if (orders <= 0) result.sums.leads++;

    const created = c.createdAt?.getTime();
    if (created !== undefined && created >= from.getTime() && created < to.getTime()) {
      const who = c.ownerId ?? staffIdOf(c.createdBy ?? '') ?? '';
      result.leadsBy[who] = (result.leadsBy[who] ?? 0) + 1;
    }
    if (last === undefined) continue;
    const row = (): DigestCustomer => ({ id: c._id, name: c.name ?? '', revenue, orders, ownerId: c.ownerId });
    if (last >= from.getTime() && last < to.getTime()) {
      result.top.push(row());
      keepTop(result.top, TOP);
    }
    if (stage === 'lapsed') {
      result.lapsedTotal++;
      if (last >= newlyFrom && last < newlyTo) {
        result.newlyLapsedCount++;
        result.newlyLapsed.push(row());
        keepTop(result.newlyLapsed, LAPSED_LISTED);
      }
    }
  }
  result.top = result.top.sort((a, b) => base(b) - base(a) || refNumber(a.id) - refNumber(b.id)).slice(0, TOP);
  result.newlyLapsed = result.newlyLapsed.sort((a, b) => base(b) - base(a) || refNumber(a.id) - refNumber(b.id)).slice(0, LAPSED_LISTED);
  return result;
}

/** The shop's local day containing `at`, as `YYYY-MM-DD`, and that day's start. */
export function shopDay(at: Date, zone: string): { date: string; start: DateTime } {
  const start = DateTime.fromJSDate(at, { zone }).startOf('day');
  return { date: start.toISODate()!, start };
}

/**
 * Records today's totals snapshot (`day:YYYY-MM-DD` in the shop zone) from a
 * pass, unless one exists. Insert-or-skip: two workers never write two.
 */
export async function saveDaySnapshot(date: string, at: Date, pass: Pick<CustomerPassResult, 'sums' | 'stages'>): Promise<boolean> {
  try {
    await TotalsSnapshot.create({ _id: snapshotId(date), at, ...pass.sums, stages: pass.stages });
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

/** Takes today's snapshot if it is missing (the totals-snapshot job). */
export async function takeDaySnapshot(now: Date, config: Config, onProgress?: () => Promise<void>): Promise<boolean> {
  const { date, start } = shopDay(now, config.DEFAULT_TIMEZONE);
  if (await TotalsSnapshot.exists({ _id: snapshotId(date) })) return false;
  const pass = await customerPass({ now, from: start.toJSDate(), to: start.toJSDate(), lapsedDays: config.LAPSED_DAYS, baseCurrency: config.BASE_CURRENCY, onProgress });
  return saveDaySnapshot(date, now, pass);
}

/** Everything the digest shows, for the week before `now`'s day. */
export async function gatherDigest(now: Date, config: Config, onProgress?: () => Promise<void>): Promise<DigestData> {
  const zone = config.DEFAULT_TIMEZONE;
  const { date: today, start } = shopDay(now, zone);
  const from = start.minus({ days: 7 });
  const dates = Array.from({ length: 15 }, (_, i) => start.minus({ days: 14 - i }).toISODate()!);
  const [pass, snapshots, first, overdue, staff, rfm, campaigns] = await Promise.all([
    customerPass({ now, from: from.toJSDate(), to: start.toJSDate(), lapsedDays: config.LAPSED_DAYS, baseCurrency: config.BASE_CURRENCY, onProgress }),
    TotalsSnapshot.find({ _id: { $in: dates.map(snapshotId) } }).lean<TotalsSnapshotDoc[]>(),
    TotalsSnapshot.find({}, { _id: 1 }).sort({ _id: 1 }).limit(1).lean<{ _id: string }[]>(),
    FollowUp.find({ status: { $in: PENDING }, dueAt: { $lt: now } }, { assigneeId: 1 }).lean<{ assigneeId: string }[]>(),
    Staff.find({}, { name: 1 }).lean<{ _id: string; name: string }[]>(),
    rfmSegments(from.toJSDate()),
    recentCampaigns(start.minus({ days: 14 }).toJSDate()),
  ]);
  const byDate = new Map(snapshots.map((s) => [s._id.slice(4), s]));
  if (!byDate.has(today)) {
    // The snapshot job has not run today yet: this pass is the best "start of today" we have.
    await saveDaySnapshot(today, now, pass);
    byDate.set(today, { _id: snapshotId(today), at: now, ...pass.sums, stages: pass.stages });
  }
  const at = (i: number) => byDate.get(dates[i]!);
  const week = (a: TotalsSnapshotDoc | undefined, b: TotalsSnapshotDoc | undefined): WeekFigures | undefined =>
    a && b ? { orders: b.orders - a.orders, revenue: diffRevenue(a.revenue, b.revenue) } : undefined;

  const overdueBy: Record<string, number> = {};
  for (const f of overdue) overdueBy[f.assigneeId] = (overdueBy[f.assigneeId] ?? 0) + 1;
  const weekAgo = at(7);
  return {
    zone,
    baseCurrency: config.BASE_CURRENCY,
    from: from.toJSDate(),
    to: start.toJSDate(),
    lapsedDays: config.LAPSED_DAYS,
    thisWeek: week(at(7), at(14)),
    previousWeek: week(at(0), at(7)),
    historySince: first[0]?._id.slice(4) ?? today,
    revenuePerDay: dates.slice(7, 14).map((date, i) => {
      const a = at(7 + i);
      const b = at(8 + i);
      return { date, minor: a && b ? (b.revenue[config.BASE_CURRENCY] ?? 0) - (a.revenue[config.BASE_CURRENCY] ?? 0) : undefined };
    }),
    leadsBy: pass.leadsBy,
    // RFM segments once a recompute has run (services/segments/segments.ts); until then the lifecycle stages of the pass.
    segments: rfm?.segments ?? STAGES.map((stage) => ({ name: STAGE_NAMES[stage], size: pass.stages[stage], previous: weekAgo?.stages?.[stage] })),
    moves: rfm?.moves,
    campaigns: campaigns.length ? campaigns : undefined,
    topCustomers: pass.top,
    lapsed: { total: pass.lapsedTotal, newlyCount: pass.newlyLapsedCount, newly: pass.newlyLapsed },
    overdueBy,
    staffNames: Object.fromEntries(staff.map((s) => [s._id, s.name])),
  };
}

function diffRevenue(before: Revenue, after: Revenue): Revenue {
  const out: Revenue = {};
  for (const currency of new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])) {
    const d = (after?.[currency] ?? 0) - (before?.[currency] ?? 0);
    if (d !== 0) out[currency] = d;
  }
  return out;
}

/**
 * RFM segment sizes now and a week ago (size minus the week's net moves in),
 * and the largest moves — when a segment recompute has run.
 */
async function rfmSegments(since: Date): Promise<{ segments: DigestData['segments']; moves: string[] } | undefined> {
  if (!(await latestRun())) return undefined;
  const [sizes, moved] = await Promise.all([segmentSizes(), movements(since)]);
  const flows = summariseMovements(moved);
  const net = new Map<string, number>();
  for (const f of flows) {
    net.set(f.to, (net.get(f.to) ?? 0) + f.customers);
    net.set(f.from, (net.get(f.from) ?? 0) - f.customers);
  }
  return {
    segments: sizes.map((s) => ({ name: s.segment, size: s.customers, previous: s.customers - (net.get(s.segment) ?? 0) })),
    moves: flows.slice(0, 5).map((f) => `${f.from} → ${f.to}: ${f.customers}`),
  };
}

/** Campaigns that started sending since `since`, with their stored counters and conversion results. */
async function recentCampaigns(since: Date): Promise<DigestCampaign[]> {
  const list = await listCampaigns(20);
  return list
    .filter((c) => c.sendingStartedAt && c.sendingStartedAt.getTime() >= since.getTime())
    .slice(0, 5)
    .map((c) => ({
      ref: c._id,
      audience: describeAudience(audienceOf(c)),
      sent: c.counters?.sent ?? 0,
      responded: c.counters?.responded ?? 0,
      optedOut: c.counters?.optedOut ?? 0,
      converted: c.results?.computedAt ? (c.results.converted ?? 0) : undefined,
      revenue: c.results?.computedAt ? ((c.results.revenue ?? {}) as Revenue) : undefined,
      upliftPoints: c.results?.upliftPoints ?? undefined,
    }));
}
