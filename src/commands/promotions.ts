/**
 * Promotion commands, for owners and managers:
 * `promo new <audience> [holdout N%] at <when>: <text> [| <text B>]`,
 * `promo preview P7`, `promo list`, `promo cancel P7`, `promo stats P7`,
 * `promo resend-uncertain P7` (the sends a crash caught mid-call, which stats
 * lists: a person decides, never the drain — services/campaigns/resend.ts).
 * The grammar lives in services/campaigns.ts (`parsePromoNew`).
 */
import { z } from 'zod';
import type { CampaignDoc } from '../../models/campaign.js';
import { MANAGERS, staffCommand, type Command, type CommandContext } from '../core/command.js';
import type { Messages } from '../core/messages.js';
import { text, type Reply } from '../core/types.js';
import { audienceOf, describeAudience } from '../services/campaigns/audience.js';
import {
  campaignStats,
  cancelCampaign,
  createCampaign,
  listCampaigns,
  parsePromoNew,
  previewCampaign,
  rate,
  type GroupResult,
} from '../services/campaigns/campaigns.js';
import { resendUncertain, type ResendSummary } from '../services/campaigns/resend.js';
import { formatRevenue, formatWhen } from '../views/customers.js';
import { check } from './validate.js';

const refArg = (ctx: CommandContext): string =>
  check(z.object({ ref: z.string().regex(/^[Pp]?\d{1,9}$/, 'say which promotion, e.g. P7') }), { ref: ctx.args.trim().split(/\s+/)[0] ?? '' }).ref;

/**
 * The texts of uncertain sends, in English until the catalogue (src/core/messages.ts, `promo`
 * section, and its Vietnamese) carries them under these names — the catalogue's win once it does.
 */
const UNCERTAIN_TEXTS = {
  statsUncertain: (count: number, customers: string, id: string) =>
    `Uncertain ${count}: sending stopped during their call, so they may or may not have got it (${customers}). ` +
    `Resend with "promo resend-uncertain ${id}" — anyone who did get it gets it twice.`,
  resendButton: () => 'Resend uncertain',
  resendNone: (id: string, inFlight: number) =>
    `${id} has no uncertain sends.${inFlight ? ` ${inFlight} send(s) have no answer yet and may still be under way; ask again in 15 minutes if they stay so.` : ''}`,
  resendDone: (id: string, resent: number, failed: number) => `Resent ${resent} uncertain send(s) of ${id}${failed ? `; ${failed} refused by the platform` : ''}.`,
  resendNothing: (id: string) => `Nothing of ${id} was resent.`,
  resendLeftOut: (items: string) => `Not resent: ${items}.`,
  resendOptedOut: (n: number) => `${n} opted out since`,
  resendUnreachable: (n: number) => `${n} unreachable since`,
  resendQuiet: (n: number, when: string) => `${n} in quiet hours now (ask again after ${when})`,
  resendNotConnected: (n: number) => `${n} on a platform not connected here`,
  resendAlready: (n: number) => `${n} resent by someone else meanwhile`,
  resendInFlight: (n: number) => `${n} maybe still under way`,
};

function uncertainTexts(msg: Messages): typeof UNCERTAIN_TEXTS {
  return { ...UNCERTAIN_TEXTS, ...(msg.promo as unknown as Partial<typeof UNCERTAIN_TEXTS>) };
}

function details(c: Pick<CampaignDoc, 'variants' | 'holdoutPercent'>, msg: Messages): string {
  return [c.variants.length > 1 ? msg.promo.variantsAB() : '', c.holdoutPercent ? msg.promo.holdout(c.holdoutPercent) : ''].filter(Boolean).join(' · ');
}

const manageButtons = (id: string) => [
  [
    { label: 'Preview', action: `promo preview ${id}` },
    { label: 'Stats', action: `promo stats ${id}` },
    { label: 'Cancel', action: `promo cancel ${id}` },
  ],
];

export const promoNew = staffCommand({
  name: 'promo new',
  usage: 'promo new <all | #tag | segment> [holdout N%] at <now | when>: <text> [| <text of variant B>]',
  summary: 'promoNew',
  examples: [
    'promo new all at now: Spring sale — 20% off everything this week!',
    'promo new #vip holdout 10% at tomorrow 10:00: Hi! Your VIP preview of the new collection is ready | Hi! New collection — VIPs see it first',
    'promo new At risk at fri 9am: We miss you — here is 15% off your next order',
  ],
  allow: MANAGERS,
  async run(ctx) {
    const now = ctx.deps.now();
    const draft = parsePromoNew(ctx.args, { now, zone: ctx.zone, monthFirst: ctx.region === 'US' });
    const c = await createCampaign(draft, { by: ctx.by, now, config: ctx.deps.config });
    const audience = describeAudience(draft.audience);
    const body =
      draft.at === 'now'
        ? ctx.msg.promo.startingNow(c._id, audience, details(c, ctx.msg))
        : ctx.msg.promo.scheduled(c._id, audience, formatWhen(c.scheduledAt, ctx.zone), ctx.zone, details(c, ctx.msg));
    return [text(body, manageButtons(c._id))];
  },
});

export const promoPreview = staffCommand({
  name: 'promo preview',
  usage: 'promo preview <P7>',
  summary: 'promoPreview',
  examples: ['promo preview P7'],
  allow: MANAGERS,
  async run(ctx) {
    const { campaign: c, counts, samples } = await previewCampaign(refArg(ctx), { now: ctx.deps.now(), config: ctx.deps.config });
    const audience = describeAudience(audienceOf(c));
    const lines = [ctx.msg.promo.previewTitle(c._id, c.status, audience, formatWhen(c.scheduledAt, ctx.zone))];
    if (counts) {
      lines.push(ctx.msg.promo.previewAudience(counts.matched, audience));
      lines.push(ctx.msg.promo.previewExcluded(counts.noConsent, counts.unreachable, counts.capped, ctx.deps.config.PROMO_FREQUENCY_DAYS));
      lines.push(ctx.msg.promo.previewRecipients(counts.recipients, counts.variantA, counts.variantB, counts.holdout));
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
  usage: 'promo list',
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
  usage: 'promo cancel <P7>',
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
  usage: 'promo stats <P7>',
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
    const uncertain = uncertainTexts(ctx.msg);
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
  usage: 'promo resend-uncertain <P7>',
  // Until the catalogue has its own line (see UNCERTAIN_TEXTS): reached from `promo stats`, its button and its text.
  summary: 'promoStats',
  hidden: true,
  examples: ['promo resend-uncertain P7'],
  allow: MANAGERS,
  async run(ctx) {
    const { notifier, log } = ctx.deps;
    // Without platform senders (no platform connected) every send is reported as not reachable, not as a crash.
    const r = await resendUncertain(refArg(ctx), { by: ctx.by, now: ctx.deps.now(), senders: (p) => notifier.senderFor?.(p), log });
    return [text(resendReport(r, uncertainTexts(ctx.msg), ctx.zone))];
  },
});

function resendReport(r: ResendSummary, t: typeof UNCERTAIN_TEXTS, zone: string): string {
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
