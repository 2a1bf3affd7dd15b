/**
 * Importing customers from a CSV file: streamed (csv-parse; the file is never
 * held in memory), validated row by row, written in batches, idempotent.
 *
 * - The file may be UTF-8, UTF-16 or Windows-1258 (what Vietnamese Excel
 *   saves); see ./encoding.ts. The encoding read is in the report.
 * - Columns are recognised by header (English or Vietnamese) or mapped
 *   explicitly; see ./columns.ts for the row rules. Columns nothing reads are
 *   listed in the report (`ignoredColumns`).
 * - A row is rejected only when nothing usable is left (no valid phone or
 *   e-mail, details of two customers, broken quoting); a bad value in a row
 *   that is otherwise fine is left out and reported as a warning.
 * - A row applies fully or not at all: it is validated, and its contact keys
 *   resolved, before anything of it is written. A rejected row is reported
 *   with its line (the header is line 1) and the reason.
 * - De-duplication is the contact-key claim of services/contacts.ts, in bulk:
 *   a batch's unknown phone/e-mail keys are inserted with one unordered
 *   `insertMany`; the inserts that fail are the keys someone already owns.
 *   An existing phone/e-mail updates that customer; rows of the file that
 *   share one merge into one customer (exact normalised match only). Details
 *   that belong to two different customers reject the row (merge first).
 * - Shared phones (issue 12; data model in docs: ContactKey `sharedWith`): a row that reaches a
 *   customer only through a phone, under a name that clearly names someone else (./same-name.ts;
 *   not a shorter spelling, not one of their `aliases`), is a family member on that phone. It is
 *   imported as a second customer holding the phone in its own `phones`, its id added to the key's
 *   `sharedWith` (the key stays the holder's), its note on its own card, and a warning naming both
 *   (`report.shared` counts them). A later row with that name finds the same second customer
 *   through `sharedWith`, so a re-import adds nothing. The key lists the new customer before the
 *   customer is written; a re-run after a kill in between creates it under that number.
 * - Notes get a deterministic `_id` (a hash of customer and text), so
 *   importing the same file again adds no note twice: an `_id` lookup (or the
 *   insert itself) is the check.
 * - Running it again changes nothing: every row comes back `unchanged`.
 *
 * Each row counts once: `rows = created + updated + unchanged + rejected.length`
 * (blank lines are counted apart). A row that repeats an earlier row of the
 * same file adds nothing and counts as `unchanged`.
 *
 * Write order per batch (no transactions): contact keys, then new customers,
 * then updates, then notes. A crash in between (kill -9) leaves keys whose
 * customer does not exist yet. Importing the file again completes the batch:
 * such a key's row takes over the number the dead run reserved for it and
 * creates that customer (no key is deleted, no number wasted); the key is read
 * again once the customer exists, in case someone freed it meanwhile
 * (contacts.ts treats such keys as free). A re-run after a kill costs about
 * what importing the rest costs: the rows already imported are recognised from
 * memory (see preload below). Freeing each key instead — a delete conditional
 * on its owner, which FerretDB runs as a scan of all contact keys — made a
 * re-run of 20,000 rows take minutes.
 *
 * Speed: rows are handled in batches (default 500) in two stages that
 * overlap — while one batch's customers and notes are written, the next is
 * read, validated, and its keys claimed. Customers this run created are
 * remembered in a compact form, so rows repeating them need no read and
 * usually no write. Customers that existed before are read once per batch
 * with one `$in` query (on FerretDB v1, which uses an index only for string
 * or ObjectId `_id` lookups, that query scans the customers: re-importing a
 * large file there is much slower than importing it the first time). A file
 * imported again is noticed (most claims fail) and its keys are then looked up
 * instead of claimed, so no customer numbers are reserved in vain. Identical
 * updates go out as one `updateMany`.
 *
 * @example
 *   const report = await importCustomers(createReadStream('leads.csv'), { region: 'VN', by: 'staff:s_1' });
 *   // → { rows: 120, created: 100, updated: 5, unchanged: 10, blank: 2, encoding: 'utf-8', columns: {…}, ignoredColumns: [],
 *   //     rejected: [{ row: 17, reason: 'invalid phone "12"', field: 'phone', value: '12' }, …],
 *   //     warnings: [{ row: 9, field: 'email', value: 'cuong@@mail', reason: 'not a valid e-mail address; left out' }, …] }
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import mongoose from 'mongoose';
import { AuditEvent } from '../../../models/audit-event.js';
import { ContactKey } from '../../../models/contact-key.js';
import { Customer } from '../../../models/customer.js';
import { Interaction } from '../../../models/interaction.js';
import { foldName } from '../../values/names.js';
import { ConflictError, ValidationError } from '../../errors.js';
import { audit } from '../audit.js';
import { NameIndexing } from '../customer-names.js';
import { staffIdOf } from '../../values/refs.js';
import { readCsvRecords } from './csv-records.js';
import {
  describeColumns, ignoredColumns, readRow, resolveColumns,
  type ColumnMapping, type Columns, type ImportField, type ImportRow, type ImportWarning,
} from './columns.js';
import { decodeCsvText, type TextEncodingName } from './encoding.js';
import { differentPerson } from './same-name.js';

import { insertUnique, reserveNumbers, retryBusy } from '../../db/writes.js';
import { customerIdFor } from '../../values/refs.js';

export interface ImportOptions {
  /** Region for phone numbers written without a country code (config DEFAULT_PHONE_REGION). */
  region: string;
  /** Who imports, as an actor ref (`staff:s_1`, `script:import`). */
  by: string;
  /** Explicit columns, e.g. `{ name: 'Column A', phone: 'Tel' }`; others are recognised by header. */
  mapping?: ColumnMapping;
  /** Rows validated and written together (default 500). */
  batchSize?: number;
  /** Call `onProgress` after at least this many rows (default 1000). */
  progressEvery?: number;
  /**
   * Also call `onProgress` at least this often (ms), rows or not — so a slow stretch (a large
   * preload, a busy database) still shows the import is alive. Default: rows only.
   */
  progressEveryMs?: number;
  onProgress?: (progress: ImportProgress) => void;
  /** `source` of new customers (default `import`). */
  source?: string;
  /** Owner of new customers (a salesperson importing their own leads). */
  ownerId?: string;
  /** File name, for the audit trail. */
  label?: string;
  /**
   * When the file turns out to be mostly known (imported before), read all
   * contact keys and customers into memory once instead of looking them up
   * row by row (default true; refused anyway above a size limit).
   */
  preload?: boolean;
  now?: Date;
}

