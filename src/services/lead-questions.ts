/**
 * Leads that need a person's answer before anything is written (issue 12 item 3, issue 13 item 4).
 *
 * - A known phone under another name — `lead Mai 0912345678` when the phone is C1 Nguyễn Thị Lan's
 *   (family members share phones): the same person (Mai kept as another name of C1), or a
 *   different person sharing the phone (a second customer holding the phone in its own `phones`,
 *   listed in the key's `sharedWith`; both records `distinctFrom` each other).
 * - A name-only lead whose name is already a customer's name or alias — `lead Hoa`: the same
 *   person (the lead's tags and note go to them), or a new customer (created, and `distinctFrom`
 *   the namesakes, so duplicate suggestions never pair them).
 *
 * The waiting lead is stored as a {@link LeadQuestion} under a random string `_id` the buttons
 * carry, so an answer is one `_id` read and works after a restart and from any platform. An
 * answer is taken once: it is claimed by a unique insert (services/deliveries.ts `claimStep`)
 * before anything is written, so a second press — or a re-delivered one — writes nothing and is
 * told what the first answer did.
 *
 * @example
 *   const asked = await leadOrAsk({ name: 'Mai', phones: ['+84912345678'], emails: [], tags: [] }, 'staff:s_1', now);
 *   if (asked.kind === 'question') … // buttons: `lead-answer ${asked.question._id} same C1` / `… new`
 *   await answerLeadQuestion(asked.question._id, { same: 'C1' }, 'staff:s_1', now);
 */
import { randomBytes } from 'node:crypto';
import { ContactKey, contactKey } from '../../models/contact-key.js';
import { Customer, type CustomerDoc } from '../../models/customer.js';
import { LeadQuestion, type LeadQuestionDoc } from '../../models/lead-question.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { duplicatePositions, isDuplicateKey, reserveNumbers } from '../db/writes.js';
import { customerIdFor } from '../values/refs.js';
import { audit } from './audit.js';
import { addLeadAsAlias, getCustomer, holderOfKey, insertCustomer, keysOf, planLead, type LeadInput, type LeadResult } from './contacts.js';
import { customersNamed } from './customer-names.js';
import { claimStep, releaseDelivery } from './deliveries.js';

/** A lead written, or a question asked (nothing written yet) with the customers it may be. */
export type LeadOrQuestion =
  | { kind: 'done'; result: LeadResult }
  | { kind: 'question'; question: LeadQuestionDoc; candidates: CustomerDoc[] };

/** What a person answered: the same person as one of the candidates, or someone new. */
export type LeadAnswer = { same: string } | { new: true };

/** What an answer did; `already` when the question had been answered before (nothing written now). */
export interface AnswerOutcome {
  question: LeadQuestionDoc;
  customer: CustomerDoc;
  /** `same`: details added (alias: the lead's name kept as another name); `new`: a customer created. */
  did: 'same' | 'new';
  alias?: string;
  added?: LeadResult['added'];
  created?: boolean;
  already: boolean;
}

/**
 * Writes a lead, or — when it may be someone already known under another name, or its name alone
 * matches known customers — stores it as a question and writes nothing else.
 *
 * @example
 *   await leadOrAsk({ name: 'Hoa', phones: [], emails: [], tags: [] }, 'staff:s_1', now) // → { kind: 'question', … } when a Hoa exists
 */
export async function leadOrAsk(input: LeadInput, by: string, now: Date): Promise<LeadOrQuestion> {
  if (input.name && input.phones.length === 0 && input.emails.length === 0 && !input.viaIdentity) {
    const namesakes = await customersNamed(input.name);
    if (namesakes.length > 0) return ask('same-name', input, namesakes, by, now);
  }
  const plan = await planLead(input, by, now, true);
  if (plan.kind === 'done') return plan;
  return ask('shared-phone', input, plan.candidates, by, now);
}

async function ask(kind: 'shared-phone' | 'same-name', input: LeadInput, candidates: CustomerDoc[], by: string, now: Date): Promise<LeadOrQuestion> {
  const id = `Q${randomBytes(5).toString('hex')}`;
  // Only the fields the lead has (the driver would store an `undefined` as null).
  const stored = JSON.parse(JSON.stringify(input)) as LeadInput;
  const doc: LeadQuestionDoc = { _id: id, kind, input: stored, candidates: candidates.map((c) => c._id), by, createdAt: now };
  await LeadQuestion.collection.insertOne(doc as never);
  return { kind: 'question', question: doc, candidates };
}

/**
 * Carries out a person's answer to a stored question, once. A second answer (another press, a
 * re-delivery) writes nothing and returns what the first did, with `already`.
 *
 * @throws NotFoundError when the question does not exist (or was cleaned up)
 * @throws ValidationError `LEAD_ANSWER_NOT_A_CANDIDATE` for a "same person" that is not one of the candidates
 */
