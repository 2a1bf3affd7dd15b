/**
 * Reading one imported row: which column holds what (recognised by header,
 * in English or Vietnamese, or named explicitly), and turning a row's cells
 * into normalised contact details — or a reason to reject the row. Pure
 * functions; the import service (./customers.ts) does the streaming and writing.
 *
 * Headers are compared folded (case, spacing, punctuation and diacritics
 * ignored), so "Số điện thoại", "so dien thoai" and "SỐ ĐIỆN THOẠI" are one
 * header. Several columns may feed one field (e.g. "Phone" and "Mobile").
 * Columns no field takes are listed by {@link ignoredColumns}, for the report.
 *
 * A row is rejected only when nothing usable is left, i.e. it has no valid phone
 * or e-mail (what recognises the customer on the next import). Any other bad
 * value is left out (a too long one shortened) and reported as a warning, and
 * the rest of the row is imported. "Address" and "birthday"
 * columns have no field on the customer: they are kept in the imported note,
 * one line each under their header ("Địa chỉ: 12 Lê Lợi, Q1").
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

export const IMPORT_FIELDS = ['name', 'phone', 'email', 'tags', 'notes', 'orders', 'address', 'birthday'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

/** An explicit mapping from field to the header of the column that holds it. */
export type ColumnMapping = Partial<Record<ImportField, string>>;

/** Column indexes per field (several columns may feed one field). */
export type Columns = Record<ImportField, number[]>;

