/**
 * Likely duplicate customers — for a person to review, then merge or mark as different people;
 * nothing here merges. Exact duplicates (the same normalised phone or e-mail) cannot exist
 * (contact keys are unique), so what is left are the records people actually make twice:
 *
 * 1. `sameNameSharedDetail` — the same folded name (case, spacing and diacritics ignored:
 *    "Nguyễn Văn An" = "nguyen  van an") and a shared e-mail (case-insensitive) or phone
 *    (compared by its last 9 digits: "0912 345 678" = "+84912345678");
 * 2. `nameOneLetterApart` — folded names one letter apart (one letter added, dropped or
 *    changed; names of 4 letters or more: "Minh Tam" / "Minh Tâm" fold equal, "Nguyen Thi Hoa" /
 *    "Nguyen Thi Hoai" are one apart) and a shared phone or e-mail;
 * 3. `samePhone` — the same phone under different names (a typo, a nickname, a family phone),
 *    including customers a contact key lists as sharing it (`sharedWith`);
 * 4. `sameNameNoDetail` — the same folded name where one record has no phone or e-mail at all
 *    (someone who wrote to the bot, logged again with a phone: "Minh Zalo" twice).
 *    A name shared by more than {@link COMMON_NAME} customers is too common to suggest on the
 *    name alone.
 * A pair is suggested once, for its first rule in this order. Pairs a person marked as
 * different people (`distinctFrom` on either record) are never suggested.
 *
 * Cost: one streaming pass over the customers (projected) and one over the contact keys that
 * list sharers, plus maps — name → customers, phone digits → customers, e-mail → customers —
 * so memory grows with the customers (a few dozen bytes each), never with their pairs. Names
 * one letter apart are only compared within a shared phone or e-mail, whose groups are small;
 * a detail held by more than {@link PLACEHOLDER_DETAIL} customers is a placeholder ("0000000000",
 * the shop's own number) and pairs nobody.
 *
 * @example
 *   const pairs = await findLikelyDuplicates();
 *   // → [{ keep: { id: 'C12', name: 'Minh Zalo' }, merge: { id: 'C15', name: 'minh zalo' }, reason: 'sameNameNoDetail', chatOnly: 'C15' }]
 */
import { ContactKey } from '../../models/contact-key.js';
import { Customer } from '../../models/customer.js';
import { scanComment } from '../db/scans.js';
import { retryBusy } from '../db/writes.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { foldName } from '../values/names.js';
import { refNumber } from '../values/refs.js';
import type { Page } from './contacts.js';

export const DUPLICATE_REASONS = ['sameNameSharedDetail', 'nameOneLetterApart', 'samePhone', 'sameNameNoDetail'] as const;
export type DuplicateReason = (typeof DUPLICATE_REASONS)[number];

export interface DuplicatePair {
  /** The older record (lower number): the Merge button keeps it. */
  keep: { id: string; name: string };
  merge: { id: string; name: string };
  reason: DuplicateReason;
  /** The shared phone (`…912345678`) or e-mail, for the rules that need one. */
  shared?: { kind: 'email' | 'phone'; value: string };
  /** For `sameNameNoDetail`: the record without a phone or e-mail. */
  chatOnly?: string;
}

/** A name shared by more customers than this is not suggested on the name alone. */
export const COMMON_NAME = 10;
/** A phone or e-mail held by more customers than this is a placeholder and pairs nobody. */
export const PLACEHOLDER_DETAIL = 20;

interface Row {
  _id: string;
  name?: string;
  nameKey?: string;
  phones?: string[];
  emails?: string[];
  status?: string;
  distinctFrom?: string[];
}

interface Known {
  name: string;
  key: string;
  hasDetail: boolean;
}

/** Digits a phone is compared by: its last 9 (a national number without prefix), or all if shorter. */
export function phoneSuffix(phone: string): string {
  return phone.replace(/\D/g, '').slice(-9);
}

/**
 * Whether two folded names are exactly one letter apart (one inserted, deleted or substituted),
 * the shorter at least `minLength` letters long.
 *
 * @example
 *   oneLetterApart('nguyen thi hoa', 'nguyen thi hoai') // → true
 *   oneLetterApart('hoa', 'hoai')                        // → false (too short to tell)
 */
export function oneLetterApart(a: string, b: string, minLength = 4): boolean {
  if (a === b || Math.min(a.length, b.length) < minLength || Math.abs(a.length - b.length) > 1) return false;
  const [s, l] = a.length <= b.length ? [a, b] : [b, a];
  let i = 0;
  while (i < s.length && s[i] === l[i]) i++;
  return s.length === l.length ? s.slice(i + 1) === l.slice(i + 1) : s.slice(i) === l.slice(i + 1);
}

