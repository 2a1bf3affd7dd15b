/**
 * Saved replies ("snippets"): `snippet add thanks Thank you, {name}!`, then `reply C12 !thanks`.
 * Placeholders are filled for the customer being answered — `{name}` with their name,
 * `{lastOrder}` with their latest order (`O7`) — and a placeholder with nothing to fill it refuses
 * the reply rather than sending "Thank you, !".
 *
 * Why one document: the shop's saved replies are few (at most {@link MAX_SNIPPETS}) and short, so
 * they live in one `SnippetBook` document (`_id: "shop"`); listing them and sending one are each
 * one `_id` read, adding or removing one is one `_id` write.
 *
 * @example
 *   await saveSnippet('thanks', 'Thank you, {name}!', 'staff:s_1', now);
 *   const text = await expandSnippets('!thanks', customer); // → 'Thank you, Anna!'
 */
import { SnippetBook, type Snippet, type SnippetBookDoc } from '../../models/conversation.js';
import type { CustomerDoc } from '../../models/customer.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';

/** The placeholders a saved reply may use. */
export const PLACEHOLDERS = ['name', 'lastOrder'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** The most saved replies the shop keeps, and the longest one. */
export const MAX_SNIPPETS = 200;
export const SNIPPET_MAX_CHARS = 2000;

const BOOK = 'shop';
const NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;

/**
 * A snippet's name as stored: lower case, without a leading `!`.
 *
 * @throws ValidationError (`SNIPPET_NAME_INVALID`) for anything but letters, digits, - and _
 * @example
 *   snippetName('!Thanks') // → 'thanks'
 */
export function snippetName(raw: string): string {
  const name = raw.trim().replace(/^!/, '').toLowerCase();
  if (!NAME.test(name)) throw new ValidationError('name', { code: 'SNIPPET_NAME_INVALID', params: { text: raw.trim() } });
  return name;
}

/**
 * The placeholders a text uses, each once, in order.
 *
 * @throws ValidationError (`SNIPPET_PLACEHOLDER_UNKNOWN`) for `{anything}` else
 * @example
 *   placeholdersIn('Hi {name}, {lastOrder} ships today') // → ['name', 'lastOrder']
 */
export function placeholdersIn(text: string): Placeholder[] {
  const found: Placeholder[] = [];
  for (const m of text.matchAll(/\{([^{}\s]{1,40})\}/g)) {
    const word = m[1]!;
    const known = PLACEHOLDERS.find((p) => p.toLowerCase() === word.toLowerCase());
    if (!known) throw new ValidationError('text', { code: 'SNIPPET_PLACEHOLDER_UNKNOWN', params: { placeholder: word, known: PLACEHOLDERS } });
    if (!found.includes(known)) found.push(known);
  }
  return found;
}

/** Saves (or replaces) a snippet; `created` is false when one of that name was replaced. */
export async function saveSnippet(rawName: string, text: string, by: string, now: Date): Promise<{ name: string; created: boolean }> {
  const name = snippetName(rawName);
  const body = text.trim();
  if (body.length > SNIPPET_MAX_CHARS) throw new ValidationError('text', { code: 'SNIPPET_TEXT_TOO_LONG', params: { max: SNIPPET_MAX_CHARS } });
  placeholdersIn(body);
  const book = await readBook();
  const exists = Object.hasOwn(book, name);
  if (!exists && Object.keys(book).length >= MAX_SNIPPETS) throw new ConflictError({ code: 'SNIPPETS_FULL', params: { max: MAX_SNIPPETS } });
  const snippet: Snippet = { text: body, by, at: now };
  await SnippetBook.updateOne({ _id: BOOK }, { $set: { [`items.${name}`]: snippet } }, { upsert: true });
  return { name, created: !exists };
}

/** Removes a snippet; false when there was none of that name. */
export async function removeSnippet(rawName: string): Promise<{ name: string; removed: boolean }> {
  const name = snippetName(rawName);
  const book = await readBook();
  if (!Object.hasOwn(book, name)) return { name, removed: false };
  await SnippetBook.updateOne({ _id: BOOK }, { $unset: { [`items.${name}`]: '' } });
  return { name, removed: true };
}

/** Every snippet, by name. */
export async function listSnippets(): Promise<{ name: string; text: string }[]> {
  const book = await readBook();
  return Object.entries(book)
    .map(([name, s]) => ({ name, text: s.text }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * A reply as the customer will read it: `!name` at its start replaced by that snippet (text
 * typed after it follows on), placeholders filled for `customer`. Text without a leading `!name`
 * is sent as typed, braces and all.
 *
 * @throws NotFoundError (`SNIPPET_NOT_FOUND`), ConflictError (`REPLY_PLACEHOLDER_EMPTY`)
 * @example
 *   await expandSnippets('!shipped see you soon', { _id: 'C12', name: 'Anna', recentOrderIds: ['O7'] })
 *   // → 'Your order O7 is on its way, Anna. see you soon'
 */
export async function expandSnippets(body: string, customer: Pick<CustomerDoc, '_id' | 'name' | 'recentOrderIds'>): Promise<string> {
  const m = /^!([^\s]+)(?:\s+([\s\S]*))?$/.exec(body.trim());
  if (!m) return body.trim();
  const name = snippetName(m[1]!);
  const book = await readBook();
  const snippet = Object.hasOwn(book, name) ? book[name] : undefined;
  if (!snippet) throw new NotFoundError({ code: 'SNIPPET_NOT_FOUND', params: { ref: name } });
  const filled = fillPlaceholders(snippet.text, customer);
  const extra = m[2]?.trim();
  return extra ? `${filled} ${extra}` : filled;
}

/** Fills `{name}` and `{lastOrder}` for a customer; refuses a placeholder it has nothing for. */
export function fillPlaceholders(text: string, customer: Pick<CustomerDoc, '_id' | 'name' | 'recentOrderIds'>): string {
  const values: Record<Placeholder, string | undefined> = {
    name: customer.name?.trim() || undefined,
    lastOrder: customer.recentOrderIds?.at(-1),
  };
  for (const placeholder of placeholdersIn(text)) {
    if (!values[placeholder]) throw new ConflictError({ code: 'REPLY_PLACEHOLDER_EMPTY', params: { ref: customer._id, placeholder } });
  }
  return text.replace(/\{([^{}\s]{1,40})\}/g, (_all, word: string) => {
    const known = PLACEHOLDERS.find((p) => p.toLowerCase() === word.toLowerCase())!;
    return values[known]!;
  });
}

async function readBook(): Promise<Record<string, Snippet>> {
  const doc = await SnippetBook.findById(BOOK).lean<SnippetBookDoc>();
  return doc?.items ?? {};
}
