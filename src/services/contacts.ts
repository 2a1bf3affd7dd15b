/**
 * Customers and their contact details. Exact duplicates (same normalised
 * phone or e-mail) are impossible by construction: every phone and e-mail is
 * a unique {@link ContactKey} whose `_id` is the key itself, claimed before
 * the customer is written. A crash between the two leaves keys pointing at a
 * customer that does not exist; {@link ownerOfKey} treats those as free and
 * removes them, so the next attempt completes cleanly.
 *
 * @example
 *   const { customer, created } = await upsertLead({ name: 'Anna', phones: ['+84912345678'], emails: [], tags: [] }, 'staff:s_1');
 */
import { ContactKey, contactKey } from '../../models/contact-key.js';
import { Counter } from '../../models/counter.js';
import { Customer, type CustomerDoc } from '../../models/customer.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { normaliseEmail } from '../values/email.js';
import { escapeRegExp, foldName, normaliseTag } from '../values/names.js';
import { normalisePhone } from '../values/phone.js';
import { audit } from './audit.js';
import { scanComment } from '../db/scans.js';
import { duplicatePositions, reserveNumbers } from '../db/writes.js';
import { recordInteraction } from './interactions.js';
import { indexName, namesAgree } from './customer-names.js';
import { customerIdFor, customerIdOf, staffIdOf } from '../values/refs.js';

export interface LeadInput {
  name?: string;
  phones: string[];
  emails: string[];
  tags: string[];
  note?: string;
  source?: string;
  /** Staff member who will own the customer (a salesperson logging their own lead). */
  ownerId?: string;
  consent?: boolean;
  /** Someone writing in from a platform account: the identity identifies them, so no name, phone or e-mail is needed. */
  viaIdentity?: boolean;
}

export interface LeadResult {
  customer: CustomerDoc;
  created: boolean;
  /** Details that were new to the customer. */
  added: { phones: string[]; emails: string[]; tags: string[] };
}

/** Keys of a lead's normalised contact details. */
export function keysOf(input: Pick<LeadInput, 'phones' | 'emails'>): string[] {
  return [...input.phones.map((p) => contactKey('phone', p)), ...input.emails.map((e) => contactKey('email', e))];
}

/** Who holds a contact key, who shares it (a family phone), and the holder's record as read. */
export interface KeyHolder {
  key: string;
  customerId: string;
  sharedWith: string[];
  customer: CustomerDoc;
}

/**
 * The holder of a contact key with the customers sharing it, or `undefined`. A key whose customer
 * does not exist (a crash between claiming keys and writing the customer) is removed here — the
 * repair pass is built into every read. Two `_id` reads.
 *
 * @example
 *   await holderOfKey('phone:+84912345678') // → { customerId: 'C1', sharedWith: ['C9'], customer: {…} }
 */
export async function holderOfKey(key: string): Promise<KeyHolder | undefined> {
  const doc = await ContactKey.findById(key).lean<{ customerId: string; sharedWith?: string[] }>();
  if (!doc) return undefined;
  const customer = await Customer.findById(doc.customerId).lean<CustomerDoc>();
  if (customer) return { key, customerId: doc.customerId, sharedWith: doc.sharedWith ?? [], customer };
  // Conditional on the owner we read (a rare repair, not a hot path): a key re-claimed meanwhile stays.
  await ContactKey.deleteOne({ _id: key, customerId: doc.customerId }, { comment: scanComment('dangling-key-repair') });
  return undefined;
}

/**
 * The customer a contact key belongs to (its holder), or `undefined`; see {@link holderOfKey}.
 *
 * @example
 *   await ownerOfKey('email:anna@shop.vn') // → 'C1'
 */
export async function ownerOfKey(key: string): Promise<string | undefined> {
  return (await holderOfKey(key))?.customerId;
}

/**
 * Claims keys for a customer with one unordered bulk insert: the insert is the duplicate check.
 * Returns the keys claimed now and those another customer already holds (left untouched, with
 * their holder); keys this customer holds or shares count as neither.
 */
