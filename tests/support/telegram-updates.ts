/**
 * Builders for incoming Telegram `Update` objects, shaped like Bot API 7+ sends them.
 *
 * Why: tests should feed the bot the same JSON Telegram would (ids, dates, `bot_command` entities,
 * `forward_origin` instead of the removed `forward_from*` fields), without hand-writing it each
 * time. The factory is driven by a host (the {@link TelegramEmulator}) so message ids, known
 * users and callback-query ids stay consistent with what the emulator later accepts.
 *
 * @example
 * const factory = new TelegramUpdateFactory(host);
 * const update = factory.textUpdate({ fromId: 42, text: '/start' });
 * // update.message.entities = [{ type: 'bot_command', offset: 0, length: 6 }]
 */
import type { Chat, Message, MessageEntity, MessageOrigin, Update, User } from 'grammy/types';

/** What the factory needs from the emulator. */
export interface UpdateFactoryHost {
  /** Allocates the next message id (shared with messages the bot sends). */
  nextMessageId(): number;
  /** The bot's own `User` object. */
  botUser(): User;
  /** A stored message by id, or (no id) the latest message the bot sent to that chat. */
  findMessage(chatId: number, messageId?: number): Message | undefined;
  /** Stores a message so the bot can later edit/delete it. */
  rememberMessage(message: Message): void;
  /** Remembers a user so private chats get their name. */
  rememberUser(user: User): void;
  /** A user seen before, if any. */
  knownUser(userId: number): User | undefined;
  /** Marks a callback-query id as issued so `answerCallbackQuery` accepts it. */
  rememberCallbackQuery(id: string): void;
  /** Size of a registered file, for `document.file_size`. */
  fileSize(fileId: string): number | undefined;
}

/** Input for {@link TelegramUpdateFactory.textUpdate}. `chatId` defaults to `fromId` (private chat). */
export interface TextUpdateInput {
  fromId: number;
  chatId?: number;
  text: string;
  firstName?: string;
  lastName?: string;
  username?: string;
  languageCode?: string;
}

/** Input for {@link TelegramUpdateFactory.callbackUpdate}. */
export interface CallbackUpdateInput {
  fromId: number;
  data: string;
  /** Message the button belongs to; defaults to the bot's latest message in the chat. */
  messageId?: number;
  chatId?: number;
}

/** Input for {@link TelegramUpdateFactory.contactUpdate}. `userId` defaults to `fromId`; `null` omits it. */
export interface ContactUpdateInput {
  fromId: number;
  phone: string;
  firstName: string;
  lastName?: string;
  userId?: number | null;
}

/** Input for {@link TelegramUpdateFactory.documentUpdate}. */
export interface DocumentUpdateInput {
  fromId: number;
  fileId: string;
  fileName: string;
  mimeType: string;
  fileSize?: number;
  caption?: string;
}

/** Input for {@link TelegramUpdateFactory.forwardUpdate}. Without `forwardFromId` the origin is a hidden user. */
export interface ForwardUpdateInput {
  fromId: number;
  text: string;
  forwardFromName: string;
  forwardFromId?: number;
}

/** The media kinds {@link TelegramUpdateFactory.mediaUpdate} builds. */
export type MediaKind = 'photo' | 'voice' | 'audio' | 'video' | 'video_note' | 'animation' | 'sticker' | 'document';

/** Input for {@link TelegramUpdateFactory.mediaUpdate}: a file the user sends (pair with `addFile` so `getFile` serves it). */
export interface MediaUpdateInput {
  fromId: number;
  kind: MediaKind;
  fileId: string;
  caption?: string;
  /** Seconds, for voice, audio, video. */
  duration?: number;
  mimeType?: string;
  fileName?: string;
  /** A sticker's emoji. */
  emoji?: string;
  chatId?: number;
  /** The message this one answers (Telegram's reply-to): its `message_id` in the same chat. */
  replyToMessageId?: number;
}

