/**
 * The one HTTP server: `/healthz` here, and whatever the adapters mount
 * (`POST /telegram/webhook` from bots/telegram, `POST /slack/events` from
 * bots/slack). Adapters hand in plain Node request listeners, so this file
 * knows no platform.
 *
 * Bodies: a request to a mounted path that declares a body over {@link MAX_BODY_BYTES} is
 * answered 413 here, before its listener runs; listeners read bodies with `readBody` (./body.ts),
 * which enforces the same ceiling on streamed (chunked) bodies.
 *
 * `/healthz`: 200 with `{ ok: true, ...health() }` while `health()` resolves — in src/main.ts
 * that is while the database is up, with each chat platform's state beside it
 * (`{ ok: true, db: 'up', telegram: 'up', slack: 'degraded: …' }`); 503 with `{ ok: false }`
 * when it throws (database down). A platform that cannot be reached does not make the process
 * unhealthy: restarting it would not bring Telegram back, and the console, jobs and the other
 * platform keep working while the adapter retries (./platforms.ts).
 *
 * @example
 *   const http = createHttpServer({ log, health: async () => ({ db: 'ok' }) });
 *   http.mount('/telegram/webhook', telegramListener);
 *   await http.listen(3000);
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { declaredLength, MAX_BODY_BYTES, refuseTooLarge } from './body.js';

export type Listener = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpServer {
  mount(path: string, listener: Listener): void;
  listen(port: number, host?: string): Promise<number>;
  close(): Promise<void>;
  readonly server: Server;
}

export function createHttpServer(options: { log: Logger; health: () => Promise<Record<string, unknown>> }): HttpServer {
  const routes = new Map<string, Listener>();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/healthz' && req.method === 'GET') {
      options.health().then(
        (body) => {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, ...body }));
        },
        (error: unknown) => {
          options.log.error({ err: error }, 'health check failed');
          res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false }));
        },
      );
      return;
    }
    const listener = routes.get(path);
    if (!listener) {
      res.writeHead(404).end();
      return;
    }
    if ((declaredLength(req) ?? 0) > MAX_BODY_BYTES) {
      refuseTooLarge(res);
      return;
    }
    Promise.resolve(listener(req, res)).catch((error: unknown) => {
      options.log.error({ err: error, path }, 'request failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  return {
    server,
    mount(path, listener) {
      routes.set(path, listener);
    },
    listen(port, host = '0.0.0.0') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as AddressInfo).port));
      });
    },
    close() {
      return new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      });
    },
  };
}
