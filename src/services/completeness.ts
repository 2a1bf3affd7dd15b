/**
 * How complete a customer record is, 0–100, and what is missing — so staff
 * know whom to follow up with and what to ask. Weights favour what lets us
 * reach the person (phone, name) over what helps us sell (tags, owner):
 *
 *   name 20 · phone 25 · e-mail 15 · tags 10 · owner 15 · consent answered 15
 *
 * "Consent answered" means the customer said yes or no to offers (either
 * answer counts); not having been asked is what is missing.
 *
 * @example
 *   completeness({ name: 'Anna', phones: ['+84912345678'], emails: [], tags: [], consent: { promotions: false } })
 *   // → { score: 45, missing: ['email', 'tags', 'owner', 'consent'] }
 */
import { refNumber } from '../values/refs.js';
import { Customer } from '../../models/customer.js';
import type { Page } from './contacts.js';

export const COMPLETENESS_WEIGHTS = { name: 20, phone: 25, email: 15, tags: 10, owner: 15, consent: 15 } as const;
export type CompletenessField = keyof typeof COMPLETENESS_WEIGHTS;

export interface CompletenessInput {
  name?: string | null;
  phones?: string[] | null;
  emails?: string[] | null;
  tags?: string[] | null;
  ownerId?: string | null;
  consent?: { promotions?: boolean | null; changedAt?: Date | null } | null;
}

/** The score and the missing fields, in weight order. */
export function completeness(c: CompletenessInput): { score: number; missing: CompletenessField[] } {
  const present: Record<CompletenessField, boolean> = {
    name: Boolean(c.name?.trim()),
    phone: (c.phones?.length ?? 0) > 0,
    email: (c.emails?.length ?? 0) > 0,
    tags: (c.tags?.length ?? 0) > 0,
    owner: Boolean(c.ownerId),
    consent: Boolean(c.consent?.changedAt),
  };
  let score = 0;
  const missing: CompletenessField[] = [];
  for (const field of Object.keys(COMPLETENESS_WEIGHTS) as CompletenessField[]) {
    if (present[field]) score += COMPLETENESS_WEIGHTS[field];
    else missing.push(field);
  }
  return { score, missing };
}

export interface IncompleteCustomer {
  id: string;
  name: string;
  score: number;
  missing: CompletenessField[];
}

/**
 * Active customers with something missing, lowest score first (then oldest
 * first), one page at a time. One streaming pass; only the best
 * `page × pageSize` candidates are kept in memory.
 */
export async function listIncomplete(page: number, pageSize = 10): Promise<Page<IncompleteCustomer>> {
  const wanted = Math.max(1, page) * pageSize;
  const kept: IncompleteCustomer[] = [];
  let total = 0;
  const before = (a: IncompleteCustomer, b: IncompleteCustomer) => a.score < b.score || (a.score === b.score && refNumber(a.id) < refNumber(b.id));
  const cursor = Customer.find({ status: 'active' }, { name: 1, phones: 1, emails: 1, tags: 1, ownerId: 1, consent: 1 }).lean().cursor({ batchSize: 1000 });
  for await (const c of cursor) {
    const { score, missing } = completeness(c);
    if (missing.length === 0) continue;
    total++;
    const item = { id: c._id, name: c.name, score, missing };
    if (kept.length === wanted && !before(item, kept[kept.length - 1]!)) continue;
    // Binary search for the insertion point keeps `kept` sorted.
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (before(kept[mid]!, item)) lo = mid + 1;
      else hi = mid;
    }
    kept.splice(lo, 0, item);
    if (kept.length > wanted) kept.pop();
  }
  const pages = Math.ceil(total / pageSize);
  const current = Math.min(Math.max(1, page), Math.max(1, pages));
  return { items: kept.slice((current - 1) * pageSize, current * pageSize), total, page: current, pages };
}