async function claimKeys(customerId: string, keys: string[]): Promise<{ claimed: string[]; taken: KeyHolder[] }> {
  if (keys.length === 0) return { claimed: [], taken: [] };
  let failed: string[] = [];
  try {
    if (keys.length === 1) await ContactKey.collection.insertOne({ _id: keys[0] as never, customerId, createdAt: new Date() });
    else await ContactKey.collection.insertMany(keys.map((key) => ({ _id: key as never, customerId, createdAt: new Date() })), { ordered: false });
  } catch (error) {
    const positions = duplicatePositions(error, keys.length);
    if (!positions) throw error;
    failed = keys.filter((_, i) => positions.has(i));
  }
  const claimed = keys.filter((k) => !failed.includes(k));
  const taken: KeyHolder[] = [];
  for (const key of failed) {
    const holder = await holderOfKey(key);
    if (holder?.customerId === customerId || holder?.sharedWith.includes(customerId)) continue;
    if (holder === undefined) {
      // It was a dangling key and is gone now: claim it again (a new race is reported as taken).
      const again = await claimKeys(customerId, [key]);
      claimed.push(...again.claimed);
      taken.push(...again.taken);
    } else {
      taken.push(holder);
    }
  }
  return { claimed, taken };
}

/**
 * Hands back a customer number reserved for a lead that turned out to be a known person — only
 * while it is still the latest one handed out, so numbers count up without gaps in normal use.
 * (Two leads at the same moment, one of them known: the number may stay unused. Documented in
 * docs/database.md.) Call it only after every key claimed for the number is deleted.
 */
async function giveBackNumber(n: number): Promise<void> {
  await Counter.updateOne({ _id: 'customer', seq: n }, { $inc: { seq: -1 } }, { comment: scanComment('counter-give-back') });
}

/** What a lead would do to a known person, when its name is another one (services/lead-questions.ts asks). */
export interface OtherNameLead {
  kind: 'other-name';
  /** The customers the details belong to: the holder first, then those sharing the phone. */
  candidates: CustomerDoc[];
}

/** A lead written, or a known phone with another name to ask about first. */
export type LeadPlan = { kind: 'done'; result: LeadResult } | OtherNameLead;

/**
 * Creates a customer, or — when a phone or e-mail already belongs to one —
 * adds the new details to that customer. Never creates a silent duplicate.
 *
 * Cost (new lead): the number's `$inc`, one insert of the keys (the duplicate check), the
 * customer insert alongside its name-index write. A known detail costs the number back
 * ({@link giveBackNumber}) and the reads of its holder.
 *
 * @throws ValidationError when there is nothing to identify the person by
 * @throws ConflictError when the details belong to two different customers
 */
export async function upsertLead(input: LeadInput, by: string, now: Date = new Date()): Promise<LeadResult> {
  const plan = await planLead(input, by, now, false);
  if (plan.kind !== 'done') throw new Error('upsertLead: a lead that asks');
  return plan.result;
}

/**
 * As {@link upsertLead}, but a known phone or e-mail under another name (family members share
 * phones) is not added to the known customer when `askOtherName`: the plan names the candidates
 * and nothing is written (the number reserved is handed back).
 *
 * @example
 *   const plan = await planLead({ name: 'Mai', phones: ['+84912345678'], emails: [], tags: [] }, 'staff:s_1', new Date(), true);
 *   if (plan.kind === 'other-name') … // ask: same person, or a different one sharing the phone?
 */
