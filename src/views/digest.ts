/**
 * The weekly digest as replies, in the reader's language: a pure builder over
 * {@link DigestData} (gathered by src/services/digest/data.ts), so each section can be tested
 * on a fixture without a database. Dates, numbers and money are written the reader's way
 * (`msg.format`), every sentence comes from the catalogue.
 *
 * Read in 30 seconds, top to bottom: last week and this week so far side by side (new leads,
 * orders, revenue and its change), the same per salesperson (with conversations answered and
 * first-response time), who became At risk and who came back, segment sizes, top customers,
 * lapsed customers to call (most valuable first, with a one-tap "create follow-ups for these"),
 * overdue follow-ups, promotions and their uplift; plus a chart (revenue per day and per
 * salesperson, last week against this week, and segment sizes).
 *
 * @example
 *   const replies = renderDigest(data, messagesFor('vi'));
 *   // → [{ kind: 'text', text: '📊 Báo cáo tuần · …', buttons }, { kind: 'image', fileName: 'digest.png', … }]
 */
import { DateTime } from 'luxon';
import type { Messages } from '../core/messages.js';
import type { Button, Reply } from '../core/types.js';
import { renderBarCharts, type Panel } from './chart.js';
import { SEGMENT_GROUPS } from '../services/segments/rfm.js';
import type { DigestData, DigestMoveList, PersonWeek, Revenue } from '../services/digest/data.js';

/** Text, buttons and the chart. */
export function renderDigest(data: DigestData, msg: Messages): Reply[] {
  const { text, buttons } = renderDigestText(data, msg);
  const body: Reply = buttons.length ? { kind: 'text', text, buttons } : { kind: 'text', text };
  const day = (d: Date) => msg.format.date(d, data.zone);
  const caption = msg.digest.chartCaption(day(data.from), day(data.now));
  return [body, { kind: 'image', fileName: 'digest.png', data: renderDigestChart(data, msg), caption }];
}

/** The digest's text, section by section, and the lapsed-customers button. */
export function renderDigestText(data: DigestData, msg: Messages): { text: string; buttons: Button[][] } {
  const f = msg.format;
  const day = (d: Date) => f.date(d, data.zone);
  const who = (id: string) => (id ? (data.staffNames[id] ?? id) : msg.digest.unassigned());
  const money = (revenue: Revenue) => moneyText(revenue, data.baseCurrency, msg);
  const pair = (a: string, b: string) => `${a} | ${b}`;
  const lastDay = new Date(data.to.getTime() - 1);
  const lines: string[] = [msg.digest.title(day(data.from), day(lastDay)), msg.digest.weeksHeader(day(data.from), day(lastDay), day(data.to), day(data.now)), ''];

  // Side by side: last week | this week so far.
  lines.push(msg.digest.leadsRow(pair(f.number(data.leads.lastWeek), f.number(data.leads.soFar))));
  const last = data.lastWeek;
  lines.push(msg.digest.ordersRow(pair(last ? f.number(last.orders) : '—', f.number(data.soFar.orders))));
  lines.push(msg.digest.revenueRow(last ? money(last.revenue) : '—', change(data, msg), money(data.soFar.revenue)));
  if (!last) lines.push(msg.digest.ordersUnknown(f.date(DateTime.fromISO(data.historySince ?? '', { zone: data.zone }).toJSDate(), data.zone)));
  lines.push('');

  if (data.people.length) {
    lines.push(msg.digest.peopleTitle());
    for (const p of data.people) {
      const both = <T>(get: (w: PersonWeek) => T, show: (v: T) => string) => pair(show(get(p.lastWeek)), show(get(p.soFar)));
      lines.push(msg.digest.personLine(who(p.staffId), both((w) => w.leads, f.number), both((w) => w.orders, f.number), both((w) => w.revenue, money)));
      if (p.lastWeek.answered || p.soFar.answered) {
        const minutes = (m: number | undefined) => (m === undefined ? '—' : msg.digest.minutes(f.number(m)));
        lines.push(msg.digest.personAnswers(both((w) => w.answered, f.number), both((w) => w.medianResponseMinutes, minutes)));
      }
    }
    if (data.countedSince) lines.push(msg.digest.countedSince(day(data.countedSince)));
    lines.push('');
  }

  const moves = (title: string, list: DigestMoveList | undefined) => {
    if (!list) return;
    lines.push(title);
    for (const c of list.customers) lines.push(msg.digest.moveLine(c.id, c.name || msg.noName(), segmentName(c.from, msg), segmentName(c.to, msg)));
    if (list.count > list.customers.length) lines.push(msg.digest.moreMoves(f.number(list.count - list.customers.length)));
    lines.push('');
  };
  moves(msg.digest.atRiskTitle(data.becameAtRisk?.count ?? 0), data.becameAtRisk);
  moves(msg.digest.cameBackTitle(data.cameBack?.count ?? 0), data.cameBack);

  if (data.segments.length) {
    lines.push(msg.digest.segmentsTitle());
    for (const s of data.segments) lines.push(msg.digest.segmentLine(segmentName(s.name, msg), s.size, s.previous === undefined ? '' : signed(s.size - s.previous)));
    if (data.moves?.length) lines.push(msg.digest.segmentMoves(data.moves.map((m) => localMove(m, msg)).join(', ')));
    lines.push('');
  }

  lines.push(msg.digest.topTitle());
  if (data.topCustomers.length === 0) lines.push(msg.digest.nothing());
  for (const c of data.topCustomers) lines.push(msg.digest.topLine(c.id, c.name || msg.noName(), money(c.revenue), c.orders));
  lines.push('');

  lines.push(msg.digest.lapsedTitle(data.lapsed.newlyCount, data.lapsed.total, data.lapsedDays));
  for (const c of data.lapsed.newly) lines.push(msg.digest.lapsedLine(c.id, c.name || msg.noName(), money(c.revenue), who(c.ownerId ?? '')));
  lines.push('');

  const overdueTotal = Object.values(data.overdueBy).reduce((a, b) => a + b, 0);
  lines.push(msg.digest.overdueTitle(overdueTotal));
  for (const [id, count] of sortedCounts(data.overdueBy)) lines.push(msg.digest.overdueLine(who(id), count));

  if (data.campaigns?.length) {
    lines.push('', msg.digest.campaignsTitle());
    for (const c of data.campaigns) {
      const uplift = c.upliftPoints === undefined ? '' : `${c.upliftPoints >= 0 ? '+' : ''}${c.upliftPoints.toFixed(1)} pts`;
      const converted = c.converted === undefined ? '' : msg.digest.campaignConverted(c.converted, money(c.revenue ?? {}), uplift);
      lines.push(msg.digest.campaignLine(c.ref, c.audience, c.sent, c.responded, c.optedOut, converted));
    }
  }

  const buttons: Button[][] = data.lapsed.newly.length
    ? [[{ label: msg.digest.lapsedButton(data.lapsed.newly.length), action: `followups for ${data.lapsed.newly.map((c) => c.id).join(' ')}` }]]
    : [];
  return { text: lines.join('\n').trim(), buttons };
}