export interface ImportProgress {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** Since the import started. */
  elapsedMs: number;
}

export interface RejectedRow {
  /** Line in the file where the row starts; the header is line 1, so the first data row is 2. */
  row: number;
  reason: string;
  /** The invalid value that left the row with nothing to recognise it by, when one did (shortened to 40 characters). */
  field?: ImportField;
  value?: string;
}

export type { ImportWarning };

export interface ImportReport {
  /** Data rows read, blank lines excluded: created + updated + unchanged + rejected. */
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Blank lines skipped. */
  blank: number;
  /**
   * Rows imported as a second customer on a phone another customer holds, under a clearly
   * different name (family members share phones); each also has a warning naming both.
   */
  shared: number;
  rejected: RejectedRow[];
  /** Values left out or shortened in rows that were imported, by row. */
  warnings: ImportWarning[];
  /** The headers each field was read from. */
  columns: Partial<Record<ImportField, string[]>>;
  /** Headers of the columns that were not imported (no field reads them). */
  ignoredColumns: string[];
  /** The file's text encoding, as detected. */
  encoding: TextEncodingName;
}

/**
 * What this run knows of a customer: its details as `\x1f`-separated tokens (small, no read
 * needed), and its name and aliases (to tell a family member on a shared phone from the holder).
 */
type Known = { tokens: string; status: string; name?: string; aliases?: string[] };

const SEP = '\x1f';
const token = {
  phone: (p: string) => `p:${p}`,
  email: (e: string) => `e:${e}`,
  tag: (t: string) => `t:${t}`,
  name: 'n',
};
const knownOf = (c: { name?: string | null; phones?: string[]; emails?: string[]; tags?: string[]; status?: string | null; aliases?: unknown }): Known => {
  const tokens = [...(c.name ? [token.name] : []), ...(c.phones ?? []).map(token.phone), ...(c.emails ?? []).map(token.email), ...(c.tags ?? []).map(token.tag)];
  const known: Known = { tokens: `${SEP}${tokens.map((t) => `${t}${SEP}`).join('')}`, status: c.status ?? 'active' };
  if (c.name) known.name = c.name;
  if (Array.isArray(c.aliases) && c.aliases.length) known.aliases = c.aliases.filter((a): a is string => typeof a === 'string');
  return known;
};
/** What customers are read with: the details, and the names a shared phone is judged by. */
const KNOWN_PROJECTION = { name: 1, phones: 1, emails: 1, tags: 1, status: 1, aliases: 1 } as const;
const has = (k: Known, t: string) => k.tokens.includes(`${SEP}${t}${SEP}`);
const add = (k: Known, t: string) => {
  k.tokens += `${t}${SEP}`;
};

/** Bounds on what a run remembers; past them it forgets and reads again (correct, only slower). */
const MAX_REMEMBERED_KEYS = 1_000_000;
const MAX_REMEMBERED_CUSTOMERS = 500_000;

/**
 * Imports customers from a CSV stream; see the module comment for the rules.
 *
 * @throws ValidationError when the file is in an encoding it cannot read (TCVN3/VNI fonts, others: ./encoding.ts),
 *   the header has no phone or e-mail column, or a mapped column is missing — before anything is written
 */
export async function importCustomers(input: Readable, options: ImportOptions): Promise<ImportReport> {
  const run = new ImportRun(options);
  const batchSize = options.batchSize ?? 500;
  let columns: Columns | undefined;
  let headers: string[] = [];
  let batch: ImportRow[] = [];
  const text = await decodeCsvText(input);
  run.report.encoding = text.encoding;
  const stopHeartbeat = run.heartbeat();
  try {
    for await (const item of readCsvRecords(text.utf8)) {
      if (item.kind === 'broken') {
        if (!columns) throw new ValidationError('file', { code: 'IMPORT_HEADER_UNREADABLE', params: { reason: item.reason } });
        const lines = item.endLine > item.line ? `rows ${item.line}–${item.endLine}` : `row ${item.line}`;
        run.reject(item.line, `broken quoting: ${item.reason}; ${lines} could not be read`);
        continue;
      }
      if (!columns) {
        headers = item.cells;
        columns = resolveColumns(headers, options.mapping);
        run.report.columns = describeColumns(headers, columns);
        run.report.ignoredColumns = ignoredColumns(headers, columns);
        continue;
      }
      const result = readRow(item.cells, columns, item.line, options.region, headers);
      if (result.ok === 'blank') run.report.blank++;
      else if (result.ok === false) run.reject(item.line, result.reason, result.field, result.value);
      else {
        batch.push(result.row);
        if (result.warnings) run.warn(result.row.line, result.warnings);
      }
      if (batch.length >= batchSize) {
        await run.submit(batch);
        batch = [];
      }
    }
    if (!columns) throw new ValidationError('file', { code: 'IMPORT_FILE_EMPTY' });
    await run.submit(batch);
    await run.settle();
    await run.names.finish();
  } catch (error) {
    // Let the batch being written finish before giving up, so nothing writes after we return.
    await run.settle().catch(() => undefined);
    run.names.abandon();
    throw error;
  } finally {
    stopHeartbeat();
  }
  run.progress(true);
  run.report.rejected.sort((a, b) => a.row - b.row);
  run.report.warnings = run.warnings();
  const { rows, created, updated, unchanged, shared, rejected, warnings, encoding } = run.report;
  await audit(options.by, 'customer.import', `import:${options.label ?? 'csv'}`, {
    rows, created, updated, unchanged, shared, rejected: rejected.length, warnings: warnings.length, encoding,
  });
  return run.report;
}

