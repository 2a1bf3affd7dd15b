/**
 * RFM segments in chat: `segments` (sizes and the week's moves),
 * `segment <name>` (members, paged, by value or latest order),
 * `segments refresh` (recompute now; managers and owners) and `lapsed [days]`.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import { MANAGERS, STAFF, staffCommand, type CommandContext } from '../core/command.js';
import { formatMoney } from '../values/money.js';
import { messagesFor } from '../core/messages.js';
import { text, type Button, type Reply } from '../core/types.js';
import { ValidationError } from '../errors.js';

import { parseSegment, SEGMENTS, type Segment } from '../services/segments/rfm.js';
import {
  lapsed as lapsedCustomers,
  customersSince,
  latestRun,
  movements,
  recomputeSegments,
  RecomputeBusyError,
  segmentMembers,
  segmentSizes,
  summariseMovements,
  type MemberSort,
} from '../services/segments/segments.js';
import { takePage } from './args.js';
import { formatWhen } from '../views/customers.js';
import { check } from './validate.js';
import { pageNav } from '../views/paging.js';

const day = (at: Date, zone: string) => DateTime.fromJSDate(at).setZone(zone).toFormat('yyyy-LL-dd');
/** Usage lines come from the catalogue (the reader's are shown by the core: `usageOf`); these are the English ones. */
const usages = messagesFor('en').usages;
/** The range `lapsed [days]` accepts. */
const LAPSED_MIN_DAYS = 1;
const LAPSED_MAX_DAYS = 3650;
/** How far back `segments` lists moves. */
const MOVES_DAYS = 7;
/** Move kinds listed before "and N more". */
const MOVES_SHOWN = 8;

export const segments = staffCommand({
  name: 'segments',
  usage: usages.segments,
  summary: 'segments',
  allow: STAFF,
  async run(ctx) {
    const run = await latestRun();
    if (!run?.at) return [text(ctx.msg.segmentsNotComputed())];
    const sizes = await segmentSizes();
    const all = sizes.reduce((sum, s) => sum + s.customers, 0);
    const lines = [ctx.msg.segmentsTitle(formatWhen(run.at, ctx.zone), all)];
    for (const s of sizes) {
      if (s.customers > 0) lines.push(ctx.msg.segmentSizeLine(ctx.msg.segmentNames[s.segment], s.customers, Math.round((100 * s.customers) / all)));
    }
    const newer = await customersSince(run);
    if (newer) lines.push(ctx.msg.segmentsNewSince(newer.from, newer.to, newer.count));
    const since = new Date(ctx.deps.now().getTime() - MOVES_DAYS * 86_400_000);
    const flows = summariseMovements(await movements(since));
    lines.push('', flows.length ? ctx.msg.segmentsMovesTitle(MOVES_DAYS) : ctx.msg.segmentsMovesNone(MOVES_DAYS));
    for (const f of flows.slice(0, MOVES_SHOWN)) {
      lines.push(ctx.msg.segmentMoveLine(ctx.msg.segmentNames[f.from], ctx.msg.segmentNames[f.to], f.customers));
    }
    if (flows.length > MOVES_SHOWN) lines.push(ctx.msg.segmentsMovesMore(flows.length - MOVES_SHOWN));
    const open = sizes
      .filter((s) => s.customers > 0)
      .map((s): Button => ({ label: `${ctx.msg.segmentNames[s.segment]} ${s.customers}`, action: `segment ${s.segment}` }));
    const rows: Button[][] = [];
    for (let i = 0; i < open.length; i += 3) rows.push(open.slice(i, i + 3));
    return [text(lines.join('\n'), rows)];
  },
});

/** `segment At risk sort recency page 2` → its parts; the sort and page may come in either order. */
function parseSegmentArgs(args: string, ctx: CommandContext): { segment: Segment; sort: MemberSort; page: number } {
  let rest = args.trim();
  let page = 1;
  let sort: MemberSort = 'value';
  for (let i = 0; i < 2; i++) {
    const paged = takePage(rest);
    if (paged.rest !== rest.trim()) {
      rest = paged.rest;
      page = paged.page;
    }
    const sorted = /\s*\bsort\s+(value|recency)\s*$/i.exec(rest);
    if (sorted) {
      sort = sorted[1]!.toLowerCase() as MemberSort;
      rest = rest.slice(0, sorted.index).trim();
    }
  }
  const { name } = check(z.object({ name: z.string().min(1, ctx.msg.commandArgs.whichSegment()) }), { name: rest });
  const segment = parseSegment(name);
  if (!segment) throw new ValidationError('segment', ctx.msg.segmentUnknown(name, SEGMENTS.map((s) => ctx.msg.segmentNames[s]).join(', ')));
  return { segment, sort, page };
}