/** Folded header forms each field is recognised by. */
const SYNONYMS: Record<ImportField, readonly string[]> = {
  name: [
    'name', 'full name', 'fullname', 'customer', 'customer name', 'client', 'contact name',
    'ho ten', 'ho va ten', 'ten', 'khach', 'khach hang', 'ten khach', 'ten khach hang', 'ten kh', 'ho ten khach', 'ho ten khach hang',
  ],
  phone: [
    'phone', 'phones', 'phone number', 'phone numbers', 'mobile', 'mobile phone', 'cell', 'tel', 'telephone',
    'dien thoai', 'so dien thoai', 'sdt', 'so dt', 'dt', 'di dong', 'so di dong', 'dien thoai di dong', 'sdt di dong', 'zalo', 'sdt zalo', 'so zalo',
  ],
  email: ['email', 'emails', 'e mail', 'e mails', 'email address', 'mail', 'thu dien tu', 'dia chi email'],
  tags: ['tags', 'tag', 'labels', 'label', 'group', 'groups', 'category', 'nhan', 'nhom', 'nhom khach', 'nhom khach hang', 'phan loai', 'loai khach', 'loai khach hang'],
  notes: ['notes', 'note', 'comment', 'comments', 'ghi chu'],
  orders: ['orders', 'order', 'order count', 'orders count', 'number of orders', 'don hang', 'so don hang', 'so don'],
  address: ['address', 'shipping address', 'dia chi', 'dia chi giao hang', 'dia chi nhan hang'],
  birthday: ['birthday', 'birth date', 'date of birth', 'dob', 'ngay sinh', 'sinh nhat'],
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
  address: 'address',
  birthday: 'birthday',
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

/**
 * Headers of the columns no field reads (a second name column included): their values are
 * not imported, and the report says so. Columns without a header are left out.
 *
 * @example
 *   ignoredColumns(['Họ tên', 'SĐT', 'Giới tính'], resolveColumns(['Họ tên', 'SĐT', 'Giới tính'])) // → ['Giới tính']
 */
export function ignoredColumns(headers: readonly string[], columns: Columns): string[] {
  const used = new Set(IMPORT_FIELDS.flatMap((f) => columns[f]));
  return headers.filter((h, i) => !used.has(i) && h.trim() !== '');
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
  /** The note to store: the notes cell, then address and birthday under their headers, then the orders cell. */
  note?: string;
  /** Contact keys of the phones and e-mails. */
  keys: string[];
}

/** A value left out or shortened in a row that was imported. */
export interface ImportWarning {
  /** Line in the file where the row starts (the header is line 1). */
  row: number;
  field: ImportField;
  /** The value as it was in the file, shortened to {@link SHOWN_CHARS} characters for the report. */
  value: string;
  reason: string;
  /**
   * Set when the row was imported as a second customer on a phone another customer holds
   * (a different name: family members share phones). Lets the chat word it in the reader's language.
   */
  shared?: SharedPhone;
}

/** A row imported as a second customer sharing a phone: who held it, and who the row became. */
export interface SharedPhone {
  /** The customer holding the phone's contact key (`C1`) and their name. */
  holder: string;
  holderName: string;
  /** The row's name and the customer it became (`C57`). */
  name: string;
  customer: string;
}

/**
 * A warning as one line of a report.
 *
 * @example
 *   warningLine({ row: 7, field: 'email', value: 'dung@@shop', reason: 'not a valid e-mail address; left out' })
 *   // → 'row 7, email "dung@@shop": not a valid e-mail address; left out'
 */
export function warningLine(w: ImportWarning): string {
  return `row ${w.row}, ${w.field} "${w.value}": ${w.reason}`;
}

export type RowResult =
  | { ok: true; row: ImportRow; warnings?: ImportWarning[] }
  /** `field` and `value` name the invalid value that left the row with nothing to recognise it by, if one did. */
  | { ok: false; reason: string; field?: ImportField; value?: string }
  | { ok: 'blank' };

export const ROW_LIMITS = { name: 120, phones: 5, emails: 5, tags: 20, note: 2000 } as const;

/** Longest value shown in a report (warnings, rejections); longer ones end in "…". */
export const SHOWN_CHARS = 40;

/** A value as a report shows it: at most {@link SHOWN_CHARS} characters. */
export function shown(value: string): string {
  return value.length > SHOWN_CHARS ? `${value.slice(0, SHOWN_CHARS - 1)}…` : value;
}

/** What a note line is called when the column has no header. */
const NOTE_LABELS = { address: 'Địa chỉ', birthday: 'Ngày sinh' } as const;

const cellsOf = (cells: readonly string[], indexes: number[]) => indexes.map((i) => (cells[i] ?? '').trim()).filter(Boolean);

/**
 * Validates and normalises one row. A row needs a valid phone or e-mail: it is what
 * recognises the customer when the same file is imported again. Anything else wrong
 * (another phone or e-mail that is not valid, a tag, too many values, too long a text)
 * is left out or shortened, and reported as a warning. `headers` label the address and
 * birthday lines of the note.
 *
 * @example
 *   readRow(['Anna', '0912 345 678; +84 987 654 321', ''], columns, 7, 'VN') // two phones
 *   readRow(['Cường', '0912 345 678', 'cuong@@mail'], columns, 8, 'VN')
 *   // → { ok: true, row: { phones: ['+84912345678'], emails: [], … },
 *   //     warnings: [{ row: 8, field: 'email', value: 'cuong@@mail', reason: 'not a valid e-mail address; left out' }] }
 */
export function readRow(cells: readonly string[], columns: Columns, line: number, region: string, headers: readonly string[] = []): RowResult {
  if (cells.every((c) => c.trim() === '')) return { ok: 'blank' };
  const warnings: ImportWarning[] = [];
  const warn = (field: ImportField, value: string, reason: string) => warnings.push({ row: line, field, value: shown(value), reason });
  for (const field of IMPORT_FIELDS) {
    for (const cell of cellsOf(cells, columns[field])) {
      if (cell.includes('\uFFFD')) warn(field, cell, 'has characters that could not be read (the file is not all in one encoding)');
    }
  }

  let name = cellsOf(cells, columns.name)[0]?.replace(/\s+/g, ' ');
  if (name && name.length > ROW_LIMITS.name) {
    warn('name', name, `longer than ${ROW_LIMITS.name} characters; shortened`);
    name = name.slice(0, ROW_LIMITS.name).trim();
  }

  // Invalid phones and e-mails: warnings when the row has a valid one, else the reason it is rejected.
  const invalid: { field: ImportField; value: string; reason: string; warning: string }[] = [];
  const phones: string[] = [];
  for (const cell of cellsOf(cells, columns.phone)) {
    for (const part of cell.split(/[,;/|\n]+/).map((p) => p.trim()).filter(Boolean)) {
      const phone = normalisePhone(part, region);
      if (!phone) invalid.push({ field: 'phone', value: part, reason: `invalid phone "${shown(part)}"`, warning: 'not a valid phone number; left out' });
      else if (!phones.includes(phone)) phones.push(phone);
    }
  }
  const emails: string[] = [];
  for (const cell of cellsOf(cells, columns.email)) {
    for (const part of cell.split(/[,;\s]+/).map((p) => p.trim()).filter(Boolean)) {
      const email = normaliseEmail(part.replace(/^mailto:/i, ''));
      if (!email) invalid.push({ field: 'email', value: part, reason: `invalid e-mail "${shown(part)}"`, warning: 'not a valid e-mail address; left out' });
      else if (!emails.includes(email)) emails.push(email);
    }
  }
  if (phones.length === 0 && emails.length === 0) {
    const [first] = invalid;
    if (!first) return { ok: false, reason: 'no phone or e-mail (one is needed to recognise the customer)' };
    return { ok: false, reason: invalid.map((i) => i.reason).join('; '), field: first.field, value: shown(first.value) };
  }
  for (const i of invalid) warn(i.field, i.value, i.warning);
  if (phones.length > ROW_LIMITS.phones) {
    warn('phone', phones.slice(ROW_LIMITS.phones).join(', '), `more than ${ROW_LIMITS.phones} phone numbers; these left out`);
    phones.length = ROW_LIMITS.phones;
  }
  if (emails.length > ROW_LIMITS.emails) {
    warn('email', emails.slice(ROW_LIMITS.emails).join(', '), `more than ${ROW_LIMITS.emails} e-mails; these left out`);
    emails.length = ROW_LIMITS.emails;
  }

  const tags: string[] = [];
  for (const cell of cellsOf(cells, columns.tags)) {
    // Tags are separated by , ; # | or new lines; spaces inside one become '-' ("khách quen" → khach-quen).
    for (const part of cell.split(/[,;#|\n]+/).map((p) => p.trim()).filter(Boolean)) {
      const tag = normaliseTag(part);
      if (!tag) warn('tags', part, 'not a valid tag (letters, digits, - and _); left out');
      else if (!tags.includes(tag)) tags.push(tag);
    }
  }
  if (tags.length > ROW_LIMITS.tags) {
    warn('tags', tags.slice(ROW_LIMITS.tags).join(', '), `more than ${ROW_LIMITS.tags} tags; these left out`);
    tags.length = ROW_LIMITS.tags;
  }

  const notes = cellsOf(cells, columns.notes).join('\n');
  // Address and birthday have no field on the customer: kept in the note, under their header.
  const kept = (['address', 'birthday'] as const).flatMap((field) =>
    columns[field]
      .map((i) => ({ label: headers[i]?.trim() || NOTE_LABELS[field], value: (cells[i] ?? '').trim() }))
      .filter((c) => c.value)
      .map((c) => `${c.label}: ${c.value}`),
  );
  const orders = cellsOf(cells, columns.orders).join(', ');
  // Orders are kept as a note: a bare count or amount has no dates, items or currency, and as
  // Order documents it would distort running totals and segments.
  let note = [notes, ...kept, orders ? `Orders before import: ${orders}` : ''].filter(Boolean).join('\n');
  if (note.length > ROW_LIMITS.note) {
    warn('notes', note, `longer than ${ROW_LIMITS.note} characters; shortened`);
    note = note.slice(0, ROW_LIMITS.note);
  }

  const keys = [...phones.map((p) => contactKey('phone', p)), ...emails.map((e) => contactKey('email', e))];
  const row: ImportRow = { line, phones, emails, tags, keys };
  if (name) row.name = name;
  if (note) row.note = note;
  return warnings.length ? { ok: true, row, warnings } : { ok: true, row };
}
