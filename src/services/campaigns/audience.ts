/**
 * Who gets a promotion, and freezing them into deliveries.
 *
 * An audience is `all`, a `#tag`, or an RFM segment (`Champions`, `At risk`,
 * `Lead`, …). A customer in it is a recipient when:
 * - they gave promotion consent (`consent.promotions`); without it they either
 *   never gave it (`noConsent`) or withdrew it with `stop` (`optedOut`: consent
 *   changed at some point);
 * - they have a reachable identity: one with a chat id on a platform not in
 *   `customer.unreachable` (the one they used last wins); without one they
 *   never wrote to the bot (`noChat`) or blocked it everywhere (`unreachable`);
 * - no other campaign that started sending within PROMO_FREQUENCY_DAYS (or is
 *   sending now) has them as a recipient — the frequency cap.
 * Recipients are then split, by a hash of (campaign, customer), into the
 * hold-out (`holdoutPercent`) and variants A/B (half each when there is a B).
 * The hash makes the split deterministic: a re-freeze after a crash, or a
 * preview, puts everyone in the same group.
 *
 * Each delivery carries the language the customer reads (`lang`: their own
 * choice, else their chat app's, else the shop's — src/services/recipient-language.ts),
 * for the unsubscribe button; deliveries frozen before that carry `locale`.
 *
 * Freezing is one streaming pass over identities (a Map customer → best
 * identity), one over the recent campaigns' deliveries (the capped set), one
 * over customers (projection), inserting deliveries in batches of 500 with
 * `insertMany({ordered: false})` — one transaction per batch on FerretDB.
 * A duplicate (a re-freeze) is skipped; the counters are `$inc`ed by what each
 * batch really inserted, so two freezers never count anyone twice.
 *
 * @example
 *   const spec = parseAudience('#vip');              // → { kind: 'tag', value: 'vip' }
 *   const counts = await evaluateAudience(campaign, { now, config });
 *   await freezeCampaign(campaign, { now, config, log });
 */
