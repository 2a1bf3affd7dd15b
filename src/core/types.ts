/**
 * The platform-neutral boundary. Adapters turn a platform event into an
 * {@link Incoming} and render {@link Reply} values back; nothing here knows
 * Telegram or Slack. IDs that cross this boundary are strings.
 */

export type Platform = 'telegram' | 'slack' | 'console';

/** A file or image the person sent, with a way to read it lazily. */
export interface Attachment {
  kind: 'file' | 'image';
  fileName?: string;
  mimeType?: string;
  size?: number;
  /** Downloads the bytes (adapters implement it with their platform's API). */
  download: () => Promise<Buffer>;
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
}

/** A button: its label, and the command line it runs when pressed. */
export interface Button {
  label: string;
  action: string;
}

export type Reply =
  | { kind: 'text'; text: string; buttons?: Button[][]; requestContact?: string }
  | { kind: 'file'; fileName: string; mimeType: string; data: Buffer; caption?: string }
  | { kind: 'image'; fileName: string; data: Buffer; caption?: string };

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
