/**
 * Promotion campaigns: the `promo new` grammar, create, preview, list,
 * cancel, stats, and the send run the `promotion-send` job makes.
 *
 * Grammar (one line; everything after the first colon that does not sit
 * inside a time like 10:00 is the message):
 *
 *     promo new <audience> [holdout <N>%] at <when>: <text A> [| <text B>]
 *
 * - `<audience>`: `all`, `#tag`, or a segment name (`Champions`, `At risk`, …);
 * - `holdout 10%`: that share (0–50%) of the audience gets nothing — the
 *   control group for uplift;
 * - `<when>`: `now`, or a time in the manager's zone as `followup` reads it
 *   (`tomorrow 10:00`, `fri 9am`, `in 2 hours`, `2026-12-01 14:30`);
 * - `| text B`: a second variant; recipients are split half and half.
 *
 * Sending (see ./audience.ts, ./drain.ts): when due, the audience is frozen
 * into deliveries, then drained at the platform's rate, outside quiet hours,
 * each delivery at most once automatically.
 *
 * Stats: conversions are orders (not cancelled) by a recipient within
 * `attributionDays` after their send, and by a hold-out customer within as
 * many days after the campaign started sending; uplift is the recipients'
 * conversion rate minus the hold-out's, in percentage points. Stats also list
 * the *uncertain* sends — calls a crash caught, which may or may not have
 * arrived — for a person to resend (./resend.ts). One pass over the
 * campaign's events and deliveries, one over the orders of the window.
 *
 * @example
 *   const draft = parsePromoNew('#vip holdout 10% at tomorrow 10:00: New collection! | VIP preview inside', { now, zone });
 *   const campaign = await createCampaign(draft, { by: 'staff:s_1', now, config });
 */
import { Campaign, campaignNumber, campaignRef, type CampaignDoc } from '../../../models/campaign.js';
import { Counter } from '../../../models/counter.js';
import { Order } from '../../../models/order.js';
import type { Config } from '../../config.js';
import type { Reply } from '../../core/types.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { audienceMembers, evaluateAudience, freezeCampaign, parseAudience, type AudienceCounts, type AudienceSpec } from './audience.js';
import { campaignDeliveries } from './deliveries.js';
import { drainCampaign, promotionReplies, STALE_AFTER_MS, type DrainOptions, type DrainSummary, type SenderLookup } from './drain.js';
import { tryParseWhen, parseWhen, type WhenOptions } from '../../values/when.js';
import { isDuplicateKey, retryBusy } from '../../db/writes.js';

/** Longest promotion text (Telegram allows 4,096 characters; leave room). */
export const MAX_PROMO_TEXT = 3500;
/** Largest hold-out share, in percent. */
export const MAX_HOLDOUT_PERCENT = 50;

export interface PromoDraft {
  audience: AudienceSpec;
  /** A moment, or `now`. */
  at: Date | 'now';
  holdoutPercent: number;
  /** One or two texts: A, then B. */
  variants: string[];
}

/**
 * Reads the arguments of `promo new` (see the module comment for the grammar).
 *
 * @example
 *   parsePromoNew('At risk at fri 9am: We miss you — 15% off this week', { now, zone: 'Asia/Ho_Chi_Minh' })
 *   // → { audience: { kind: 'segment', value: 'At risk' }, at: <Fri 09:00 local>, holdoutPercent: 0, variants: ['We miss you — 15% off this week'] }
 * @throws ValidationError saying what is missing or wrong
 */
