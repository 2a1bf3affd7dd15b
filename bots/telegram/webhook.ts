/**
 * `POST /telegram/webhook`: the edge between the internet and grammY. Telegram re-sends an update
 * on any answer other than 2xx, so each status here is chosen for what a re-send would do:
 *
 * | request                                           | answer | processed? |
 * |---------------------------------------------------|--------|------------|
 * | not POST                                          | 405    | no         |
 * | wrong or missing secret header (constant-time)    | 401    | no — checked before the body is read |
 * | the bot has not started yet (Telegram unreachable)| 503    | no — Telegram re-sends later |
 * | body over 1 MiB                                   | 413    | no — not read past the limit |
 * | not a JSON object (bad JSON, `null`, array, form) | 400    | no         |
 * | an update whose fields have the wrong types       | 200    | no — dropped with a warning by the adapter (./update-shape.ts) |
 * | a good update                                     | 200    | yes, once; 500 if the core fails, so Telegram re-sends |
 *
 * After the checks, the update goes through grammY's own `webhookCallback` with a tiny framework
 * adapter (the pattern of grammY's `src/convenience/frameworks.ts`): grammY compares the secret
 * again and runs the middleware.
 *
 * @example
 *   http.mount(TELEGRAM_WEBHOOK_PATH, telegramWebhookListener({ bot, secretToken: config.TELEGRAM_WEBHOOK_SECRET }));
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BotError, webhookCallback, type Bot, type Context } from 'grammy';
import type { Update } from 'grammy/types';
import { readBodyOrRefuse } from '../../src/http/body.js';
import type { Listener } from '../../src/http/server.js';

const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/** grammY's `ReqResHandler` (not exported from the package root): one request as a framework adapter hands it over. */
interface WebhookExchange {
  update: Update;
  header?: string;
  end: () => void;
  respond: (json: string) => void;
  unauthorized: () => void;
  handlerReturn?: Promise<void>;
}

export interface TelegramWebhookOptions {
  bot: Bot<Context>;
  /** TELEGRAM_WEBHOOK_SECRET; required in webhook mode (src/config.ts). */
  secretToken: string | undefined;
}

/** The Node request listener for the webhook; see the module comment. */
export function telegramWebhookListener(options: TelegramWebhookOptions): Listener {
  const { bot, secretToken } = options;
  // grammY's adapter contract: the update we already read, the secret header, and how to answer.
  const handle = webhookCallback(
    bot,
    (update: Update, res: ServerResponse, header: string | undefined): WebhookExchange => ({
      update,
      header,
      end: () => res.writeHead(200).end(),
      respond: (json: string) => res.writeHead(200, { 'content-type': 'application/json' }).end(json),
      unauthorized: () => res.writeHead(401).end(),
    }),
    // The answer waits for the core (its data stored), however long that takes: see ./index.ts.
    { secretToken, timeoutMilliseconds: Infinity },
  );

  return async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const header = req.headers[SECRET_HEADER];
    const given = Array.isArray(header) ? header[0] : header;
    if (!sameSecret(given, secretToken)) {
      res.writeHead(401).end();
      return;
    }
    if (!bot.isInited()) {
      // Without getMe there is no bot id for the delivery id; grammY would block here retrying it.
      res.writeHead(503, { 'retry-after': '10' }).end();
      return;
    }
    const raw = await readBodyOrRefuse(req, res);
    if (!raw) return;
    const update = jsonObject(raw);
    if (!update) {
      res.writeHead(400).end();
      return;
    }
    try {
      await handle(update as unknown as Update, res, given);
    } catch (error) {
      // The server logs what we throw and answers 500 (Telegram re-sends). grammY's BotError carries
      // the whole context — the update (what people wrote) and the Api (the bot token) — into any
      // log that serializes it, so only the error our code threw goes on.
      if (error instanceof BotError) throw error.error instanceof Error ? error.error : new Error('telegram update failed');
      throw error;
    }
  };
}

/** The body as a JSON object, or `undefined` (not JSON, or `null`, an array, a number, a string). */
function jsonObject(raw: Buffer): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * Constant-time comparison of the secret header. Both sides are hashed first, so the compare
 * takes the same time whatever the given value's length. No configured secret: anything goes
 * (grammY's rule; src/config.ts requires one in webhook mode).
 */
function sameSecret(given: string | undefined, expected: string | undefined): boolean {
  if (expected === undefined) return true;
  if (given === undefined) return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}