export async function planLead(input: LeadInput, by: string, now: Date, askOtherName: boolean): Promise<LeadPlan> {
  const tags = [...new Set(input.tags)];
  if (!input.name && input.phones.length === 0 && input.emails.length === 0 && !input.viaIdentity) {
    throw new ValidationError('name', { code: 'LEAD_NEEDS_IDENTIFIER' });
  }
  const keys = keysOf(input);
  // Insert-is-the-check: a number, then the keys claimed for it. A known detail shows up as a taken
  // key; the number is handed back and the details go to the known customer.
  const [n] = await reserveNumbers('customer');
  const id = customerIdFor(n!);
  const { claimed, taken } = await claimKeys(id, keys);
  if (taken.length === 0) {
    const customer = await insertCustomer(id, input, tags, by, now);
    return { kind: 'done', result: { customer, created: true, added: { phones: input.phones, emails: input.emails, tags } } };
  }
  await Promise.all(claimed.map((key) => ContactKey.deleteOne({ _id: key })));
  await giveBackNumber(n!);
  const candidates = await candidatesOf(taken);
  const key = foldName(input.name ?? '');
  const named = key ? candidates.find((c) => namesAgree(c, key)) : undefined;
  const target = named ?? candidates[0]!;
  if (askOtherName && !named && key && target.nameKey) return { kind: 'other-name', candidates };
  return { kind: 'done', result: await addToCustomer(target._id, input, tags, claimed, by, now, target) };
}

/**
 * The customers that hold or share every taken key, the holder of the first key first; a
 * ConflictError when the details belong to different people.
 */
async function candidatesOf(taken: KeyHolder[]): Promise<CustomerDoc[]> {
  let ids = [taken[0]!.customerId, ...taken[0]!.sharedWith];
  for (const t of taken.slice(1)) ids = ids.filter((id) => id === t.customerId || t.sharedWith.includes(id));
  if (ids.length === 0) throw conflictingOwners([...new Set(taken.map((t) => t.customerId))]);
  const holder = taken.find((t) => t.customerId === ids[0])?.customer;
  const others = await Promise.all(ids.slice(holder ? 1 : 0).map((id) => Customer.findById(id).lean<CustomerDoc>()));
  return [...(holder ? [holder] : []), ...others.filter((c): c is CustomerDoc => c !== null && c.status === 'active')];
}

/**
 * Writes a new customer `id` (its keys claimed already, or shared) with its name-index entry
 * alongside, and the lead's note. `extra.distinctFrom` records the people it was said not to be.
 */
export async function insertCustomer(
  id: string,
  input: LeadInput,
  tags: string[],
  by: string,
  now: Date,
  extra: { distinctFrom?: string[] } = {},
): Promise<CustomerDoc> {
  const at = new Date();
  const doc = new Customer({
    _id: id,
    name: input.name ?? '',
    nameKey: foldName(input.name ?? ''),
    phones: input.phones,
    emails: input.emails,
    tags,
    ownerId: input.ownerId,
    source: input.source ?? 'chat',
    consent: input.consent === undefined ? undefined : { promotions: input.consent, changedAt: now },
    createdBy: by,
    ...(extra.distinctFrom?.length ? { distinctFrom: extra.distinctFrom } : {}),
    createdAt: at,
    updatedAt: at,
  }).toObject<CustomerDoc>();
  // The name index first (one connection keeps the order): a crash between leaves an index entry the read skips.
  await Promise.all([indexName(id, input.name), Customer.collection.insertOne(doc as never)]);
  // The customer document itself records who created it and when (createdBy, createdAt): no audit row needed.
  if (!input.note) return doc;
  await recordInteraction({ customerId: id, kind: 'note', text: input.note, staffId: staffIdOf(by), at: now });
  return (await Customer.findById(id).lean<CustomerDoc>()) ?? doc;
}

function conflictingOwners(refs: string[]): ConflictError {
  return new ConflictError({ code: 'CUSTOMER_DETAILS_CONFLICT', params: { refs } });
}

/** Adds phones, e-mails and tags to a known customer (claiming the keys; a key another customer holds is a ConflictError). */
export async function addContactDetails(id: string, input: LeadInput, by: string, now: Date = new Date()): Promise<LeadResult> {
  return addToCustomer(id, input, [...new Set(input.tags)], keysOf(input), by, now);
}

/**
 * Adds a lead's details to a known customer, keeping the lead's name as an alias when it is
 * another name (a person answered "same person"). See {@link addContactDetails}.
 *
 * @example
 *   await addLeadAsAlias('C1', { name: 'Mai', phones: ['+84912345678'], emails: [], tags: [] }, 'staff:s_1')
 */
