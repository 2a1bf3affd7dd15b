/**
 * Gathers the weekly digest's data: one streaming pass over customers (customer-pass.ts),
 * one over conversations (responses.ts), and a handful of small `_id` reads — never a query
 * per customer and never the orders collection. Orders and revenue come from daily totals
 * snapshots (models/totals-snapshot.ts: sums of the customers' running totals) and, per
 * salesperson and for the week so far, from the hourly sales counters kept where orders are
 * recorded (sales-counters.ts).
 *
 * Weeks are calendar weeks in the shop's zone (`DEFAULT_TIMEZONE`), Monday first, so every
 * manager sees the same numbers, side by side: **last week** (Monday to Sunday) and **this
 * week so far** (this Monday until now) — on a shop's first day, today's leads and orders.
 *
 * @example
 *   const data = await gatherDigest(new Date(), config);
 *   const replies = renderDigest(data, messagesFor('vi'));
 */
import { DateTime } from 'luxon';
import { FollowUp } from '../../../models/follow-up.js';
import { Staff } from '../../../models/staff.js';
import { snapshotId, TotalsSnapshot, type TotalsSnapshotDoc } from '../../../models/totals-snapshot.js';
import type { Config } from '../../config.js';
import { audienceOf, describeAudience } from '../campaigns/audience.js';
import { listCampaigns } from '../campaigns/campaigns.js';
import { customersById } from '../contacts.js';
import { PENDING } from '../follow-ups.js';
import { SEGMENT_GROUPS, type Segment } from '../segments/rfm.js';
import { latestRun, movements, segmentSizes, summariseMovements, type Movement } from '../segments/segments.js';
import { customerPass, saveDaySnapshot, shopDay, STAGES, type DigestCustomer, type Revenue, type Stage } from './customer-pass.js';
import { responsesIn, type ResponseFigures } from './responses.js';
import { salesBetween, type SalesBetween } from './sales-counters.js';

export {
  CUSTOMER_PASS_PROJECTION,
  customerPass,
  LAPSED_LISTED,
  NEW_CUSTOMER_DAYS,
  saveDaySnapshot,
  shopDay,
  STAGES,
  takeDaySnapshot,
  type CustomerPassOptions,
  type CustomerPassResult,
  type DigestCustomer,
  type Revenue,
  type Stage,
} from './customer-pass.js';