/** A batch decided and ready to write. */
interface Prepared {
  plans: Plan[];
  newDocs: Map<string, NewCustomer>;
  changes: Map<string, CustomerChange>;
  notes: NoteDoc[];
  /** Keys an interrupted run claimed for a customer it never wrote, now this batch's: `key` → `owner`. */
  adopted: { key: string; owner: string }[];
}

type CustomerChange = { phones: string[]; emails: string[]; tags: string[]; name?: string };

/** Per-row outcome inside a batch. */
interface Plan {
  row: ImportRow;
  owner: string;
  outcome: 'created' | 'updated' | 'pending';
  noteId?: mongoose.Types.ObjectId;
  /** Phone keys the row's customer shares with their holder (not its own). */
  sharedKeys?: string[];
}

class ImportRun {
  readonly report: ImportReport = {
    rows: 0, created: 0, updated: 0, unchanged: 0, blank: 0, shared: 0, rejected: [], warnings: [], columns: {}, ignoredColumns: [], encoding: 'utf-8',
  };
  /** Warnings of rows read so far, by line; a row rejected later (details of two customers) loses them. */
  private readonly warningsByRow = new Map<number, ImportWarning[]>();
  /** Contact key → customer, for keys this run has seen resolved. */
  private readonly keyOwner = new Map<string, string>();
  /** Contact key → the other customers sharing it (`sharedWith`), for the few keys that have them. */
  private readonly keySharers = new Map<string, string[]>();
  /** Customers this run has created or read. */
  private readonly known = new Map<string, Known>();
  private lastProgress = 0;
  private readonly startedAt = Date.now();
  private lastProgressAt = Date.now();
  /** Notes this run wrote (hex `_id`s): a repeat is known without asking the database. */
  private readonly notesWritten = new Set<string>();
  /** The name index's new entries, written once at the end of the run (see `NameIndexing`). */
  readonly names = new NameIndexing();
  /** Look keys up before claiming them (switched on when most claims of a batch fail). */
  private lookupFirst = false;
  /** Whether the first batch was checked for being data we have already. */
  private probed = false;
  /** Whether every contact key, customer and imported note is in memory (see {@link preload}). */
  private preloaded = false;
  private preloadRefused = false;
  private readonly now: Date;

  constructor(private readonly options: ImportOptions) {
    this.now = options.now ?? new Date();
    this.preloadRefused = options.preload === false;
  }

  reject(line: number, reason: string, field?: ImportField, value?: string): void {
    this.report.rows++;
    this.report.rejected.push(field === undefined ? { row: line, reason } : { row: line, reason, field, value });
    this.warningsByRow.delete(line);
    this.progress();
  }

  warn(line: number, warnings: ImportWarning[]): void {
    this.warningsByRow.set(line, [...(this.warningsByRow.get(line) ?? []), ...warnings]);
  }

  /** Every warning of the rows imported, in file order. */
  warnings(): ImportWarning[] {
    return [...this.warningsByRow.entries()].sort(([a], [b]) => a - b).flatMap(([, w]) => w);
  }

  /** Reports progress when `progressEvery` rows or `progressEveryMs` have passed since the last report (or, `final`, when anything is unreported). */
  progress(final = false): void {
    const r = this.report;
    if (!this.options.onProgress) return;
    const every = this.options.progressEvery ?? 1000;
    const everyMs = this.options.progressEveryMs;
    const now = Date.now();
    const due = final
      ? r.rows !== this.lastProgress
      : r.rows - this.lastProgress >= every || (everyMs !== undefined && now - this.lastProgressAt >= everyMs);
    if (!due) return;
    this.lastProgress = r.rows;
    this.lastProgressAt = now;
    this.options.onProgress({ rows: r.rows, created: r.created, updated: r.updated, unchanged: r.unchanged, rejected: r.rejected.length, elapsedMs: now - this.startedAt });
  }

  /** With `progressEveryMs`, a timer reports even while no row finishes; returns its stop. */
  heartbeat(): () => void {
    const everyMs = this.options.progressEveryMs;
    if (!this.options.onProgress || everyMs === undefined) return () => undefined;
    const timer = setInterval(() => this.progress(), Math.max(100, everyMs / 4));
    timer.unref();
    return () => clearInterval(timer);
  }

  private writing: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;

