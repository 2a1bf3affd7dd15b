/**
 * Coded errors: every case has its own code, its catalogue key has a text, services raise codes
 * (never sentences), and rendering a case through the catalogue gives the words users read.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { messagesFor, type Messages } from '../../src/core/messages.js';
import { IndexCreationError } from '../../src/db/connect.js';
import { DataFolderInUseError } from '../../src/db/data-lock.js';
import { DatabaseUnavailableError, SharedDatabaseRequiredError } from '../../src/db/server.js';
import {
  AppError,
  asAppError,
  ConflictError,
  errorCases,
  errorCodes,
  ForbiddenError,
  InternalError,
  NotFoundError,
  ValidationError,
  type ErrorCode,
} from '../../src/errors.js';
import { RecomputeBusyError } from '../../src/services/segments/segments.js';
import { WHEN_EXAMPLES } from '../../src/values/when.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const en = messagesFor('en');
const cases = Object.entries(errorCases) as [ErrorCode, (typeof errorCases)[ErrorCode]][];

/** The operators' errors of src/db, one of each. */
const databaseErrors = [
  new DatabaseUnavailableError([{ step: 'mongod', reason: 'not installed' }]),
  new SharedDatabaseRequiredError('web'),
  new DataFolderInUseError('/data', '/data/.lock', undefined, 'Stop it first.'),
  new IndexCreationError([{ model: 'Customer', collection: 'customers', fields: { nameKey: 1 }, options: {}, error: 'boom' }]),
];