export function parsePromoNew(args: string, options: WhenOptions): PromoDraft {
  const colon = /:(?!\d)/.exec(args);
  if (!colon) throw new ValidationError('text', { code: 'PROMO_NEEDS_COLON' });
  let header = args.slice(0, colon.index).trim();
  const variants = args
    .slice(colon.index + 1)
    .split('|')
    .map((t) => t.trim());
  if (variants.length > 2) throw new ValidationError('text', { code: 'PROMO_TOO_MANY_VARIANTS' });
  if (variants.some((t) => t.length === 0)) throw new ValidationError('text', { code: 'PROMO_TEXT_EMPTY' });
  if (variants.some((t) => t.length > MAX_PROMO_TEXT)) throw new ValidationError('text', { code: 'PROMO_TEXT_TOO_LONG', params: { max: MAX_PROMO_TEXT } });

  let holdoutPercent = 0;
  const holdout = /(?:^|\s)hold-?out\s+(\d{1,3})\s*%/i.exec(header);
  if (holdout) {
    holdoutPercent = Number(holdout[1]);
    if (holdoutPercent > MAX_HOLDOUT_PERCENT) throw new ValidationError('holdout', { code: 'PROMO_HOLDOUT_TOO_LARGE', params: { max: MAX_HOLDOUT_PERCENT } });
    header = `${header.slice(0, holdout.index)} ${header.slice(holdout.index + holdout[0].length)}`.replace(/\s+/g, ' ').trim();
  }

  // `<audience> at <when>`: segment names and times may contain "at" too, so try each " at " from the left.
  const splits = [...header.matchAll(/\s+at\s+/gi)];
  let lastWhen: string | undefined;
  for (const m of splits) {
    const audienceText = header.slice(0, m.index).trim();
    const whenText = header.slice(m.index + m[0].length).trim();
    if (!audienceText || !whenText) continue;
    lastWhen = whenText;
    const at = readWhen(whenText, options);
    if (at) return { audience: parseAudience(audienceText), at, holdoutPercent, variants };
  }
  const bareNow = /^(.+?)\s+now$/i.exec(header);
  if (bareNow?.[1]) return { audience: parseAudience(bareNow[1]), at: 'now', holdoutPercent, variants };
  if (lastWhen === undefined) throw new ValidationError('when', { code: 'PROMO_NEEDS_WHEN' });
  parseWhen(lastWhen, options); // throws the "can't read / has passed" error with examples
  throw new ValidationError('when', { code: 'PROMO_WHEN_UNREADABLE', params: { text: lastWhen } });
}

function readWhen(text: string, options: WhenOptions): Date | 'now' | undefined {
  if (/^(now|immediately|right away)$/i.test(text)) return 'now';
  const attempt = tryParseWhen(text, options);
  return attempt.ok ? attempt.at : undefined;
}

/** The next campaign number (`P1`, `P2`, …) from the shared counters. */
async function nextCampaignId(): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      const doc = await retryBusy(() => Counter.findOneAndUpdate({ _id: 'campaign' }, { $inc: { seq: 1 } }, { upsert: true, returnDocument: 'after' }).lean<{ seq: number }>());
      return campaignRef(doc.seq);
    } catch (error) {
      // Two first-ever upserts can race on the unique _id; the loser retries once.
      if (attempt === 0 && isDuplicateKey(error)) continue;
      throw error;
    }
  }
}

/**
 * Creates a scheduled campaign. A segment audience must have been computed
 * (a segment nobody is in yet is allowed: it may fill by send time).
 */
export async function createCampaign(draft: PromoDraft, options: { by: string; now: Date; config: Config }): Promise<CampaignDoc> {
  await audienceMembers(draft.audience); // fails early on an audience we cannot resolve
  const id = await nextCampaignId();
  const scheduledAt = draft.at === 'now' ? options.now : draft.at;
  const [a, b] = draft.variants;
  const doc = await retryBusy(() =>
    Campaign.create({
      _id: id,
      audience: draft.audience.kind === 'all' ? { kind: 'all' } : { kind: draft.audience.kind, value: draft.audience.value },
      variants: [{ key: 'A', text: a }, ...(b ? [{ key: 'B', text: b }] : [])],
      holdoutPercent: draft.holdoutPercent,
      attributionDays: options.config.PROMO_ATTRIBUTION_DAYS,
      scheduledAt,
      nextRunAt: scheduledAt,
      status: 'scheduled',
      createdBy: options.by,
    }),
  );
  return doc.toObject<CampaignDoc>();
}