  /**
   * Takes a batch through the two stages. Preparing (checking keys, claiming
   * them, deciding each row) runs while the previous batch's customers and
   * notes are still being written, and the reader reads on while this batch
   * is written; each stage handles one batch at a time, in file order.
   * Preparing never needs what a write in flight produces: the customers this
   * run creates are known from memory.
   */
  async submit(rows: ImportRow[]): Promise<void> {
    if (rows.length === 0) return;
    if (this.keyOwner.size > MAX_REMEMBERED_KEYS || this.known.size > MAX_REMEMBERED_CUSTOMERS || this.notesWritten.size > MAX_REMEMBERED_KEYS) {
      // Forgetting is only safe once every customer this run decided on is written.
      await this.settle();
      this.keyOwner.clear();
      this.keySharers.clear();
      this.known.clear();
      this.notesWritten.clear();
      this.preloaded = false;
      this.preloadRefused = true;
    }
    if (this.failure) throw this.failure.error;
    const prepared = await this.prepare(rows);
    await this.settle();
    this.writing = this.write(prepared).catch((error: unknown) => {
      this.failure = { error };
    });
  }

  /** Waits for the batch being written; rethrows its error. */
  async settle(): Promise<void> {
    if (this.writing) await this.writing;
    this.writing = undefined;
    if (this.failure) throw this.failure.error;
  }

