/**
 * Promotion commands, for owners and managers:
 * `promo new <audience> [holdout N%] at <when>: <text> [| <text B>]`,
 * `promo preview P7`, `promo list`, `promo cancel P7`, `promo stats P7`,
 * `promo resend-uncertain P7` (the sends a crash caught mid-call, which stats
 * lists: a person decides, never the drain — services/campaigns/resend.ts).
 * The grammar lives in services/campaigns.ts (`parsePromoNew`).
 *
 * `promo new` counts who the promotion would reach before it schedules anything: an audience that
 * names nobody, or that nobody in it can receive, is refused with the reasons counted (never agreed
 * to offers, opted out, never wrote to the bot, blocked it, had a promotion within the frequency
 * cap); one of which fewer than half can receive it is scheduled with the same breakdown.
 * `promo preview` shows the breakdown as well. Every text is the reader's catalogue's.
 */
import { z } from 'zod';
import type { CampaignDoc } from '../../models/campaign.js';
import { MANAGERS, staffCommand, type Command, type CommandContext } from '../core/command.js';
import { messagesFor, type Messages } from '../core/messages.js';
import { text, type Reply } from '../core/types.js';
import { audienceOf, describeAudience, reachOf, type AudienceCounts } from '../services/campaigns/audience.js';
import {
  campaignStats,
  cancelCampaign,
  createCampaign,
  draftReach,
  listCampaigns,
  parsePromoNew,
  previewCampaign,
  rate,
  type GroupResult,
} from '../services/campaigns/campaigns.js';
import { resendUncertain, type ResendSummary } from '../services/campaigns/resend.js';
import { formatRevenue, formatWhen } from '../views/customers.js';
import { check } from './validate.js';

/** Usage lines come from the catalogue (the reader's are shown by the core: `usageOf`); these are the English ones. */
const usages = messagesFor('en').usages;

const refArg = (ctx: CommandContext): string =>
  check(z.object({ ref: z.string().regex(/^[Pp]?\d{1,9}$/, ctx.msg.commandArgs.whichPromotion()) }), { ref: ctx.args.trim().split(/\s+/)[0] ?? '' }).ref;

function details(c: Pick<CampaignDoc, 'variants' | 'holdoutPercent'>, msg: Messages): string {
  return [c.variants.length > 1 ? msg.promo.variantsAB() : '', c.holdoutPercent ? msg.promo.holdout(c.holdoutPercent) : ''].filter(Boolean).join(' · ');
}

const manageButtons = (id: string, msg: Messages) => [
  [
    { label: msg.promoButtons.preview(), action: `promo preview ${id}` },
    { label: msg.promoButtons.stats(), action: `promo stats ${id}` },
    { label: msg.promoButtons.cancel(), action: `promo cancel ${id}` },
  ],
];

/**
 * Why customers of the audience are left out, counted: `3 never agreed to offers, 1 opted out`.
 * Empty when nobody is.
 */
export function leftOutReasons(counts: AudienceCounts, msg: Messages, capDays: number): string {
  const r = msg.promoReach;
  return [
    counts.noConsent ? r.noConsent(counts.noConsent) : '',
    counts.optedOut ? r.optedOut(counts.optedOut) : '',
    counts.noChat ? r.noChat(counts.noChat) : '',
    counts.unreachable ? r.unreachable(counts.unreachable) : '',
    counts.capped ? r.capped(counts.capped, capDays) : '',
  ]
    .filter(Boolean)
    .join(', ');
}