describe('error codes', () => {
  it('are unique across families, cases and database errors', () => {
    const all = [...errorCodes, ...cases.map(([code]) => code), ...databaseErrors.map((e) => e.code)];
    expect(all.length).toBeGreaterThan(60);
    expect(all.filter((code, i) => all.indexOf(code) !== i)).toEqual([]);
  });

  it('are upper-case words: stable identifiers, not sentences', () => {
    for (const [code] of cases) expect(code).toMatch(/^[A-Z]+(_[A-Z]+)*$/);
  });

  it('give every case its own catalogue key, and every key an English text', () => {
    const keys = cases.map(([, c]) => c.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(typeof en.errors[key]).toBe('function');
    expect(Object.keys(en.errors).sort()).toEqual([...keys].sort());
  });

  it('belong to a user-facing family whose class carries them', () => {
    const classOf = { VALIDATION: ValidationError, NOT_FOUND: NotFoundError, FORBIDDEN: ForbiddenError, CONFLICT: ConflictError };
    for (const [, c] of cases) expect(Object.keys(classOf)).toContain(c.family);
    expect(new ValidationError('status', { code: 'ORDER_STATUS_UNKNOWN', params: { statuses: ['new'] } }).code).toBe('ORDER_STATUS_UNKNOWN');
    expect(new NotFoundError({ code: 'ORDER_NOT_FOUND', params: { ref: 'O7' } }).code).toBe('ORDER_NOT_FOUND');
    expect(new ForbiddenError({ code: 'INVITE_OWNER_FORBIDDEN' }).code).toBe('INVITE_OWNER_FORBIDDEN');
    expect(new ConflictError({ code: 'ALREADY_STAFF' }).code).toBe('ALREADY_STAFF');
  });

  it('keep the family code for words a command rendered itself', () => {
    const typed = new ValidationError('amount', '"abc" is not an amount. Try 350k, 350000, 19.99 EUR.');
    expect(typed.code).toBe('VALIDATION');
    expect(typed.key).toBeUndefined();
    expect(typed.reasonIn(en.errors)).toBe('"abc" is not an amount. Try 350k, 350000, 19.99 EUR.');
    expect(new ForbiddenError('stats').code).toBe('FORBIDDEN');
    expect(new ConflictError('Already done.').textIn(en.errors)).toBe('Already done.');
  });
});

describe('rendering a case', () => {
  /** What the core shows for a validation error raised inside a command, minus the usage line. */
  const reason = (err: ValidationError, msg: Messages = en) => err.reasonIn(msg.errors);

  it('gives today’s English texts', () => {
    expect(reason(new ValidationError('status', { code: 'ORDER_STATUS_NOT_ALLOWED', params: { ref: 'O7', from: 'paid', next: ['shipped', 'cancelled'] } }))).toBe(
      'O7 is paid; it can go to shipped, cancelled',
    );
    expect(reason(new ValidationError('status', { code: 'ORDER_STATUS_NOT_ALLOWED', params: { ref: 'O7', from: 'done', next: [] } }))).toBe(
      'O7 is done; it can go to no other status',
    );
    expect(reason(new ValidationError('name', { code: 'LEAD_NEEDS_IDENTIFIER' }))).toBe('give at least a name, a phone number or an e-mail');
    expect(reason(new ValidationError('tag', { code: 'TAG_INVALID', params: { tag: '#a b' } }))).toBe('"#a b" is not a valid tag (letters, digits, - and _)');
    expect(reason(new ValidationError('customer', { code: 'CUSTOMER_ERASED' }))).toBe('this customer’s data was erased; orders cannot be added');
    expect(reason(new ValidationError('when', { code: 'WHEN_UNREADABLE', params: { text: 'someday', examples: WHEN_EXAMPLES } }))).toBe(
      'I can\'t read "someday" as a time. Try "in 3 days", "in 2 hours", "tomorrow 10:00", "fri 9am", "monday", "today 17:00", "2026-12-01 14:30"',
    );
    expect(reason(new ValidationError('text', { code: 'PROMO_TEXT_TOO_LONG', params: { max: 3500 } }))).toBe('keep each text under 3,500 characters');
    expect(new ConflictError({ code: 'CUSTOMER_DETAILS_CONFLICT', params: { refs: ['C3', 'C9'] } }).textIn(en.errors)).toBe(
      'These details belong to different customers (C3, C9). Merge them first: merge C3 C9',
    );
    const candidates = [1, 2, 3, 4, 5].map((n) => ({ ref: `C${n}`, name: 'Anna' }));
    expect(new ConflictError({ code: 'CUSTOMER_AMBIGUOUS', params: { ref: 'Anna', total: 7, candidates } }).textIn(en.errors)).toBe(
      '"Anna" matches 7 customers: C1 Anna, C2 Anna, C3 Anna, C4 Anna, C5 Anna, …. Use the number, e.g. C1.',
    );
    expect(new ConflictError({ code: 'CUSTOMER_AMBIGUOUS', params: { ref: 'Anna', total: 2, candidates: candidates.slice(0, 2) } }).textIn(en.errors)).toBe(
      '"Anna" matches 2 customers: C1 Anna, C2 Anna. Use the number, e.g. C1.',
    );
    expect(new NotFoundError({ code: 'ORDER_NOT_FOUND', params: { ref: 'O7' } }).textIn(en.errors)).toBe('No order matches "O7".');
    expect(new ForbiddenError({ code: 'INVITE_OWNER_FORBIDDEN' }).textIn(en.errors)).toBe('Sorry, your role cannot use "invite an owner".');
    expect(new RecomputeBusyError().textIn(en.errors)).toBe('Segments are being recomputed right now.');
  });

  it('keeps an English message, field first for validation errors (logs, scripts, tests)', () => {
    const err = new ValidationError('tag', { code: 'TAG_INVALID', params: { tag: '#a b' } });
    expect(err.message).toBe('tag: "#a b" is not a valid tag (letters, digits, - and _)');
    expect(err.textIn(en.errors)).toBe(err.message);
    expect(new ConflictError({ code: 'ALREADY_STAFF' }).message).toBe('You are already staff.');
  });

  it('uses the reader’s catalogue, not English, when it has the text', () => {
    const vi: Messages = { ...en, errors: { ...en.errors, tagInvalid: (p: { tag: string }) => `"${p.tag}" không phải là nhãn hợp lệ` } };
    const err = new ValidationError('tag', { code: 'TAG_INVALID', params: { tag: '#a b' } });
    expect(reason(err, vi)).toBe('"#a b" không phải là nhãn hợp lệ');
    expect(reason(err)).toBe('"#a b" is not a valid tag (letters, digits, - and _)');
  });

  it('survives being re-raised with its field and reason (as the core adds the usage line)', () => {
    const inner = new ValidationError('status', { code: 'ORDER_STATUS_UNKNOWN', params: { statuses: ['new', 'paid'] } });
    const again = new ValidationError(inner.field, inner.reason);
    expect(again.code).toBe('ORDER_STATUS_UNKNOWN');
    expect(again.key).toBe('orderStatusUnknown');
    expect(again.reasonIn(en.errors)).toBe('must be one of new, paid');
  });

  it('names the command a non-staff person tried, so the core can say "staff only"', () => {
    expect(new ForbiddenError({ code: 'COMMAND_NOT_ALLOWED', params: { command: 'followup' } }).action).toBe('followup');
    expect(new ForbiddenError('stats').action).toBe('stats');
  });
});

describe('database errors', () => {
  it('are app errors with their own codes, for operators only, with their messages unchanged', () => {
    expect(databaseErrors.map((e) => e.code)).toEqual(['DB_UNAVAILABLE', 'DB_SHARED_REQUIRED', 'DB_DATA_FOLDER_IN_USE', 'DB_INDEX_FAILED']);
    for (const err of databaseErrors) {
      expect(err).toBeInstanceOf(AppError);
      expect(err.userFacing).toBe(false);
      expect(err.key).toBeUndefined();
      expect(asAppError(err)).toBe(err);
    }
    expect(databaseErrors[0]!.message).toContain('  - mongod: not installed');
    expect(databaseErrors[0]!.name).toBe('DatabaseUnavailableError');
  });
});

describe('asAppError', () => {
  it('passes coded errors through and wraps anything else as INTERNAL, keeping the original', () => {
    const coded = new ConflictError({ code: 'ALREADY_STAFF' });
    expect(asAppError(coded)).toBe(coded);
    const boom = new Error('boom');
    const wrapped = asAppError(boom);
    expect(wrapped).toBeInstanceOf(InternalError);
    expect(wrapped.code).toBe('INTERNAL');
    expect(wrapped.message).toBe('boom');
    expect(wrapped.userFacing).toBe(false);
    expect((wrapped as InternalError).original).toBe(boom);
    expect(asAppError('a string').message).toBe('a string');
    expect(asAppError(undefined).code).toBe('INTERNAL');
    expect(asAppError({ code: 'ALREADY_STAFF' }).code).toBe('INTERNAL');
  });
});

describe('services and values', () => {
  /** Every .ts file under a folder. */
  const sources = (dir: string): string[] =>
    readdirSync(join(root, dir)).flatMap((name) => {
      const path = join(dir, name);
      if (statSync(join(root, path)).isDirectory()) return sources(path);
      return name.endsWith('.ts') ? [path] : [];
    });

  it('raise codes, never sentences', () => {
    const sentences: string[] = [];
    for (const file of [...sources('src/services'), ...sources('src/values')]) {
      const text = readFileSync(join(root, file), 'utf8');
      const lines = text.split('\n');
      lines.forEach((line, i) => {
        if (/new (Conflict|NotFound|Forbidden)Error\(\s*['"`]/.test(line) || /new ValidationError\(\s*['"`][^'"`]*['"`]\s*,\s*['"`]/.test(line)) {
          sentences.push(`${relative('.', file)}:${i + 1}`);
        }
      });
      // A constructor call broken over lines: the argument on the next line.
      if (/new (Validation|Conflict|NotFound|Forbidden)Error\(\s*\n\s*['"`][^\n]*,\s*\n?\s*['"`]/.test(text)) sentences.push(`${file}: multi-line`);
    }
    expect(sentences).toEqual([]);
  });
});