export async function addLeadAsAlias(id: string, input: LeadInput, by: string, now: Date = new Date()): Promise<LeadResult & { alias?: string }> {
  const before = await getCustomer(id);
  const key = foldName(input.name ?? '');
  const alias = key && before.nameKey && before.nameKey !== key && !(before.aliases ?? []).some((a) => foldName(a) === key) ? input.name : undefined;
  const result = await addToCustomer(before._id, input, [...new Set(input.tags)], keysOf(input), by, now, before, alias);
  return alias ? { ...result, alias } : result;
}

async function addToCustomer(
  id: string,
  input: LeadInput,
  tags: string[],
  keys: string[],
  by: string,
  now: Date,
  known?: CustomerDoc,
  alias?: string,
): Promise<LeadResult> {
  const before = known ?? (await Customer.findById(id).lean<CustomerDoc>());
  if (!before) throw new NotFoundError({ code: 'CUSTOMER_NOT_FOUND', params: { ref: id } });
  const { taken } = await claimKeys(id, keys);
  if (taken.length > 0) {
    throw new ConflictError({ code: 'CONTACT_DETAILS_TAKEN', params: { details: taken.map((t) => t.key.replace(/^\w+:/, '')), ref: taken[0]!.customerId } });
  }
  const added = {
    phones: input.phones.filter((p) => !before.phones.includes(p)),
    emails: input.emails.filter((e) => !before.emails.includes(e)),
    tags: tags.filter((t) => !before.tags.includes(t)),
  };
  const set: Record<string, unknown> = {};
  if (!before.name && input.name) {
    set.name = input.name;
    set.nameKey = foldName(input.name);
  }
  if (!before.ownerId && input.ownerId) set.ownerId = input.ownerId;
  const addToSet: Record<string, unknown> = {};
  if (added.phones.length) addToSet.phones = { $each: added.phones };
  if (added.emails.length) addToSet.emails = { $each: added.emails };
  if (added.tags.length) addToSet.tags = { $each: added.tags };
  if (alias) addToSet.aliases = alias;
  const update: Record<string, unknown> = {};
  if (Object.keys(addToSet).length > 0) update.$addToSet = addToSet;
  if (Object.keys(set).length > 0) update.$set = set;
  const writes: Promise<unknown>[] = [];
  if (set.name) writes.push(indexName(id, input.name));
  if (alias) writes.push(indexName(id, alias));
  if (Object.keys(update).length > 0) writes.push(Customer.updateOne({ _id: id }, update));
  await Promise.all(writes);
  if (input.note) await recordInteraction({ customerId: id, kind: 'note', text: input.note, staffId: staffIdOf(by), at: now });
  const changed = added.phones.length + added.emails.length + added.tags.length > 0 || set.name !== undefined || alias !== undefined;
  if (changed) await audit(by, 'customer.update', `customer:${id}`, { added, ...(alias ? { alias } : {}) });
  const customer: CustomerDoc = {
    ...before,
    ...(set as Partial<CustomerDoc>),
    phones: [...before.phones, ...added.phones],
    emails: [...before.emails, ...added.emails],
    tags: [...before.tags, ...added.tags],
    ...(alias ? { aliases: [...(before.aliases ?? []), alias] } : {}),
  };
  // A note moves the card's latest interactions: read what the card will show.
  return { customer: input.note ? ((await Customer.findById(id).lean<CustomerDoc>()) ?? customer) : customer, created: false, added };
}

/** A customer by number, or NotFoundError. Merged customers resolve to the kept one. */
export async function getCustomer(id: string): Promise<CustomerDoc> {
  let customer = await Customer.findById(id).lean<CustomerDoc>();
  for (let hops = 0; customer?.status === 'merged' && customer.mergedInto !== undefined && customer.mergedInto !== null && hops < 5; hops++) {
    customer = await Customer.findById(customer.mergedInto).lean<CustomerDoc>();
  }
  if (!customer) throw new NotFoundError({ code: 'CUSTOMER_NOT_FOUND', params: { ref: id } });
  return customer;
}