export interface WeekFigures {
  orders: number;
  revenue: Revenue;
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

/** One salesperson's figures for one week. */
export interface PersonWeek {
  leads: number;
  orders: number;
  revenue: Revenue;
  /** Conversations first answered in the week (credited to their assignee). */
  answered: number;
  /** Median minutes to that first response. */
  medianResponseMinutes?: number;
}

/** A salesperson (`staffId` `''` = customers without an owner), last week and this week so far. */
export interface DigestPerson {
  staffId: string;
  lastWeek: PersonWeek;
  soFar: PersonWeek;
}

/** Customers who moved in a way a manager acts on, named (capped) and counted. */
export interface DigestMoveList {
  count: number;
  customers: { id: string; name: string; from: string; to: string }[];
}

export interface DigestData {
  /** Shop time zone the days are counted in. */
  zone: string;
  baseCurrency: string;
  /** Last week: its Monday (local midnight) and this Monday. */
  from: Date;
  to: Date;
  /** When the digest was gathered: this week so far is `[to, now)`. */
  now: Date;
  lapsedDays: number;
  /** Last week and the week before (for the change); `undefined` while the history is shorter. */
  lastWeek?: WeekFigures;
  weekBefore?: WeekFigures;
  /** This week so far. */
  soFar: WeekFigures;
  /** New leads last week and this week so far. */
  leads: { lastWeek: number; soFar: number };
  /** The first day with a recorded snapshot (shown while last week is not available). */
  historySince?: string;
  /**
   * When the per-salesperson order counters began, if after last week's Monday in a shop with
   * older history: orders before it are missing from the per-person figures.
   */
  countedSince?: Date;
  /** Base-currency revenue per day: last week's seven days, and this week's days so far. */
  revenuePerDay: { date: string; minor: number | undefined }[];
  revenueSoFarPerDay: { date: string; minor: number }[];
  /** Per salesperson, the busiest first. */
  people: DigestPerson[];
  /** Segment sizes now and a week ago (when known). */
  segments: { name: string; size: number; previous?: number }[];
  /** The largest segment moves of the week (RFM segments only), e.g. `Lead → New: 3`. */
  moves?: string[];
  /** Who slid into At risk / Can't lose this week, and who came back from a slipping or lapsed segment. */
  becameAtRisk?: DigestMoveList;
  cameBack?: DigestMoveList;
  topCustomers: DigestCustomer[];
  lapsed: { total: number; newlyCount: number; newly: DigestCustomer[] };
  /** Overdue pending follow-ups by assignee staff id. */
  overdueBy: Record<string, number>;
  /** Results of campaigns sent in the last two weeks (from their stored counters and results). */
  campaigns?: DigestCampaign[];
  /** Staff names by id. */
  staffNames: Record<string, string>;
}

const STAGE_NAMES: Record<Stage, string> = { lead: 'Leads', new: 'New', active: 'Active', lapsed: 'Lapsed' };
/** How many customers each movement list names. */
export const MOVES_NAMED = 5;

/** Everything the digest shows, for last week and this week until `now`. */
export async function gatherDigest(now: Date, config: Config, onProgress?: () => Promise<void>): Promise<DigestData> {
  const zone = config.DEFAULT_TIMEZONE;
  const base = config.BASE_CURRENCY;
  const { date: today, start: todayStart } = shopDay(now, zone);
  const monday = todayStart.startOf('week');
  const from = monday.minus({ weeks: 1 });
  // Snapshot days: the week before last week's Monday … this Monday, and today.
  const dates = Array.from({ length: 15 }, (_, i) => monday.minus({ days: 14 - i }).toISODate()!);
  const [pass, snapshots, first, overdue, staff, rfm, campaigns, lastSales, soFarSales, beforeSales, responses] = await Promise.all([
    customerPass({ now, from: from.toJSDate(), to: monday.toJSDate(), lapsedDays: config.LAPSED_DAYS, baseCurrency: base, onProgress }),
    TotalsSnapshot.find({ _id: { $in: [...dates, today].map(snapshotId) } }).lean<TotalsSnapshotDoc[]>(),
    TotalsSnapshot.find({}, { _id: 1 }).sort({ _id: 1 }).limit(1).lean<{ _id: string }[]>(),
    FollowUp.find({ status: { $in: PENDING }, dueAt: { $lt: now } }, { assigneeId: 1 }).lean<{ assigneeId: string }[]>(),
    Staff.find({}, { name: 1 }).lean<{ _id: string; name: string }[]>(),
    rfmSegments(from.toJSDate()),
    recentCampaigns(from.minus({ weeks: 1 }).toJSDate()),
    salesBetween(from.toJSDate(), monday.toJSDate(), zone),
    salesBetween(monday.toJSDate(), now, zone),
    salesBetween(from.minus({ weeks: 1 }).toJSDate(), from.toJSDate(), zone),
    responsesIn([
      { from: from.toJSDate(), to: monday.toJSDate() },
      { from: monday.toJSDate(), to: now },
    ]),
  ]);
  const byDate = new Map(snapshots.map((s) => [s._id.slice(4), s]));
  if (!byDate.has(today)) {
    // The snapshot job has not run today yet: this pass is the best "start of today" we have.
    await saveDaySnapshot(today, now, pass);
    byDate.set(today, { _id: snapshotId(today), at: now, ...pass.sums, stages: pass.stages });
  }
  const at = (i: number) => byDate.get(dates[i]!);
  const historySince = first[0]?._id.slice(4) ?? today;
  const since = lastSales.since;
  // The counters hold every order of a week when counting began before it, or when the shop's history began with them.
  const countersCover = (start: DateTime) => !since || since.getTime() <= start.toMillis() || historySince >= shopDay(since, zone).date;
  const fromCounters = (sales: SalesBetween): WeekFigures => ({ orders: sales.total.orders, revenue: nonZero(sales.total.revenue) });
  const week = (a: TotalsSnapshotDoc | undefined, b: TotalsSnapshotDoc | undefined, sales: SalesBetween, start: DateTime): WeekFigures | undefined =>
    a && b ? { orders: b.orders - a.orders, revenue: diffRevenue(a.revenue, b.revenue) } : countersCover(start) ? fromCounters(sales) : undefined;

  const overdueBy: Record<string, number> = {};
  for (const f of overdue) overdueBy[f.assigneeId] = (overdueBy[f.assigneeId] ?? 0) + 1;
  const weekAgo = at(7);
  const [becameAtRisk, cameBack] = await namedMoves(rfm?.moved ?? []);
  const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    zone,
    baseCurrency: base,
    from: from.toJSDate(),
    to: monday.toJSDate(),
    now,
    lapsedDays: config.LAPSED_DAYS,
    lastWeek: week(at(7), at(14), lastSales, from),
    weekBefore: week(at(0), at(7), beforeSales, from.minus({ weeks: 1 })),
    soFar: fromCounters(soFarSales),
    leads: { lastWeek: sum(pass.leadsBy), soFar: sum(pass.leadsSoFar) },
    historySince,
    countedSince: since && !countersCover(from) ? since : undefined,
    revenuePerDay: dates.slice(7, 14).map((date, i) => {
      const a = at(7 + i);
      const b = at(8 + i);
      const counted = countersCover(from) ? (lastSales.byDay[date]?.[base] ?? 0) : undefined;
      return { date, minor: a && b ? (b.revenue[base] ?? 0) - (a.revenue[base] ?? 0) : counted };
    }),
    revenueSoFarPerDay: Array.from({ length: todayStart.diff(monday, 'days').days + 1 }, (_, i) => {
      const date = monday.plus({ days: i }).toISODate()!;
      return { date, minor: soFarSales.byDay[date]?.[base] ?? 0 };
    }),
    people: people(pass.leadsBy, pass.leadsSoFar, lastSales, soFarSales, responses, staff, base),
    // RFM segments once a recompute has run (services/segments/segments.ts); until then the lifecycle stages of the pass.
    segments: rfm?.segments ?? STAGES.map((stage) => ({ name: STAGE_NAMES[stage], size: pass.stages[stage], previous: weekAgo?.stages?.[stage] })),
    moves: rfm?.moves,
    becameAtRisk,
    cameBack,
    campaigns: campaigns.length ? campaigns : undefined,
    topCustomers: pass.top,
    lapsed: { total: pass.lapsedTotal, newlyCount: pass.newlyLapsedCount, newly: pass.newlyLapsed },
    overdueBy,
    staffNames: Object.fromEntries(staff.map((s) => [s._id, s.name])),
  };
}

