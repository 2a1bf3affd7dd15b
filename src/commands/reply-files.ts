/**
 * A reply with a photo or file: what a staff member attached to `reply C12 …` (a captioned photo,
 * a Slack file share, the console's `:file`) or to their answer to a customer's notification,
 * fetched once and turned into the replies the customer receives — the photo as a photo, anything
 * else as a document, the reply's text as the caption of the first.
 *
 * Why fetch here, before anything is claimed or stored: a file that cannot be fetched (gone, too
 * large for a bot) is told to its author with nothing sent and nothing kept, so sending it again
 * works; once fetched, the bytes travel in the reply and the outbox rule sends them once.
 *
 * @example
 *   const fetched = await fetchReplyFiles(ctx.incoming.attachments ?? []);
 *   if (fetched.ok) replies = filesFor(fetched.files, 'Here is the blue dress in M.');
 */
import type { Attachment, AttachmentKind, Reply } from '../core/types.js';
import type { InteractionMedia } from '../services/interactions.js';

/** The largest file a bot may fetch from Telegram (`getFile`) and so the largest a reply carries. */
export const MAX_REPLY_FILE_BYTES = 20 * 1024 * 1024;

/** One attached file, fetched. */
export interface ReplyFile {
  kind: AttachmentKind;
  fileName: string;
  mimeType: string;
  data: Buffer;
  fileRef?: string;
}

export type FetchedFiles = { ok: true; files: ReplyFile[] } | { ok: false; kind: AttachmentKind; problem: 'too-large' | 'unreadable'; reason: string };

/**
 * Downloads every attachment (in order); stops at the first that is too large or cannot be read.
 *
 * @example
 *   await fetchReplyFiles([{ kind: 'image', size: 30_000_000, download }]) // → { ok: false, kind: 'image', problem: 'too-large', … }
 */
export async function fetchReplyFiles(attachments: readonly Attachment[]): Promise<FetchedFiles> {
  const files: ReplyFile[] = [];
  for (const a of attachments) {
    if ((a.size ?? 0) > MAX_REPLY_FILE_BYTES) return { ok: false, kind: a.kind, problem: 'too-large', reason: `${a.size} bytes` };
    let data: Buffer;
    try {
      data = await a.download();
    } catch (error) {
      return { ok: false, kind: a.kind, problem: 'unreadable', reason: error instanceof Error ? error.message : String(error) };
    }
    if (data.length > MAX_REPLY_FILE_BYTES) return { ok: false, kind: a.kind, problem: 'too-large', reason: `${data.length} bytes` };
    const mimeType = a.mimeType ?? (a.kind === 'image' ? 'image/jpeg' : 'application/octet-stream');
    files.push({ kind: a.kind, fileName: a.fileName ?? defaultName(a.kind, mimeType), mimeType, data, ...(a.fileRef ? { fileRef: a.fileRef } : {}) });
  }
  return { ok: true, files };
}

/**
 * What the customer receives: each file in order — a photo (not a GIF or SVG, which Telegram would
 * flatten) as an image, anything else as a document — with `caption` on the first.
 *
 * @example
 *   filesFor([photo], 'Size M') // → [{ kind: 'image', fileName: 'photo.jpg', data, caption: 'Size M' }]
 */
export function filesFor(files: readonly ReplyFile[], caption: string): Reply[] {
  return files.map((f, i): Reply => {
    const said = i === 0 && caption.trim() !== '' ? { caption } : {};
    if (f.kind === 'image' && !/gif|svg/i.test(f.mimeType)) return { kind: 'image', fileName: f.fileName, data: f.data, ...said };
    return { kind: 'file', fileName: f.fileName, mimeType: f.mimeType, data: f.data, ...said };
  });
}

/** The first file as stored with the reply: its kind, name and type (and the platform's reference to the staff member's copy). */
export function mediaOf(files: readonly ReplyFile[], caption: string): InteractionMedia | undefined {
  const f = files[0];
  if (!f) return undefined;
  return { kind: f.kind, fileName: f.fileName, mimeType: f.mimeType, ...(f.fileRef ? { fileRef: f.fileRef } : {}), ...(caption ? { caption } : {}) };
}

/** `photo.jpg`, `file.pdf`, `voice.ogg` — for a file its platform gave no name. */
function defaultName(kind: AttachmentKind, mimeType: string): string {
  const sub = mimeType.split('/')[1]?.split(';')[0]?.trim().toLowerCase();
  const ext = !sub || sub === 'octet-stream' ? '' : `.${sub === 'jpeg' ? 'jpg' : sub === 'mpeg' ? 'mp3' : sub.replace(/^x-/, '')}`;
  return `${kind === 'image' ? 'photo' : kind}${ext}`;
}