export const segment = staffCommand({
  name: 'segment',
  usage: usages.segment,
  summary: 'segment',
  examples: ['segment At risk', 'segment champions sort recency', "segment can't lose page 2"],
  allow: STAFF,
  async run(ctx): Promise<Reply[]> {
    const { segment: name, sort, page } = parseSegmentArgs(ctx.args, ctx);
    const base = ctx.deps.config.BASE_CURRENCY;
    const label = ctx.msg.segmentNames[name];
    const result = await segmentMembers(name, { sort, page });
    if (result.total === 0) return [text(ctx.msg.segmentEmpty(label))];
    const lines = [ctx.msg.segmentTitle(label, result.total, sort === 'value' ? ctx.msg.segmentSortValue() : ctx.msg.segmentSortRecency())];
    for (const c of result.items) {
      const ref = c.customerId;
      const who = c.name || ctx.msg.noName();
      lines.push(
        c.r === undefined
          ? ctx.msg.segmentLeadLine(ref, who, c.phone ?? c.email ?? ctx.msg.none())
          : ctx.msg.segmentMemberLine(ref, who, `R${c.r} F${c.f} M${c.m}`, c.orders, formatMoney(c.value, base), c.lastOrderAt ? day(c.lastOrderAt, ctx.zone) : ctx.msg.none()),
      );
    }
    if (result.pages > 1) lines.push(ctx.msg.page(result.page, result.pages, result.total));
    const at = (p: number, s: MemberSort = sort) => `segment ${name} sort ${s} page ${p}`;
    const nav = pageNav(result, (p) => at(p), ctx.msg);
    const other: MemberSort = sort === 'value' ? 'recency' : 'value';
    const toggle: Button = {
      label: ctx.msg.segmentSortButton(other === 'value' ? ctx.msg.segmentSortValue() : ctx.msg.segmentSortRecency()),
      action: at(1, other),
    };
    const open = result.items
      .slice(0, 5)
      .map((c) => [{ label: `${c.customerId} ${c.name}`.slice(0, 40), action: `customer ${c.customerId}` }]);
    return [text(lines.join('\n'), [...open, ...(nav.length ? [nav] : []), [toggle]])];
  },
});

export const segmentsRefresh = staffCommand({
  name: 'segments refresh',
  usage: usages['segments refresh'],
  summary: 'segmentsRefresh',
  allow: MANAGERS,
  async run(ctx) {
    try {
      const r = await recomputeSegments(ctx.deps.now(), { baseCurrency: ctx.deps.config.BASE_CURRENCY });
      return [
        text(ctx.msg.segmentsRefreshed(r.customers, r.moved, r.updated - r.moved, r.inserted, Math.max(1, Math.round(r.durationMs / 1000))), [
          [{ label: ctx.msg.segmentsButton(), action: 'segments' }],
        ]),
      ];
    } catch (error) {
      if (error instanceof RecomputeBusyError) return [text(ctx.msg.segmentsBusy())];
      throw error;
    }
  },
});

export const lapsed = staffCommand({
  name: 'lapsed',
  usage: usages.lapsed,
  summary: 'lapsed',
  examples: ['lapsed', 'lapsed 60'],
  allow: STAFF,
  async run(ctx) {
    const { rest, page } = takePage(ctx.args);
    const { days } = check(
      z.object({
        days: z.coerce
          .number({ error: ctx.msg.commandArgs.daysNumber() })
          .int(ctx.msg.commandArgs.daysWhole())
          .min(LAPSED_MIN_DAYS, ctx.msg.commandArgs.daysAtLeast(LAPSED_MIN_DAYS))
          .max(LAPSED_MAX_DAYS, ctx.msg.commandArgs.daysAtMost(LAPSED_MAX_DAYS)),
      }),
      { days: rest === '' ? ctx.deps.config.LAPSED_DAYS : rest },
    );
    const result = await lapsedCustomers({ days, now: ctx.deps.now(), page });
    if (result.total === 0) return [text(ctx.msg.lapsedNone(days))];
    const lines = [ctx.msg.lapsedTitle(days, result.total)];
    for (const c of result.items) {
      lines.push(ctx.msg.lapsedLine(c.customerId, c.name || ctx.msg.noName(), c.daysSince, day(c.lastOrderAt, ctx.zone), c.orders));
    }
    if (result.pages > 1) lines.push(ctx.msg.page(result.page, result.pages, result.total));
    const nav = pageNav(result, (p) => `lapsed ${days} page ${p}`, ctx.msg);
    const open = result.items
      .slice(0, 5)
      .map((c) => [{ label: `${c.customerId} ${c.name}`.slice(0, 40), action: `customer ${c.customerId}` }]);
    return [text(lines.join('\n'), [...open, ...(nav.length ? [nav] : [])])];
  },
});
