/**
 * Slack request signatures, checked in both directions of time. Bolt's own check (which still
 * runs after this one) refuses a timestamp more than five minutes in the past but accepts any in
 * the future, so a correctly signed request dated an hour ahead — captured, or made on a machine
 * with a wrong clock — would be accepted until then. Here both sides are refused.
 *
 * Bolt's `verify-request.ts` style: a plain function, the clock passed in, a constant-time
 * compare, and a reason for the log only — the HTTP answer to any failure is a bare 401.
 * https://docs.slack.dev/authentication/verifying-requests-from-slack
 *
 * @example
 *   const verdict = verifySlackRequest({ signingSecret, body, signature, timestamp, nowMs: Date.now() });
 *   if (!verdict.ok) { log.warn({ reason: verdict.reason }, 'slack: request refused'); res.writeHead(401).end(); }
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a request's timestamp may be from our clock, either way: five minutes, as Slack asks. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

export interface SlackRequestToVerify {
  signingSecret: string;
  /** The raw body, exactly as received. */
  body: string;
  /** `X-Slack-Signature`: `v0=<hex HMAC-SHA256>`. */
  signature: string | undefined;
  /** `X-Slack-Request-Timestamp`: Unix seconds. */
  timestamp: string | undefined;
  /** Our clock (milliseconds), injectable for tests. */
  nowMs: number;
}

/** Accepted, or why not (for the log; never sent back). */
export type SlackVerdict = { ok: true } | { ok: false; reason: string };

/**
 * Checks timestamp (within {@link MAX_CLOCK_SKEW_SECONDS} of `nowMs`, past or future) and
 * signature (HMAC-SHA256 of `v0:<timestamp>:<body>` with the signing secret, compared in constant time).
 *
 * @example
 *   verifySlackRequest({ signingSecret: 's', body: 'a=1', signature: 'v0=…', timestamp: '1700003600', nowMs: 1700000000_000 })
 *   // → { ok: false, reason: 'timestamp more than 300 s away from our clock' }
 */
export function verifySlackRequest(request: SlackRequestToVerify): SlackVerdict {
  const { timestamp, signature } = request;
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'timestamp missing or not a number' };
  const skew = Math.abs(Math.floor(request.nowMs / 1000) - Number(timestamp));
  if (skew > MAX_CLOCK_SKEW_SECONDS) return { ok: false, reason: `timestamp more than ${MAX_CLOCK_SKEW_SECONDS} s away from our clock` };
  if (signature === undefined || !/^v0=[0-9a-f]{64}$/.test(signature)) return { ok: false, reason: 'signature missing or malformed' };
  const expected = `v0=${createHmac('sha256', request.signingSecret).update(`v0:${timestamp}:${request.body}`).digest('hex')}`;
  // Equal lengths by construction (the pattern above), as timingSafeEqual requires.
  if (!timingSafeEqual(Buffer.from(signature, 'utf8'), Buffer.from(expected, 'utf8'))) return { ok: false, reason: 'signature mismatch' };
  return { ok: true };
}