export const promoNew = staffCommand({
  name: 'promo new',
  usage: usages['promo new'],
  summary: 'promoNew',
  examples: [
    'promo new all at now: Spring sale — 20% off everything this week!',
    'promo new #vip holdout 10% at tomorrow 10:00: Hi! Your VIP preview of the new collection is ready | Hi! New collection — VIPs see it first',
    'promo new At risk at fri 9am: We miss you — here is 15% off your next order',
  ],
  allow: MANAGERS,
  async run(ctx) {
    const now = ctx.deps.now();
    const { config } = ctx.deps;
    const draft = parsePromoNew(ctx.args, { now, zone: ctx.zone, monthFirst: ctx.region === 'US' });
    const audience = describeAudience(draft.audience);
    // Who it would reach, before anything is scheduled (one pass over the audience, as `promo preview` makes).
    const counts = await draftReach(draft, { now, config });
    const reach = reachOf(counts);
    const reasons = leftOutReasons(counts, ctx.msg, config.PROMO_FREQUENCY_DAYS);
    // Nobody would receive it: refuse, and say why. A promotion that sends nothing is never what a
    // shop owner means — usually a typo in the #tag, or customers who never agreed to offers or never
    // wrote to the bot — and scheduling it anyway would only surface later as "sent 0/0". Refusing
    // costs nothing: once the audience can be reached (customers tagged, consent given), the same
    // line schedules it. (A segment that is empty today but expected to fill is scheduled then too.)
    if (reach === 'none') return [text(ctx.msg.promoReach.noMatch(audience))];
    if (reach === 'zero') return [text([ctx.msg.promoReach.noneReachable(counts.matched, audience, reasons), ctx.msg.promoReach.hint()].join('\n'))];
    const c = await createCampaign(draft, { by: ctx.by, now, config });
    const body =
      draft.at === 'now'
        ? ctx.msg.promo.startingNow(c._id, audience, details(c, ctx.msg))
        : ctx.msg.promo.scheduled(c._id, audience, formatWhen(c.scheduledAt, ctx.zone), ctx.zone, details(c, ctx.msg));
    // Few of them: scheduled as asked (some reach is what the manager wants), with who is left out and why.
    const note = reach === 'few' ? ctx.msg.promoReach.few(counts.recipients + counts.holdout, counts.matched, audience, reasons) : undefined;
    return [text(note ? `${body}\n${note}` : body, manageButtons(c._id, ctx.msg))];
  },
});

export const promoPreview = staffCommand({
  name: 'promo preview',
  usage: usages['promo preview'],
  summary: 'promoPreview',
  examples: ['promo preview P7'],
  allow: MANAGERS,
  async run(ctx) {
    const { campaign: c, counts, samples } = await previewCampaign(refArg(ctx), { now: ctx.deps.now(), config: ctx.deps.config });
    const audience = describeAudience(audienceOf(c));
    const lines = [ctx.msg.promo.previewTitle(c._id, c.status, audience, formatWhen(c.scheduledAt, ctx.zone))];
    if (counts) {
      lines.push(ctx.msg.promo.previewAudience(counts.matched, audience));
      const reasons = leftOutReasons(counts, ctx.msg, ctx.deps.config.PROMO_FREQUENCY_DAYS);
      if (reasons) lines.push(ctx.msg.promoReach.leftOut(reasons));
      lines.push(ctx.msg.promo.previewRecipients(counts.recipients, counts.variantA, counts.variantB, counts.holdout));
      const reach = reachOf(counts);
      if (reach === 'none' || reach === 'zero') lines.push(ctx.msg.promoReach.previewNobody());
      if (reach === 'few') lines.push(ctx.msg.promoReach.previewFew(counts.recipients + counts.holdout, counts.matched));
    } else {
      lines.push(ctx.msg.promo.previewFrozen(c.counters?.frozen ?? 0, c.counters?.heldOut ?? 0));
    }
    const replies: Reply[] = [text(lines.join('\n'))];
    for (const s of samples) replies.push(text(ctx.msg.promo.previewSample(s.variant)), ...s.replies);
    return replies;
  },
});

export const promoList = staffCommand({
  name: 'promo list',
  aliases: ['promos'],
  usage: usages['promo list'],
  summary: 'promoList',
  allow: MANAGERS,
  async run(ctx) {
    const campaigns = await listCampaigns(10);
    if (campaigns.length === 0) return [text(ctx.msg.promo.listNone())];
    const lines = campaigns.map((c) =>
      ctx.msg.promo.listLine(c._id, c.status, formatWhen(c.sendingStartedAt ?? c.scheduledAt, ctx.zone), describeAudience(audienceOf(c)), c.counters?.sent ?? 0, c.counters?.frozen ?? 0),
    );
    return [text([ctx.msg.promo.listTitle(), ...lines].join('\n'))];
  },
});

export const promoCancel = staffCommand({
  name: 'promo cancel',
  usage: usages['promo cancel'],
  summary: 'promoCancel',
  examples: ['promo cancel P7'],
  allow: MANAGERS,
  async run(ctx) {
    const c = await cancelCampaign(refArg(ctx), { by: ctx.by, now: ctx.deps.now() });
    return [text(ctx.msg.promo.cancelled(c._id, c.counters?.sent ?? 0))];
  },
});

