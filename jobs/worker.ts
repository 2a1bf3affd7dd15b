/**
 * Which parts run in this process, by `config.ROLE`: `web` = chat adapters
 * only, `worker` = jobs only, `all` = both (the default, and `npm start`).
 * Web processes are stateless and scale behind a load balancer; workers share
 * work through Agenda's locks and the send-once records.
 *
 * @example
 *   // src/main.ts
 *   jobs = await startJobsForRole(deps);           // undefined when ROLE=web
 *   if (!runsAdapters(config.ROLE)) await jobs?.whenStopped();
 *   // on shutdown
 *   await jobs?.stop();
 */
import type { Config } from '../src/config.js';
import type { Deps } from '../src/core/command.js';
import { createAgenda, type Jobs } from './agenda.js';

/** Whether this role processes jobs. */
export function runsJobs(role: Config['ROLE']): boolean {
  return role !== 'web';
}

/** Whether this role runs the chat adapters (console, Telegram, Slack, HTTP). */
export function runsAdapters(role: Config['ROLE']): boolean {
  return role !== 'worker';
}

/** Starts the job worker when the role runs jobs; `undefined` otherwise. Mongoose must be connected. */
export async function startJobsForRole(deps: Deps): Promise<Jobs | undefined> {
  if (!runsJobs(deps.config.ROLE)) return undefined;
  const jobs = await createAgenda({ deps });
  await jobs.startWorker();
  return jobs;
}
