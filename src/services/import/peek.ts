/**
 * Looking at the first bytes of a stream before deciding how to read it (its encoding, its CSV
 * separator) without losing them: the bytes read ahead are handed back first.
 *
 * @example
 *   const peeked = await peekStream(file, 64 * 1024);
 *   sniff(peeked.head);
 *   for await (const chunk of peeked.chunks()) … // the head again, then the rest
 */
import type { Readable } from 'node:stream';

export interface PeekedStream {
  /** The bytes read ahead. */
  head: Buffer;
  /** Whether the stream ended within them. */
  ended: boolean;
  /** Every byte of the stream, the head first; call once. */
  chunks(): AsyncGenerator<Buffer>;
}

/** Reads at least `maxBytes` (or to the first new line, with `untilNewline`) ahead. */
export async function peekStream(input: Readable, maxBytes: number, options: { untilNewline?: boolean } = {}): Promise<PeekedStream> {
  const source = input[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  const parts: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < maxBytes) {
    const next = await source.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    parts.push(chunk);
    size += chunk.length;
    if (options.untilNewline && chunk.includes(0x0a)) break;
  }
  const head = Buffer.concat(parts);
  return {
    head,
    ended,
    async *chunks() {
      if (head.length) yield head;
      if (ended) return;
      for (let next = await source.next(); !next.done; next = await source.next()) {
        yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      }
    },
  };
}
