/**
 * The Telegram emulator (tests/support/telegram-emulator.ts) in a process of
 * its own, for benchmarks: Telegram's servers do not share our CPU, so the
 * emulator should not either. Started with `fork()` by {@link startEmulatorProcess};
 * talks over IPC: it sends `{ apiRoot, token }` once listening, answers
 * `'report'` with the counts a benchmark prints, and stops on `'stop'`.
 *
 * @example
 *   const emu = await startEmulatorProcess({ globalRatePerSec: 1000, perChatRatePerSec: 1 });
 *   … send through grammY to emu.apiRoot …
 *   const report = await emu.report(); // { tooManyRequests, sendsPerChat, firstAt, lastAt }
 *   await emu.stop();
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TelegramEmulator, type TelegramEmulatorOptions } from '../tests/support/telegram-emulator.js';

export interface EmulatorReport {
  tooManyRequests: number;
  /** Successful `sendMessage` calls per chat id. */
  sendsPerChat: Record<string, number>;
  /** `Date.now()` of the first and last successful send. */
  firstAt: number;
  lastAt: number;
  calls: number;
  /** CPU the emulator process has used so far, in ms (0 when in-process). */
  cpuMs: number;
}

export interface EmulatorProcess {
  apiRoot: string;
  token: string;
  report(): Promise<EmulatorReport>;
  stop(): Promise<void>;
}

/** Forks this file as the emulator process; resolves once it listens. */
export async function startEmulatorProcess(options: TelegramEmulatorOptions): Promise<EmulatorProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [JSON.stringify(options)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = await new Promise<{ apiRoot: string; token: string }>((resolve, reject) => {
    child.once('message', (m) => resolve(m as { apiRoot: string; token: string }));
    child.once('exit', (code) => reject(new Error(`emulator process exited with ${code}`)));
  });
  const ask = <T>(what: string) =>
    new Promise<T>((resolve) => {
      child.once('message', (m) => resolve(m as T));
      child.send(what);
    });
  return {
    ...ready,
    report: () => ask<EmulatorReport>('report'),
    async stop() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.send('stop');
      await exited;
    },
  };
}

/**
 * The emulator answers `Keep-Alive: timeout=1`; Node's http.Agent drops a socket
 * whose server hint is ≤ 1 s, so every call would open a new connection (real
 * Telegram keeps them). A longer idle timeout makes the client reuse them.
 */
export function keepConnectionsAlive(tg: TelegramEmulator): void {
  const server = tg['server'];
  if (server) server.keepAliveTimeout = 10_000;
}

// The child side.
if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) {
  const tg = new TelegramEmulator(JSON.parse(process.argv[2] ?? '{}') as TelegramEmulatorOptions);
  const apiRoot = await tg.start();
  keepConnectionsAlive(tg);
  process.on('message', (m) => {
    if (m === 'report') {
      const sendsPerChat: Record<string, number> = {};
      let firstAt = Infinity;
      let lastAt = 0;
      for (const c of tg.calls) {
        if (c.method !== 'sendMessage' || !c.ok) continue;
        const chat = String(c.chat_id);
        sendsPerChat[chat] = (sendsPerChat[chat] ?? 0) + 1;
        firstAt = Math.min(firstAt, c.at);
        lastAt = Math.max(lastAt, c.at);
      }
      const cpu = process.cpuUsage();
      process.send!({ tooManyRequests: tg.stats.tooManyRequests, sendsPerChat, firstAt, lastAt, calls: tg.calls.length, cpuMs: (cpu.user + cpu.system) / 1000 } satisfies EmulatorReport);
    } else if (m === 'stop') {
      void tg.stop().then(() => process.exit(0));
    }
  });
  process.send({ apiRoot, token: tg.token });
}
