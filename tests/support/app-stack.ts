/**
 * The app side of an end-to-end harness (./telegram-harness.ts, ./slack-harness.ts):
 * our HTTP server (src/http) listening on a loopback port, the configuration,
 * a RoutingNotifier the adapter registers its sender on, and the core on test
 * deps (./test-app.ts) with the real clock — wired as src/main.ts wires them.
 * The harness adds its emulator and adapter and mounts the adapter's listener.
 *
 * @example
 *   const app = await startAppStack({ env: (appUrl) => ({ TELEGRAM_WEBHOOK_URL: `${appUrl}/telegram/webhook` }) });
 *   app.http.mount('/telegram/webhook', adapter.webhookListener);
 *   …
 *   await adapter.stop();
 *   await app.http.close();
 */
import type { Config } from '../../src/config.js';
import { createApp } from '../../src/app.js';
import type { Core } from '../../src/core/handle.js';
import { createHttpServer, type HttpServer } from '../../src/http/server.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { RoutingNotifier } from '../../src/services/notifier.js';
import { testDeps } from './test-app.js';

export interface AppStack {
  readonly http: HttpServer;
  /** `http://127.0.0.1:<port>` of {@link AppStack.http} (mount paths go after it). */
  readonly appUrl: string;
  readonly config: Config;
  readonly notifier: RoutingNotifier;
  readonly core: Core;
  readonly log: Logger;
}

/**
 * Starts the HTTP server first, so the configuration can name its URL (a webhook
 * URL), then builds config, notifier and core. `env` gets the server's URL.
 */
export async function startAppStack(options: { env: (appUrl: string) => Record<string, string>; log?: Logger }): Promise<AppStack> {
  const log = options.log ?? silentLogger();
  const http = createHttpServer({ log, health: async () => ({ db: 'ok' }) });
  const appUrl = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
  const notifier = new RoutingNotifier();
  const deps = testDeps({ env: options.env(appUrl), notifier, log });
  return { http, appUrl, config: deps.config, notifier, core: createApp(deps), log };
}
