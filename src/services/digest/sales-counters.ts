/**
 * Orders and revenue per salesperson for any stretch of time, without reading the orders
 * collection: recording an order adds it to its UTC hour's counters (models/sales-day.ts),
 * cancelling takes it out of the hour it was recorded in, and a week is read back as eight
 * or nine exact `_id` reads. The salesperson is the customer's owner when the order is
 * recorded (else the staff member who recorded it; `''` for nobody) — the same person
 * `stats` credits.
 *
 * @example
 *   await countSale({ ownerId: 's_lan', amountMinor: 350_000, currency: 'VND', at }, 1);   // order recorded
 *   const week = await salesBetween(monday, now, 'Asia/Ho_Chi_Minh');
 *   // → { byStaff: { s_lan: { orders: 1, revenue: { VND: 350000 } } }, total: {…}, byDay: { '2026-11-30': { VND: 350000 } }, since }
 */
import { DateTime } from 'luxon';
import { SalesDay, salesDayId, type SalesDayDoc, type SalesHour } from '../../../models/sales-day.js';
import { retryBusy } from '../../db/writes.js';

export type Revenue = Record<string, number>;

/** Orders and revenue of a stretch of time. */
export interface SalesFigures {
  orders: number;
  revenue: Revenue;
}

const HOUR = 3_600_000;
const NOBODY = '-';
let sinceWritten = false;

/** The field name of an hour: `h00` … `h23`. */
function hourField(at: Date): string {
  return `h${String(at.getUTCHours()).padStart(2, '0')}`;
}

/**
 * Adds (`sign` 1) or takes out (`sign` -1) one order in the counters of the hour it was
 * recorded in. One `_id` upsert; the first call of a process also makes sure the "counting
 * since" marker exists (a second, idempotent upsert).
 */
export async function countSale(sale: { ownerId?: string | null; amountMinor: number; currency: string; at: Date }, sign: 1 | -1): Promise<void> {
  const who = sale.ownerId || NOBODY;
  const path = `${hourField(sale.at)}.${who}`;
  if (!sinceWritten) {
    await retryBusy(() => SalesDay.updateOne({ _id: 'since' }, { $min: { at: sale.at } }, { upsert: true }));
    sinceWritten = true;
  }
  await retryBusy(() =>
    SalesDay.updateOne(
      { _id: salesDayId(sale.at) },
      { $inc: { [`${path}.o`]: sign, [`${path}.r.${sale.currency}`]: sign * sale.amountMinor } },
      { upsert: true },
    ),
  );
}

export interface SalesBetween {
  /** By staff id (`''` = no owner). */
  byStaff: Record<string, SalesFigures>;
  total: SalesFigures;
  /** Revenue per local day (`YYYY-MM-DD` in the zone). */
  byDay: Record<string, Revenue>;
  /** When counting began, if it has: figures before it are not in the counters. */
  since?: Date;
}

/**
 * Orders and revenue recorded in `[from, to)`, by salesperson and by local day in `zone`.
 * Hours are counted whole: an hour counts when it starts inside the stretch (zones a half
 * hour off UTC are read to the hour).
 */
export async function salesBetween(from: Date, to: Date, zone: string): Promise<SalesBetween> {
  const ids: string[] = [];
  for (let day = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()); day < to.getTime(); day += 24 * HOUR) ids.push(salesDayId(new Date(day)));
  const [docs, since] = await Promise.all([
    Promise.all(ids.map((id) => SalesDay.findById(id).lean<SalesDayDoc>())),
    SalesDay.findById('since').lean<SalesDayDoc>(),
  ]);
  const result: SalesBetween = { byStaff: {}, total: { orders: 0, revenue: {} }, byDay: {}, since: since?.at ?? undefined };
  for (const doc of docs) {
    if (!doc) continue;
    for (let h = 0; h < 24; h++) {
      const start = new Date(`${doc._id}T${String(h).padStart(2, '0')}:00:00.000Z`);
      if (start.getTime() < from.getTime() - (from.getTime() % HOUR) || start.getTime() >= to.getTime()) continue;
      const hour = doc[`h${String(h).padStart(2, '0')}`] as SalesHour | undefined;
      if (!hour) continue;
      const day = DateTime.fromJSDate(start).setZone(zone).toISODate()!;
      for (const [who, figures] of Object.entries(hour)) {
        const id = who === NOBODY ? '' : who;
        const row = (result.byStaff[id] ??= { orders: 0, revenue: {} });
        const orders = figures.o ?? 0;
        row.orders += orders;
        result.total.orders += orders;
        for (const [currency, minor] of Object.entries(figures.r ?? {})) {
          row.revenue[currency] = (row.revenue[currency] ?? 0) + minor;
          result.total.revenue[currency] = (result.total.revenue[currency] ?? 0) + minor;
          const perDay = (result.byDay[day] ??= {});
          perDay[currency] = (perDay[currency] ?? 0) + minor;
        }
      }
    }
  }
  return result;
}