/**
 * Customers by id, a few `_id` reads at a time (an `_id: {$in}` filter is not pushed down by
 * FerretDB's SQLite backend: it would read every customer). Missing ids are left out.
 *
 * @example
 *   const byId = await customersById(['C1', 'C7'], { name: 1, ownerId: 1 });
 */
export async function customersById<K extends keyof CustomerDoc>(ids: readonly string[], projection: Partial<Record<K, 1>>): Promise<Map<string, Pick<CustomerDoc, '_id' | K>>> {
  const found = new Map<string, Pick<CustomerDoc, '_id' | K>>();
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += 20) {
    const docs = await Promise.all(unique.slice(i, i + 20).map((id) => Customer.findById(id, projection).lean<Pick<CustomerDoc, '_id' | K>>()));
    for (const d of docs) if (d) found.set(d._id, d);
  }
  return found;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pages: number;
}

export const PAGE_SIZE = 10;

/**
 * The longest search a person may type (a name, a phone, an e-mail, a #tag): longer is no search
 * anyone means, and a name search is a regular expression run over every customer's name.
 */
export const SEARCH_MAX_CHARS = 100;

/** The most tags one `tag`/`untag` may add or remove (as `lead` allows). */
export const TAGS_PER_COMMAND = 20;

/**
 * Finds customers by number (C12), phone in any format, e-mail, #tag, or the
 * start of any word of the name (diacritics and case ignored). Paginated. A query over
 * {@link SEARCH_MAX_CHARS} is refused (`SEARCH_TOO_LONG`).
 *
 * @example
 *   await findCustomers('nguyen', 1, 'VN') // names with a word starting "nguyen", "Nguyễn" included
 */
export async function findCustomers(query: string, page: number, region: string): Promise<Page<CustomerDoc> & { sharedPhone?: { phone: string; holder: string } }> {
  const q = query.trim();
  if (!q) throw new ValidationError('query', { code: 'SEARCH_EMPTY' });
  if (q.length > SEARCH_MAX_CHARS) throw new ValidationError('query', { code: 'SEARCH_TOO_LONG', params: { max: SEARCH_MAX_CHARS } });
  const ref = customerIdOf(q);
  const phone = /\d{6,}/.test(q.replace(/\D/g, '')) ? normalisePhone(q, region) : undefined;
  const email = q.includes('@') ? normaliseEmail(q) : undefined;
  // Exact references are one or two `_id` reads, whatever the size of the shop.
  if (phone || email) {
    // The holder of the key, then those sharing it (a family phone): a few `_id` reads.
    const holder = await holderOfKey(contactKey(phone ? 'phone' : 'email', (phone ?? email)!));
    if (!holder) return { items: [], total: 0, page: 1, pages: 0 };
    const sharers = (await Promise.all(holder.sharedWith.map((id) => Customer.findById(id).lean<CustomerDoc>()))).filter(
      (c): c is CustomerDoc => c !== null && c.status === 'active',
    );
    const items = [holder.customer, ...sharers];
    return { items, total: items.length, page: 1, pages: 1, ...(sharers.length && phone ? { sharedPhone: { phone, holder: holder.customerId } } : {}) };
  }
  if (ref !== undefined) {
    const found = await Customer.findById(ref).lean<CustomerDoc>();
    return found ? { items: [found], total: 1, page: 1, pages: 1 } : { items: [], total: 0, page: 1, pages: 0 };
  }
  // Tag and name searches read the customers collection: a deliberate scan (src/db/scans.ts).
  let filter: Record<string, unknown>;
  if (q.startsWith('#')) {
    const tag = normaliseTag(q);
    if (!tag) throw new ValidationError('tag', { code: 'SEARCH_TAG_INVALID', params: { tag: q } });
    filter = { tags: tag, status: 'active' };
  } else {
    const folded = foldName(q);
    filter = { nameKey: new RegExp(`(^| )${escapeRegExp(folded)}`), status: 'active' };
  }
  const total = await Customer.countDocuments(filter).comment(scanComment('name-search'));
  const pages = Math.ceil(total / PAGE_SIZE);
  const current = Math.min(Math.max(1, page), Math.max(1, pages));
  const items = await Customer.find(filter)
    .sort({ createdAt: 1, _id: 1 })
    .skip((current - 1) * PAGE_SIZE)
    .limit(PAGE_SIZE)
    .comment(scanComment('name-search'))
    .lean<CustomerDoc[]>();
  return { items, total, page: current, pages };
}