/**
 * Who a promotion not yet created would reach now: the audience's counts by reason (consent, chat,
 * frequency cap), as {@link evaluateAudience} gives them to a preview. `promo new` says so before
 * it schedules (see src/commands/promotions.ts). The hold-out split is drawn for a campaign without
 * a number, so only its size is meaningful.
 *
 * @example
 *   const counts = await draftReach(parsePromoNew('#vip at now: Hi', { now, zone }), { now, config });
 *   reachOf(counts) // → 'ok' | 'few' | 'zero' | 'none'
 */
export async function draftReach(draft: PromoDraft, options: { now: Date; config: Config }): Promise<AudienceCounts> {
  const audience = draft.audience.kind === 'all' ? { kind: 'all' } : { kind: draft.audience.kind, value: draft.audience.value };
  const variants = draft.variants.map((text, i) => ({ key: i === 0 ? 'A' : 'B', text }));
  return evaluateAudience({ _id: '', audience, variants, holdoutPercent: draft.holdoutPercent } as Parameters<typeof evaluateAudience>[0], options);
}

/** A campaign by `P7` (or `7`). */
export async function getCampaign(ref: string): Promise<CampaignDoc> {
  const n = campaignNumber(ref);
  const campaign = n === undefined ? null : await Campaign.findById(campaignRef(n)).lean<CampaignDoc>();
  if (!campaign) throw new NotFoundError({ code: 'CAMPAIGN_NOT_FOUND', params: { ref } });
  return campaign;
}

export interface CampaignPreview {
  campaign: CampaignDoc;
  /** How the audience splits now (scheduled campaigns); frozen campaigns report their counters instead. */
  counts?: AudienceCounts;
  /** What recipients see, per variant. */
  samples: { variant: 'A' | 'B'; replies: Reply[] }[];
}

/** Audience size and the messages as customers will see them (the button in the shop's language). */
export async function previewCampaign(ref: string, options: { now: Date; config: Config }): Promise<CampaignPreview> {
  const campaign = await getCampaign(ref);
  const samples = campaign.variants.map((v) => ({ variant: v.key as 'A' | 'B', replies: promotionReplies(v.text ?? '', options.config.SHOP_LANGUAGE) }));
  if (campaign.status !== 'scheduled' && campaign.status !== 'draft') return { campaign, samples };
  const counts = await evaluateAudience(campaign, { now: options.now, config: options.config });
  return { campaign, counts, samples };
}

/**
 * Campaigns that started sending in `[from, to)`, oldest first, with their
 * counters and last stats snapshot — for the weekly digest's campaign lines.
 */
export async function campaignsSentBetween(from: Date, to: Date): Promise<CampaignDoc[]> {
  const rows = await Campaign.find({ sendingStartedAt: { $gte: from, $lt: to } }).lean<CampaignDoc[]>();
  return rows.sort((a, b) => a.sendingStartedAt!.getTime() - b.sendingStartedAt!.getTime());
}

/** The latest campaigns, newest first. */
export async function listCampaigns(limit = 10): Promise<CampaignDoc[]> {
  return Campaign.find({}).sort({ createdAt: -1 }).limit(limit).lean<CampaignDoc[]>();
}

/**
 * Cancels a campaign that is not finished: nothing more is sent (a drain in
 * progress notices within a quarter second; what it already handed to the platform goes out).
 *
 * @throws ConflictError when it is done or cancelled already
 */
