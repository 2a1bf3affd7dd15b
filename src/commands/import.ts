/**
 * `import`: staff send a CSV file to the bot — with the caption "import", or
 * none (the core routes any CSV file from staff here), or "import" first and
 * the file after. Optional column mapping: `import --map phone=Tel,name="Họ tên"`.
 * The reply is the report; rejected rows (not imported) and warnings (rows
 * imported with a value left out) are listed apart, 20 of each at most in the
 * message, all of them in an attached CSV when there are more. Columns that
 * were not imported are named. The file may be UTF-8, UTF-16 or Windows-1258.
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { STAFF, staffCommand, type CommandContext } from '../core/command.js';
import { text, type Attachment, type Incoming, type Reply } from '../core/types.js';
import { ValidationError } from '../errors.js';
import { parseMapping, warningLine, type ColumnMapping } from '../services/import/columns.js';
import { importCustomers, type ImportReport } from '../services/import/customers.js';
import { excelSafe } from '../services/export.js';
import { leadOwnerOf } from './customers.js';

/** Largest file accepted in chat (bigger files: `npm run import`). */
export const MAX_CHAT_IMPORT_BYTES = 20 * 1024 * 1024;
/** Rejected rows listed in the chat message; the rest go in a file. */
export const REJECTED_IN_MESSAGE = 20;
/** Warnings listed in the chat message; the rest go in a file. */
export const WARNINGS_IN_MESSAGE = 20;

const CSV_TYPES = new Set(['text/csv', 'text/comma-separated-values', 'application/csv', 'text/x-csv']);

/** Whether an attachment is a CSV file (by name or MIME type). */
export function isCsvAttachment(a: Attachment): boolean {
  return a.kind === 'file' && (/\.csv$/i.test(a.fileName ?? '') || CSV_TYPES.has((a.mimeType ?? '').toLowerCase().split(';')[0]!.trim()));
}

/** Whether an incoming message carries a CSV file (the core's hook for caption-less uploads). */
export function hasCsvAttachment(incoming: Incoming): boolean {
  return (incoming.attachments ?? []).some(isCsvAttachment);
}

/** The `--map …` part of the arguments, if any (other words, e.g. a caption, are ignored). */
export function mappingFromArgs(args: string): ColumnMapping {
  const m = /(?:^|\s)--map(?:\s+|=)(.+)$/s.exec(args);
  if (!m) return {};
  return parseMapping(m[1]!.trim());
}

/**
 * The report as chat replies: a summary, the columns not imported, up to 20 rejected rows and
 * up to 20 warnings, and a file with all of either when there are more.
 */
export function importReplies(report: ImportReport, fileName: string, ctx: Pick<CommandContext, 'msg'>): Reply[] {
  const { msg } = ctx;
  const lines = [msg.importSummary(fileName, report.rows, report.created, report.updated, report.unchanged, report.rejected.length, report.blank)];
  const columns = Object.entries(report.columns).map(([field, headers]) => `${field} ← ${headers.join(' + ')}`);
  if (columns.length) lines.push(msg.importColumns(columns.join(', ')));
  if (report.ignoredColumns.length) lines.push(msg.importIgnoredColumns(report.ignoredColumns.map((c) => `"${c}"`).join(', ')));
  const files: Reply[] = [];
  if (report.rejected.length) {
    lines.push('', msg.importRejectedTitle());
    for (const r of report.rejected.slice(0, REJECTED_IN_MESSAGE)) lines.push(msg.importRejectedLine(r.row, r.reason));
    if (report.rejected.length > REJECTED_IN_MESSAGE) {
      lines.push(msg.importRejectedMore(report.rejected.length - REJECTED_IN_MESSAGE));
      const csv = stringify(report.rejected.map((r) => [r.row, r.reason]), { header: true, columns: ['row', 'reason'] });
      files.push({ kind: 'file', fileName: 'rejected-rows.csv', mimeType: 'text/csv', data: Buffer.from(csv, 'utf8'), caption: msg.importRejectedFileCaption() });
    }
  }
  if (report.warnings.length) {
    lines.push('', msg.importWarningsTitle());
    for (const w of report.warnings.slice(0, WARNINGS_IN_MESSAGE)) {
      lines.push(w.shared ? msg.importSharedLine(w.row, w.value, w.shared.holder, w.shared.holderName, w.shared.name, w.shared.customer) : `  ${warningLine(w)}`);
    }
    if (report.warnings.length > WARNINGS_IN_MESSAGE) {
      lines.push(msg.importWarningsMore(report.warnings.length - WARNINGS_IN_MESSAGE));
      // Values come from the imported file: made formula-safe, with a BOM for Excel.
      const rows = report.warnings.map((w) => [w.row, w.field, excelSafe(w.value), w.reason]);
      const csv = stringify(rows, { header: true, bom: true, columns: ['row', 'field', 'value', 'reason'] });
      files.push({ kind: 'file', fileName: 'import-warnings.csv', mimeType: 'text/csv', data: Buffer.from(csv, 'utf8'), caption: msg.importWarningsFileCaption() });
    }
  }
  return [text(lines.join('\n')), ...files];
}

export const importCommand = staffCommand({
  name: 'import',
  usage: 'import [--map phone=Tel,name="Họ tên"]  (send a .csv file with this caption, or the file alone)',
  summary: 'import',
  examples: ['import', 'import --map phone=Tel,name="Họ tên",email=Mail'],
  allow: STAFF,
  async run(ctx) {
    const mapping = mappingFromArgs(ctx.args);
    const file = (ctx.incoming.attachments ?? []).find(isCsvAttachment);
    if (!file) {
      const other = (ctx.incoming.attachments ?? []).find((a) => a.kind === 'file');
      return [text(other ? ctx.msg.importNotCsv(other.fileName ?? 'file') : ctx.msg.importSendFile())];
    }
    const fileName = file.fileName ?? 'file.csv';
    if ((file.size ?? 0) > MAX_CHAT_IMPORT_BYTES) throw new ValidationError('file', ctx.msg.importTooLarge(MAX_CHAT_IMPORT_BYTES / 1024 / 1024));
    const data = await file.download();
    if (data.length > MAX_CHAT_IMPORT_BYTES) throw new ValidationError('file', ctx.msg.importTooLarge(MAX_CHAT_IMPORT_BYTES / 1024 / 1024));
    const report = await importCustomers(Readable.from([data]), {
      region: ctx.region,
      by: ctx.by,
      mapping,
      label: fileName,
      // A salesperson's imported leads are theirs, as with `lead`.
      ownerId: leadOwnerOf(ctx.staff),
      now: ctx.deps.now(),
    });
    return importReplies(report, fileName, ctx);
  },
});
