/**
 * Request bodies, read with a ceiling. Every endpoint that reads a body reads it through
 * {@link readBody}, so no request — declared (`Content-Length`) or streamed (chunked) — makes us
 * hold more than {@link MAX_BODY_BYTES} in memory: a declared size above it is refused before a
 * byte is read, a stream is cut off as soon as it passes it.
 *
 * Why 1 MiB: a Telegram update or a Slack event is a few kilobytes (files travel as ids and URLs,
 * never inline), so anything near a megabyte is not from them.
 *
 * @example
 *   try {
 *     const raw = await readBody(req);
 *   } catch (error) {
 *     if (error instanceof BodyTooLargeError) return refuseTooLarge(res);
 *     throw error;
 *   }
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The largest request body any endpoint accepts: 1 MiB. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The body is (or says it is) larger than the limit; answer {@link refuseTooLarge}. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limitBytes: number) {
    super(`request body larger than ${limitBytes} bytes`);
  }
}

/** The `Content-Length` a request declares, or `undefined` (chunked, missing, unreadable). */
export function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined || !/^\d+$/.test(header)) return undefined;
  return Number(header);
}

/**
 * Reads the whole body, at most `limitBytes` of it. Rejects with {@link BodyTooLargeError} —
 * at once when `Content-Length` is over the limit, else as soon as the stream passes it (the rest
 * is not read; answer with {@link refuseTooLarge}, which closes the connection).
 *
 * @example
 *   const raw = await readBody(req); // Buffer
 */
export function readBody(req: IncomingMessage, limitBytes: number = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > limitBytes) return Promise.reject(new BodyTooLargeError(limitBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        cleanup();
        req.pause(); // stop reading; the 413 closes the connection
        reject(new BodyTooLargeError(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => {
      cleanup();
      reject(new Error('request closed before its body was complete'));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('close', onClose);
  });
}

/**
 * Answers 413 without a body and closes the connection, so the client's unread bytes are not
 * drained into the server.
 */
export function refuseTooLarge(res: ServerResponse): void {
  if (res.headersSent) return;
  res.writeHead(413, { connection: 'close' }).end();
}

/**
 * The request's body, or `undefined` after answering 413 when it is over the limit — what every
 * endpoint does first. Other read errors are thrown.
 *
 * @example
 *   const raw = await readBodyOrRefuse(req, res);
 *   if (!raw) return;
 */
export async function readBodyOrRefuse(req: IncomingMessage, res: ServerResponse, limitBytes: number = MAX_BODY_BYTES): Promise<Buffer | undefined> {
  try {
    return await readBody(req, limitBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      refuseTooLarge(res);
      return undefined;
    }
    throw error;
  }
}