export async function cancelCampaign(ref: string, options: { by: string; now: Date }): Promise<CampaignDoc> {
  const campaign = await getCampaign(ref);
  if (campaign.status === 'done' || campaign.status === 'cancelled') {
    throw new ConflictError({ code: 'PROMO_ALREADY_FINISHED', params: { ref: campaign._id, status: campaign.status } });
  }
  await retryBusy(() =>
    Campaign.updateOne(
      { _id: campaign._id, status: { $in: ['draft', 'scheduled', 'freezing', 'sending'] } },
      { $set: { status: 'cancelled', cancelledAt: options.now, cancelledBy: options.by }, $unset: { nextRunAt: '' } },
    ),
  );
  return getCampaign(campaign._id);
}

/** Conversions of one group. */
export interface GroupResult {
  size: number;
  converted: number;
  /** Minor units per currency. */
  revenue: Record<string, number>;
}

export interface CampaignStats {
  campaign: CampaignDoc;
  /** Frozen recipients (A + B), by live status. */
  recipients: number;
  status: { pending: number; sending: number; sent: number; failed: number; skipped: number };
  /** Failure reasons and how often. */
  failures: Record<string, number>;
  /**
   * Sends a crash caught mid-call (they may or may not have arrived), not resent: how many, and the
   * first few customers. `promo resend-uncertain` resends them (./resend.ts).
   */
  uncertain: { count: number; customers: string[] };
  responded: number;
  optedOut: number;
  /** Sent recipients, all together and per variant. */
  sent: GroupResult;
  variants: Partial<Record<'A' | 'B', GroupResult>>;
  holdout: GroupResult;
  /** Recipients' conversion rate minus the hold-out's, in percentage points (when both groups have members). */
  upliftPoints?: number;
  attributionDays: number;
}

const DAY = 86_400_000;
/** Uncertain sends named in the stats (the count covers all). */
const UNCERTAIN_SHOWN = 5;
const emptyGroup = (): GroupResult => ({ size: 0, converted: 0, revenue: {} });

/** Computes a campaign's results now, and stores the conversion snapshot on it. */
export async function campaignStats(ref: string, options: { now: Date }): Promise<CampaignStats> {
  const campaign = await getCampaign(ref);
  const days = campaign.attributionDays ?? 7;
  const stats: CampaignStats = {
    campaign,
    recipients: 0,
    status: { pending: 0, sending: 0, sent: 0, failed: 0, skipped: 0 },
    failures: {},
    uncertain: { count: 0, customers: [] },
    responded: 0,
    optedOut: 0,
    sent: emptyGroup(),
    variants: {},
    holdout: emptyGroup(),
    attributionDays: days,
  };
  const start = campaign.sendingStartedAt;
  if (!start) return stats;

  // Who is in which group, and when each recipient got it: one pass.
  const members = new Map<string, { group: 'A' | 'B' | 'holdout'; sentAt?: Date; converted?: boolean }>();
  let lastSent = start;
  for await (const d of campaignDeliveries(campaign._id)) {
    if (d.variant === 'holdout') {
      stats.holdout.size++;
      members.set(d.customerId, { group: 'holdout' });
      continue;
    }
    stats.recipients++;
    stats.status[d.status]++;
    if (d.status === 'failed' || (d.status === 'skipped' && d.reason)) {
      const reason = d.reason ?? 'unknown';
      stats.failures[reason] = (stats.failures[reason] ?? 0) + 1;
    }
    // Recorded interrupted, or marked so long ago without an outcome that the next drain will record it so.
    const stale = d.status === 'sending' && !d.resentAt && d.attemptedAt !== undefined && options.now.getTime() - d.attemptedAt.getTime() >= STALE_AFTER_MS;
    if (d.uncertain || stale) {
      stats.uncertain.count++;
      if (stats.uncertain.customers.length < UNCERTAIN_SHOWN) stats.uncertain.customers.push(d.customerId);
    }
    if (d.respondedAt) stats.responded++;
    if (d.optedOutAt) stats.optedOut++;
    if (d.status === 'sent' && d.sentAt) {
      const group = d.variant === 'B' ? 'B' : 'A';
      stats.sent.size++;
      (stats.variants[group] ??= emptyGroup()).size++;
      members.set(d.customerId, { group, sentAt: d.sentAt });
      if (d.sentAt > lastSent) lastSent = d.sentAt;
    }
  }

  // Orders in the widest window any member can have: one pass.
  const end = new Date(Math.min(options.now.getTime(), lastSent.getTime() + days * DAY));
  const orders = Order.find({ createdAt: { $gte: start, $lte: end }, status: { $ne: 'cancelled' } }, { customerId: 1, createdAt: 1, amountMinor: 1, currency: 1 })
    .lean<{ customerId: string; createdAt: Date; amountMinor: number; currency: string }[]>()
    .cursor({ batchSize: 2000 });
  for await (const o of orders) {
    const m = members.get(o.customerId);
    if (!m) continue;
    const from = m.group === 'holdout' ? start : m.sentAt!;
    if (o.createdAt < from || o.createdAt.getTime() > from.getTime() + days * DAY) continue;
    const groups = m.group === 'holdout' ? [stats.holdout] : [stats.sent, stats.variants[m.group]!];
    for (const g of groups) {
      if (!m.converted) g.converted++;
      g.revenue[o.currency] = (g.revenue[o.currency] ?? 0) + o.amountMinor;
    }
    m.converted = true;
  }
  if (stats.sent.size > 0 && stats.holdout.size > 0) {
    stats.upliftPoints = rate(stats.sent) - rate(stats.holdout);
  }
  const results = {
    recipients: stats.sent.size,
    converted: stats.sent.converted,
    revenue: stats.sent.revenue,
    holdout: stats.holdout.size,
    holdoutConverted: stats.holdout.converted,
    ...(stats.upliftPoints === undefined ? {} : { upliftPoints: stats.upliftPoints }),
    computedAt: options.now,
  };
  await retryBusy(() => Campaign.updateOne({ _id: campaign._id }, { $set: { results } }));
  return stats;
}