/** Salespeople with something to show in either week, by last week's base revenue, then this week's, then leads. */
function people(
  leadsLast: Record<string, number>,
  leadsSoFar: Record<string, number>,
  lastSales: SalesBetween,
  soFarSales: SalesBetween,
  responses: Record<string, ResponseFigures>[],
  staff: { _id: string }[],
  base: string,
): DigestPerson[] {
  const ids = new Set([
    ...Object.keys(leadsLast),
    ...Object.keys(leadsSoFar),
    ...Object.keys(lastSales.byStaff),
    ...Object.keys(soFarSales.byStaff),
    ...responses.flatMap((r) => Object.keys(r)),
  ]);
  const known = new Set(staff.map((s) => s._id));
  const weekOf = (id: string, leads: Record<string, number>, sales: SalesBetween, answers: Record<string, ResponseFigures> | undefined): PersonWeek => ({
    leads: leads[id] ?? 0,
    orders: sales.byStaff[id]?.orders ?? 0,
    revenue: nonZero(sales.byStaff[id]?.revenue ?? {}),
    answered: answers?.[id]?.answered ?? 0,
    ...(answers?.[id]?.medianMinutes === undefined ? {} : { medianResponseMinutes: answers[id].medianMinutes }),
  });
  const list = [...ids]
    .filter((id) => id === '' || known.has(id))
    .map((staffId) => ({ staffId, lastWeek: weekOf(staffId, leadsLast, lastSales, responses[0]), soFar: weekOf(staffId, leadsSoFar, soFarSales, responses[1]) }));
  const rank = (p: DigestPerson) => [p.lastWeek.revenue[base] ?? 0, p.soFar.revenue[base] ?? 0, p.lastWeek.leads + p.soFar.leads];
  return list.sort((a, b) => {
    const [x, y] = [rank(a), rank(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return y[i]! - x[i]!;
    // Nobody's customers last.
    return (a.staffId === '' ? 1 : 0) - (b.staffId === '' ? 1 : 0) || a.staffId.localeCompare(b.staffId);
  });
}

const SLIPPED_INTO: readonly Segment[] = ['At risk', "Can't lose"];
const BACK_FROM = new Set(['Slipping', 'Lapsed']);
const BACK_TO = new Set(['Best', 'Growing']);

/**
 * Of the week's movements, who became At risk (or Can't lose) and who came back (from a
 * slipping or lapsed segment to a growing or best one) — the latest move per customer,
 * named up to {@link MOVES_NAMED} each (a few `_id` reads).
 */
async function namedMoves(moved: readonly Movement[]): Promise<[DigestMoveList | undefined, DigestMoveList | undefined]> {
  const latest = new Map<string, Movement>();
  for (const m of moved) if (!latest.has(m.customerId)) latest.set(m.customerId, m); // newest first
  const atRisk: Movement[] = [];
  const back: Movement[] = [];
  for (const m of latest.values()) {
    if (SLIPPED_INTO.includes(m.to) && !SLIPPED_INTO.includes(m.from)) atRisk.push(m);
    else if (BACK_FROM.has(SEGMENT_GROUPS[m.from]) && BACK_TO.has(SEGMENT_GROUPS[m.to])) back.push(m);
  }
  if (atRisk.length === 0 && back.length === 0) return [undefined, undefined];
  const named = [...atRisk.slice(0, MOVES_NAMED), ...back.slice(0, MOVES_NAMED)];
  const names = await customersById(
    named.map((m) => m.customerId),
    { name: 1 },
  );
  const list = (ms: Movement[]): DigestMoveList | undefined =>
    ms.length
      ? { count: ms.length, customers: ms.slice(0, MOVES_NAMED).map((m) => ({ id: m.customerId, name: names.get(m.customerId)?.name ?? '', from: m.from, to: m.to })) }
      : undefined;
  return [list(atRisk), list(back)];
}

function nonZero(revenue: Revenue): Revenue {
  return Object.fromEntries(Object.entries(revenue).filter(([, v]) => v !== 0));
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
 * the largest moves, and the moves themselves — when a segment recompute has run.
 */
async function rfmSegments(since: Date): Promise<{ segments: DigestData['segments']; moves: string[]; moved: Movement[] } | undefined> {
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
    moved,
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