import { createHash } from 'node:crypto';
import { IANAZone } from 'luxon';
import { Campaign, type CampaignDoc } from '../../../models/campaign.js';
import { Customer } from '../../../models/customer.js';
import { Delivery, deliveryId, type DeliveryVariant } from '../../../models/delivery.js';
import { Identity } from '../../../models/identity.js';
import { SegmentState } from '../../../models/segment-state.js';
import type { Config } from '../../config.js';
import { normaliseTag } from '../../values/names.js';
import { ValidationError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { scanComment } from '../../db/scans.js';
import type { Language } from '../../values/format.js';
import { customerLanguageOf } from '../recipient-language.js';
import { QuietHoursCache } from './quiet-hours.js';
import { parseSegment, SEGMENTS, type Segment } from '../segments/rfm.js';
import { insertUnique, retryBusy } from '../../db/writes.js';

export type AudienceSpec = { kind: 'all' } | { kind: 'tag'; value: string } | { kind: 'segment'; value: Segment };

/**
 * Reads what a manager typed as an audience: `all`, `#tag`, or a segment name
 * (case, spaces and apostrophes do not matter: `at risk`, `Can't lose`).
 *
 * @throws ValidationError naming the segments when it is none of these
 */
export function parseAudience(text: string): AudienceSpec {
  const t = text.trim();
  if (/^(all|everyone)$/i.test(t)) return { kind: 'all' };
  if (t.startsWith('#')) {
    const tag = normaliseTag(t);
    if (!tag) throw new ValidationError('audience', { code: 'TAG_INVALID', params: { tag: t } });
    return { kind: 'tag', value: tag };
  }
  const segment = parseSegment(t);
  if (segment) return { kind: 'segment', value: segment };
  throw new ValidationError('audience', { code: 'AUDIENCE_UNKNOWN', params: { text: t, segments: SEGMENTS } });
}

/** The audience as stored on a campaign, back as a spec. */
export function audienceOf(campaign: Pick<CampaignDoc, 'audience'>): AudienceSpec {
  const { kind, value } = campaign.audience ?? { kind: 'all' };
  if (kind === 'tag') return { kind, value: value ?? '' };
  if (kind === 'segment') return { kind, value: (parseSegment(value ?? '') ?? value) as Segment };
  return { kind: 'all' };
}

/** `all customers`, `#vip`, `segment At risk`. */
export function describeAudience(spec: AudienceSpec): string {
  if (spec.kind === 'tag') return `#${spec.value}`;
  if (spec.kind === 'segment') return `segment ${spec.value}`;
  return 'all customers';
}

/** Which customers an audience names: a filter for the customers scan, plus (segments) a membership set. */
export interface AudienceMembers {
  filter: Record<string, unknown>;
  includes?: (customerId: string) => boolean;
}

/**
 * The one place an audience becomes customers. Segments come from the
 * per-customer segment states of the last recompute (services/segments/segments.ts),
 * read in one pass.
 */
export async function audienceMembers(spec: AudienceSpec): Promise<AudienceMembers> {
  switch (spec.kind) {
    case 'all':
      return { filter: {} };
    case 'tag':
      return { filter: { tags: spec.value } };
    case 'segment': {
      const ids = new Set<string>();
      const states = SegmentState.find({ segment: spec.value }, { customerId: 1 }).comment(scanComment('promo-audience'));
      for await (const s of states.lean<{ customerId: string }[]>().cursor({ batchSize: 2000 })) {
        ids.add(s.customerId);
      }
      return { filter: {}, includes: (id) => ids.has(id) };
    }
  }
}

/**
 * Hold-out or variant for a customer, from a hash of (campaign, customer):
 * the same answer on every run and every worker.
 *
 * @example
 *   assignGroup('P7', 1042, 10, true) // → 'A', 'B' or 'holdout' (≈10% of customers), always the same for P7/1042
 */
export function assignGroup(campaignId: string, customerId: string, holdoutPercent: number, hasVariantB: boolean): DeliveryVariant {
  const h = createHash('sha256').update(`${campaignId}:${customerId}`).digest();
  const holdoutDraw = h.readUInt32BE(0) / 2 ** 32;
  if (holdoutDraw < holdoutPercent / 100) return 'holdout';
  return hasVariantB && h.readUInt32BE(4) / 2 ** 32 >= 0.5 ? 'B' : 'A';
}

/** How the audience splits up right now. */
export interface AudienceCounts {
  /** Active customers in the audience. */
  matched: number;
  /** Never agreed to promotions. */
  noConsent: number;
  /** Agreed once and withdrew (`stop`, the unsubscribe button). */
  optedOut: number;
  /** Never wrote to the bot: no identity with a chat. */
  noChat: number;
  /** Has chats, but every one is on a platform that refuses us (blocked the bot, chat gone). */
  unreachable: number;
  /** Had a promotion within the frequency cap. */
  capped: number;
  /** Recipients (A + B). */
  recipients: number;
  variantA: number;
  variantB: number;
  holdout: number;
}

/** Counts of an audience nobody has been counted in yet. */
export function emptyCounts(): AudienceCounts {
  return { matched: 0, noConsent: 0, optedOut: 0, noChat: 0, unreachable: 0, capped: 0, recipients: 0, variantA: 0, variantB: 0, holdout: 0 };
}

/**
 * How a promotion's reach compares with its audience, for the manager scheduling it:
 * - `none`: the audience names no customer (`#nonexistent`, an empty segment);
 * - `zero`: it names customers, but none can receive a promotion (consent, chat, cap);
 * - `few`: fewer than {@link FEW_REACH_SHARE} of them can — worth a word before it goes out;
 * - `ok`: the rest.
 * Who can receive it counts the hold-out: being held out is the manager's choice, not a loss of reach.
 *
 * @example
 *   reachOf({ ...emptyCounts(), matched: 10, recipients: 3, noConsent: 7 }) // → 'few'
 *   reachOf({ ...emptyCounts(), matched: 0 })                               // → 'none'
 */
export function reachOf(counts: AudienceCounts): 'none' | 'zero' | 'few' | 'ok' {
  const eligible = counts.recipients + counts.holdout;
  if (counts.matched === 0) return 'none';
  if (eligible === 0) return 'zero';
  return eligible < counts.matched * FEW_REACH_SHARE ? 'few' : 'ok';
}

/** Below this share of its audience, a promotion's reach is pointed out. */
export const FEW_REACH_SHARE = 0.5;

/** A customer who passed every rule, with the group and identity they get. */
export interface AudienceMember {
  customerId: string;
  variant: DeliveryVariant;
  platform: string;
  chatId: string;
  timeZone: string;
  /** The language they read (the unsubscribe button's). */
  lang: Language;
}

interface EvaluateOptions {
  now: Date;
  config: Config;
  /** Customers already frozen (a resumed freeze): counted, not emitted. */
  skip?: ReadonlySet<string>;
  /** Called for every eligible customer (hold-out included), in scan order. */
  emit?: (member: AudienceMember) => Promise<void>;
}

type CustomerRow = {
  _id: string;
  consent?: { promotions?: boolean; changedAt?: Date };
  unreachable?: string[];
  timeZone?: string;
  lang?: string;
  locale?: string;
};
type IdentityRow = { refId: string; platform: string; chatId?: string; updatedAt?: Date };

/**
 * Applies the rules to the audience of a campaign: counts every reason, and
 * hands each eligible customer to `emit` (the freeze inserts them; preview
 * only counts).
 */
export async function evaluateAudience(
  campaign: Pick<CampaignDoc, '_id' | 'audience' | 'variants' | 'holdoutPercent'>,
  options: EvaluateOptions,
): Promise<AudienceCounts> {
  const { now, config } = options;
  const [members, identities, capped] = await Promise.all([
    audienceMembers(audienceOf(campaign)),
    identitiesByCustomer(),
    recentlyPromoted(campaign._id, now, config.PROMO_FREQUENCY_DAYS),
  ]);
  const hasB = campaign.variants.some((v) => v.key === 'B');
  const zones = new ZoneCheck(config.DEFAULT_TIMEZONE);
  const counts = emptyCounts();
  const cursor = Customer.find({ status: 'active', ...members.filter }, { consent: 1, unreachable: 1, timeZone: 1, lang: 1, locale: 1 })
    .comment(scanComment('promo-audience'))
    .lean<CustomerRow[]>()
    .cursor({ batchSize: 1000 });
  for await (const c of cursor) {
    if (members.includes && !members.includes(c._id)) continue;
    counts.matched++;
    if (!c.consent?.promotions) {
      if (c.consent?.changedAt) counts.optedOut++;
      else counts.noConsent++;
      continue;
    }
    const chats = identities.get(String(c._id));
    const identity = reachableIdentity(chats, c.unreachable ?? []);
    if (!identity) {
      if (chats?.length) counts.unreachable++;
      else counts.noChat++;
      continue;
    }
    if (capped.has(c._id)) {
      counts.capped++;
      continue;
    }
    const variant = assignGroup(campaign._id, c._id, campaign.holdoutPercent ?? 0, hasB);
    if (variant === 'holdout') counts.holdout++;
    else {
      counts.recipients++;
      if (variant === 'A') counts.variantA++;
      else counts.variantB++;
    }
    if (options.emit && !options.skip?.has(c._id)) {
      await options.emit({
        customerId: c._id,
        variant,
        platform: identity.platform,
        chatId: identity.chatId!,
        timeZone: zones.valid(c.timeZone),
        lang: customerLanguageOf(c, config),
      });
    }
  }
  return counts;
}

/** Customer identities with a chat, grouped by customer, most recently used first. */
async function identitiesByCustomer(): Promise<Map<string, IdentityRow[]>> {
  const byCustomer = new Map<string, IdentityRow[]>();
  const cursor = Identity.find({ kind: 'customer' }, { refId: 1, platform: 1, chatId: 1, updatedAt: 1 })
    .comment(scanComment('promo-audience'))
    .lean<IdentityRow[]>()
    .cursor({ batchSize: 2000 });
  for await (const i of cursor) {
    if (!i.chatId) continue;
    const list = byCustomer.get(i.refId);
    if (list) list.push(i);
    else byCustomer.set(i.refId, [i]);
  }
  for (const list of byCustomer.values()) {
    if (list.length > 1) list.sort((a, b) => (b.updatedAt?.getTime() ?? 0) - (a.updatedAt?.getTime() ?? 0));
  }
  return byCustomer;
}

function reachableIdentity(identities: IdentityRow[] | undefined, unreachable: readonly string[]): IdentityRow | undefined {
  return identities?.find((i) => i.chatId && !unreachable.includes(i.platform));
}

/**
 * Customers who are recipients (not hold-out) of another campaign that
 * started sending within `days`, or is freezing/sending now: the frequency cap.
 */
export async function recentlyPromoted(exceptCampaignId: string, now: Date, days: number): Promise<Set<string>> {
  const ids = new Set<string>();
  if (days <= 0) return ids;
  const since = new Date(now.getTime() - days * 86_400_000);
  const recent = await Campaign.find(
    { _id: { $ne: exceptCampaignId }, $or: [{ status: { $in: ['freezing', 'sending'] } }, { sendingStartedAt: { $gte: since } }] },
    { _id: 1 },
  )
    .comment(scanComment('promo-audience'))
    .lean<{ _id: string }[]>();
  if (recent.length === 0) return ids;
  const cursor = Delivery.find({ campaignId: { $in: recent.map((c) => c._id) }, variant: { $ne: 'holdout' } }, { customerId: 1 })
    .comment(scanComment('promo-audience'))
    .lean<{ customerId: string }[]>()
    .cursor({ batchSize: 2000 });
  for await (const d of cursor) ids.add(d.customerId);
  return ids;
}

/** Validates a customer's zone once per distinct value; unknown or invalid → the default. */
class ZoneCheck {
  private readonly seen = new Map<string, string>();
  constructor(private readonly fallback: string) {}
  valid(zone: string | undefined): string {
    if (!zone) return this.fallback;
    let v = this.seen.get(zone);
    if (v === undefined) {
      v = IANAZone.isValidZone(zone) ? zone : this.fallback;
      this.seen.set(zone, v);
    }
    return v;
  }
}

export interface FreezeSummary {
  counts: AudienceCounts;
  /** Deliveries this call inserted (a resumed or concurrent freeze inserts fewer). */
  insertedRecipients: number;
  insertedHoldout: number;
  /** True when there was nothing to freeze: the campaign was cancelled, or frozen by another worker. */
  skipped?: boolean;
}

const FREEZE_BATCH = 500;

/**
 * Freezes a campaign's audience into deliveries and moves it to `sending`.
 * Idempotent: a second call (after a crash, or on another worker at the same
 * time) inserts only what is missing and counts only what it inserted.
 */
export async function freezeCampaign(campaign: CampaignDoc, options: { now: Date; config: Config; log: Logger }): Promise<FreezeSummary> {
  const { now, config, log } = options;
  const id = campaign._id;
  const resumed = campaign.status === 'freezing';
  if (!resumed) {
    // Conditional: a second worker that read `scheduled` a moment ago must not turn a `sending` campaign back.
    await retryBusy(() => Campaign.updateOne({ _id: id, status: 'scheduled' }, { $set: { status: 'freezing', freezeStartedAt: now } }));
    const fresh = await Campaign.findById(id, { status: 1 }).lean<{ status: string }>();
    if (fresh?.status !== 'freezing') {
      // Cancelled meanwhile, or another worker froze it already: nothing to do.
      return { counts: emptyCounts(), insertedRecipients: 0, insertedHoldout: 0, skipped: true };
    }
  }
  // A resumed freeze skips what exists: FerretDB turns a batch with duplicates into one transaction per document.
  const existing = new Set<string>();
  if (resumed) {
    for await (const d of Delivery.find({ campaignId: id }, { customerId: 1 }).lean<{ customerId: string }[]>().cursor({ batchSize: 2000 })) {
      existing.add(d.customerId);
    }
  }
  const quiet = new QuietHoursCache();
  let batch: Record<string, unknown>[] = [];
  let insertedRecipients = 0;
  let insertedHoldout = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const { inserted } = await insertUnique(Delivery, batch as { _id: string }[]);
    batch = [];
    const holdout = inserted.filter((d) => (d as unknown as { variant: string }).variant === 'holdout').length;
    const recipients = inserted.length - holdout;
    insertedRecipients += recipients;
    insertedHoldout += holdout;
    if (inserted.length > 0) {
      await retryBusy(() => Campaign.updateOne({ _id: id }, { $inc: { 'counters.frozen': recipients, 'counters.heldOut': holdout } }));
    }
  };
  const counts = await evaluateAudience(campaign, {
    now,
    config,
    skip: existing,
    emit: async (m) => {
      const holdout = m.variant === 'holdout';
      const notBefore = holdout ? undefined : quiet.until(now, m.timeZone);
      batch.push({
        _id: deliveryId(id, m.customerId),
        campaignId: id,
        customerId: m.customerId,
        variant: m.variant,
        platform: m.platform,
        chatId: m.chatId,
        timeZone: m.timeZone,
        lang: m.lang,
        status: holdout ? 'skipped' : 'pending',
        ...(holdout ? { reason: 'holdout' } : {}),
        ...(notBefore ? { notBefore } : {}),
        frozenAt: now,
      });
      if (batch.length >= FREEZE_BATCH) await flush();
    },
  });
  await flush();
  // Conditional on `freezing`: a cancel that came in meanwhile stays a cancel.
  await retryBusy(() =>
    Campaign.updateOne({ _id: id, status: 'freezing' }, { $set: { status: 'sending', nextRunAt: now }, $min: { sendingStartedAt: now } }),
  );
  log.info({ campaign: id, ...counts, insertedRecipients, insertedHoldout, resumed }, 'campaign audience frozen');
  return { counts, insertedRecipients, insertedHoldout };
}