/**
 * The chart: revenue per weekday and per salesperson (base currency), last week against this
 * week so far, and segment sizes coloured by group — in the reader's language.
 */
export function renderDigestChart(data: DigestData, msg: Messages): Buffer {
  const lastWeek = msg.digest.chartLastWeek();
  const soFar = msg.digest.chartThisWeek();
  const weekdays = msg.digest.chartWeekdays().split(' ');
  const base = data.baseCurrency;
  const panels: Panel[] = [
    {
      title: msg.digest.chartRevenue(base),
      bars: [],
      grouped: {
        categories: weekdays,
        series: [
          { name: lastWeek, values: data.revenuePerDay.map((d) => (d.minor === undefined ? null : Math.max(0, d.minor))) },
          { name: soFar, values: weekdays.map((_, i) => (i < data.revenueSoFarPerDay.length ? Math.max(0, data.revenueSoFarPerDay[i]!.minor) : null)) },
        ],
      },
    },
  ];
  const sellers = data.people.filter((p) => (p.lastWeek.revenue[base] ?? 0) > 0 || (p.soFar.revenue[base] ?? 0) > 0).slice(0, 8);
  if (sellers.length) {
    panels.push({
      title: msg.digest.chartPeople(base),
      bars: [],
      grouped: {
        categories: sellers.map((p) => (p.staffId ? (data.staffNames[p.staffId] ?? p.staffId) : msg.digest.unassigned())),
        series: [
          { name: lastWeek, values: sellers.map((p) => p.lastWeek.revenue[base] ?? 0) },
          { name: soFar, values: sellers.map((p) => p.soFar.revenue[base] ?? 0) },
        ],
      },
    });
  }
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
    const groupName = (g: keyof typeof colours) => msg.digest.segmentGroups[g];
    panels.push({
      title: msg.digest.chartSegments(),
      bars: data.segments.map((s) => {
        const g = group(s.name);
        // The chart has no room for the English name a translation keeps beside its own.
        return { label: segmentName(s.name, msg).replace(/\s*\([^)]*\)$/, ''), value: s.size, series: g === undefined ? undefined : groupName(g) };
      }),
      seriesColours: Object.fromEntries(Object.entries(colours).map(([g, c]) => [groupName(g as keyof typeof colours), c])),
    });
  }
  // 800 px wide, about what a phone shows full width; 300 px per panel.
  return renderBarCharts(panels, { width: 800, height: 300 * panels.length });
}

function change(data: DigestData, msg: Messages): string {
  if (!data.lastWeek || !data.weekBefore) return '';
  const now = data.lastWeek.revenue[data.baseCurrency] ?? 0;
  const before = data.weekBefore.revenue[data.baseCurrency] ?? 0;
  if (before <= 0) return '';
  return msg.digest.revenueChange(`${now >= before ? '▲' : '▼'} ${msg.format.number(Math.abs(Math.round(((now - before) / before) * 100)))}%`);
}

/** A segment's or lifecycle stage's name in the reader's language. */
function segmentName(name: string, msg: Messages): string {
  if (Object.hasOwn(msg.segmentNames, name)) return msg.segmentNames[name as keyof typeof msg.segmentNames];
  if (Object.hasOwn(msg.digest.stageNames, name)) return msg.digest.stageNames[name as keyof typeof msg.digest.stageNames];
  return name;
}

/** `Lead → New: 3` with the reader's segment names. */
function localMove(move: string, msg: Messages): string {
  const m = /^(.+) → (.+): (\d+)$/.exec(move);
  return m ? `${segmentName(m[1]!, msg)} → ${segmentName(m[2]!, msg)}: ${msg.format.number(Number(m[3]))}` : move;
}

function moneyText(revenue: Revenue, base: string, msg: Messages): string {
  const parts = Object.entries(revenue)
    .filter(([, v]) => v !== 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, minor]) => msg.format.money(minor, currency));
  return parts.length ? parts.join(' + ') : msg.format.money(0, base);
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : n < 0 ? `${n}` : '±0';
}

function sortedCounts(counts: Record<string, number>): [string, number][] {
  return Object.entries(counts).sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
}
