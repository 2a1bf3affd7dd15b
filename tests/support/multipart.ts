/**
 * A minimal `multipart/form-data` parser for the test emulators.
 *
 * Why: grammY sends `sendDocument`/`sendPhoto` with an `InputFile` as multipart, and
 * `@slack/web-api` uploads file bytes to the external upload URL as multipart. Both use
 * slightly unusual part headers (grammY writes `content-disposition:form-data;name="x";filename=a.csv`
 * — lowercase, no spaces, unquoted filename), so the parser is deliberately lenient. It buffers the
 * whole body, which is fine for tests.
 *
 * @example
 * const boundary = boundaryFromContentType(req.headers['content-type']);
 * const parts = boundary ? parseMultipart(body, boundary) : [];
 * const file = parts.find((p) => p.filename !== undefined);
 */

/** One part of a multipart body. `filename` is set only for file parts. */
export interface MultipartPart {
  /** The `name` parameter of `Content-Disposition`. */
  name: string;
  /** The `filename` parameter, when the part is a file. */
  filename?: string;
  /** The part's own `Content-Type`, if it sent one. */
  contentType?: string;
  /** Raw bytes of the part body. */
  data: Buffer;
}

/**
 * Extracts the boundary from a `Content-Type` header, or `undefined` when the header is not
 * multipart.
 *
 * @example
 * boundaryFromContentType('multipart/form-data; boundary=abc') // 'abc'
 */
export function boundaryFromContentType(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\//i.test(contentType.trim())) return undefined;
  const match = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/**
 * Parses `key=value` parameters of a header such as `form-data; name="a"; filename=b.txt`.
 * Quoted values may contain `;`; unquoted ones run to the next `;`.
 *
 * @example
 * parseHeaderParams('form-data;name="doc";filename=report.csv') // { name: 'doc', filename: 'report.csv' }
 */
export function parseHeaderParams(value: string): Record<string, string> {
  const params: Record<string, string> = {};
  const re = /;\s*([^=;\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g;
  for (let m = re.exec(value); m !== null; m = re.exec(value)) {
    const key = m[1];
    if (key === undefined) continue;
    const quoted = m[2];
    params[key.toLowerCase()] = quoted !== undefined ? quoted.replace(/\\(.)/g, '$1') : (m[3] ?? '').trim();
  }
  return params;
}

/**
 * Splits a buffered multipart body into parts. Parts without a `name` are skipped; a body that
 * does not contain the boundary yields an empty list rather than throwing.
 *
 * @example
 * const parts = parseMultipart(Buffer.from('--b\r\ncontent-disposition:form-data;name="a"\r\n\r\n1\r\n--b--\r\n'), 'b');
 * // [{ name: 'a', data: <Buffer 31> }]
 */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) return parts;
  pos += delimiter.length;
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`);
  while (pos < body.length) {
    // `--` right after a delimiter marks the end of the body.
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break;
    // Skip the line break after the delimiter (and tolerate transport padding).
    const lineEnd = body.indexOf('\r\n', pos);
    if (lineEnd < 0) break;
    const start = lineEnd + 2;
    const end = body.indexOf(nextDelimiter, start);
    if (end < 0) break;
    const part = parsePart(body.subarray(start, end));
    if (part) parts.push(part);
    pos = end + nextDelimiter.length;
  }
  return parts;
}

function parsePart(chunk: Buffer): MultipartPart | undefined {
  const headerEnd = chunk.indexOf('\r\n\r\n');
  // A part with no headers at all has an empty header block.
  const headerText = headerEnd < 0 ? '' : chunk.subarray(0, headerEnd).toString('utf8');
  const data = headerEnd < 0 ? chunk : chunk.subarray(headerEnd + 4);
  const headers = new Map<string, string>();
  for (const line of headerText.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const disposition = headers.get('content-disposition');
  if (!disposition) return undefined;
  const params = parseHeaderParams(disposition);
  const name = params['name'];
  if (name === undefined) return undefined;
  const part: MultipartPart = { name, data: Buffer.from(data) };
  const filename = params['filename'];
  if (filename !== undefined) part.filename = filename;
  const contentType = headers.get('content-type');
  if (contentType !== undefined) part.contentType = contentType;
  return part;
}