/** Every likely duplicate pair, by rule, then by name, then by number. Two streaming passes. */
export async function findLikelyDuplicates(): Promise<DuplicatePair[]> {
  const known = new Map<string, Known>();
  const byName = new Map<string, string[]>();
  const byDetail = new Map<string, string[]>();
  const distinct = new Map<string, Set<string>>();
  const add = (map: Map<string, string[]>, key: string, id: string) => {
    const list = map.get(key);
    if (!list) map.set(key, [id]);
    else if (list.length <= PLACEHOLDER_DETAIL && !list.includes(id)) list.push(id);
  };

  const cursor = Customer.collection
    .find({ status: 'active' }, { projection: { name: 1, nameKey: 1, phones: 1, emails: 1, status: 1, distinctFrom: 1 }, batchSize: 1000 })
    .comment(scanComment('dupes'));
  for await (const doc of cursor) {
    const c = doc as unknown as Row;
    if (c.status !== 'active') continue;
    const key = c.nameKey || foldName(c.name ?? '');
    const details = [
      ...(c.emails ?? []).map((e) => e.trim().toLowerCase()).filter(Boolean).map((e) => `e:${e}`),
      ...(c.phones ?? []).map(phoneSuffix).filter((d) => d.length >= 6).map((d) => `p:${d}`),
    ];
    known.set(c._id, { name: c.name ?? '', key, hasDetail: details.length > 0 });
    if (key) add(byName, key, c._id);
    for (const d of details) add(byDetail, d, c._id);
    if (c.distinctFrom?.length) distinct.set(c._id, new Set(c.distinctFrom));
  }
  // Family phones: the key's holder and the customers listed as sharing it.
  const keys = ContactKey.collection
    .find({ sharedWith: { $exists: true } }, { projection: { customerId: 1, sharedWith: 1 }, batchSize: 1000 })
    .comment(scanComment('dupes'));
  for await (const doc of keys) {
    const k = doc as unknown as { _id: string; customerId: string; sharedWith?: string[] };
    if (!k._id.startsWith('phone:')) continue;
    const detail = `p:${phoneSuffix(k._id)}`;
    for (const id of [k.customerId, ...(k.sharedWith ?? [])]) if (known.has(id)) add(byDetail, detail, id);
  }

  const found = new Map<string, DuplicatePair>();
  const suggest = (a: string, b: string, reason: DuplicateReason, extra: Pick<DuplicatePair, 'shared' | 'chatOnly'> = {}) => {
    const [x, y] = refNumber(a) <= refNumber(b) ? [a, b] : [b, a];
    const id = `${x}:${y}`;
    if (x === y || found.has(id) || distinct.get(x)?.has(y) || distinct.get(y)?.has(x)) return;
    found.set(id, { keep: { id: x, name: known.get(x)!.name }, merge: { id: y, name: known.get(y)!.name }, reason, ...extra });
  };
  const each = (ids: readonly string[], visit: (a: string, b: string) => void) => {
    for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) visit(ids[i]!, ids[j]!);
  };
  const detailGroups = [...byDetail].filter(([, ids]) => ids.length > 1 && ids.length <= PLACEHOLDER_DETAIL);
  const sharedOf = (detail: string): DuplicatePair['shared'] =>
    detail.startsWith('e:') ? { kind: 'email', value: detail.slice(2) } : { kind: 'phone', value: `…${detail.slice(2)}` };
  // Rules in order of confidence: a pair keeps its first reason.
  for (const [detail, ids] of detailGroups) {
    each(ids, (a, b) => known.get(a)!.key && known.get(a)!.key === known.get(b)!.key && suggest(a, b, 'sameNameSharedDetail', { shared: sharedOf(detail) }));
  }
  for (const [detail, ids] of detailGroups) {
    each(ids, (a, b) => oneLetterApart(known.get(a)!.key, known.get(b)!.key) && suggest(a, b, 'nameOneLetterApart', { shared: sharedOf(detail) }));
  }
  for (const [detail, ids] of detailGroups) {
    if (detail.startsWith('p:')) each(ids, (a, b) => suggest(a, b, 'samePhone', { shared: sharedOf(detail) }));
  }
  for (const ids of byName.values()) {
    if (ids.length < 2 || ids.length > COMMON_NAME) continue;
    each(ids, (a, b) => {
      const chatOnly = !known.get(b)!.hasDetail ? b : !known.get(a)!.hasDetail ? a : undefined;
      if (chatOnly) suggest(a, b, 'sameNameNoDetail', { chatOnly });
    });
  }
  const rank = (p: DuplicatePair) => DUPLICATE_REASONS.indexOf(p.reason);
  return [...found.values()].sort(
    (p, q) =>
      rank(p) - rank(q) ||
      known.get(p.keep.id)!.key.localeCompare(known.get(q.keep.id)!.key) ||
      refNumber(p.keep.id) - refNumber(q.keep.id) ||
      refNumber(p.merge.id) - refNumber(q.merge.id),
  );
}

/** One page of {@link findLikelyDuplicates}. */
export async function listLikelyDuplicates(page: number, pageSize = 5): Promise<Page<DuplicatePair>> {
  const all = await findLikelyDuplicates();
  const pages = Math.ceil(all.length / pageSize);
  const current = Math.min(Math.max(1, page), Math.max(1, pages));
  return { items: all.slice((current - 1) * pageSize, current * pageSize), total: all.length, page: current, pages };
}

/**
 * Records that two customers are different people ("Not the same"): each goes into the other's
 * `distinctFrom`, so no duplicate suggestion pairs them again. Two `_id` writes (raw driver:
 * the field may be newer than the schema a process loaded).
 *
 * @example
 *   await markDistinct('C12', 'C15');
 */
export async function markDistinct(a: string, b: string): Promise<void> {
  if (a === b) throw new ValidationError('customers', { code: 'MERGE_SAME_CUSTOMER' });
  const found = await Promise.all([a, b].map((id) => Customer.findById(id, { status: 1 }).lean<{ _id: string }>()));
  const missing = [a, b].find((_, i) => !found[i]);
  if (missing) throw new NotFoundError({ code: 'CUSTOMER_NOT_FOUND', params: { ref: missing } });
  await retryBusy(() => Customer.collection.updateOne({ _id: a as never }, { $addToSet: { distinctFrom: b } }));
  await retryBusy(() => Customer.collection.updateOne({ _id: b as never }, { $addToSet: { distinctFrom: a } }));
}
