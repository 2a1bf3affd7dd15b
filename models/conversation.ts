/**
 * The shop's two-way inbox: one conversation per customer, and the small `_id`-keyed records
 * that make every inbox path a bounded number of exact `_id` reads and writes.
 *
 * - {@link Conversation}: `_id` is the customer's (`"C12"`): its state (`open` — waiting for the
 *   shop; `answered`; `resolved`), assignee, when it opened, where the customer last wrote from,
 *   the first-response time, and whether the customer asked us to stop (`silenced`).
 * - {@link OpenConversations}: one document, `_id: "open"`, mapping each open conversation to
 *   when it started waiting and its assignee (`open.C12: { since, assigneeId, high }`). `inbox`
 *   reads this one document instead of scanning the conversations; it is derived from the
 *   conversations (written after them) and `inbox` drops entries they no longer back.
 * - {@link NotificationRef}: `_id` is a notification's platform message key
 *   (`"tg:<chat>:<message_id>"`, `"slack:<channel>:<ts>"`) → the customer it is about, so a
 *   reply-to (Telegram) or a thread reply (Slack) finds its conversation in one lookup.
 * - {@link SnippetBook}: the shop's canned replies, one document (`_id: "shop"`,
 *   `items.<name>: { text, by, at }`): `snippet list` and `reply C12 !name` are one `_id` read.
 *
 * Why maps in one document rather than a query: FerretDB's SQLite backend pushes down only an
 * exact `_id` filter; "open conversations, longest waiting first" as a query reads every
 * conversation the shop ever had.
 */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const CONVERSATION_STATES = ['open', 'answered', 'resolved'] as const;
export type ConversationState = (typeof CONVERSATION_STATES)[number];

const channelSchema = new Schema(
  {
    /** `telegram`, `slack`, `console`. */
    platform: { type: String, required: true },
    /** The identity the customer wrote from (`telegram:1001`): checked to still be theirs before sending. */
    identityId: { type: String, required: true },
    chatId: { type: String, required: true },
  },
  { _id: false },
);

const conversationSchema = new Schema(
  {
    /** The customer's `_id` (`"C12"`): one conversation per customer. */
    _id: { type: String, required: true },
    state: { type: String, enum: CONVERSATION_STATES, required: true },
    /** Who answers it: set when it opens (the customer's owner), by `assign`, cleared on `resolve`. Unset: the staff on duty. */
    assigneeId: { type: String },
    /** When the current conversation began (its first unanswered customer message); cleared on `resolve`. */
    openedAt: { type: Date },
    /** The oldest customer message not answered yet (what `inbox` orders by); cleared by a reply. */
    waitingSince: { type: Date },
    /** The customer's last message: when, where from, and its beginning (for `inbox`). */
    lastInboundAt: { type: Date },
    lastChannel: { type: channelSchema },
    preview: { type: String, default: '' },
    /** Whether a complaint is waiting (shown first among equals, flagged in `inbox`). */
    high: { type: Boolean, default: false },
    /** The last reply that reached the customer. */
    lastReplyAt: { type: Date },
    /** The first reply the customer received in the current conversation, and how long after `openedAt`. */
    firstResponseAt: { type: Date },
    firstResponseMs: { type: Number },
    /**
     * The customer sent `stop`: no order updates until `start`, and replies only to what they
     * write after it. `silencedAt` says when.
     */
    silenced: { type: Boolean, default: false },
    silencedAt: { type: Date },
  },
  { timestamps: true, versionKey: false, minimize: false },
);

export type ConversationDoc = InferSchemaType<typeof conversationSchema> & { _id: string };
export const Conversation = mongoose.model('Conversation', conversationSchema);

/** One open conversation as {@link OpenConversations} lists it. */
export interface OpenEntry {
  /** When it started waiting for the shop. */
  since: Date;
  assigneeId?: string;
  /** A complaint is waiting. */
  high?: boolean;
}

const openConversationsSchema = new Schema(
  {
    /** Always `"open"`. */
    _id: { type: String, required: true },
    /** Customer id → {@link OpenEntry}. Written with `$set`/`$unset` on `open.<customerId>`. */
    open: { type: Schema.Types.Mixed, default: () => ({}) },
  },
  { versionKey: false, minimize: false },
);

export type OpenConversationsDoc = { _id: string; open?: Record<string, OpenEntry> };
export const OpenConversations = mongoose.model('OpenConversations', openConversationsSchema, 'openconversations');

const notificationRefSchema = new Schema(
  {
    /** `"tg:<chat>:<message_id>"`, `"slack:<channel>:<ts>"`, `"console:<chat>:<id>"`. */
    _id: { type: String, required: true },
    customerId: { type: String, required: true },
    /** The staff member the notification went to. */
    staffId: { type: String },
    at: { type: Date, required: true },
  },
  { versionKey: false },
);

export type NotificationRefDoc = InferSchemaType<typeof notificationRefSchema> & { _id: string };
export const NotificationRef = mongoose.model('NotificationRef', notificationRefSchema, 'notificationrefs');

/** One canned reply. */
export interface Snippet {
  text: string;
  /** Who saved it (`staff:<id>`). */
  by: string;
  at: Date;
}

const snippetBookSchema = new Schema(
  {
    /** Always `"shop"`. */
    _id: { type: String, required: true },
    /** Snippet name (`thanks`) → {@link Snippet}. */
    items: { type: Schema.Types.Mixed, default: () => ({}) },
  },
  { versionKey: false, minimize: false },
);

export type SnippetBookDoc = { _id: string; items?: Record<string, Snippet> };
export const SnippetBook = mongoose.model('SnippetBook', snippetBookSchema, 'snippets');
