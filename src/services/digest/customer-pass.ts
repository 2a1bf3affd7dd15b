/**
 * The weekly digest's one streaming pass over customers (projected, raw driver): every
 * customer-based figure at once — sums and lifecycle stages (the daily totals snapshot),
 * new leads per salesperson in last week and in this week so far, the top customers of the
 * week and the newly lapsed (most valuable first) — and the daily totals snapshots built from it.
 *
 * @example
 *   const pass = await customerPass({ now, from: lastMonday, to: thisMonday, lapsedDays: 90, baseCurrency: 'VND' });
 *   pass.leadsBy    // → { s_lan: 2, '': 1 } created last week
 *   pass.leadsSoFar // → { s_lan: 13 }       created since this Monday
 */
import { DateTime } from 'luxon';
import { Customer } from '../../../models/customer.js';
import { snapshotId, TotalsSnapshot } from '../../../models/totals-snapshot.js';
import type { Config } from '../../config.js';
import { isDuplicateKey } from '../../db/writes.js';
import { refNumber, staffIdOf } from '../../values/refs.js';

export type Revenue = Record<string, number>;

export interface DigestCustomer {
  id: string;
  name: string;
  /** Lifetime revenue per currency. */
  revenue: Revenue;
  orders: number;
  ownerId?: string;
}

/** How many lapsed customers the digest lists (and the button covers). */
export const LAPSED_LISTED = 10;

const DAY = 86_400_000;
/** A first order this recent makes a customer "new". */
export const NEW_CUSTOMER_DAYS = 30;
export const STAGES = ['lead', 'new', 'active', 'lapsed'] as const;
export type Stage = (typeof STAGES)[number];
const TOP = 5;

export interface CustomerPassOptions {
  now: Date;
  /** Last week: customers created in it are its new leads, ordering in it makes a top customer. */
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
  /** New leads created in `[from, to)` by salesperson (owner, else creator; `''` = nobody). */
  leadsBy: Record<string, number>;
  /** New leads created from `to` until now, by salesperson. */
  leadsSoFar: Record<string, number>;
  top: DigestCustomer[];
  lapsedTotal: number;
  newlyLapsedCount: number;
  /** The week's newly lapsed, most valuable (base-currency lifetime revenue) first. */
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
    leadsSoFar: {},
    top: [],
    lapsedTotal: 0,
    newlyLapsedCount: 0,
    newlyLapsed: [],
  };
  const base = (c: DigestCustomer) => c.revenue[baseCurrency] ?? 0;
  const byValue = (a: DigestCustomer, b: DigestCustomer) => base(b) - base(a) || refNumber(a.id) - refNumber(b.id);
  const keepTop = (list: DigestCustomer[], n: number) => {
    if (list.length > n * 20) list.splice(0, list.length, ...list.sort(byValue).slice(0, n));
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
    if (created !== undefined && created >= from.getTime()) {
      const who = c.ownerId ?? staffIdOf(c.createdBy ?? '') ?? '';
      const counts = created < to.getTime() ? result.leadsBy : created <= now.getTime() ? result.leadsSoFar : undefined;
      if (counts) counts[who] = (counts[who] ?? 0) + 1;
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
  result.top = result.top.sort(byValue).slice(0, TOP);
  result.newlyLapsed = result.newlyLapsed.sort(byValue).slice(0, LAPSED_LISTED);
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
