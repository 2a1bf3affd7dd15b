/**
 * The one HTTP server: `/healthz` here, and whatever the adapters mount
 * (`POST /telegram/webhook` from bots/telegram, `POST /slack/events` from
 * bots/slack). Adapters hand in plain Node request listeners, so this file
 * knows no platform.
 *
 * @example
 *   const http = createHttpServer({ log, health: async () => ({ db: 'ok' }) });
 *   http.mount('/telegram/webhook', telegramListener);
 *   await http.listen(3000);
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';

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
