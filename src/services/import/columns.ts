/**
 * Reading one imported row: which column holds what (recognised by header,
 * in English or Vietnamese, or named explicitly), and turning a row's cells
 * into normalised contact details — or a reason to reject the row. Pure
 * functions; the import service (./import.ts) does the streaming and writing.
 *
 * Headers are compared folded (case, spacing, punctuation and diacritics
 * ignored), so "Số điện thoại", "so dien thoai" and "SỐ ĐIỆN THOẠI" are one
 * header. Several columns may feed one field (e.g. "Phone" and "Mobile").
 *
 * @example
 *   const columns = resolveColumns(['Họ tên', 'SĐT', 'E-mail'], {});
 *   readRow(['Trần Thị Bích', '0987 654 321', 'Bich@Shop.VN'], columns, 2, 'VN')
 *   // → { ok: true, row: { line: 2, name: 'Trần Thị Bích', phones: ['+84987654321'], emails: ['bich@shop.vn'], … } }
 */
import { contactKey } from '../../../models/contact-key.js';
import { normaliseEmail } from '../../values/email.js';
import { foldName, normaliseTag } from '../../values/names.js';
import { normalisePhone } from '../../values/phone.js';
import { ValidationError } from '../../errors.js';

export const IMPORT_FIELDS = ['name', 'phone', 'email', 'tags', 'notes', 'orders'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** An explicit mapping from field to the header of the column that holds it. */
export type ColumnMapping = Partial<Record<ImportField, string>>;

/** Column indexes per field (several columns may feed one field). */
export type Columns = Record<ImportField, number[]>;

/** Folded header forms each field is recognised by. */
const SYNONYMS: Record<ImportField, readonly string[]> = {
  name: ['name', 'full name', 'fullname', 'customer', 'customer name', 'client', 'contact name', 'ho ten', 'ho va ten', 'ten', 'khach hang', 'ten khach hang', 'ten kh'],
  phone: ['phone', 'phones', 'phone number', 'phone numbers', 'mobile', 'mobile phone', 'cell', 'tel', 'telephone', 'dien thoai', 'so dien thoai', 'sdt', 'so dt', 'dt', 'di dong'],
  email: ['email', 'emails', 'e mail', 'e mails', 'email address', 'mail', 'thu dien tu', 'dia chi email'],
  tags: ['tags', 'tag', 'labels', 'label', 'nhan'],
  notes: ['notes', 'note', 'comment', 'comments', 'ghi chu'],
  orders: ['orders', 'order', 'order count', 'orders count', 'number of orders', 'don hang', 'so don hang', 'so don'],
};

/** Field names accepted on the left of a mapping (`phone=Tel`), singular or plural. */
const FIELD_ALIASES: Record<string, ImportField> = {
  name: 'name',
  phone: 'phone',
  phones: 'phone',
  email: 'email',
  emails: 'email',
  tag: 'tags',
  tags: 'tags',
  note: 'notes',
  notes: 'notes',
  order: 'orders',
  orders: 'orders',
};

/** A header folded for comparison: "Số điện thoại" → "so dien thoai", "E-mail" → "e mail". */
export function headerKey(header: string): string {
  return foldName(header)
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/**
 * Parses a mapping as typed on the CLI or in chat: `phone=Tel,name="Họ tên"`.
 * Values may be quoted (needed only when they contain a comma).
 *
 * @throws ValidationError for an unknown field or a malformed pair
 */
export function parseMapping(text: string): ColumnMapping {
  const mapping: ColumnMapping = {};
  const re = /\s*([^=,\s]+)\s*=\s*(?:"([^"]*)"|“([^”]*)”|([^,]*))\s*(?:,|$)/gy;
  const source = text.trim();
  let consumed = 0;
  for (let m = re.exec(source); m && m[0] !== ''; m = re.exec(source)) {
    const field = FIELD_ALIASES[m[1]!.toLowerCase()];
    if (!field) throw new ValidationError('map', { code: 'IMPORT_MAP_UNKNOWN_FIELD', params: { field: m[1]!, fields: IMPORT_FIELDS } });
    const column = (m[2] ?? m[3] ?? m[4] ?? '').trim();
    if (!column) throw new ValidationError('map', { code: 'IMPORT_MAP_NO_COLUMN', params: { field } });
    mapping[field] = column;
    consumed = re.lastIndex;
  }
  if (consumed !== source.length) throw new ValidationError('map', { code: 'IMPORT_MAP_UNREADABLE', params: { text: source } });
  return mapping;
}

/**
 * Which columns hold which field. Explicit mappings win over recognised
 * headers; a mapped header that is not in the file is an error.
 *
 * @throws ValidationError when a mapped column is missing, or no column holds a phone or an e-mail
 */
export function resolveColumns(headers: readonly string[], mapping: ColumnMapping = {}): Columns {
  const keys = headers.map(headerKey);
  const columns = Object.fromEntries(IMPORT_FIELDS.map((f) => [f, [] as number[]])) as Columns;
  const mappedIndexes = new Set<number>();
  for (const field of IMPORT_FIELDS) {
    const wanted = mapping[field];
    if (wanted === undefined) continue;
    const index = keys.indexOf(headerKey(wanted));
    if (index < 0) {
      throw new ValidationError('map', { code: 'IMPORT_COLUMN_MISSING', params: { column: wanted, columns: headers } });
    }
    columns[field] = [index];
    mappedIndexes.add(index);
  }
  keys.forEach((key, index) => {
    if (mappedIndexes.has(index)) return;
    for (const field of IMPORT_FIELDS) {
      if (mapping[field] === undefined && SYNONYMS[field].includes(key)) columns[field].push(index);
    }
  });
  // One name column: the first one recognised.
  columns.name = columns.name.slice(0, 1);
  if (columns.phone.length === 0 && columns.email.length === 0) {
    throw new ValidationError('columns', { code: 'IMPORT_NO_CONTACT_COLUMN', params: { columns: headers } });
  }
  return columns;
}

/** The headers feeding each field, for the report. */
export function describeColumns(headers: readonly string[], columns: Columns): Partial<Record<ImportField, string[]>> {
  const out: Partial<Record<ImportField, string[]>> = {};
  for (const field of IMPORT_FIELDS) {
    if (columns[field].length) out[field] = columns[field].map((i) => headers[i] ?? `#${i + 1}`);
  }
  return out;
}

/** One valid row, normalised. */
export interface ImportRow {
  /** Line in the file where the row starts (the header is line 1). */
  line: number;
  name?: string;
  phones: string[];
  emails: string[];
  tags: string[];
  /** The note to store (the notes cell, plus the orders cell when present). */
  note?: string;
  /** Contact keys of the phones and e-mails. */
  keys: string[];
}

export type RowResult = { ok: true; row: ImportRow } | { ok: false; reason: string } | { ok: 'blank' };

export const ROW_LIMITS = { name: 120, phones: 5, emails: 5, tags: 20, note: 2000 } as const;

const cellsOf = (cells: readonly string[], indexes: number[]) => indexes.map((i) => (cells[i] ?? '').trim()).filter(Boolean);

/**
 * Validates and normalises one row. A row needs a phone or an e-mail: it is
 * what recognises the customer when the same file is imported again.
 *
 * @example
 *   readRow(['Anna', '0912 345 678; +84 987 654 321', ''], columns, 7, 'VN') // two phones
 */
export function readRow(cells: readonly string[], columns: Columns, line: number, region: string): RowResult {
  if (cells.every((c) => c.trim() === '')) return { ok: 'blank' };
  const name = cellsOf(cells, columns.name)[0]?.replace(/\s+/g, ' ');
  if (name && name.length > ROW_LIMITS.name) return { ok: false, reason: `name is longer than ${ROW_LIMITS.name} characters` };

  const phones: string[] = [];
  for (const cell of cellsOf(cells, columns.phone)) {
    for (const part of cell.split(/[,;/|\n]+/).map((p) => p.trim()).filter(Boolean)) {
      const phone = normalisePhone(part, region);
      if (!phone) return { ok: false, reason: `invalid phone "${part}"` };
      if (!phones.includes(phone)) phones.push(phone);
    }
  }
  const emails: string[] = [];
  for (const cell of cellsOf(cells, columns.email)) {
    for (const part of cell.split(/[,;\s]+/).map((p) => p.trim()).filter(Boolean)) {
      const email = normaliseEmail(part.replace(/^mailto:/i, ''));
      if (!email) return { ok: false, reason: `invalid e-mail "${part}"` };
      if (!emails.includes(email)) emails.push(email);
    }
  }
  if (phones.length === 0 && emails.length === 0) return { ok: false, reason: 'no phone or e-mail (one is needed to recognise the customer)' };
  if (phones.length > ROW_LIMITS.phones) return { ok: false, reason: `more than ${ROW_LIMITS.phones} phone numbers` };
  if (emails.length > ROW_LIMITS.emails) return { ok: false, reason: `more than ${ROW_LIMITS.emails} e-mails` };

  const tags: string[] = [];
  for (const cell of cellsOf(cells, columns.tags)) {
    // Tags are separated by , ; # | or new lines; spaces inside one become '-' ("khách quen" → khach-quen).
    for (const part of cell.split(/[,;#|\n]+/).map((p) => p.trim()).filter(Boolean)) {
      const tag = normaliseTag(part);
      if (!tag) return { ok: false, reason: `invalid tag "${part}" (letters, digits, - and _)` };
      if (!tags.includes(tag)) tags.push(tag);
    }
  }
  if (tags.length > ROW_LIMITS.tags) return { ok: false, reason: `more than ${ROW_LIMITS.tags} tags` };

  const notes = cellsOf(cells, columns.notes).join('\n');
  const orders = cellsOf(cells, columns.orders).join(', ');
  // Orders are kept as a note: a bare count or amount has no dates, items or currency, and as
  // Order documents it would distort running totals and segments.
  const note = [notes, orders ? `Orders before import: ${orders}` : ''].filter(Boolean).join('\n');
  if (note.length > ROW_LIMITS.note) return { ok: false, reason: `notes are longer than ${ROW_LIMITS.note} characters` };

  const keys = [...phones.map((p) => contactKey('phone', p)), ...emails.map((e) => contactKey('email', e))];
  const row: ImportRow = { line, phones, emails, tags, keys };
  if (name) row.name = name;
  if (note) row.note = note;
  return { ok: true, row };
}