/** A group's conversion rate in percent. */
export function rate(g: GroupResult): number {
  return g.size === 0 ? 0 : (100 * g.converted) / g.size;
}

export interface SendRunOptions extends Omit<DrainOptions, 'now'> {
  now: () => Date;
  config: Config;
  log: Logger;
  senders: SenderLookup;
  /** A freeze running longer than this is taken as crashed and resumed (default 10 min). */
  freezeStaleMs?: number;
}

/**
 * One run of the send job: every campaign that is due — scheduled ones whose
 * time has come are frozen first — is drained. Idempotent and safe on two
 * workers at once (see campaign-drain.ts).
 */
export async function runDueCampaigns(options: SendRunOptions): Promise<DrainSummary[]> {
  const at = options.now();
  const freezeStaleMs = options.freezeStaleMs ?? 10 * 60_000;
  const due = await Campaign.find({ status: { $in: ['scheduled', 'freezing', 'sending'] }, nextRunAt: { $lte: at } }).lean<CampaignDoc[]>();
  due.sort((a, b) => a.nextRunAt!.getTime() - b.nextRunAt!.getTime());
  const summaries: DrainSummary[] = [];
  let firstError: Error | undefined;
  for (const campaign of due) {
    if (campaign.status === 'freezing' && campaign.freezeStartedAt && at.getTime() - campaign.freezeStartedAt.getTime() < freezeStaleMs) {
      continue; // another worker is freezing it right now
    }
    try {
      if (campaign.status === 'scheduled' || campaign.status === 'freezing') {
        await freezeCampaign(campaign, { now: options.now(), config: options.config, log: options.log });
      }
      summaries.push(await drainCampaign(campaign._id, options));
    } catch (error) {
      // One campaign's failure (a sender bug, the database) does not hold up the others; the job still fails.
      options.log.error({ err: error, campaign: campaign._id }, 'promotion run failed');
      firstError ??= error instanceof Error ? error : new Error(String(error));
    }
  }
  if (firstError) throw firstError;
  return summaries;
}
