/**
 * How `stats` reads: the period, then per person their leads, orders and revenue, follow-ups,
 * median first response (opening hours only), conversations resolved and average rating — and a
 * button to switch between week and month. Built from catalogue keys; commands and jobs alike
 * may render a report with it.
 *
 * @example
 *   statsView(await staffStats('week', now, zone, undefined, { hours }), msg) // → one text reply
 */
import { DateTime } from 'luxon';
import type { Messages } from '../core/messages.js';
import { text, type Reply } from '../core/types.js';
import type { StaffStatsReport, StaffStatsRow } from '../services/stats.js';
import { formatRevenue } from './customers.js';

/** The whole report as one message, with the week/month switch. */
export function statsView(report: StaffStatsReport, msg: Messages): Reply {
  const day = (at: Date) => DateTime.fromJSDate(at).setZone(report.zone).toFormat('yyyy-LL-dd');
  const lines = [msg.statsTitle(report.period === 'week' ? msg.statsWeek() : msg.statsMonth(), day(report.from), day(report.to), report.zone)];
  if (report.rows.length === 0) lines.push(msg.statsNone());
  for (const r of report.rows) lines.push('', ...statsRowLines(r, msg));
  const other = report.period === 'week' ? 'month' : 'week';
  return text(lines.join('\n'), [[{ label: other === 'week' ? msg.statsWeekButton() : msg.statsMonthButton(), action: `stats ${other}` }]]);
}

/** One person's lines. */
export function statsRowLines(r: StaffStatsRow, msg: Messages): string[] {
  return [
    msg.statsPerson(r.name, r.role),
    msg.statsSales(r.leads, r.orders, formatRevenue(r.revenue)),
    msg.statsFollowUps(r.followUpsDone, r.followUpsOverdue),
    r.medianResponseMinutes === undefined ? msg.statsNoResponses() : msg.statsResponse(msg.minutes(r.medianResponseMinutes), r.responses),
    r.averageRating === undefined ? msg.rating.statsNoRatings(r.resolved) : msg.rating.statsLine(r.resolved, msg.format.number(Math.round(r.averageRating * 10) / 10), r.ratings),
  ];
}
