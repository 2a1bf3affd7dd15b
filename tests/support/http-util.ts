/**
 * Small HTTP plumbing shared by the Telegram and Slack emulators: start/stop a server on an
 * ephemeral port ({@link HttpFixture}), read and decode request bodies (JSON, url-encoded, multipart), write JSON, and
 * POST to the app under test.
 *
 * Why: both emulators need the same boring parts, and keeping them here keeps each emulator
 * file about its platform's behaviour only. Node built-ins only (no new packages).
 *
 * @example
 * const fixture = new HttpFixture('Echo', async (req, res) => sendJson(res, 200, { ok: true }));
 * const baseUrl = await fixture.start();
 * await fixture.stop();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { boundaryFromContentType, parseMultipart, type MultipartPart } from './multipart.js';

/** How a request body was encoded. */
export type BodyKind = 'empty' | 'json' | 'form' | 'multipart' | 'raw';

/** A decoded request body. Non-file multipart parts and url-encoded fields become strings. */
export interface ParsedBody {
  kind: BodyKind;
  fields: Record<string, unknown>;
  /** File parts of a multipart body (parts that carry a `filename`). */
  files: MultipartPart[];
  raw: Buffer;
}

/** Thrown by {@link parseBody} when a JSON body does not parse or is not an object. */
export class BodyParseError extends Error {
  override readonly name = 'BodyParseError';
}

/** Result of an outgoing test request: status code and the body as text. */
export interface HttpResult {
  status: number;
  body: string;
}

/** A request handler that may be async; thrown errors become HTTP 500. */
export type AsyncHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/**
 * Reads the whole request body.
 *
 * @example
 * const raw = await readBody(req); // Buffer
 */
export function readBody(req: IncomingMessage, limitBytes = 64 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        reject(new BodyParseError(`body larger than ${limitBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Decodes a body by its `Content-Type`: JSON objects, `application/x-www-form-urlencoded`, and
 * `multipart/form-data` (fields as strings, file parts in `files`). Anything else is `raw`.
 *
 * @example
 * parseBody('application/x-www-form-urlencoded', Buffer.from('a=1&b=x')).fields // { a: '1', b: 'x' }
 */
export function parseBody(contentType: string | undefined, raw: Buffer): ParsedBody {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (raw.length === 0) return { kind: 'empty', fields: {}, files: [], raw };
  if (type === 'application/json' || type.endsWith('+json')) {
    let value: unknown;
    try {
      value = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new BodyParseError('invalid JSON body');
    }
    if (!isRecord(value)) throw new BodyParseError('JSON body is not an object');
    return { kind: 'json', fields: value, files: [], raw };
  }
  if (type === 'application/x-www-form-urlencoded') {
    return { kind: 'form', fields: Object.fromEntries(new URLSearchParams(raw.toString('utf8'))), files: [], raw };
  }
  const boundary = boundaryFromContentType(contentType);
  if (boundary) {
    const fields: Record<string, unknown> = {};
    const files: MultipartPart[] = [];
    for (const part of parseMultipart(raw, boundary)) {
      if (part.filename !== undefined) files.push(part);
      else fields[part.name] = part.data.toString('utf8');
    }
    return { kind: 'multipart', fields, files, raw };
  }
  return { kind: 'raw', fields: {}, files: [], raw };
}

/**
 * Writes a JSON response.
 *
 * @example
 * sendJson(res, 429, { ok: false, error: 'ratelimited' }, { 'Retry-After': '1' });
 */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/**
 * Writes a plain-text (or binary) response.
 *
 * @example
 * sendText(res, 404, 'Not Found');
 */
export function sendText(res: ServerResponse, status: number, body: string | Buffer, contentType = 'text/plain; charset=utf-8'): void {
  const data = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': data.length });
  res.end(data);
}

/**
 * Starts an HTTP server on 127.0.0.1 with an OS-assigned port and returns its base URL
 * (no trailing slash). Handler exceptions are answered with HTTP 500.
 *
 * @example
 * const { server, baseUrl } = await listen(handler); // baseUrl = 'http://127.0.0.1:54321'
 */
export async function listen(handler: AsyncHandler): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((req, res) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((error: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        sendText(res, 500, `emulator error: ${error instanceof Error ? error.message : String(error)}`);
      });
  });
  // Clients such as undici keep connections alive; don't let that delay close().
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return { server, baseUrl: `http://127.0.0.1:${port}` };
}

/**
 * Closes a server and drops every open (keep-alive or long-poll) connection.
 *
 * @example
 * await closeServer(server);
 */
export async function closeServer(server: Server): Promise<void> {
  if (!server.listening) return;
  await new Promise<void>((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

/**
 * A loopback HTTP server an emulator (or any test fixture) owns: started on
 * demand on an OS-assigned port, stopped with every open connection dropped.
 * Starting a started fixture returns its URL; stopping a stopped one does nothing.
 *
 * @example
 * class MyEmulator {
 *   private readonly http = new HttpFixture('MyEmulator', (req, res) => this.route(req, res));
 *   start = () => this.http.start(); // 'http://127.0.0.1:54321'
 * }
 */
export class HttpFixture {
  private listening: Server | undefined;
  private base = '';

  /** `name` says whose server it is in errors; `handler` answers every request. */
  constructor(
    private readonly name: string,
    private readonly handler: AsyncHandler,
  ) {}

  /** Base URL (`http://127.0.0.1:PORT`, no trailing slash) while started. */
  get baseUrl(): string {
    if (!this.base) throw new Error(`${this.name} is not started`);
    return this.base;
  }

  /** The Node server while started (to tune it, e.g. its keep-alive timeout). */
  get server(): Server | undefined {
    return this.listening;
  }

  /** Starts listening (see {@link listen}) unless started; returns the base URL. */
  async start(): Promise<string> {
    if (this.listening) return this.base;
    const { server, baseUrl } = await listen(this.handler);
    this.listening = server;
    this.base = baseUrl;
    return baseUrl;
  }

  /** Closes the server (see {@link closeServer}); the fixture can be started again. */
  async stop(): Promise<void> {
    const server = this.listening;
    this.listening = undefined;
    this.base = '';
    if (server) await closeServer(server);
  }
}

/**
 * POSTs a string body with the given headers and returns status and body text.
 *
 * @example
 * const { status, body } = await postRaw(url, JSON.stringify(update), { 'content-type': 'application/json' });
 */
export async function postRaw(url: string, body: string, headers: Record<string, string>): Promise<HttpResult> {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, body: await response.text() };
}

/**
 * Narrowing helper for plain objects.
 *
 * @example
 * if (isRecord(value)) value['key'];
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses a string as JSON when it looks like a JSON object/array; otherwise returns it unchanged.
 * Used for form-encoded fields (e.g. `reply_markup`, `blocks`) that clients send as JSON text.
 *
 * @example
 * maybeJson('{"a":1}') // { a: 1 }
 * maybeJson('[urgent] hi') // '[urgent] hi'
 */
export function maybeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return value;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return value;
  }
}
