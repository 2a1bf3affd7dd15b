/**
 * `stats [week|month]`: staff performance so far this week or month, in your
 * time zone. Managers and owners see everyone; everyone else sees their own.
 * Response times count the shop's opening hours only (`BUSINESS_HOURS`, in
 * `DEFAULT_TIMEZONE`); conversations resolved and customers' ratings come with them.
 */
import { z } from 'zod';
import { STAFF, staffCommand } from '../core/command.js';
import { staffStats, STATS_PERIODS } from '../services/stats.js';
import { statsView } from '../views/stats.js';
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
    const { BUSINESS_HOURS: hours, DEFAULT_TIMEZONE: hoursZone } = ctx.deps.config;
    const report = await staffStats(period, ctx.deps.now(), ctx.zone, everyone ? undefined : ctx.staff.staffId, { hours, hoursZone });
    return [statsView(report, ctx.msg)];
  },
});
