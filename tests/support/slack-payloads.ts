/**
 * Pure builders for what Slack sends to an app: request signatures, Events API envelopes,
 * slash-command forms, `block_actions` payloads and `users.info` user objects.
 *
 * Why: the {@link SlackEmulator} uses these to drive the app under test exactly as Slack would
 * (so Bolt's signature check, retry handling and payload parsing run for real); keeping them pure
 * makes them easy to reuse in unit tests without a server.
 *
 * @example
 * const body = JSON.stringify(eventEnvelope({ ... }));
 * const headers = signSlackRequest('test-signing-secret', body);
 * await fetch(url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
 */
import { createHmac } from 'node:crypto';

/** Headers Slack adds to every request it sends to an app. */
export interface SlackSignatureHeaders {
  'x-slack-signature': string;
  'x-slack-request-timestamp': string;
}

/** Unix time in seconds. */
export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/**
 * Signs a raw request body the way Slack does: `v0=` + hex HMAC-SHA256 of `v0:<ts>:<body>`.
 *
 * @example
 * signSlackRequest('secret', 'a=1', 1700000000)
 * // { 'x-slack-signature': 'v0=…', 'x-slack-request-timestamp': '1700000000' }
 */
export function signSlackRequest(secret: string, body: string, timestamp: number = unixSeconds()): SlackSignatureHeaders {
  const ts = String(timestamp);
  const digest = createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex');
  return { 'x-slack-signature': `v0=${digest}`, 'x-slack-request-timestamp': ts };
}

/** Workspace identity shared by every payload. */
export interface SlackWorkspace {
  teamId: string;
  teamDomain: string;
  appId: string;
  botUserId: string;
  verificationToken: string;
}

/**
 * Wraps an event into an Events API `event_callback` envelope.
 *
 * @example
 * eventEnvelope(ws, { type: 'app_mention', user: 'U1', text: 'hi', ts: '1.000001', channel: 'C1' }, 'Ev1', 1700000000)
 */