  /** Stage 1: every row of the batch resolved to a customer (or rejected), its keys claimed. */
  private async prepare(rows: ImportRow[]): Promise<Prepared> {
    const dbOwner = new Map<string, string>();
    let unknown = [...new Set(rows.flatMap((r) => r.keys))].filter((k) => !this.keyOwner.has(k));
    if (!this.preloaded && !this.preloadRefused && (this.lookupFirst || (!this.probed && (await this.seenBefore(unknown))))) {
      await this.preload();
      unknown = unknown.filter((k) => !this.keyOwner.has(k));
    }
    this.probed = true;
    if (this.lookupFirst && !this.preloaded) {
      // Most keys of the last batch existed already (a file imported again): look them up
      // instead of claiming, so no customer numbers are reserved in vain.
      for (const [key, owner] of await ownersOf(unknown, this.keySharers)) dbOwner.set(key, owner);
    }
    const ownerBefore = (k: string) => this.keyOwner.get(k) ?? dbOwner.get(k);

    // 1. A first guess at who owns each remaining key: rows sharing keys share a customer,
    //    rows without a known key get a new number. Claiming the keys checks the guess.
    const tentative = new Map<string, string>(); // owner, or `~n` for the n-th new customer of the batch
    let newCount = 0;
    for (const row of rows) {
      const owners = new Set<string>();
      for (const k of row.keys) {
        const o = ownerBefore(k) ?? tentative.get(k);
        if (o !== undefined) owners.add(o);
      }
      // A row whose keys already point at two customers still claims its other keys (under a
      // number of its own), so that every key of the batch is checked before the final pass.
      let owner = owners.size === 1 ? first(owners) : undefined;
      for (const k of row.keys) {
        if (ownerBefore(k) !== undefined || tentative.has(k)) continue;
        owner ??= `~${++newCount}`;
        tentative.set(k, owner);
      }
    }
    const fresh = await reserveCustomerIds(newCount);
    const realId = (o: string) => (o.startsWith('~') ? fresh[Number(o.slice(1)) - 1]! : o);
    const claimedAt = new Date();
    const claims = [...tentative].map(([key, o]) => ({ _id: key, customerId: realId(o), createdAt: claimedAt }));
    const failed = await insertIgnoringDuplicates(ContactKey, claims);
    const claimed = new Map(claims.filter((c) => !failed.has(c._id)).map((c) => [c._id, c.customerId] as const));
    for (const [key, owner] of await ownersOf([...failed], this.keySharers)) dbOwner.set(key, owner);
    if (!this.lookupFirst && claims.length > 0) this.lookupFirst = failed.size / claims.length > 0.2;
    else if (this.lookupFirst && unknown.length > 0) this.lookupFirst = dbOwner.size / unknown.length > 0.2;

    // 2. What we know of the owners; keys whose customer does not exist (a crash between
    //    claim and write) are freed, as ownerOfKey in contacts.ts does.
    const batchKeys = new Set(rows.flatMap((r) => r.keys));
    const ownerIds = new Set<string>();
    for (const k of batchKeys) {
      const o = ownerBefore(k);
      if (o !== undefined) ownerIds.add(o);
      for (const sharer of this.keySharers.get(k) ?? []) ownerIds.add(sharer);
    }
    await this.remember([...ownerIds].filter((id) => !this.known.has(id)));
    // A key whose customer does not exist was claimed by a run that stopped before writing that
    // customer (killed between claim and write). Its number was reserved for these details, so
    // the row takes it over: the key is treated as this batch's own claim of a new customer with
    // that number. Freeing it instead would mean a conditional delete per key — a filter on more
    // than `_id`, which FerretDB answers by scanning every contact key, per key — and a fresh
    // number per row; after a kill that was minutes for a few hundred keys.
    const adopted = new Map<string, string>();
    for (const k of batchKeys) {
      const o = ownerBefore(k);
      if (o !== undefined && !this.known.has(o)) adopted.set(k, o);
    }
    for (const [key, owner] of adopted) {
      dbOwner.delete(key);
      this.keyOwner.delete(key);
      claimed.set(key, owner);
    }
    const existingOwner = ownerBefore;

    // 3. The final assignment, row by row in file order, now that every key's owner is known.
    const freshSet = new Set(fresh);
    const adoptedOwners = new Set(adopted.values());
    const used = new Set<string>();
    const pool = fresh.slice();
    const takeFresh = async (): Promise<string> => {
      for (let id = pool.shift(); id !== undefined; id = pool.shift()) if (!used.has(id)) return id;
      return (await reserveCustomerIds(1))[0]!;
    };
    const assigned = new Map<string, string>();
    const plans: Plan[] = [];
    // Names given in this batch (step 5 records them in `known`), for the shared-phone check.
    const batchNames = new Map<string, string>();
    const namesOf = (id: string): string[] => {
      const k = this.known.get(id);
      const name = batchNames.get(id) ?? k?.name;
      return [...(name ? [name] : []), ...(k?.aliases ?? [])];
    };
    /** Sharers added in this batch, `key` → customers: written to the keys before the customers (step 4). */
    const newSharers = new Map<string, string[]>();
    for (const row of rows) {
      const owners = new Set<string>();
      for (const k of row.keys) {
        const o = existingOwner(k) ?? assigned.get(k);
        if (o !== undefined) owners.add(o);
      }
      let sharedKeys: string[] | undefined;
      if (owners.size > 1) {
        // A phone its holder shares with the customer the row's other details name is that customer's too.
        const ownerOf = (k: string) => existingOwner(k) ?? assigned.get(k);
        const sharersOf = (k: string) => [...(this.keySharers.get(k) ?? []), ...(newSharers.get(k) ?? [])];
        const viaShare = [...owners].filter((o) =>
          row.keys.filter((k) => ownerOf(k) === o).every((k) => k.startsWith('phone:') && sharersOf(k).some((c) => owners.has(c))));
        if (owners.size - viaShare.length === 1) {
          sharedKeys = row.keys.filter((k) => viaShare.includes(ownerOf(k)!));
          for (const o of viaShare) owners.delete(o);
        }
      }
      if (owners.size > 1) {
        this.reject(row.line, conflictReason(row, existingOwner, assigned));
        continue;
      }
      let owner: string;
      let isNew = false;
      let sharing: { keys: string[]; holder: string } | undefined;
      if (owners.size === 1) {
        owner = first(owners);
        const share = sharedKeys ? undefined : this.sharedPhone(row, owner, (k) => existingOwner(k) ?? assigned.get(k), namesOf);
        if (share) {
          sharedKeys = share.keys;
          // A family member on the holder's phone: the customer who shares it already, or a new one.
          const sharers = [...new Set(share.keys.flatMap((k) => [...(this.keySharers.get(k) ?? []), ...(newSharers.get(k) ?? [])]))];
          const same = sharers.find((c) => (this.known.has(c) || batchNames.has(c)) && !differentPerson(row.name, namesOf(c)));
          // A sharer listed on the key but never written (a kill between the key and the customer) takes this row.
          const unwritten = sharers.find((c) => !this.known.has(c) && !used.has(c));
          if (same !== undefined) owner = same;
          else {
            owner = unwritten ?? (await takeFresh());
            used.add(owner);
            isNew = true;
            sharing = { keys: share.keys, holder: share.holder };
            for (const k of share.keys) newSharers.set(k, [...(newSharers.get(k) ?? []), owner]);
          }
        }
      } else {
        // A number an earlier run reserved for these details first, then one this batch claimed with.
        const candidates = row.keys.map((k) => claimed.get(k)).filter((o): o is string => o !== undefined && !used.has(o));
        const preferred = candidates.find((o) => adoptedOwners.has(o)) ?? candidates.find((o) => freshSet.has(o));
        owner = preferred ?? (await takeFresh());
        used.add(owner);
        isNew = true;
      }
      const status = this.known.get(owner)?.status;
      if (!isNew && !used.has(owner) && status !== 'active') {
        this.reject(row.line, `these details belong to ${owner}, which is ${status ?? 'missing'}`);
        continue;
      }
      for (const k of row.keys) if (existingOwner(k) === undefined && !assigned.has(k)) assigned.set(k, owner);
      if (row.name && namesOf(owner).length === 0) batchNames.set(owner, row.name);
      plans.push({ row, owner, outcome: isNew ? 'created' : 'pending', ...(sharedKeys ? { sharedKeys } : {}) });
      if (sharing) this.warnShared(row, sharing, owner, namesOf(sharing.holder)[0] ?? '');
    }

    // 4. Correct the claims of the first guess: move, drop or (for freed keys) claim again.
    const keyOps: Parameters<typeof ContactKey.bulkWrite>[0] = [];
    for (const [key, c] of claimed) {
      const f = assigned.get(key);
      if (f === undefined) keyOps.push({ deleteOne: { filter: { _id: key, customerId: c } } });
      else if (f !== c) keyOps.push({ updateOne: { filter: { _id: key, customerId: c }, update: { $set: { customerId: f } } } });
    }
    // Conditional on the claim's owner, so rare (a wrong first guess, a rejected row): each is a scan on FerretDB.
    for (let i = 0; i < keyOps.length; i += 50) await retryBusy(() => ContactKey.bulkWrite(keyOps.slice(i, i + 50), { ordered: false }));
    const reclaims = [...assigned].filter(([key]) => !claimed.has(key)).map(([key, customerId]) => ({ _id: key, customerId, createdAt: claimedAt }));
    if ((await insertIgnoringDuplicates(ContactKey, reclaims)).size > 0) {
      throw new ConflictError({ code: 'IMPORT_CONTACTS_CHANGED' });
    }
    // A new sharer is listed on the phone's key before its customer is written: a re-run after a
    // kill in between finds the number there and creates that customer (step 3), none twice.
    // Through the driver's collection: `sharedWith` is the agreed field (docs/database.md).
    const shareOps = [...newSharers].map(([key, ids]) => ({ updateOne: { filter: { _id: key }, update: { $addToSet: { sharedWith: { $each: ids } } } } }));
    for (let i = 0; i < shareOps.length; i += 50) await retryBusy(() => ContactKey.collection.bulkWrite(shareOps.slice(i, i + 50) as never[], { ordered: false }));
    for (const [key, ids] of newSharers) this.keySharers.set(key, [...new Set([...(this.keySharers.get(key) ?? []), ...ids])]);
    // Taken-over keys that keep their number: checked again once their customer exists (see write).
    const keptAdopted = [...adopted].filter(([key, owner]) => assigned.get(key) === owner).map(([key, owner]) => ({ key, owner }));

    // 5. Customer documents: new ones built from their rows, existing ones updated with what is new.
    const newDocs = new Map<string, NewCustomer>();
    const changes = new Map<string, CustomerChange>();
    const notes: NoteDoc[] = [];
    const noteIds = new Set<string>();
    for (const plan of plans) {
      const { row, owner } = plan;
      let known = this.known.get(owner);
      const created = plan.outcome === 'created' && !newDocs.has(owner);
      if (created) {
        newDocs.set(owner, this.newCustomer(owner));
        known = { tokens: SEP, status: 'active' };
        this.known.set(owner, known);
      } else if (plan.outcome === 'created') {
        plan.outcome = 'pending'; // a later row of a customer this batch creates
      }
      const doc = newDocs.get(owner);
      const change = doc ? undefined : (changes.get(owner) ?? { phones: [], emails: [], tags: [] });
      let changed = false;
      const addValue = (list: 'phones' | 'emails' | 'tags', t: string, value: string) => {
        if (has(known!, t)) return;
        add(known!, t);
        changed = true;
        if (doc) doc[list].push(value);
        else change![list].push(value);
      };
      if (row.name && !has(known!, token.name)) {
        add(known!, token.name);
        known!.name = row.name;
        changed = true;
        if (doc) doc.name = row.name;
        else change!.name = row.name;
      }
      for (const p of row.phones) addValue('phones', token.phone(p), p);
      for (const e of row.emails) addValue('emails', token.email(e), e);
      for (const t of row.tags) addValue('tags', token.tag(t), t);
      if (change && changed) changes.set(owner, change);
      if (plan.outcome === 'pending' && changed) plan.outcome = 'updated';
      if (row.note) {
        const id = noteId(owner, row.note);
        if (!noteIds.has(id.toHexString())) {
          noteIds.add(id.toHexString());
          notes.push({ _id: id, customerId: owner, kind: 'note', text: row.note, platform: 'import', staffId: staffIdOf(this.options.by), at: this.now });
          doc?.recentInteractionIds.push(id);
          plan.noteId = id;
        }
      }
    }
    // Later batches resolve these keys from memory, without waiting for this batch's writes.
    for (const plan of plans) for (const k of plan.row.keys) if (!plan.sharedKeys?.includes(k)) this.keyOwner.set(k, plan.owner);
    return { plans, newDocs, changes, notes, adopted: keptAdopted };
  }