export const promoStats = staffCommand({
  name: 'promo stats',
  usage: usages['promo stats'],
  summary: 'promoStats',
  examples: ['promo stats P7'],
  allow: MANAGERS,
  async run(ctx) {
    const s = await campaignStats(refArg(ctx), { now: ctx.deps.now() });
    const c = s.campaign;
    const msg = ctx.msg.promo;
    if (!c.sendingStartedAt) return [text(msg.notStarted(c._id, formatWhen(c.scheduledAt, ctx.zone)))];
    const lines = [
      msg.statsTitle(c._id, c.status, describeAudience(audienceOf(c)), formatWhen(c.sendingStartedAt, ctx.zone)),
      msg.statsDelivery(s.recipients, s.status.sent, s.status.failed, s.status.pending + s.status.sending, s.status.skipped),
    ];
    const failures = Object.entries(s.failures)
      .filter(([reason]) => reason !== 'opted-out')
      .sort((a, b) => b[1] - a[1])
      .map(([reason, n]) => `${reason} ${n}`);
    if (failures.length) lines.push(msg.statsFailures(failures.join(', ')));
    const uncertain = ctx.msg.promoUncertain;
    if (s.uncertain.count) {
      const more = s.uncertain.count > s.uncertain.customers.length ? ', …' : '';
      lines.push(uncertain.statsUncertain(s.uncertain.count, `${s.uncertain.customers.join(', ')}${more}`, c._id));
    }
    lines.push(msg.statsEngagement(s.responded, percent(s.status.sent ? (100 * s.responded) / s.status.sent : 0), s.optedOut));
    lines.push(msg.statsConversions(s.attributionDays));
    const group = (label: string, g: GroupResult) => msg.statsGroup(label, g.converted, g.size, percent(rate(g)), formatRevenue(g.revenue));
    lines.push(group(msg.statsRecipients(), s.sent));
    if (s.variants.B) for (const v of ['A', 'B'] as const) if (s.variants[v]) lines.push(group(msg.statsVariant(v), s.variants[v]));
    if (s.holdout.size > 0) {
      lines.push(group(msg.statsHoldout(), s.holdout));
      if (s.upliftPoints !== undefined) lines.push(msg.statsUplift(`${s.upliftPoints >= 0 ? '+' : ''}${s.upliftPoints.toFixed(1)}`));
    } else {
      lines.push(msg.statsNoHoldout());
    }
    const buttons = s.uncertain.count ? [[{ label: uncertain.resendButton(), action: `promo resend-uncertain ${c._id}` }]] : undefined;
    return [text(lines.join('\n'), buttons)];
  },
});

export const promoResendUncertain = staffCommand({
  name: 'promo resend-uncertain',
  usage: usages['promo resend-uncertain'],
  // Reached from `promo stats`: its button and its text.
  summary: 'promoResendUncertain',
  hidden: true,
  examples: ['promo resend-uncertain P7'],
  allow: MANAGERS,
  async run(ctx) {
    const { notifier, log } = ctx.deps;
    // Without platform senders (no platform connected) every send is reported as not reachable, not as a crash.
    const r = await resendUncertain(refArg(ctx), { by: ctx.by, now: ctx.deps.now(), senders: (p) => notifier.senderFor?.(p), log });
    return [text(resendReport(r, ctx.msg.promoUncertain, ctx.zone))];
  },
});

function resendReport(r: ResendSummary, t: Messages['promoUncertain'], zone: string): string {
  const leftOut = [
    r.optedOut ? t.resendOptedOut(r.optedOut) : '',
    r.unreachable ? t.resendUnreachable(r.unreachable) : '',
    r.quiet ? t.resendQuiet(r.quiet, formatWhen(r.quietUntil, zone)) : '',
    r.notConnected ? t.resendNotConnected(r.notConnected) : '',
    r.alreadyResent ? t.resendAlready(r.alreadyResent) : '',
    r.inFlight && (r.resent || r.failed) ? t.resendInFlight(r.inFlight) : '',
  ].filter(Boolean);
  if (r.resent || r.failed) return [t.resendDone(r.campaignId, r.resent, r.failed), ...(leftOut.length ? [t.resendLeftOut(leftOut.join(', '))] : [])].join('\n');
  if (leftOut.length) return [t.resendNothing(r.campaignId), t.resendLeftOut(leftOut.join(', '))].join('\n');
  return t.resendNone(r.campaignId, r.inFlight);
}

function percent(value: number): string {
  return `${value.toFixed(1)}%`;
}

/** Every promotion command, in help order. */
export const promotionCommands: readonly Command[] = [promoNew, promoPreview, promoList, promoCancel, promoStats, promoResendUncertain];