/** Input for {@link TelegramUpdateFactory.locationUpdate}; a `title` and `address` make it a venue. */
export interface LocationUpdateInput {
  fromId: number;
  latitude: number;
  longitude: number;
  title?: string;
  address?: string;
}

/** Input for {@link TelegramUpdateFactory.editedUpdate}: the user edits one of their messages. */
export interface EditedUpdateInput {
  fromId: number;
  messageId: number;
  text: string;
  chatId?: number;
}

/** Input for {@link TelegramUpdateFactory.myChatMemberUpdate}: `kicked` when the user blocks the bot, `member` when they unblock it. */
export interface MyChatMemberUpdateInput {
  fromId: number;
  status: 'kicked' | 'member';
}

/** Unix time in seconds, as Telegram uses. */
export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Builds a `Chat` for an id: positive ids are private chats (named after the known user),
 * negative ids are supergroups.
 *
 * @example
 * chatFor(42, { id: 42, is_bot: false, first_name: 'Ann' }) // { id: 42, type: 'private', first_name: 'Ann' }
 */
export function chatFor(chatId: number, user?: User): Chat.PrivateChat | Chat.SupergroupChat {
  if (chatId < 0) return { id: chatId, type: 'supergroup', title: `Test group ${chatId}` };
  const chat: Chat.PrivateChat = { id: chatId, type: 'private', first_name: user?.first_name ?? `User${chatId}` };
  if (user?.last_name !== undefined) chat.last_name = user.last_name;
  if (user?.username !== undefined) chat.username = user.username;
  return chat;
}

/**
 * `bot_command` entity for text that starts with `/`, as Telegram attaches it.
 *
 * @example
 * commandEntities('/find Ann') // [{ type: 'bot_command', offset: 0, length: 5 }]
 */
export function commandEntities(text: string): MessageEntity[] | undefined {
  const match = /^\/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?/.exec(text);
  if (!match) return undefined;
  return [{ type: 'bot_command', offset: 0, length: match[0].length }];
}

/** See the module comment. */
export class TelegramUpdateFactory {
  private updateId = 0;
  private callbackCounter = 0;

  constructor(private readonly host: UpdateFactoryHost) {}

  /** The id the next built update will get. */
  peekNextUpdateId(): number {
    return this.updateId + 1;
  }

  /** A text message from a user; `/command` text gets a `bot_command` entity. */
  textUpdate(input: TextUpdateInput): Update {
    const from = this.user(input.fromId, input);
    const message = this.message(input.chatId ?? input.fromId, from, { text: input.text });
    const entities = commandEntities(input.text);
    if (entities) message.entities = entities;
    return this.wrap({ message });
  }

  /** An inline-keyboard button press on a bot message (stored or synthesized). */
  callbackUpdate(input: CallbackUpdateInput): Update {
    const from = this.user(input.fromId);
    const chatId = input.chatId ?? input.fromId;
    let message = this.host.findMessage(chatId, input.messageId);
    if (!message) {
      message = {
        message_id: input.messageId ?? this.host.nextMessageId(),
        date: unixNow(),
        chat: chatFor(chatId, this.host.knownUser(chatId)),
        from: this.host.botUser(),
        text: 'Message with buttons',
      };
      this.host.rememberMessage(message);
    }
    this.callbackCounter += 1;
    const id = `${Date.now()}${String(this.callbackCounter).padStart(5, '0')}`;
    this.host.rememberCallbackQuery(id);
    return this.wrap({
      callback_query: { id, from, message, chat_instance: String(-1_000_000 - Math.abs(chatId)), data: input.data },
    });
  }

  /** A shared contact (e.g. the "share my phone" keyboard button). */
  contactUpdate(input: ContactUpdateInput): Update {
    const from = this.user(input.fromId);
    const contact: NonNullable<Message['contact']> = { phone_number: input.phone, first_name: input.firstName };
    if (input.lastName !== undefined) contact.last_name = input.lastName;
    const userId = input.userId === undefined ? input.fromId : input.userId;
    if (userId !== null) contact.user_id = userId;
    return this.wrap({ message: this.message(input.fromId, from, { contact }) });
  }

