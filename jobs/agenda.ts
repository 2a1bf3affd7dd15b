/**
 * The jobs infrastructure: one Agenda (v6, `@agendajs/mongo-backend`) on the
 * app's own database connection, with job definitions that are plain data
 * (one file per job in `jobs/`, listed in `jobs/index.ts`).
 *
 * A definition says what a job does with the services; Agenda does polling,
 * locking and scheduling. A job body receives a {@link JobRun} (its data and
 * the clock reading it runs at) and the app's {@link Deps}, so tests call
 * `definition.run({ ...jobRun, now }, deps)` directly to drive time forward
 * — see {@link runJobOnce}.
 *
 * Idempotency is the job's duty, not Agenda's: on FerretDB v1 Agenda's lock
 * (a findOneAndUpdate) is not atomic across processes, so two workers can run
 * the same job at the same moment. Every send therefore goes through
 * `sendOnce` (src/services/outbox.ts), whose unique-`_id` insert is atomic —
 * for staff, through `sendToStaffOnce(job, deps, notice)` (jobs/context.ts).
 * Job bodies reach the database through services only.
 *
 * @example
 *   // jobs/cleanup.ts
 *   export const cleanup: JobDefinition = {
 *     name: 'cleanup', every: '1 hour', lockLifetime: 5 * 60_000,
 *     async run(job, deps) { deps.log.info(await cleanUpExpired(job.now), 'cleanup done'); },
 *   };
 *   // src/main.ts (through jobs/worker.ts)
 *   const jobs = await createAgenda({ deps });
 *   await jobs.startWorker();
 *   …
 *   await jobs.stop(); // running jobs finish (up to 30 s), jobs we locked but did not start are released
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { MongoBackend } from '@agendajs/mongo-backend';
import { Agenda, type DrainResult, type Job } from 'agenda';
import type { Db } from 'mongodb';
import mongoose from 'mongoose';
import type { Deps } from '../src/core/command.js';
import { jobDefinitions } from './index.js';

/** What a job body gets for one run. */
export interface JobRun<Data extends object = Record<string, unknown>> {
  /** The definition's name. */
  name: string;
  /** The data the job was scheduled with (`{}` for recurring jobs). */
  data: Data;
  /** The moment this run acts for: `deps.now()` when it started. Tests pass their own. */
  now: Date;
  /** Who runs it: the Agenda instance name (`host:pid:rand`), or `test`/`inline`. */
  worker: string;
  /** Extends the lock of a long run (call it between batches); a no-op outside Agenda. */
  touch(): Promise<void>;
}

/**
 * One job: a name, optional recurrence and limits, and its body.
 * The body must be idempotent: running twice, concurrently on two workers, or
 * after a crash half-way sends nothing twice (use `sendOnce`).
 */
