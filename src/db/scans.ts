/**
 * The deliberate exceptions to "every interactive path is a bounded number of exact `_id` reads
 * and writes", in one place, each with its reason.
 *
 * Why a list: FerretDB's SQLite backend uses an index only for a filter that is exactly
 * `{_id: <string or ObjectId>}`; anything else reads every row of the collection. Each query
 * that reads more than `_id`s on purpose carries `comment: scanComment('<name>')`, and
 * tests/integration/indexed-paths.test.ts records every command the driver sends during a
 * scripted day of chat and fails on any other filter. Bulk work (jobs, import, export, segment
 * recompute, merge and forget) is one streaming pass by design and is not in the scripted day.
 *
 * @example
 *   Customer.find(filter).comment(scanComment('name-search'))
 */
export const DELIBERATE_SCANS = {
  'name-search': 'find by name or #tag, and resolving a typed name: an anchored regex over folded names, paged (a person asked for a list)',
  'staff-by-role':
    'who is on duty to receive a customer message: the staff collection holds the team (a handful of documents), not customer data',
  'staff-by-name':
    'assign <customer> <staff name>: finding a colleague by the name people type; the staff collection holds the team (a handful of documents), not customer data',
  'campaigns-in-window':
    'which promotions a customer reply may answer, or an opt-out may block: one document per promotion, not per customer',
  'customer-names-build':
    'indexing the names of customers from before the name index (src/services/customer-names.ts): one streaming pass, once per database, by the first name-only lead after an upgrade',
  'counter-give-back':
    'handing back the customer number a lead reserved when its phone or e-mail turned out to be known, only if it is still the latest: the counters collection holds three documents',
  'staff-list': 'staff list, and finding a staff member to remove by name: the staff collection holds the team (a handful of documents), removed members included',
  'staff-handover':
    'staff remove: the removed member’s customers, conversations and pending follow-ups, found by owner or assignee — an admin job an owner confirms, once per removal',
  'dangling-key-repair': 'removing a contact key left by a crash, conditional on its stale owner: a repair that runs at most once per crash',
  dupes:
    'dupes: likely duplicate customers, asked for by an owner or manager — one streaming pass over the customers and one over the contact keys that list sharers, with maps (src/services/dupes.ts)',
  'promo-audience':
    'who a promotion reaches (promo new, promo preview, the freeze): one streaming pass over the audience, its chats and the recent promotions, asked for by a manager or the send job',
} as const;

export type DeliberateScan = keyof typeof DELIBERATE_SCANS;

/** The `comment` that marks a query as a listed, deliberate scan. */
export function scanComment(name: DeliberateScan): string {
  return `scan:${name}`;
}