  /** A document (file) sent by the user; pair with `addFile` so `getFile` can serve it. */
  documentUpdate(input: DocumentUpdateInput): Update {
    const from = this.user(input.fromId);
    const document: NonNullable<Message['document']> = {
      file_id: input.fileId,
      file_unique_id: `u-${input.fileId}`.slice(0, 32),
      file_name: input.fileName,
      mime_type: input.mimeType,
    };
    const size = input.fileSize ?? this.host.fileSize(input.fileId);
    if (size !== undefined) document.file_size = size;
    const extra: Partial<Message> = { document };
    if (input.caption !== undefined) extra.caption = input.caption;
    return this.wrap({ message: this.message(input.fromId, from, extra) });
  }

  /** A forwarded text message, with Bot API 7+ `forward_origin`. */
  forwardUpdate(input: ForwardUpdateInput): Update {
    const from = this.user(input.fromId);
    const date = unixNow() - 60;
    const forward_origin: MessageOrigin =
      input.forwardFromId === undefined
        ? { type: 'hidden_user', date, sender_user_name: input.forwardFromName }
        : { type: 'user', date, sender_user: { id: input.forwardFromId, is_bot: false, first_name: input.forwardFromName } };
    return this.wrap({ message: this.message(input.fromId, from, { text: input.text, forward_origin }) });
  }

  /** A photo, voice note, audio, video, sticker or document message, shaped as Telegram sends each. */
  mediaUpdate(input: MediaUpdateInput): Update {
    const from = this.user(input.fromId);
    const unique = `u-${input.fileId}`.slice(0, 32);
    const size = this.host.fileSize(input.fileId);
    const sized = size === undefined ? {} : { file_size: size };
    const extra: Record<string, unknown> = {};
    switch (input.kind) {
      case 'photo':
        // Several sizes, the largest last (the one to download).
        extra['photo'] = [
          { file_id: `${input.fileId}-small`, file_unique_id: `${unique}s`.slice(0, 32), width: 90, height: 67, file_size: 1200 },
          { file_id: input.fileId, file_unique_id: unique, width: 1280, height: 960, ...sized },
        ];
        break;
      case 'sticker':
        extra['sticker'] = { file_id: input.fileId, file_unique_id: unique, type: 'regular', width: 512, height: 512, is_animated: false, is_video: false, emoji: input.emoji ?? '😀', ...sized };
        break;
      case 'video_note':
        extra['video_note'] = { file_id: input.fileId, file_unique_id: unique, length: 240, duration: input.duration ?? 3, ...sized };
        break;
      default: {
        const file: Record<string, unknown> = { file_id: input.fileId, file_unique_id: unique, ...sized };
        if (input.duration !== undefined) file['duration'] = input.duration;
        if (input.mimeType !== undefined) file['mime_type'] = input.mimeType;
        if (input.fileName !== undefined) file['file_name'] = input.fileName;
        if (input.kind === 'video' || input.kind === 'animation') Object.assign(file, { width: 640, height: 360, duration: input.duration ?? 1 });
        if (input.kind === 'voice' || input.kind === 'audio') file['duration'] ??= 1;
        extra[input.kind] = file;
        // Telegram sends an animation as a document too, for old clients.
        if (input.kind === 'animation') extra['document'] = { ...file };
      }
    }
    if (input.caption !== undefined) extra['caption'] = input.caption;
    if (input.replyToMessageId !== undefined) extra['reply_to_message'] = this.repliedTo(input.chatId ?? input.fromId, input.replyToMessageId);
    return this.wrap({ message: this.message(input.chatId ?? input.fromId, from, extra) });
  }

