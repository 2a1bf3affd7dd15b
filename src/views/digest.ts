/**
 * The weekly digest as replies: a pure builder over {@link DigestData}
 * (gathered in one pass per collection by src/services/digest/data.ts), so
 * each section can be tested on a fixture without a database.
 *
 * Sections: orders and revenue against the previous week, new leads by
 * salesperson, segment sizes and their change, top customers, lapsed
 * customers (with a one-tap "create follow-ups for these"), overdue
 * follow-ups by salesperson, campaign results (when there are any); plus a
 * PNG chart of revenue per day and segment sizes.
 *
 * @example
 *   const replies = renderDigest(data, messagesFor('en'));
 *   // → [{ kind: 'text', text: '📊 Weekly digest · …', buttons }, { kind: 'image', fileName: 'digest.png', … }]
 */
import { DateTime } from 'luxon';
import type { Messages } from '../core/messages.js';
import { formatMoney } from '../values/money.js';
import type { Button, Reply } from '../core/types.js';
import { renderBarCharts, type Panel } from './chart.js';
import { SEGMENT_GROUPS } from '../services/segments/rfm.js';
import type { DigestData, Revenue } from '../services/digest/data.js';


/** Text, buttons and the chart. */
export function renderDigest(data: DigestData, msg: Messages): Reply[] {
  const day = (d: Date) => DateTime.fromJSDate(d).setZone(data.zone).toISODate() ?? '';
  const lastDay = new Date(data.to.getTime() - 1);
  const { text, buttons } = renderDigestText(data, msg);
  const body: Reply = buttons.length ? { kind: 'text', text, buttons } : { kind: 'text', text };
  return [body, { kind: 'image', fileName: 'digest.png', data: renderDigestChart(data), caption: msg.digest.chartCaption(day(data.from), day(lastDay)) }];
}

/** The digest's text, section by section, and the lapsed-customers button. */
export function renderDigestText(data: DigestData, msg: Messages): { text: string; buttons: Button[][] } {
  const day = (d: Date) => DateTime.fromJSDate(d).setZone(data.zone).toISODate() ?? '';
  const who = (id: string) => (id ? (data.staffNames[id] ?? id) : msg.digest.unassigned());
  const lines: string[] = [msg.digest.title(day(data.from), day(new Date(data.to.getTime() - 1))), ''];

  lines.push(ordersLine(data, msg), '');

  const leadTotal = Object.values(data.leadsBy).reduce((a, b) => a + b, 0);
  lines.push(msg.digest.leadsTitle(leadTotal));
  for (const [id, count] of sortedCounts(data.leadsBy)) lines.push(msg.digest.leadsLine(who(id), count));
  lines.push('');

  if (data.segments.length) {
    lines.push(msg.digest.segmentsTitle());
    for (const s of data.segments) lines.push(msg.digest.segmentLine(s.name, s.size, s.previous === undefined ? '' : signed(s.size - s.previous)));
    if (data.moves?.length) lines.push(msg.digest.segmentMoves(data.moves.join(', ')));
    lines.push('');
  }

  lines.push(msg.digest.topTitle());
  if (data.topCustomers.length === 0) lines.push(msg.digest.nothing());
  for (const c of data.topCustomers) lines.push(msg.digest.topLine(c.id, c.name || msg.noName(), money(c.revenue, data.baseCurrency), c.orders));
  lines.push('');

  lines.push(msg.digest.lapsedTitle(data.lapsed.newlyCount, data.lapsed.total, data.lapsedDays));
  for (const c of data.lapsed.newly) lines.push(msg.digest.lapsedLine(c.id, c.name || msg.noName(), money(c.revenue, data.baseCurrency), who(c.ownerId ?? '')));
  lines.push('');

  const overdueTotal = Object.values(data.overdueBy).reduce((a, b) => a + b, 0);
  lines.push(msg.digest.overdueTitle(overdueTotal));
  for (const [id, count] of sortedCounts(data.overdueBy)) lines.push(msg.digest.overdueLine(who(id), count));

  if (data.campaigns?.length) {
    lines.push('', msg.digest.campaignsTitle());
    for (const c of data.campaigns) {
      const uplift = c.upliftPoints === undefined ? '' : `${c.upliftPoints >= 0 ? '+' : ''}${c.upliftPoints.toFixed(1)} pts`;
      const converted = c.converted === undefined ? '' : msg.digest.campaignConverted(c.converted, money(c.revenue ?? {}, data.baseCurrency), uplift);
      lines.push(msg.digest.campaignLine(c.ref, c.audience, c.sent, c.responded, c.optedOut, converted));
    }
  }

  const buttons: Button[][] = data.lapsed.newly.length
    ? [[{ label: msg.digest.lapsedButton(data.lapsed.newly.length), action: `followups for ${data.lapsed.newly.map((c) => c.id).join(' ')}` }]]
    : [];
  return { text: lines.join('\n').trim(), buttons };
}

/** The chart: revenue per day (base currency) and segment sizes. */
export function renderDigestChart(data: DigestData): Buffer {
  const panels: Panel[] = [
    {
      title: `Revenue per day (${data.baseCurrency})`,
      bars: data.revenuePerDay.map((d) => ({
        label: DateTime.fromISO(d.date, { zone: data.zone }).toFormat('ccc d'),
        value: Math.max(0, d.minor ?? 0),
      })),
    },
  ];
  // RFM segments are coloured by group, with a legend; the stages shown before a recompute are not.
  const group = (name: string) => (Object.hasOwn(SEGMENT_GROUPS, name) ? SEGMENT_GROUPS[name as keyof typeof SEGMENT_GROUPS] : undefined);
  const colours: Record<(typeof SEGMENT_GROUPS)[keyof typeof SEGMENT_GROUPS], string> = {
    Best: '#59a14f',
    Growing: '#4e79a7',
    Slipping: '#f2a93b',
    Lapsed: '#e15759',
    'No orders yet': '#bab0ac',
  };
  if (data.segments.length) {
    panels.push({ title: 'Segments', bars: data.segments.map((s) => ({ label: s.name, value: s.size, series: group(s.name) })), seriesColours: colours });
  }
  // 640 × 480: the size the digest has always sent (and its test checks); the chart reads well on a phone at it.
  return renderBarCharts(panels, { width: 640, height: 480 });
}

function ordersLine(data: DigestData, msg: Messages): string {
  if (!data.thisWeek || !data.previousWeek) return msg.digest.ordersUnknown(data.historySince ?? DateTime.fromJSDate(data.to).setZone(data.zone).toISODate() ?? '');
  const now = data.thisWeek.revenue[data.baseCurrency] ?? 0;
  const before = data.previousWeek.revenue[data.baseCurrency] ?? 0;
  const change = before > 0 ? `${now >= before ? '▲' : '▼'} ${Math.abs(Math.round(((now - before) / before) * 100))}%` : '';
  return msg.digest.orders(data.thisWeek.orders, data.previousWeek.orders, money(data.thisWeek.revenue, data.baseCurrency), money(data.previousWeek.revenue, data.baseCurrency), change);
}

function money(revenue: Revenue, base: string): string {
  const parts = Object.entries(revenue)
    .filter(([, v]) => v !== 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, minor]) => formatMoney(minor, currency));
  return parts.length ? parts.join(' + ') : formatMoney(0, base);
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `${n}` : '±0';
}

function sortedCounts(counts: Record<string, number>): [string, number][] {
  return Object.entries(counts).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
}
