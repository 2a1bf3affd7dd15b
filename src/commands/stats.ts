/**
 * `stats [week|month]`: staff performance so far this week or month, in your
 * time zone. Managers and owners see everyone; everyone else sees their own.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { STAFF, staffCommand } from '../core/command.js';
import { text } from '../core/types.js';
import { staffStats, STATS_PERIODS } from '../services/stats.js';
import { formatRevenue } from '../views/customers.js';
import { check } from './validate.js';

export const stats = staffCommand({
  name: 'stats',
  usage: 'stats [week|month]',
  summary: 'stats',
  examples: ['stats', 'stats month'],
  allow: STAFF,
  async run(ctx) {
    const { period } = check(z.object({ period: z.enum(STATS_PERIODS, { error: 'say week or month' }) }), {
      period: ctx.args.trim().toLowerCase() || 'week',
    });
    const everyone = ctx.staff.role === 'owner' || ctx.staff.role === 'manager';
    const zone = ctx.zone;
    const report = await staffStats(period, ctx.deps.now(), zone, everyone ? undefined : ctx.staff.staffId);
    const day = (at: Date) => DateTime.fromJSDate(at).setZone(zone).toFormat('yyyy-LL-dd');
    const lines = [ctx.msg.statsTitle(period === 'week' ? ctx.msg.statsWeek() : ctx.msg.statsMonth(), day(report.from), day(report.to), zone)];
    if (report.rows.length === 0) lines.push(ctx.msg.statsNone());
    for (const r of report.rows) {
      lines.push(
        '',
        ctx.msg.statsPerson(r.name, r.role),
        ctx.msg.statsSales(r.leads, r.orders, formatRevenue(r.revenue)),
        ctx.msg.statsFollowUps(r.followUpsDone, r.followUpsOverdue),
        r.medianResponseMinutes === undefined ? ctx.msg.statsNoResponses() : ctx.msg.statsResponse(ctx.msg.minutes(r.medianResponseMinutes), r.responses),
      );
    }
    const other = period === 'week' ? 'month' : 'week';
    return [text(lines.join('\n'), [[{ label: other === 'week' ? ctx.msg.statsWeekButton() : ctx.msg.statsMonthButton(), action: `stats ${other}` }]])];
  },
});
