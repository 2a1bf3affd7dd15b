/**
 * Slack payloads → the core's {@link Incoming}. Raw payloads stop here.
 *
 * - user id: `TEAM:USER` (the identity `_id` becomes `slack:T0001:U0123`);
 * - delivery id: events `slack:<event_id>` (Slack's retries repeat it, so the core runs an event
 *   once), slash commands `slack:cmd:<trigger_id>`, button clicks `slack:act:<trigger_id>`;
 * - chat id: where the core later reaches this person (the identity's `chatId`, used by the
 *   notifier). A DM event's channel is the app's DM with them, so it is used as is. A slash
 *   command or click can come from any channel — a public one, or a DM between two people — so
 *   for those the chat id is the user id, which the sender resolves to the app's DM: a
 *   notification about a customer never lands in a shared channel.
 *
 * - a DM with files and no words (`file_share` with empty text) gets a one-line summary as its text
 *   (`[photo]`, `[file price-list.pdf]`; ../shared/summary.ts), so it is stored and forwarded; its
 *   files keep their Slack id (`F…`) and a lazy download, and `source` is the DM and message `ts`;
 * - a reply in a thread of the DM carries `threadId` (its `thread_ts`): the answer goes there; and
 *   `replyTo` (`slack:<channel>:<thread_ts>`): a staff member answering a notification in its
 *   thread answers the customer;
 * - an edit (`message_changed`) arrives as `✏️ edited: <new> (was: <old>)` with `edit`.
 *
 * @example
 *   commandIncoming({ team_id: 'T1', user_id: 'U1', text: 'find ann', trigger_id: '9.1', … }, { name: 'Ann' })
 *   // → { platform: 'slack', userId: 'T1:U1', chatId: 'U1', text: '/find ann', deliveryId: 'slack:cmd:9.1', … }
 */
import type { webApi } from '@slack/bolt';
import { messagesFor } from '../../src/core/messages.js';
import type { Attachment, Incoming } from '../../src/core/types.js';
import type { Logger } from '../../src/log.js';
import { platformMessageKey } from '../../src/services/conversations.js';
import { editSummary, summarise } from '../shared/summary.js';
import { slackTextToPlain } from './format.js';

/** Who a Slack user is, as far as the core needs. */
export interface SlackPerson {
  name: string;
  locale?: string;
}

/** The fields of a slash command we read. */
export interface SlashCommandFields {
  team_id: string;
  user_id: string;
  user_name?: string;
  text: string;
  trigger_id: string;
}

/**
 * A slash command `/crm <text>`: the text is the command line (empty → `help`), given to the
 * core with a leading `/` — it was typed as a command, like Telegram's `/find …`, so a customer
 * trying a staff command is refused rather than having it filed as a message (which is what
 * the core does with `find my order please` written in a DM).
 */
export function commandIncoming(cmd: SlashCommandFields, who: SlackPerson): Incoming {
  const line = slackTextToPlain(cmd.text ?? '').trim().replace(/^\/+/, '');
  return withLocale(
    {
      platform: 'slack',
      chatId: cmd.user_id,
      userId: `${cmd.team_id}:${cmd.user_id}`,
      displayName: who.name,
      text: `/${line === '' ? 'help' : line}`,
      deliveryId: `slack:cmd:${cmd.trigger_id}`,
    },
    who,
  );
}

/** A file shared in a message, as Slack describes it. */
export interface SlackFileFields {
  id?: string;
  name?: string | null;
  title?: string | null;
  mimetype?: string;
  size?: number;
  url_private_download?: string;
  url_private?: string;
}

/** The fields of a DM `message` event (and its envelope) we read. */
export interface DmEventFields {
  eventId: string;
  teamId: string;
  event: { channel: string; user: string; text?: string; team?: string; user_team?: string; files?: SlackFileFields[]; ts?: string; thread_ts?: string };
}

/** Fetches a file's bytes from its private URL (the adapter adds the bot token). */
export type SlackDownload = (url: string) => Promise<Buffer>;

/** A direct message to the app: its text as typed, and the files shared with it (a CSV to import). */
export function dmIncoming(e: DmEventFields, who: SlackPerson, download: SlackDownload): Incoming {
  const team = e.event.user_team ?? e.event.team ?? e.teamId;
  const typed = slackTextToPlain(e.event.text ?? '');
  const attachments = (e.event.files ?? []).flatMap((f): Attachment[] => {
    const url = f.url_private_download ?? f.url_private;
    if (!url) return [];
    const a: Attachment = { kind: kindOfFile(f.mimetype), download: () => download(url) };
    const fileName = f.name ?? f.title;
    if (fileName) a.fileName = fileName;
    if (f.mimetype) a.mimeType = f.mimetype;
    if (f.size !== undefined) a.size = f.size;
    if (f.id) a.fileRef = f.id;
    if (typed) a.caption = typed;
    return [a];
  });
  const incoming: Incoming = {
    platform: 'slack',
    chatId: e.event.channel,
    userId: `${team}:${e.event.user}`,
    displayName: who.name,
    text: typed.trim() === '' && attachments.length > 0 ? summarise(messagesFor(who.locale), { attachment: attachments[0] }) : typed,
    deliveryId: `slack:${e.eventId}`,
  };
  if (attachments.length > 0) incoming.attachments = attachments;
  if (e.event.ts) incoming.source = { platform: 'slack', chatId: e.event.channel, messageId: e.event.ts };
  if (e.event.thread_ts && e.event.thread_ts !== e.event.ts) {
    incoming.threadId = e.event.thread_ts;
    // A thread under one of the app's messages: a staff member answering a customer's notification.
    incoming.replyTo = platformMessageKey('slack', e.event.channel, e.event.thread_ts);
  }
  return withLocale(incoming, who);
}

