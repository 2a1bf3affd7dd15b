/**
 * One line for a message that is not plain text — what the core routes, stores and forwards when
 * a customer sends a photo, a voice note, a sticker or a location (pure functions, both adapters).
 *
 * Why a line of text: the core's customer-message path forwards `incoming.text`; a message with
 * an empty text used to be dropped without a trace. With its summary it is acknowledged, stored
 * and shown to staff like any message, while the file itself travels as a `forward` reply
 * (src/core/types.ts) that the platform's sender copies natively or carries over.
 *
 * Rules: a document keeps its caption as its text (a staff member's CSV with `import --map …`
 * must reach the import unchanged) and is summarised only without one; every other kind is
 * `[kind] caption`. A location is a map link anyone can open.
 *
 * @example
 *   summarise(msg, { attachment: { kind: 'image' }, caption: 'blue dress?' }) // → '[photo] blue dress?'
 *   summarise(msg, { attachment: { kind: 'voice', durationSec: 5 } })        // → '[voice message 0:05]'
 *   summarise(msg, { location: { latitude: 10.77, longitude: 106.7 } })       // → '[location] https://maps.google.com/?q=10.77,106.7'
 */
import type { Messages } from '../../src/core/messages.js';
import type { Attachment, SharedLocation } from '../../src/core/types.js';

/** What a message holds besides (or instead of) words. */
export interface MessageParts {
  attachment?: Pick<Attachment, 'kind' | 'fileName' | 'durationSec' | 'emoji'>;
  location?: SharedLocation;
  caption?: string;
}

/** The label of an attachment kind in the reader's words (`photo`, `voice message`…). */
export function kindLabel(msg: Messages, kind: Attachment['kind'] | 'location'): string {
  const t = msg.traffic;
  switch (kind) {
    case 'image':
      return t.photo();
    case 'voice':
      return t.voice();
    case 'audio':
      return t.audio();
    case 'video':
      return t.video();
    case 'sticker':
      return t.sticker();
    case 'location':
      return t.location();
    case 'file':
      return t.file();
  }
}

/** `0:05`, `4:03`, `1:02:03`. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** The message's text for the core: see the module comment. `''` when there is nothing to say. */
export function summarise(msg: Messages, parts: MessageParts): string {
  const caption = parts.caption?.trim() ?? '';
  const { attachment, location } = parts;
  if (location) {
    const place = [location.title, location.address].filter(Boolean).join(', ');
    const link = msg.traffic.mapLink(location.latitude, location.longitude);
    return [`[${kindLabel(msg, 'location')}]`, place, link, caption].filter(Boolean).join(' ');
  }
  if (!attachment) return caption;
  if (attachment.kind === 'file' && caption) return caption;
  const detail =
    attachment.kind === 'sticker'
      ? attachment.emoji
      : attachment.kind === 'file'
        ? attachment.fileName
        : attachment.durationSec !== undefined && (attachment.kind === 'voice' || attachment.kind === 'audio' || attachment.kind === 'video')
          ? duration(attachment.durationSec)
          : undefined;
  const tag = `[${[kindLabel(msg, attachment.kind), detail].filter(Boolean).join(' ')}]`;
  return caption ? `${tag} ${caption}` : tag;
}

/**
 * An edit as the core sees it: `✏️ edited: new text`, with the old text when the platform
 * tells it (Slack does, Telegram does not).
 *
 * @example
 *   editSummary(msg, 'size M please', 'size S please') // → '✏️ edited: size M please (was: size S please)'
 */
export function editSummary(msg: Messages, text: string, previous?: string): string {
  return previous !== undefined && previous.trim() !== '' && previous !== text ? msg.traffic.editedWas(text, previous) : msg.traffic.edited(text);
}
