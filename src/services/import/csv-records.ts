/**
 * Streams a CSV file as records with their line numbers, never holding the
 * file in memory. The delimiter (comma, semicolon or tab — spreadsheets in
 * many locales save with `;`, Excel's "Unicode Text" with tabs) is sniffed
 * from the header line. The input is UTF-8 (./encoding.ts decodes other
 * encodings first); cells come out in NFC, so letters written as a base and
 * combining marks (Windows-1258, macOS) compare and store as one character.
 *
 * Broken quoting does not stop the import, and is never guessed at:
 * - a quote inside an unquoted cell (`Phan "Tí" Quang`) is text, as in
 *   spreadsheets (`relax_quotes`);
 * - a quote opened and not closed where the cell ends makes csv-parse glue
 *   the following lines into that cell, up to the next quote. Such a cell
 *   starts with a literal `"` and spans lines; we report those lines as
 *   unreadable instead of importing the glued text;
 * - records csv-parse cannot read at all are skipped
 *   (`skip_records_with_error`) and reported with the lines they covered,
 *   and lines lost after an unrecoverable error are reported too (we count
 *   the file's lines ourselves).
 *
 * @example
 *   for await (const rec of readCsvRecords(createReadStream('customers.csv'))) {
 *     if (rec.kind === 'record') console.log(rec.line, rec.cells);
 *     else console.log(`lines ${rec.line}–${rec.endLine}: ${rec.reason}`);
 *   }
 */
import { Readable } from 'node:stream';
import { CsvError, parse, type Parser } from 'csv-parse';
import { peekStream } from './peek.js';

export type CsvItem =
  /** A record: `line` is where it starts (the header is line 1), `endLine` where it ends. */
  | { kind: 'record'; line: number; endLine: number; cells: string[] }
  /** Lines the parser could not read as a record. */
  | { kind: 'broken'; line: number; endLine: number; reason: string };

/** Longest record accepted; beyond it (an unterminated quote, most likely) the record is reported broken. */
const MAX_RECORD_CHARS = 256 * 1024;
/** How far to look for the end of the header line when sniffing the delimiter. */
const SNIFF_BYTES = 64 * 1024;

const WHY: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quote is opened and never closed',
  CSV_INVALID_CLOSING_QUOTE: 'a closing quote is followed by more text in the same cell',
  INVALID_OPENING_QUOTE: 'a quote appears in the middle of a cell that does not start with one',
  CSV_MAX_RECORD_SIZE: 'a record is far too long (probably an unterminated quote)',
};
const GLUED = 'a quote is opened and not closed where the cell ends, so the following lines ran into it';
const LOST = 'the lines after a broken quote could not be read';

/** The delimiter used most in the header line: `,`, `;` or tab (`,` on a tie). */
export function sniffDelimiter(headerLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const d of [',', ';', '\t']) {
    const count = headerLine.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best;
}

/** Reads CSV items from a UTF-8 stream (with or without BOM; Buffers or strings). */
export async function* readCsvRecords(input: Readable, options: { delimiter?: string } = {}): AsyncGenerator<CsvItem> {
  const peeked = await peekStream(input, SNIFF_BYTES, { untilNewline: true });
  const firstLine = peeked.head.toString('utf8').split(/\r?\n/)[0] ?? '';
  const delimiter = options.delimiter ?? sniffDelimiter(firstLine);

  // Physical lines, counted as the bytes go by, to report lines a broken record swallowed.
  let newlines = 0;
  let lastByte = 0x0a;
  const count = (chunk: Buffer) => {
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) newlines++;
    if (chunk.length) lastByte = chunk[chunk.length - 1]!;
    return chunk;
  };
  async function* bytes(): AsyncGenerator<Buffer> {
    for await (const chunk of peeked.chunks()) yield count(chunk);
  }

  // Line numbers are counted here, not taken from csv-parse's `info.lines`, which counts the
  // \r and the \n of a CRLF inside a quoted cell as two lines: a record spans one line plus
  // the line breaks inside its cells; a skipped record, the line breaks of its raw text.
  // Skips are reported by csv-parse while it parses, ahead of the records still buffered for
  // us; each is queued with the number of records emitted before it, to keep file order.
  const skips: { after: number; lines: number; reason: string }[] = [];
  const parser: Parser = parse({
    bom: true,
    delimiter,
    info: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    skip_records_with_error: true,
    max_record_size: MAX_RECORD_CHARS,
    on_skip: (err: CsvError | undefined, raw: string | undefined) => {
      const lines = raw === undefined ? 1 : countBreaks(raw.replace(/\r?\n$|\r$/, '')) + 1;
      skips.push({ after: parser.info.records, lines, reason: err ? (WHY[err.code] ?? err.message) : 'unreadable' });
      return undefined;
    },
  });
  const feed = Readable.from(bytes());
  feed.on('error', (error) => parser.destroy(error));
  feed.pipe(parser);

  let lastLine = 0;
  let emitted = 0;
  function* drainSkips(upTo: number): Generator<CsvItem> {
    while (skips.length > 0 && skips[0]!.after <= upTo) {
      const skip = skips.shift()!;
      const line = lastLine + 1;
      lastLine += skip.lines;
      yield { kind: 'broken', line, endLine: lastLine, reason: skip.reason };
    }
  }
  for await (const item of parser as AsyncIterable<{ record: string[]; info: { records: number } }>) {
    yield* drainSkips(emitted);
    emitted = item.info.records;
    const line = lastLine + 1;
    lastLine += 1 + item.record.reduce((n, cell) => n + countBreaks(cell), 0);
    if (line < lastLine && item.record.some((cell) => cell.startsWith('"') && cell.includes('\n'))) {
      yield { kind: 'broken', line, endLine: lastLine, reason: GLUED };
    } else {
      yield { kind: 'record', line, endLine: lastLine, cells: item.record.map(nfc) };
    }
  }
  yield* drainSkips(Number.MAX_SAFE_INTEGER);
  const totalLines = newlines + (lastByte === 0x0a ? 0 : 1);
  if (totalLines > lastLine) yield { kind: 'broken', line: lastLine + 1, endLine: totalLines, reason: LOST };
}

/** NFC form; ASCII (most cells: phones, e-mails) is returned as it is. */
function nfc(cell: string): string {
  return /[^\p{ASCII}]/u.test(cell) ? cell.normalize('NFC') : cell;
}

function countBreaks(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