  /** Stage 2: the batch's customers, updates and notes written, its rows counted. */
  private async write({ plans, newDocs, changes, notes, adopted }: Prepared): Promise<void> {
    if (newDocs.size) {
      const docs = [...newDocs.values()].map((d) => ({ ...d, nameKey: foldName(d.name) }));
      // Fresh numbers: a duplicate should only be this very insert, retried after "database is
      // locked". Anything else means another writer was handed the same number: stop, and count
      // nothing of this batch as new (the rows were not written as ours).
      for (const id of await insertIgnoringDuplicates(Customer, docs)) {
        const there = await Customer.findById(id, { createdBy: 1, createdAt: 1 }).lean();
        if (there?.createdBy !== this.options.by || there.createdAt?.getTime() !== this.now.getTime()) {
          throw new ConflictError({ code: 'IMPORT_CUSTOMER_NUMBER_TAKEN', params: { ref: id } });
        }
      }
      await this.confirmAdopted(adopted);
    }
    if (changes.size) await this.writeChanges(changes);
    // The name index (src/services/customer-names.ts): new customers, and names given to nameless ones.
    await this.names.add([...[...newDocs.values()], ...[...changes].filter(([, c]) => c.name).map(([id, c]) => ({ _id: id, name: c.name }))]);
    const oldNotes = await this.writeNotes(notes, new Set(newDocs.keys()));
    for (const plan of plans) {
      if (plan.outcome === 'pending') plan.outcome = plan.noteId && !oldNotes.has(plan.noteId.toHexString()) ? 'updated' : 'pending';
      if (plan.outcome === 'created') this.report.created++;
      else if (plan.outcome === 'updated') this.report.updated++;
      else this.report.unchanged++;
      this.report.rows++;
    }
    this.progress();
  }

  /**
   * Taken-over keys (see prepare, step 2) must still name the customer just written with their
   * number: until it existed, anyone repairing the dangling key (services/contacts.ts) could have
   * freed it and claimed it for someone else. One `_id` read per key (few: what a kill left).
   * If one moved, the customers this batch wrote for such keys are removed again and the import
   * stops, as for any other contact that changed under it.
   */
  private async confirmAdopted(adopted: { key: string; owner: string }[]): Promise<void> {
    if (adopted.length === 0) return;
    const now = await ownersOf(adopted.map((a) => a.key));
    const lost = new Set(adopted.filter((a) => now.get(a.key) !== a.owner).map((a) => a.owner));
    if (lost.size === 0) return;
    await retryBusy(() => Customer.bulkWrite([...lost].map((id) => ({ deleteOne: { filter: { _id: id } } }))));
    throw new ConflictError({ code: 'IMPORT_CONTACTS_CHANGED' });
  }