/** The fields of a `message_changed` event in a DM we read. */
export interface DmEditFields {
  eventId: string;
  teamId: string;
  channel: string;
  message: { user: string; text?: string; ts?: string; thread_ts?: string; team?: string; user_team?: string };
  previous?: { text?: string };
}

/**
 * An edit of a DM: its new text as `✏️ edited: <new> (was: <old>)`, the edited message's `ts` as
 * `edit.messageId`, and the old text kept in `edit.previousText`. `undefined` when the words did
 * not change (Slack also sends `message_changed` when a link unfurls).
 *
 * @example
 *   editIncoming({ eventId: 'Ev1', teamId: 'T1', channel: 'D1', message: { user: 'U1', text: 'size M', ts: '1.2' }, previous: { text: 'size S' } }, { name: 'Ann' })
 *   // → { text: '✏️ edited: size M (was: size S)', edit: { messageId: '1.2', previousText: 'size S' }, … }
 */
export function editIncoming(e: DmEditFields, who: SlackPerson): Incoming | undefined {
  const now = slackTextToPlain(e.message.text ?? '');
  const before = e.previous?.text === undefined ? undefined : slackTextToPlain(e.previous.text);
  if (now.trim() === '' || now === before) return undefined;
  const team = e.message.user_team ?? e.message.team ?? e.teamId;
  const incoming: Incoming = {
    platform: 'slack',
    chatId: e.channel,
    userId: `${team}:${e.message.user}`,
    displayName: who.name,
    text: editSummary(messagesFor(who.locale), now, before),
    deliveryId: `slack:${e.eventId}`,
    edit: { messageId: e.message.ts ?? '', ...(before !== undefined ? { previousText: before } : {}) },
  };
  if (e.message.ts) incoming.source = { platform: 'slack', chatId: e.channel, messageId: e.message.ts };
  if (e.message.thread_ts && e.message.thread_ts !== e.message.ts) incoming.threadId = e.message.thread_ts;
  return withLocale(incoming, who);
}

/** What a Slack file is, by its MIME type. */
function kindOfFile(mimeType: string | undefined): Attachment['kind'] {
  const type = (mimeType ?? '').toLowerCase();
  if (type.startsWith('image/')) return 'image';
  if (type.startsWith('audio/')) return 'audio';
  if (type.startsWith('video/')) return 'video';
  return 'file';
}

/** The fields of a button click (`block_actions`) we read. */
export interface ButtonClickFields {
  teamId: string;
  userId: string;
  triggerId?: string;
  actionTs: string;
  /** The button's value: the core's action line. */
  value: string;
}

/** A button click: its value is the command line the core put on the button. */
export function clickIncoming(c: ButtonClickFields, who: SlackPerson): Incoming {
  return withLocale(
    {
      platform: 'slack',
      chatId: c.userId,
      userId: `${c.teamId}:${c.userId}`,
      displayName: who.name,
      text: c.value,
      deliveryId: `slack:act:${c.triggerId ?? c.actionTs}`,
      fromButton: true,
    },
    who,
  );
}

function withLocale(incoming: Incoming, who: SlackPerson): Incoming {
  if (who.locale) incoming.locale = who.locale;
  return incoming;
}

/**
 * Display names (and locales) from `users.info`, remembered briefly in this process — a cache,
 * not shared state: another process simply asks Slack itself. When Slack will not say (no
 * `users:read` scope, unknown user), the payload's user name or the id stands in.
 *
 * @example
 *   const people = new SlackPeople(app.client, log);
 *   await people.lookup('U0123', 'ann') // → { name: 'Ann Lee', locale: 'en-US' }
 */
export class SlackPeople {
  private readonly cache = new Map<string, { person: SlackPerson; at: number }>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly log: Logger,
    private readonly ttlMs = 10 * 60 * 1000,
    private readonly max = 1000,
  ) {}

  async lookup(userId: string, fallbackName?: string): Promise<SlackPerson> {
    const hit = this.cache.get(userId);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.person;
    try {
      const res = await this.client.users.info({ user: userId, include_locale: true });
      const u = res.user;
      const name = u?.real_name || u?.profile?.real_name || u?.profile?.display_name || u?.name || fallbackName || userId;
      const person: SlackPerson = { name };
      if (u?.locale) person.locale = u.locale;
      if (this.cache.size >= this.max) this.cache.clear();
      this.cache.set(userId, { person, at: Date.now() });
      return person;
    } catch (error) {
      this.log.debug({ err: error, userId }, 'slack: users.info failed; using the payload name');
      return { name: fallbackName || userId };
    }
  }
}