/**
 * Resolves what a person typed to exactly one customer: C12 / 12, a phone,
 * an e-mail, or a name that matches one customer only.
 *
 * @throws NotFoundError when nothing matches; ConflictError listing candidates when several do
 */
export async function resolveCustomer(ref: string, region: string): Promise<CustomerDoc> {
  const id = customerIdOf(ref);
  if (id !== undefined && ref.replace(/\D/g, '').length < 7) return getCustomer(id);
  const found = await findCustomers(ref, 1, region);
  if (found.total === 0) throw new NotFoundError({ code: 'CUSTOMER_NOT_FOUND', params: { ref } });
  // A shared phone means its holder (the card lists the others).
  if (found.sharedPhone) return found.items[0]!;
  if (found.total > 1) {
    const exact = found.items.filter((c) => c.nameKey === foldName(ref));
    if (exact.length === 1) return exact[0]!;
    const candidates = found.items.slice(0, 5).map((c) => ({ ref: c._id, name: c.name }));
    throw new ConflictError({ code: 'CUSTOMER_AMBIGUOUS', params: { ref, total: found.total, candidates } });
  }
  return found.items[0]!;
}

/** Adds tags (normalised; at most {@link TAGS_PER_COMMAND}); returns the tags that were new. */
export async function addTags(id: string, rawTags: string[], by: string): Promise<string[]> {
  const tags = normaliseTags(rawTags);
  const before = await getCustomer(id);
  await Customer.updateOne({ _id: before._id }, { $addToSet: { tags: { $each: tags } } });
  const added = tags.filter((t) => !before.tags.includes(t));
  if (added.length) await audit(by, 'customer.tag', `customer:${before._id}`, { added });
  return added;
}

/** Removes tags; returns the tags that were there. */
export async function removeTags(id: string, rawTags: string[], by: string): Promise<string[]> {
  const tags = normaliseTags(rawTags);
  const before = await getCustomer(id);
  // $pullAll, not `$pull: { $in }`: FerretDB v1 ignores a $pull condition and removes nothing.
  await Customer.updateOne({ _id: before._id }, { $pullAll: { tags } });
  const removed = tags.filter((t) => before.tags.includes(t));
  if (removed.length) await audit(by, 'customer.untag', `customer:${before._id}`, { removed });
  return removed;
}

function normaliseTags(raw: string[]): string[] {
  if (raw.length > TAGS_PER_COMMAND) throw new ValidationError('tags', { code: 'TAGS_TOO_MANY', params: { max: TAGS_PER_COMMAND } });
  const tags: string[] = [];
  for (const r of raw) {
    const tag = normaliseTag(r);
    if (!tag) throw new ValidationError('tag', { code: 'TAG_INVALID', params: { tag: r } });
    tags.push(tag);
  }
  if (tags.length === 0) throw new ValidationError('tags', { code: 'TAGS_MISSING' });
  return [...new Set(tags)];
}

/** Sets or withdraws promotion consent. */
export async function setConsent(id: string, promotions: boolean, by: string, now: Date = new Date()): Promise<void> {
  await Customer.updateOne({ _id: id }, { $set: { 'consent.promotions': promotions, 'consent.changedAt': now } });
  await audit(by, promotions ? 'consent.given' : 'consent.withdrawn', `customer:${id}`);
}