  /**
   * Writes the notes that are new; returns the hex ids of those that existed.
   * Notes of customers created in this batch cannot exist yet, and after a
   * preload every imported note is known; others are checked by `_id` first,
   * because on FerretDB one duplicate in a bulk insert makes it retry the
   * whole batch one document at a time.
   */
  private async writeNotes(notes: NoteDoc[], createdNow: Set<string>): Promise<Set<string>> {
    const existing = new Set<string>();
    const toCheck: NoteDoc[] = [];
    const toInsert: NoteDoc[] = [];
    for (const note of notes) {
      const hex = note._id.toHexString();
      if (this.notesWritten.has(hex)) existing.add(hex);
      else if (createdNow.has(note.customerId) || this.preloaded) toInsert.push(note);
      else toCheck.push(note);
    }
    await forEachLimit(toCheck, 8, async (note) => {
      if (await retryBusy(() => Interaction.exists({ _id: note._id }))) existing.add(note._id.toHexString());
      else toInsert.push(note);
    });
    for (const hex of await insertIgnoringDuplicates(Interaction, toInsert)) existing.add(hex);
    for (const note of toInsert) this.notesWritten.add(note._id.toHexString());
    // New customers were written with their note in `recentInteractionIds`; existing ones get it pushed.
    const pushes = toInsert
      .filter((n) => !createdNow.has(n.customerId) && !existing.has(n._id.toHexString()))
      .map((n) => ({ updateOne: { filter: { _id: n.customerId }, update: { $push: { recentInteractionIds: n._id } } } }));
    for (let i = 0; i < pushes.length; i += 50) await retryBusy(() => Customer.bulkWrite(pushes.slice(i, i + 50), { ordered: false }));
    return existing;
  }

  private newCustomer(id: string): NewCustomer {
    // Written with the driver's insertMany (no per-document hydration): these are the schema's defaults, set here.
    return {
      _id: id,
      name: '',
      phones: [],
      emails: [],
      tags: [],
      ...(this.options.ownerId ? { ownerId: this.options.ownerId } : {}),
      source: this.options.source ?? 'import',
      consent: { promotions: false },
      unreachable: [],
      totals: { orders: 0, revenue: {} },
      recentOrderIds: [],
      recentInteractionIds: [],
      identityIds: [],
      status: 'active',
      createdBy: this.options.by,
      createdAt: this.now,
      updatedAt: this.now,
    };
  }

  /**
   * Whether a row reaches `owner` only through phones and names someone else: family members share
   * phones (issue 12), so such a row is a second customer sharing the phone, not new details of
   * the holder. A row that also matches the holder's e-mail, or has no name, or a name the holder
   * could be written as (or one of their aliases), is the holder. Returns the shared phone keys.
   */
  private sharedPhone(
    row: ImportRow, owner: string, ownerOf: (key: string) => string | undefined, namesOf: (id: string) => string[],
  ): { keys: string[]; holder: string } | undefined {
    if (!row.name) return undefined;
    const keys = row.keys.filter((k) => ownerOf(k) === owner);
    if (keys.length === 0 || keys.some((k) => !k.startsWith('phone:'))) return undefined;
    if (!differentPerson(row.name, namesOf(owner))) return undefined;
    return { keys, holder: owner };
  }

  /** The report's warning for a row imported as a second customer on a shared phone. */
  private warnShared(row: ImportRow, sharing: { keys: string[]; holder: string }, customer: string, holderName: string): void {
    const phone = sharing.keys[0]!.replace(/^phone:/, '');
    const name = row.name ?? '';
    this.warn(row.line, [{
      row: row.line,
      field: 'phone',
      value: phone,
      reason: `already belongs to ${sharing.holder} ${holderName}; ${name} imported as ${customer} sharing the phone — check \`dupes\``,
      shared: { holder: sharing.holder, holderName, name, customer },
    }]);
    this.report.shared++;
  }

  /** Whether a sample of the first batch's keys exists already (a file imported before). */
  private async seenBefore(keys: string[]): Promise<boolean> {
    const step = Math.max(1, Math.floor(keys.length / 20));
    const sample = keys.filter((_, i) => i % step === 0).slice(0, 20);
    if (sample.length === 0) return false;
    return (await ownersOf(sample)).size / sample.length > 0.2;
  }

  /**
   * For a run that mostly meets data we have (a file imported again): one
   * streaming pass each over contact keys, customers and imported notes puts
   * them in memory, instead of one lookup per key and per note — on FerretDB
   * v1 a lookup costs a round trip of several milliseconds. Refused when the collections are too big
   * to hold ({@link MAX_REMEMBERED_KEYS}, {@link MAX_REMEMBERED_CUSTOMERS});
   * the run then looks things up batch by batch. What others change meanwhile
   * is still caught: an unknown key is claimed (a taken one is looked up), an
   * owner not in memory is read.
   */
  private async preload(): Promise<void> {
    const [keys, customers] = await Promise.all([ContactKey.estimatedDocumentCount(), Customer.estimatedDocumentCount()]);
    if (keys > MAX_REMEMBERED_KEYS / 2 || customers > MAX_REMEMBERED_CUSTOMERS / 2) {
      this.preloadRefused = true;
      return;
    }
    for await (const k of ContactKey.collection.find({}, { projection: { customerId: 1, sharedWith: 1 } }).batchSize(5000)) {
      this.keyOwner.set(k._id as unknown as string, k.customerId as string);
      if (Array.isArray(k.sharedWith) && k.sharedWith.length) this.keySharers.set(k._id as unknown as string, k.sharedWith as string[]);
    }
    for await (const c of Customer.find({}, KNOWN_PROJECTION).lean().cursor({ batchSize: 2000 })) this.known.set(c._id, knownOf(c));
    for await (const n of Interaction.find({ kind: 'note', platform: 'import' }, { _id: 1 }).lean().cursor({ batchSize: 5000 })) {
      this.notesWritten.add(String(n._id));
    }
    this.preloaded = true;
  }