  /** A shared location, or a venue (a place with a name and address) when `title` is given. */
  locationUpdate(input: LocationUpdateInput): Update {
    const from = this.user(input.fromId);
    const location = { latitude: input.latitude, longitude: input.longitude };
    const extra: Partial<Message> = { location };
    if (input.title !== undefined) extra.venue = { location, title: input.title, address: input.address ?? '' };
    return this.wrap({ message: this.message(input.fromId, from, extra) });
  }

  /** An `edited_message`: the user changed the text of an earlier message of theirs. */
  editedUpdate(input: EditedUpdateInput): Update {
    const from = this.user(input.fromId);
    const chatId = input.chatId ?? input.fromId;
    const earlier = this.host.findMessage(chatId, input.messageId);
    const edited = {
      ...(earlier ?? { message_id: input.messageId, date: unixNow() - 60, chat: chatFor(chatId, from), from }),
      text: input.text,
      edit_date: unixNow(),
    } as Message & Update.Edited & Update.NonChannel;
    this.host.rememberMessage(edited);
    return this.wrap({ edited_message: edited });
  }

  /** `my_chat_member` in the user's private chat: they blocked (`kicked`) or unblocked (`member`) the bot. */
  myChatMemberUpdate(input: MyChatMemberUpdateInput): Update {
    const from = this.user(input.fromId);
    const bot = this.host.botUser();
    const status = input.status;
    const old = status === 'kicked' ? { user: bot, status: 'member' as const } : { user: bot, status: 'kicked' as const, until_date: 0 };
    const now = status === 'kicked' ? { user: bot, status: 'kicked' as const, until_date: 0 } : { user: bot, status: 'member' as const };
    return this.wrap({ my_chat_member: { chat: chatFor(input.fromId, from), from, date: unixNow(), old_chat_member: old, new_chat_member: now } });
  }

  /**
   * A captured update (a fixture) as this emulator would deliver it: a fresh `update_id`, its
   * messages remembered (so `copyMessage` finds them) and its callback query issued. Ids inside
   * are the caller's to adapt.
   */
  adopt(update: Omit<Update, 'update_id'> & { update_id?: number }): Update {
    const { update_id: _captured, ...body } = update;
    const adopted = this.wrap(body);
    for (const message of [adopted.message, adopted.edited_message]) if (message) this.host.rememberMessage(message);
    const query = adopted.callback_query;
    if (query) this.host.rememberCallbackQuery(query.id);
    return adopted;
  }

  private wrap(body: Omit<Update, 'update_id'>): Update {
    this.updateId += 1;
    return { update_id: this.updateId, ...body };
  }

  private user(id: number, input?: Pick<TextUpdateInput, 'firstName' | 'lastName' | 'username' | 'languageCode'>): User {
    const known = this.host.knownUser(id);
    const user: User = { id, is_bot: false, first_name: input?.firstName ?? known?.first_name ?? `User${id}` };
    const lastName = input?.lastName ?? known?.last_name;
    if (lastName !== undefined) user.last_name = lastName;
    const username = input?.username ?? known?.username;
    if (username !== undefined) user.username = username;
    user.language_code = input?.languageCode ?? known?.language_code ?? 'en';
    this.host.rememberUser(user);
    return user;
  }

  /** The replied-to message as Telegram embeds it (without its own `reply_to_message`). */
  private repliedTo(chatId: number, messageId: number): Message {
    const known = this.host.findMessage(chatId, messageId);
    if (known) {
      const { reply_to_message: _nested, ...flat } = known;
      return flat;
    }
    return { message_id: messageId, date: unixNow(), chat: chatFor(chatId, this.host.knownUser(chatId)), from: this.host.botUser(), text: '…' };
  }

  private message(chatId: number, from: User, extra: Partial<Message>): Message & Update.NonChannel {
    const message: Message & Update.NonChannel = {
      ...extra,
      message_id: this.host.nextMessageId(),
      date: unixNow(),
      chat: chatFor(chatId, chatId === from.id ? from : this.host.knownUser(chatId)),
      from,
    };
    this.host.rememberMessage(message);
    return message;
  }
}
