/**
 * Files the console chat receives (the digest chart, `export` CSVs, `mydata` JSON) are saved
 * to a folder, under their own name when it is free and never over an existing file.
 *
 * @example
 *   await saveFile('data/files', 'customers.csv', csv); // → 'data/files/customers.csv'
 *   await saveFile('data/files', 'customers.csv', csv); // → 'data/files/customers-2.csv'
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import type { Attachment, Reply } from '../../src/core/types.js';

/** What became of one file reply: where it was saved, or why it was not. */
export type FileOutcome = { path: string } | { error: string };

const MAX_NAME = 120;

/**
 * A file name that is safe in any folder: no directory parts, no control or shell-awkward
 * characters, no leading dot, not empty, at most {@link MAX_NAME} characters (extension kept).
 *
 * @example
 *   safeFileName('../../etc/passwd') // → 'passwd'
 *   safeFileName('my data: 2026?.json') // → 'my data_ 2026_.json'
 */
export function safeFileName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  let safe = base
    .normalize('NFC')
    .replace(/[^\p{L}\p{N} ._()+,-]/gu, '_')
    .replace(/^[.\s]+/, '')
    .trim();
  if (/^_*$/.test(safe.slice(0, safe.length - extname(safe).length))) safe = `file${extname(safe)}`;
  if (safe.length > MAX_NAME) {
    const ext = extname(safe).slice(0, 16);
    safe = safe.slice(0, MAX_NAME - ext.length) + ext;
  }
  return safe;
}

/**
 * Writes `data` into `dir` (created as needed) under the file's own safe name, or with `-2`, `-3`, …
 * before the extension when that name is taken. The write is exclusive (`wx`), so an existing file
 * is never overwritten, even by a racing process. Returns the absolute path.
 */
export async function saveFile(dir: string, fileName: string, data: Buffer): Promise<string> {
  const folder = resolve(dir);
  await mkdir(folder, { recursive: true });
  const name = safeFileName(fileName);
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let n = 1; n <= 10_000; n++) {
    const path = join(folder, n === 1 ? name : `${stem}-${n}${ext}`);
    try {
      await writeFile(path, data, { flag: 'wx' });
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`no free name for ${name} in ${folder}`);
}

const IMAGE_TYPES: Record<string, string> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.gif': 'image/gif', '.webp': 'image/webp' };
const FILE_TYPES: Record<string, string> = { '.pdf': 'application/pdf', '.csv': 'text/csv', '.txt': 'text/plain', '.json': 'application/json' };

/**
 * A local file as the console's `:file <path> [caption]` sends it: a photo for an image extension,
 * else a document; read when the core asks for it, like a platform's download.
 *
 * @example
 *   await consoleAttachment('dress.jpg', 'reply C2 in blue') // → { kind: 'image', fileName: 'dress.jpg', caption: 'reply C2 in blue', download, … }
 */
export async function consoleAttachment(path: string, caption: string): Promise<Attachment | { error: string }> {
  const full = resolve(path);
  let size: number;
  try {
    const info = await stat(full);
    if (!info.isFile()) return { error: `${path} is not a file` };
    size = info.size;
  } catch (error) {
    return { error: `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
  const ext = extname(full).toLowerCase();
  const image = IMAGE_TYPES[ext];
  const attachment: Attachment = {
    kind: image ? 'image' : 'file',
    fileName: basename(full),
    mimeType: image ?? FILE_TYPES[ext] ?? 'application/octet-stream',
    size,
    download: () => readFile(full),
  };
  if (caption) attachment.caption = caption;
  return attachment;
}

/** Saves every file and image reply; a reply that could not be saved gets the reason instead. */
export async function saveReplyFiles(replies: Reply[], dir: string): Promise<Map<Reply, FileOutcome>> {
  const outcomes = new Map<Reply, FileOutcome>();
  for (const reply of replies) {
    if (reply.kind === 'text' || reply.kind === 'forward') continue;
    try {
      outcomes.set(reply, { path: await saveFile(dir, reply.fileName, reply.data) });
    } catch (error) {
      outcomes.set(reply, { error: error instanceof Error ? error.message : String(error) });
    }
  }
  return outcomes;
}