  /**
   * Reads customers that existed before this run: one `_id` read each, a few at a time (an
   * `$in` over `_id` is not pushed down by FerretDB's SQLite backend: it would scan customers).
   */
  private async remember(ids: string[]): Promise<void> {
    await forEachLimit(ids, 8, async (id) => {
      const c = await retryBusy(() => Customer.findById(id, KNOWN_PROJECTION).lean());
      if (c) this.known.set(c._id, knownOf(c));
    });
  }

  /** Updates existing customers, one `_id` update each, in bulk writes of 50 (FerretDB hangs on 100 or more statements). */
  private async writeChanges(changes: Map<string, CustomerChange>): Promise<void> {
    const groups = new Map<string, { update: Record<string, unknown>; ids: string[]; added: Record<string, unknown> }>();
    for (const [id, c] of changes) {
      const addToSet: Record<string, unknown> = {};
      if (c.phones.length) addToSet.phones = { $each: c.phones };
      if (c.emails.length) addToSet.emails = { $each: c.emails };
      if (c.tags.length) addToSet.tags = { $each: c.tags };
      const update: Record<string, unknown> = {};
      if (Object.keys(addToSet).length) update.$addToSet = addToSet;
      // Only set when the customer has no name (the token check above): a stored name is never overwritten.
      if (c.name) update.$set = { name: c.name, nameKey: foldName(c.name) };
      const signature = JSON.stringify(update);
      const group = groups.get(signature) ?? { update, ids: [], added: { phones: c.phones, emails: c.emails, tags: c.tags, ...(c.name ? { name: true } : {}) } };
      group.ids.push(id);
      groups.set(signature, group);
    }
    const ops: Parameters<typeof Customer.bulkWrite>[0] = [...groups.values()].flatMap((g) =>
      g.ids.map((id) => ({ updateOne: { filter: { _id: id }, update: g.update } })),
    );
    for (let i = 0; i < ops.length; i += 50) await retryBusy(() => Customer.bulkWrite(ops.slice(i, i + 50), { ordered: false }));
    const events = [...groups.values()].flatMap((g) =>
      g.ids.map((id) => ({ actor: this.options.by, action: 'customer.update', target: `customer:${id}`, data: { added: g.added, via: 'import' }, at: this.now })),
    );
    await retryBusy(() => AuditEvent.insertMany(events, { lean: true }));
  }
}

interface NoteDoc {
  _id: mongoose.Types.ObjectId;
  customerId: string;
  kind: 'note';
  text: string;
  platform: string;
  staffId?: string;
  at: Date;
}

interface NewCustomer {
  _id: string;
  name: string;
  phones: string[];
  emails: string[];
  tags: string[];
  ownerId?: string;
  source: string;
  consent: { promotions: boolean };
  unreachable: string[];
  totals: { orders: number; revenue: Record<string, number> };
  recentOrderIds: string[];
  recentInteractionIds: mongoose.Types.ObjectId[];
  identityIds: string[];
  status: 'active';
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Owners of existing contact keys, by `_id` lookups (a few at a time); the customers sharing a
 * key (`sharedWith`) go into `sharers` when given.
 */
async function ownersOf(keys: string[], sharers?: Map<string, string[]>): Promise<Map<string, string>> {
  const owners = new Map<string, string>();
  await forEachLimit(keys, 8, async (key) => {
    const doc = await retryBusy(() => ContactKey.collection.findOne({ _id: key as never }, { projection: { customerId: 1, sharedWith: 1 } }));
    if (!doc) return;
    owners.set(key, doc.customerId as string);
    if (sharers && Array.isArray(doc.sharedWith) && doc.sharedWith.length) sharers.set(key, doc.sharedWith as string[]);
  });
  return owners;
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function first<T>(set: Set<T>): T {
  return set.values().next().value as T;
}

function conflictReason(row: ImportRow, existingOwner: (k: string) => string | undefined, assigned: Map<string, string>): string {
  const parts = row.keys.map((k) => ({ key: k, owner: existingOwner(k) ?? assigned.get(k) })).filter((p) => p.owner !== undefined);
  const refs = [...new Set(parts.map((p) => p.owner!))];
  const details = parts.map((p) => `${p.key.replace(/^\w+:/, '')} → ${p.owner!}`).join(', ');
  return `details belong to different customers (${details}); merge them first: merge ${refs.join(' ')}`;
}

/** A note's `_id`: the same text on the same customer is the same note, so re-importing adds nothing. */
export function noteId(customerId: string, text: string): mongoose.Types.ObjectId {
  const hex = createHash('sha256').update(`import-note\n${customerId}\n${text}`).digest('hex').slice(0, 24);
  return new mongoose.Types.ObjectId(hex);
}

/** Reserves `n` consecutive customer ids (`C…`) with one `$inc` of the shared counter (src/db/writes.ts). */
export async function reserveCustomerIds(n: number): Promise<string[]> {
  return (await reserveNumbers('customer', n)).map(customerIdFor);
}

/**
 * Unordered bulk insert (the driver's: these documents are built complete here)
 * that tolerates duplicate `_id`s: returns the ids (as strings) that already
 * existed; any other error is thrown.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function insertIgnoringDuplicates(model: mongoose.Model<any>, docs: { _id: unknown }[]): Promise<Set<string>> {
  const { duplicates } = await insertUnique(model, docs);
  return new Set(duplicates.map((d) => String(d._id)));
}