export interface JobDefinition<Data extends object = Record<string, unknown>> {
  /** Unique job name, kebab-case, same as the file name: `follow-up-reminders`. */
  name: string;
  /** Recurrence in Agenda's words (`'1 minute'`, `'10 minutes'`, `'1 hour'`); omit for on-demand jobs. */
  every?: string;
  /** How many runs of this job one worker runs at once (default 1). */
  concurrency?: number;
  /**
   * How long a run may hold its lock without `touch()` before Agenda considers
   * it dead and lets another worker take it (default 5 min).
   */
  lockLifetime?: number;
  run(job: JobRun<Data>, deps: Deps): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyJobDefinition = JobDefinition<any>;

export interface CreateAgendaOptions {
  deps: Deps;
  /** Job definitions (default: every job in `jobs/index.ts`). */
  definitions?: readonly AnyJobDefinition[];
  /** Database (default: the app's mongoose connection, `mongoose.connection.db`). */
  db?: Db;
  /** How often the worker polls for due jobs (default `'5 seconds'`). */
  processEvery?: string | number;
  /** Instance name, stored as `lastModifiedBy` on jobs it locks (default `host:pid:random`). */
  name?: string;
  /** Agenda's collection (default `agendaJobs`). */
  collection?: string;
}

/** The app's handle on Agenda. */
export interface Jobs {
  /** The underlying Agenda, for events (`on('complete:<name>')`) and tests. */
  readonly agenda: Agenda;
  /** This instance's name (`lastModifiedBy` of the jobs it locks). */
  readonly worker: string;
  /** Starts processing: schedules every recurring definition (once per database) and polls. */
  startWorker(): Promise<void>;
  /**
   * Graceful stop: stops polling, waits up to `timeoutMs` (default 30 s) for
   * running jobs to finish, then releases the locks this instance still holds
   * (jobs it fetched but did not start, or that outlived the timeout), so
   * another worker takes them at once instead of after `lockLifetime`.
   */
  stop(options?: { timeoutMs?: number }): Promise<DrainResult>;
  /** Resolves once {@link Jobs.stop} has finished (a worker-only process waits on it). */
  whenStopped(): Promise<void>;
  /** Queues a run of a defined job now (any process may call it, web included). */
  now<Data extends object>(name: string, data?: Data): Promise<void>;
  /** Queues a run at a moment. */
  schedule<Data extends object>(name: string, at: Date, data?: Data): Promise<void>;
}

const DEFAULT_LOCK_LIFETIME = 5 * 60_000;

/**
 * Creates the Agenda on the app's database and defines every job. Resolves once
 * the backend is connected (its index created). Does not start processing:
 * call {@link Jobs.startWorker} in worker processes only.
 */
export async function createAgenda(options: CreateAgendaOptions): Promise<Jobs> {
  const { deps } = options;
  const definitions = options.definitions ?? jobDefinitions;
  const db = options.db ?? (mongoose.connection.db as unknown as Db | undefined);
  if (!db) throw new Error('createAgenda: connect mongoose first (or pass db)');
  const worker = options.name ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const collection = options.collection ?? 'agendaJobs';

  // Connect (and create Agenda's index) ourselves first: Agenda's constructor
  // connects too but leaves a failure as an unhandled rejection.
  const backend = new MongoBackend({ mongo: db, collection });
  await backend.connect();
  const agenda = new Agenda({ backend, name: worker, processEvery: options.processEvery ?? '5 seconds', defaultConcurrency: 1 });
  agenda.on('error', (error: Error) => deps.log.warn({ err: error, worker }, 'agenda error'));
  await agenda.ready;

  const byName = new Map<string, AnyJobDefinition>();
  for (const def of definitions) {
    if (byName.has(def.name)) throw new Error(`duplicate job name: ${def.name}`);
    byName.set(def.name, def);
    agenda.define(
      def.name,
      async (job: Job<Record<string, unknown>>) => {
        const run: JobRun = { name: def.name, data: job.attrs.data ?? {}, now: deps.now(), worker, touch: () => job.touch() };
        const started = Date.now();
        try {
          await def.run(run, deps);
          deps.log.debug({ job: def.name, ms: Date.now() - started }, 'job done');
        } catch (error) {
          deps.log.error({ err: error, job: def.name, worker }, 'job failed');
          throw error;
        }
      },
      { concurrency: def.concurrency ?? 1, lockLifetime: def.lockLifetime ?? DEFAULT_LOCK_LIFETIME },
    );
  }

  let started = false;
  let stopping: Promise<DrainResult> | undefined;
  let markStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));

  function known(name: string): void {
    if (!byName.has(name)) throw new Error(`unknown job: ${name}`);
  }

  return {
    agenda,
    worker,
    async startWorker() {
      if (started) return;
      started = true;
      for (const def of definitions) {
        // A 'single' job per name: every worker upserts the same document.
        if (def.every) await agenda.every(def.every, def.name);
      }
      await agenda.start();
      deps.log.info({ worker, jobs: definitions.map((d) => d.name) }, 'job worker started');
    },
    stop({ timeoutMs = 30_000 } = {}) {
      stopping ??= (async () => {
        // Let a run that just emitted 'complete' leave Agenda's running list first: drain() only
        // re-checks on the next 'complete' event, so it would otherwise wait for its timeout.
        await new Promise((resolve) => setImmediate(resolve));
        const result = started ? await agenda.drain({ timeout: timeoutMs, closeConnection: false }) : { completed: 0, running: 0, timedOut: false, aborted: false };
        if (started) {
          // drain() leaves jobs this instance locked but never started locked until lockLifetime.
          await db.collection(collection).updateMany({ lastModifiedBy: worker, lockedAt: { $ne: null } }, { $unset: { lockedAt: '' } });
          deps.log.info({ worker, ...result }, 'job worker stopped');
        }
        markStopped();
        return result;
      })();
      return stopping;
    },
    whenStopped: () => stopped,
    async now(name, data) {
      known(name);
      await agenda.now(name, data ?? {});
    },
    async schedule(name, at, data) {
      known(name);
      await agenda.schedule(at, name, data ?? {});
    },
  };
}

/**
 * Runs a job body once, outside Agenda: tests drive time with `now`, scripts
 * run a job by hand. The body gets the same {@link JobRun} shape as under Agenda.
 *
 * @example
 *   await runJobOnce(followUpReminders, deps, { now: new Date('2026-12-01T09:00:00Z') });
 */
export async function runJobOnce<Data extends object>(
  def: JobDefinition<Data>,
  deps: Deps,
  options: { now?: Date; data?: Data; worker?: string } = {},
): Promise<void> {
  await def.run({ name: def.name, data: options.data ?? ({} as Data), now: options.now ?? deps.now(), worker: options.worker ?? 'inline', touch: async () => {} }, deps);
}
