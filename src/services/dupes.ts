/**
 * Likely duplicate customers — for a person to review and merge; nothing here
 * merges. Exact duplicates (the same normalised phone or e-mail) cannot exist
 * (contact keys are unique), so what is left are records that look like one
 * person:
 * - the same folded name (case, spacing and diacritics ignored: "Nguyễn Văn An"
 *   = "nguyen  van an") **and**
 * - a shared e-mail compared case-insensitively, or phone numbers whose last 9
 *   digits match (one stored in another format or before normalisation:
 *   "0912 345 678" and "+84912345678").
 * The same name alone is not enough: namesakes are common.
 *
 * One streaming pass over active customers sorted by `nameKey`; each group of
 * equal names is compared through a map of its contact signatures, so a large
 * group costs no more than its size.
 *
 * @example
 *   const pairs = await findLikelyDuplicates();
 *   // → [{ keep: { id: 12, name: 'Nguyễn Văn An' }, merge: { id: 15, name: 'nguyen van an' }, shared: { kind: 'phone', value: '…912345678' } }]
 */
import { Customer } from '../../models/customer.js';
import type { Page } from './contacts.js';
import { refNumber } from '../values/refs.js';

export interface DuplicatePair {
  /** The older record (lower number): `merge keep merge` keeps it. */
  keep: { id: string; name: string };
  merge: { id: string; name: string };
  shared: { kind: 'email' | 'phone'; value: string };
}

interface Candidate {
  _id: string;
  name: string;
  nameKey: string;
  phones: string[];
  emails: string[];
}

/** Digits a phone is compared by: its last 9 (a national number without prefix), or all if shorter. */
export function phoneSuffix(phone: string): string {
  return phone.replace(/\D/g, '').slice(-9);
}

/** The signatures two records of the same name are compared by. */
function signatures(c: Candidate): { sig: string; shared: DuplicatePair['shared'] }[] {
  const out: { sig: string; shared: DuplicatePair['shared'] }[] = [];
  for (const e of c.emails ?? []) {
    const v = e.trim().toLowerCase();
    if (v) out.push({ sig: `e:${v}`, shared: { kind: 'email', value: v } });
  }
  for (const p of c.phones ?? []) {
    const digits = phoneSuffix(p);
    if (digits.length >= 6) out.push({ sig: `p:${digits}`, shared: { kind: 'phone', value: `…${digits}` } });
  }
  return out;
}

function pairsInGroup(group: Candidate[], out: DuplicatePair[]): void {
  if (group.length < 2) return;
  const bySig = new Map<string, { ids: string[]; shared: DuplicatePair['shared'] }>();
  const byId = new Map(group.map((c) => [c._id, c]));
  for (const c of group) {
    for (const { sig, shared } of signatures(c)) {
      const entry = bySig.get(sig) ?? { ids: [], shared };
      if (!entry.ids.includes(c._id)) entry.ids.push(c._id);
      bySig.set(sig, entry);
    }
  }
  const seen = new Set<string>();
  const found: DuplicatePair[] = [];
  for (const { ids, shared } of bySig.values()) {
    const sorted = [...ids].sort((a, b) => refNumber(a) - refNumber(b));
    for (let i = 0; i < sorted.length; i++) {
      for (let j = i + 1; j < sorted.length; j++) {
        const key = `${sorted[i]}:${sorted[j]}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const a = byId.get(sorted[i]!)!;
        const b = byId.get(sorted[j]!)!;
        found.push({ keep: { id: a._id, name: a.name }, merge: { id: b._id, name: b.name }, shared });
      }
    }
  }
  found.sort((x, y) => refNumber(x.keep.id) - refNumber(y.keep.id) || refNumber(x.merge.id) - refNumber(y.merge.id));
  out.push(...found);
}

/** Every likely duplicate pair, by name, then by number. One streaming pass. */
export async function findLikelyDuplicates(): Promise<DuplicatePair[]> {
  const pairs: DuplicatePair[] = [];
  const cursor = Customer.find({ status: 'active', nameKey: { $gt: '' } }, { name: 1, nameKey: 1, phones: 1, emails: 1 })
    .sort({ nameKey: 1, _id: 1 })
    .lean<Candidate[]>()
    .cursor({ batchSize: 1000 });
  let group: Candidate[] = [];
  for await (const c of cursor as AsyncIterable<Candidate>) {
    if (group.length > 0 && group[0]!.nameKey !== c.nameKey) {
      pairsInGroup(group, pairs);
      group = [];
    }
    group.push(c);
  }
  pairsInGroup(group, pairs);
  return pairs;
}

/** One page of {@link findLikelyDuplicates}. */
export async function listLikelyDuplicates(page: number, pageSize = 10): Promise<Page<DuplicatePair>> {
  const all = await findLikelyDuplicates();
  const pages = Math.ceil(all.length / pageSize);
  const current = Math.min(Math.max(1, page), Math.max(1, pages));
  return { items: all.slice((current - 1) * pageSize, current * pageSize), total: all.length, page: current, pages };
}