export function eventEnvelope(ws: SlackWorkspace, event: Record<string, unknown>, eventId: string, eventTime: number): Record<string, unknown> {
  const eventTs = typeof event['event_ts'] === 'string' ? event['event_ts'] : typeof event['ts'] === 'string' ? event['ts'] : `${eventTime}.000000`;
  return {
    token: ws.verificationToken,
    team_id: ws.teamId,
    context_team_id: ws.teamId,
    context_enterprise_id: null,
    api_app_id: ws.appId,
    event: { ...event, event_ts: eventTs },
    type: 'event_callback',
    event_id: eventId,
    event_time: eventTime,
    authorizations: [{ enterprise_id: null, team_id: ws.teamId, user_id: ws.botUserId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: `4-${Buffer.from(`${ws.teamId}:${ws.appId}`).toString('base64url')}`,
  };
}

/** Fields of a slash-command invocation. */
export interface SlashCommandFields {
  userId: string;
  userName: string;
  channelId: string;
  channelName: string;
  command: string;
  text: string;
  responseUrl: string;
  triggerId: string;
}

/**
 * The `application/x-www-form-urlencoded` body Slack posts for a slash command.
 *
 * @example
 * slashCommandForm(ws, { userId: 'U1', userName: 'ann', channelId: 'DU1', channelName: 'directmessage',
 *   command: '/crm', text: 'find Ann', responseUrl, triggerId }).toString()
 */
export function slashCommandForm(ws: SlackWorkspace, f: SlashCommandFields): URLSearchParams {
  return new URLSearchParams({
    token: ws.verificationToken,
    team_id: ws.teamId,
    team_domain: ws.teamDomain,
    channel_id: f.channelId,
    channel_name: f.channelName,
    user_id: f.userId,
    user_name: f.userName,
    command: f.command,
    text: f.text,
    api_app_id: ws.appId,
    is_enterprise_install: 'false',
    response_url: f.responseUrl,
    trigger_id: f.triggerId,
  });
}

/** Fields of a button click. */
export interface BlockActionFields {
  userId: string;
  userName: string;
  channelId: string;
  actionId: string;
  blockId: string;
  value: string;
  message: Record<string, unknown>;
  responseUrl: string;
  triggerId: string;
}

/**
 * The JSON that Slack sends (as the `payload` form field) when a user clicks a button.
 *
 * @example
 * new URLSearchParams({ payload: JSON.stringify(blockActionsPayload(ws, fields)) })
 */
export function blockActionsPayload(ws: SlackWorkspace, f: BlockActionFields): Record<string, unknown> {
  const messageTs = typeof f.message['ts'] === 'string' ? f.message['ts'] : '';
  return {
    type: 'block_actions',
    user: { id: f.userId, username: f.userName, name: f.userName, team_id: ws.teamId },
    api_app_id: ws.appId,
    token: ws.verificationToken,
    container: { type: 'message', message_ts: messageTs, channel_id: f.channelId, is_ephemeral: false },
    trigger_id: f.triggerId,
    team: { id: ws.teamId, domain: ws.teamDomain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: f.channelId, name: f.channelId.startsWith('D') ? 'directmessage' : f.channelId },
    message: f.message,
    state: { values: {} },
    response_url: f.responseUrl,
    actions: [
      {
        action_id: f.actionId,
        block_id: f.blockId,
        text: { type: 'plain_text', text: f.value, emoji: true },
        value: f.value,
        type: 'button',
        action_ts: `${unixSeconds()}.${String(Date.now() % 1000).padStart(6, '0')}`,
      },
    ],
  };
}

/**
 * Finds the `block_id` of the block holding an element with `actionId` (Slack reports it in
 * `actions[].block_id`).
 *
 * @example
 * blockIdFor([{ type: 'actions', block_id: 'b1', elements: [{ action_id: 'save' }] }], 'save') // 'b1'
 */
export function blockIdFor(blocks: unknown, actionId: string): string | undefined {
  if (!Array.isArray(blocks)) return undefined;
  for (const block of blocks as unknown[]) {
    if (typeof block !== 'object' || block === null) continue;
    const b = block as Record<string, unknown>;
    const elements = Array.isArray(b['elements']) ? (b['elements'] as unknown[]) : [];
    const accessory = b['accessory'];
    const candidates = accessory === undefined ? elements : [...elements, accessory];
    const hit = candidates.some((e) => typeof e === 'object' && e !== null && (e as Record<string, unknown>)['action_id'] === actionId);
    if (hit && typeof b['block_id'] === 'string') return b['block_id'];
  }
  return undefined;
}

/** A workspace member as registered with `SlackEmulator.addUser`. */
export interface SlackUserInput {
  id: string;
  name: string;
  realName?: string;
  /** IANA zone, default `'UTC'`. */
  tz?: string;
  email?: string;
  isBot?: boolean;
}

/**
 * UTC offset of an IANA zone in seconds at `at` (DST-aware), as Slack's `tz_offset`.
 *
 * @example
 * tzOffsetSeconds('Asia/Kolkata') // 19800
 */
export function tzOffsetSeconds(tz: string, at: Date = new Date()): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' }).formatToParts(at);
  const name = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /GMT([+-])(\d{1,2})(?::?(\d{2}))?/.exec(name);
  if (!match) return 0;
  const seconds = Number(match[2]) * 3600 + Number(match[3] ?? 0) * 60;
  return match[1] === '-' ? -seconds : seconds;
}

/**
 * The `user` object of `users.info`.
 *
 * @example
 * slackUserObject('T0001', { id: 'U1', name: 'ann', realName: 'Ann Lee', tz: 'Europe/Berlin' }).tz_offset // 3600 or 7200
 */
export function slackUserObject(teamId: string, u: SlackUserInput): Record<string, unknown> {
  const tz = u.tz ?? 'UTC';
  const realName = u.realName ?? u.name;
  const label = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'long' }).formatToParts(new Date()).find((p) => p.type === 'timeZoneName')?.value ?? tz;
  const profile: Record<string, unknown> = {
    real_name: realName,
    real_name_normalized: realName,
    display_name: u.name,
    display_name_normalized: u.name,
    team: teamId,
  };
  if (u.email !== undefined) profile['email'] = u.email;
  return {
    id: u.id,
    team_id: teamId,
    name: u.name,
    deleted: false,
    real_name: realName,
    tz,
    tz_label: label,
    tz_offset: tzOffsetSeconds(tz),
    is_admin: false,
    is_owner: false,
    is_bot: u.isBot ?? false,
    is_app_user: false,
    updated: unixSeconds(),
    profile,
  };
}
