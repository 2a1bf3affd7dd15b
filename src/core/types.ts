/**
 * The platform-neutral boundary. Adapters turn a platform event into an
 * {@link Incoming} and render {@link Reply} values back; nothing here knows
 * Telegram or Slack. IDs that cross this boundary are strings.
 */

export type Platform = 'telegram' | 'slack' | 'console';

/**
 * What a sent file is: `file` (a document: PDF, CSV…), `image` (a photo), or a voice note, an
 * audio track, a video or a sticker.
 */
export type AttachmentKind = 'file' | 'image' | 'voice' | 'audio' | 'video' | 'sticker';

/** A file or image the person sent, with a way to read it lazily. */
export interface Attachment {
  kind: AttachmentKind;
  fileName?: string;
  mimeType?: string;
  size?: number;
  /** Downloads the bytes (adapters implement it with their platform's API). */
  download: () => Promise<Buffer>;
  /** The platform's own reference to the file (Telegram `file_id`, Slack file id `F…`), as stored with the interaction. */
  fileRef?: string;
  /** A voice note's, audio's or video's length in seconds. */
  durationSec?: number;
  /** A sticker's emoji (what it stands for, as text). */
  emoji?: string;
  /** The words sent with it (a photo's or document's caption). */
  caption?: string;
}

/** A place the person shared (Telegram's location or venue). */
export interface SharedLocation {
  latitude: number;
  longitude: number;
  /** A venue's name and address, when it is one. */
  title?: string;
  address?: string;
}

/**
 * Where a message is on its platform: enough for that platform's sender to copy it natively
 * (Telegram `copyMessage` from `chatId`/`messageId`; Slack `ts` in its channel).
 */
export interface MessageRef {
  platform: Platform;
  chatId: string;
  messageId: string;
}

/** A contact card the person shared (Telegram's "share my phone", a forwarded card). */
export interface SharedContact {
  phone: string;
  firstName?: string;
  lastName?: string;
  /** Platform user id of the contact, if the platform tells it. */
  userId?: string;
}

/** One inbound message or button press, whatever the platform. */
export interface Incoming {
  platform: Platform;
  /** Where the reply goes (a DM or channel id). */
  chatId: string;
  /** Stable per platform; Slack's is `TEAM:USER`. */
  userId: string;
  displayName: string;
  text: string;
  locale?: string;
  attachments?: Attachment[];
  contact?: SharedContact;
  /** A message forwarded from someone else (a salesperson forwarding a customer's message). */
  forwardedFrom?: { name: string; userId?: string };
  /** Stable id for de-duplication: `tg:<bot>:<update_id>`, `slack:<event_id>`, … */
  deliveryId: string;
  /** True when this is a button press (its `text` is the button's action). */
  fromButton?: boolean;
  /**
   * Adapters: real traffic. A message that is not plain text (a photo, a voice note, a location…)
   * comes with a one-line summary as its `text` when it has no caption (`[photo]`, `[location]
   * https://maps.google.com/?q=…`), so it is routed, stored and forwarded like any message.
   */
  location?: SharedLocation;
  /** The message on its platform (for a `forward` reply: Telegram copies it natively). */
  source?: MessageRef;
  /** `group` when it was written in a group or channel (the adapter then answers privately); absent for a private chat. */
  conversation?: 'private' | 'group';
  /** An edit of an earlier message (its new text, summarised as `✏️ edited: …`, is `text`). */
  edit?: { messageId: string; previousText?: string };
  /** Slack: the thread the message was written in; the adapter answers into it. */
  threadId?: string;
  /**
   * The platform key of the message this one answers — a Telegram reply-to, or the parent of a
   * Slack thread: `tg:<chat>:<message_id>`, `slack:<channel>:<ts>` (src/services/conversations.ts
   * `platformMessageKey`). A staff member answering a customer's notification this way replies to
   * the customer.
   */
  replyTo?: string;
}

/** A button: its label, and the command line it runs when pressed. */
export interface Button {
  label: string;
  action: string;
}

export type Reply =
  | { kind: 'text'; text: string; buttons?: Button[][]; requestContact?: string }
  | { kind: 'file'; fileName: string; mimeType: string; data: Buffer; caption?: string }
  | { kind: 'image'; fileName: string; data: Buffer; caption?: string }
  /**
   * A customer's message passed on to staff. Same platform: the platform's own copy
   * (Telegram `copyMessage` from `from.chatId`/`from.messageId`). Another platform: each
   * attachment is downloaded and uploaded (`files.uploadV2`, `sendPhoto`/`sendDocument`), with
   * `caption`; what cannot be carried (no attachment, a failed download) is sent as `caption`
   * text with a note — never dropped. Sent at once (the attachments' downloads live in memory).
   */
  | { kind: 'forward'; from: MessageRef; attachments?: Attachment[]; caption?: string };

/** Shorthand for a text reply. */
export function text(body: string, buttons?: Button[][]): Reply {
  return buttons && buttons.length > 0 ? { kind: 'text', text: body, buttons } : { kind: 'text', text: body };
}

/** Whom a notification is for. */
export type Recipient = { kind: 'staff'; staffId: string } | { kind: 'customer'; customerId: string };

/** Outcome of one send through a {@link Notifier}. */
export interface SendResult {
  ok: boolean;
  platform?: Platform;
  /** Why it failed (platform's words), when it did. */
  reason?: string;
  /** True when retrying cannot help (blocked, no identity, chat not found). */
  permanent?: boolean;
  /**
   * The platform's id of the (first) message sent, when the sender knows it: Telegram's
   * `message_id`, Slack's `ts`. With {@link SendResult.chatId}, what a staff member's reply-to or
   * thread reply points at (src/services/conversations.ts `platformMessageKey`).
   */
  messageId?: string;
  /** The chat that message is in, when the sender reports `messageId` (Slack: the DM channel `D…` opened for a user id). */
  chatId?: string;
}

/**
 * The outbound port: adapters implement it, services and jobs use it to reach
 * a person on whichever platform they have an identity.
 */
export interface Notifier {
  notify(to: Recipient, replies: Reply[]): Promise<SendResult>;
  /**
   * The connected sender of one platform, for bulk senders (promotion drains) that
   * freeze chat ids and skip the per-person identity lookup. Optional: a notifier
   * without platform senders (a test recorder) leaves it out.
   *
   * @example
   *   const telegram = deps.notifier.senderFor?.('telegram'); // undefined when not connected
   */
  senderFor?(platform: Platform): PlatformSender | undefined;
}

/**
 * One platform's outbound side, implemented by each adapter (bots/telegram,
 * bots/slack, bots/console): send replies to a chat id on that platform,
 * respecting its rate limits and retrying 429s. Permanent failures (blocked,
 * chat not found) come back as `{ ok: false, permanent: true, reason }`, never as a throw.
 */
export interface PlatformSender {
  readonly platform: Platform;
  send(chatId: string, replies: Reply[]): Promise<SendResult>;
}