export async function answerLeadQuestion(questionId: string, answer: LeadAnswer, by: string, now: Date): Promise<AnswerOutcome> {
  const question = await LeadQuestion.findById(questionId).lean<LeadQuestionDoc>();
  if (!question) throw new NotFoundError({ code: 'LEAD_QUESTION_NOT_FOUND', params: { ref: questionId } });
  if (question.answer) return answered(question);
  if ('same' in answer && !question.candidates.includes(answer.same)) {
    throw new ValidationError('answer', { code: 'LEAD_ANSWER_NOT_A_CANDIDATE', params: { ref: answer.same } });
  }
  const input = leadInputOf(question.input);
  // A "new" that cannot be (an e-mail is one person's) is refused before the answer is taken.
  const split = 'same' in answer ? undefined : await splitKeys(input);
  const claim = `lead-question:${questionId}`;
  if (!(await claimStep(claim, 'answer'))) {
    // Answered meanwhile (or being answered): what it did, if it is stored yet.
    const now2 = await LeadQuestion.findById(questionId).lean<LeadQuestionDoc>();
    if (now2?.answer) return answered(now2);
    throw new ConflictError({ code: 'LEAD_QUESTION_BEING_ANSWERED', params: { ref: questionId } });
  }
  let outcome: Omit<AnswerOutcome, 'question' | 'already'>;
  try {
    if ('same' in answer) {
      const result = await addLeadAsAlias(answer.same, input, by, now);
      outcome = { customer: result.customer, did: 'same', alias: result.alias, added: result.added };
    } else {
      const customer = await createDistinct(question, input, split!, by, now);
      outcome = { customer, did: 'new', created: true };
    }
  } catch (error) {
    // Nothing was answered: the question can be answered again (what was written is idempotent or repaired on read).
    await releaseDelivery(`${claim}/answer`).catch(() => undefined);
    throw error;
  }
  const stored = { answer: 'same' in answer ? `same:${outcome.customer._id}` : 'new', customerId: outcome.customer._id, answeredAt: now, alias: outcome.alias };
  await LeadQuestion.updateOne({ _id: questionId }, { $set: stored });
  await audit(by, 'lead.answer', `customer:${outcome.customer._id}`, { question: questionId, kind: question.kind, answer: stored.answer, ...(outcome.alias ? { alias: outcome.alias } : {}) });
  return { ...outcome, question: { ...question, ...stored }, already: false };
}

/** The stored lead, as {@link LeadInput} (lists always there, absent fields absent). */
function leadInputOf(stored: unknown): LeadInput {
  const i = (stored ?? {}) as Partial<Record<keyof LeadInput, unknown>>;
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return {
    name: text(i.name),
    phones: list(i.phones),
    emails: list(i.emails),
    tags: list(i.tags),
    note: text(i.note),
    source: text(i.source),
    ownerId: text(i.ownerId),
    ...(typeof i.consent === 'boolean' ? { consent: i.consent } : {}),
  };
}

async function answered(question: LeadQuestionDoc): Promise<AnswerOutcome> {
  const customer = await getCustomer(question.customerId!);
  return { question, customer, did: question.answer === 'new' ? 'new' : 'same', alias: question.alias ?? undefined, already: true };
}

/**
 * The keys of a lead said to be someone new: free ones (to claim) and phones another customer holds
 * (to share). An e-mail another customer holds is refused: sharing is for family phones.
 */
async function splitKeys(input: LeadInput): Promise<{ free: string[]; shared: string[] }> {
  const keys = keysOf(input);
  const holders = await Promise.all(keys.map(holderOfKey));
  const split = { free: [] as string[], shared: [] as string[] };
  keys.forEach((key, i) => {
    const holder = holders[i];
    if (!holder) split.free.push(key);
    else if (key.startsWith('phone:')) split.shared.push(key);
    else throw new ConflictError({ code: 'CONTACT_DETAILS_TAKEN', params: { details: [key.replace(/^\w+:/, '')], ref: holder.customerId } });
  });
  return split;
}

/**
 * A new customer for a lead a person said is someone else: its free keys claimed, the phones other
 * customers hold shared with it (`sharedWith`; it holds them in its own `phones`), and
 * `distinctFrom` set on it and on every candidate.
 */
async function createDistinct(question: LeadQuestionDoc, input: LeadInput, split: { free: string[]; shared: string[] }, by: string, now: Date): Promise<CustomerDoc> {
  const [n] = await reserveNumbers('customer');
  const id = customerIdFor(n!);
  if (split.free.length) {
    try {
      await ContactKey.collection.insertMany(split.free.map((key) => ({ _id: key as never, customerId: id, createdAt: new Date() })), { ordered: false });
    } catch (error) {
      if (!isDuplicateKey(error) && !duplicatePositions(error, split.free.length)) throw error;
      throw new ConflictError({ code: 'CUSTOMER_DETAILS_BUSY' });
    }
  }
  const distinctFrom = [...question.candidates];
  const customer = await insertCustomer(id, input, [...new Set(input.tags)], by, now, { distinctFrom });
  await Promise.all([
    ...split.shared.map((key) => ContactKey.updateOne({ _id: key }, { $addToSet: { sharedWith: id } })),
    ...distinctFrom.map((other) => Customer.updateOne({ _id: other }, { $addToSet: { distinctFrom: id } })),
  ]);
  return customer;
}

/**
 * The customers sharing a phone with its holder (a family phone), for `find` and the card.
 *
 * @example
 *   await phoneSharers('+84912345678') // → { holder: 'C1', sharers: [{ _id: 'C9', name: 'Mai', … }] }
 */
export async function phoneSharers(phone: string): Promise<{ holder: string; sharers: CustomerDoc[] } | undefined> {
  const holder = await holderOfKey(contactKey('phone', phone));
  if (!holder) return undefined;
  const sharers = await Promise.all(holder.sharedWith.map((id) => Customer.findById(id).lean<CustomerDoc>()));
  return { holder: holder.customerId, sharers: sharers.filter((c): c is CustomerDoc => c !== null && c.status === 'active') };
}
