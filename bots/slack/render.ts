/**
 * The core's {@link Reply} values as Slack messages: one dispatch per reply kind, pure, so the
 * limits are unit-testable without a server.
 *
 * - text → section blocks of escaped mrkdwn (at most 3,000 characters each; longer text is split
 *   over several sections, and over several messages past {@link SECTIONS_PER_MESSAGE}) plus the
 *   same text as the `text` fallback Slack shows in notifications;
 * - buttons → one `actions` block per row (at most 25 buttons each), `value` = the core's action
 *   (Slack allows 2,000 characters; a longer one is dropped and reported), label cut to 75
 *   characters, `action_id` = `crm_<n>`, unique within the message;
 * - file / image → an upload (`files.uploadV2`), the caption as its comment;
 * - forward (a customer's message for staff) → passed to the sender, which fetches its files.
 *
 * @example
 *   renderReplies([text('Order O7 saved.', [[{ label: 'Mark paid', action: 'order status O7 paid' }]])])
 *   // → { items: [{ kind: 'message', text: 'Order O7 saved.', blocks: [section, actions] }], dropped: [] }
 */
import type { types } from '@slack/bolt';
import type { Button, Reply } from '../../src/core/types.js';
import { escapeMrkdwn, SECTION_TEXT_MAX, splitForSections, truncateLabel } from './format.js';

/** Slack's limits we render within. */
export const SLACK_LIMITS = {
  sectionText: SECTION_TEXT_MAX,
  blocksPerMessage: 50,
  elementsPerActions: 25,
  buttonText: 75,
  buttonValue: 2000,
} as const;

/** Sections per message: keeps the `text` fallback (same content) far below Slack's 40,000. */
export const SECTIONS_PER_MESSAGE = 5;

/** Prefix of every button `action_id` we render; the adapter routes clicks on it. */
export const ACTION_ID_PREFIX = 'crm_';

export interface SlackMessage {
  kind: 'message';
  /** Escaped mrkdwn fallback (notifications, screen readers). */
  text: string;
  blocks: types.KnownBlock[];
}

export interface SlackUpload {
  kind: 'upload';
  fileName: string;
  data: Buffer;
  caption?: string;
}

/** A customer's message passed on: the sender downloads its files and uploads them (./sender.ts). */
export interface SlackForward {
  kind: 'forward';
  reply: Extract<Reply, { kind: 'forward' }>;
}

export type SlackOutgoing = SlackMessage | SlackUpload | SlackForward;

/** What rendering produced, and what it had to leave out (for a warning in the log). */
export interface Rendered {
  items: SlackOutgoing[];
  dropped: string[];
}

/** Renders replies in order; see the module comment for the rules. */
export function renderReplies(replies: readonly Reply[]): Rendered {
  const items: SlackOutgoing[] = [];
  const dropped: string[] = [];
  for (const reply of replies) {
    if (reply.kind === 'text') {
      items.push(...renderText(reply.text, reply.buttons ?? [], dropped));
    } else if (reply.kind === 'forward') {
      items.push({ kind: 'forward', reply });
    } else {
      const upload: SlackUpload = { kind: 'upload', fileName: reply.fileName, data: reply.data };
      if (reply.caption) upload.caption = reply.caption;
      items.push(upload);
    }
  }
  return { items, dropped };
}

function renderText(body: string, rows: readonly Button[][], dropped: string[]): SlackMessage[] {
  const pieces = splitForSections(body, SLACK_LIMITS.sectionText).filter((p) => p.trim() !== '');
  const messages: SlackMessage[] = [];
  for (let i = 0; i < pieces.length; i += SECTIONS_PER_MESSAGE) {
    const chunk = pieces.slice(i, i + SECTIONS_PER_MESSAGE).map(escapeMrkdwn);
    messages.push({
      kind: 'message',
      text: chunk.join('\n'),
      blocks: chunk.map((t): types.SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text: t } })),
    });
  }
  const actions = actionBlocks(rows, dropped);
  if (actions.length === 0) return messages;
  let last = messages.at(-1);
  if (!last) {
    // Buttons without text: the labels are the fallback.
    last = { kind: 'message', text: escapeMrkdwn(rows.flat().map((b) => b.label).join(' · ')), blocks: [] };
    messages.push(last);
  }
  const room = SLACK_LIMITS.blocksPerMessage - last.blocks.length;
  if (actions.length > room) dropped.push(`${actions.length - room} button row(s) beyond Slack's ${SLACK_LIMITS.blocksPerMessage} blocks`);
  // Number buttons so every action_id is unique within the message.
  let n = 0;
  for (const block of actions.slice(0, room)) {
    for (const element of block.elements) (element as types.Button).action_id = `${ACTION_ID_PREFIX}${n++}`;
    block.block_id = `crm_row_${last.blocks.length}`;
    last.blocks.push(block);
  }
  return messages;
}

function actionBlocks(rows: readonly Button[][], dropped: string[]): types.ActionsBlock[] {
  const blocks: types.ActionsBlock[] = [];
  for (const row of rows) {
    const buttons: types.Button[] = [];
    for (const b of row) {
      if (b.action.length > SLACK_LIMITS.buttonValue) {
        dropped.push(`button "${truncateLabel(b.label, 30)}": action longer than ${SLACK_LIMITS.buttonValue} characters`);
        continue;
      }
      buttons.push({
        type: 'button',
        text: { type: 'plain_text', text: truncateLabel(b.label || b.action, SLACK_LIMITS.buttonText), emoji: true },
        value: b.action,
      });
    }
    for (let i = 0; i < buttons.length; i += SLACK_LIMITS.elementsPerActions) {
      blocks.push({ type: 'actions', elements: buttons.slice(i, i + SLACK_LIMITS.elementsPerActions) });
    }
  }
  return blocks;
}
