/**
 * Inbound deliveries processed once, and the writes of a delivery keyed by it.
 *
 * Why: platforms re-deliver (Telegram re-sends on errors, Slack retries, a restart re-reads an
 * update), and a command that failed half-way must neither run its writes twice nor lose them.
 *
 * - A delivery is claimed by inserting its id (`tg:<bot>:<update_id>`, `slack:<event_id>`): a taken
 *   `_id` is the duplicate check, also across processes ({@link claimDeliveryRun}).
 * - While the core runs a delivery ({@link withinDeliveryRun}), a service doing a multi-step write
 *   asks for an operation id ({@link nextOperationId}: `op:<deliveryId>#1`, `#2`, … in the order the
 *   run asks) and reserves what it creates under it before writing ({@link reserveOperation}), so a
 *   second run of the same delivery finds `O7` and completes it instead of booking `O8`. A step that
 *   must happen once (adding to the totals) is claimed under the operation ({@link claimStep}).
 * - How the run ended is stored ({@link settleDeliveryRun}): `done` with what it created, or
 *   `failed` — an internal error after a keyed write — which the next delivery of the same update
 *   resumes; a failure before any keyed write gives the id back ({@link releaseDelivery}) as before.
 *
 * Every read and write is by exact `_id` (FerretDB pushes no other filter down): claims and
 * resumptions are unique inserts, never conditional updates.
 *
 * @example
 *   const claim = await claimDeliveryRun(incoming.deliveryId); // 'new' | 'resumed' | 'duplicate'
 *   const run = newDeliveryRun(incoming.deliveryId, log);
 *   const replies = await withinDeliveryRun(run, () => route(incoming));
 *   await settleDeliveryRun(run, 'done');
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { ProcessedDelivery, type ProcessedDeliveryDoc } from '../../models/processed-delivery.js';
import { isDuplicateKey, retryBusy } from '../db/writes.js';
import type { Logger } from '../log.js';

/** A first run, a resumption of a run that failed after a keyed write, or a duplicate to skip. */
export type DeliveryClaim = 'new' | 'resumed' | 'duplicate';

/**
 * Claims a delivery for this process: `new` the first time; `resumed` when its last run failed
 * after a keyed write (one process wins each resumption); `duplicate` when it is done, running
 * elsewhere, or was left by a crash mid-run (what that run wrote is unknown: skipped, as before).
 *
 * @example
 *   if ((await claimDeliveryRun('tg:1:17')) === 'duplicate') return [];
 */
export async function claimDeliveryRun(deliveryId: string): Promise<DeliveryClaim> {
  for (let round = 0; round < 2; round++) {
    if (await insertOnce(deliveryId, { state: 'running' })) return 'new';
    const record = await ProcessedDelivery.findById(deliveryId).lean<ProcessedDeliveryDoc>();
    if (!record) continue; // released between our insert and our read: claim it again
    if (record.state !== 'failed') return 'duplicate';
    const attempt = (record.attempt ?? 0) + 1;
    if (!(await insertOnce(`retry:${deliveryId}#${attempt}`, {}))) return 'duplicate';
    await ProcessedDelivery.updateOne({ _id: deliveryId }, { $set: { state: 'running', at: new Date(), attempt } });
    return 'resumed';
  }
  return 'duplicate';
}

/** Gives a delivery id back after a failure that wrote nothing keyed, so the platform's retry runs it. */
export async function releaseDelivery(deliveryId: string): Promise<void> {
  await ProcessedDelivery.deleteOne({ _id: deliveryId });
}

/** One run of a delivery: the operations it asked for and what it wrote through them. */
export interface DeliveryRun {
  readonly deliveryId: string;
  /** Where failures after a write are logged (the core's logger). */
  readonly log?: Logger;
  /** Operation ids handed out so far. */
  operations: number;
  /** Ids reserved by keyed writes (`O7`), and whether the write itself is known to have landed. */
  readonly writes: { id: string; stored: boolean }[];
}

const runs = new AsyncLocalStorage<DeliveryRun>();

/** A fresh run of a delivery (see {@link withinDeliveryRun}). */
export function newDeliveryRun(deliveryId: string, log?: Logger): DeliveryRun {
  return { deliveryId, log, operations: 0, writes: [] };
}

/**
 * Runs `work` as that delivery's run: services it calls get operation ids from
 * {@link nextOperationId} and report their writes to `run`.
 */
export function withinDeliveryRun<T>(run: DeliveryRun, work: () => Promise<T>): Promise<T> {
  return runs.run(run, work);
}

/**
 * The next operation id of the delivery being run (`op:<deliveryId>#<n>`), or `undefined` outside
 * one (a job, a script, a test calling a service). A second run of the delivery asks in the same
 * order, so it gets the same ids.
 *
 * @example
 *   nextOperationId() // → 'op:tg:1:17#1'
 */
export function nextOperationId(): string | undefined {
  const run = runs.getStore();
  if (!run) return undefined;
  run.operations++;
  return `op:${run.deliveryId}#${run.operations}`;
}

/** Tells the current run (if any) that `id` was reserved, and whether its write is known to have landed. */
export function noteKeyedWrite(id: string, stored: boolean): void {
  const run = runs.getStore();
  if (!run) return;
  const seen = run.writes.find((w) => w.id === id);
  if (seen) seen.stored ||= stored;
  else run.writes.push({ id, stored });
}

/**
 * A step that failed after the main write landed (e.g. an order's totals after the order): inside a
 * delivery run it is logged with the id and the caller carries on — the person is told what was
 * saved, and the repair (`totals rebuild`) puts it right; outside one, returns false (the caller throws).
 *
 * @example
 *   try { await addToTotals(order) } catch (e) { if (!reportFailedStep('order totals', order._id, e)) throw e; }
 */
export function reportFailedStep(step: string, id: string, error: unknown): boolean {
  const run = runs.getStore();
  if (!run) return false;
  run.log?.error({ err: error, step, id, deliveryId: run.deliveryId }, 'step failed after the write; the write stands');
  return true;
}

/**
 * The id an operation creates: the one reserved before under `operationId`, or `make()`'s, reserved
 * now by a unique insert (of two racing first runs, the loser takes the winner's; its own number is
 * left unused). `first` says whether this call made the reservation.
 *
 * @example
 *   const { id } = await reserveOperation('op:tg:1:17#1', async () => 'O7'); // 'O7' now and on every retry
 */
export async function reserveOperation(operationId: string, make: () => Promise<string>): Promise<{ id: string; first: boolean }> {
  const found = await ProcessedDelivery.findById(operationId).lean<ProcessedDeliveryDoc>();
  if (found?.orderId) return { id: found.orderId, first: false };
  const id = await make();
  if (await insertOnce(operationId, { orderId: id })) return { id, first: true };
  const theirs = await ProcessedDelivery.findById(operationId).lean<ProcessedDeliveryDoc>();
  if (!theirs?.orderId) throw new Error(`operation ${operationId} is reserved without an id`);
  return { id: theirs.orderId, first: false };
}

/**
 * Claims one step of an operation (`<operationId>/<step>`): true for the one caller that should do it.
 * At most once: a caller that dies after claiming leaves it undone (for the repair to find).
 *
 * @example
 *   if (await claimStep('op:tg:1:17#1', 'totals')) await addToTotals(order);
 */
export async function claimStep(operationId: string, step: string): Promise<boolean> {
  return insertOnce(`${operationId}/${step}`, {});
}

/**
 * Stores how a run ended, when there is something to store: what it wrote through keyed operations,
 * or that it was a resumption. `failed` lets the next delivery of the same update resume it.
 */
export async function settleDeliveryRun(run: DeliveryRun, state: 'done' | 'failed', resumed = false): Promise<void> {
  if (run.writes.length === 0 && !resumed && state === 'done') return;
  await ProcessedDelivery.updateOne({ _id: run.deliveryId }, { $set: { state, created: run.writes.map((w) => w.id) } });
}

/** Inserts a record unless its `_id` exists: true when this call inserted it. */
async function insertOnce(id: string, fields: Partial<Omit<ProcessedDeliveryDoc, '_id'>>): Promise<boolean> {
  try {
    // The driver's insert, not the model's `create` (no validation pass, no document): every delivery pays it.
    await retryBusy(() => ProcessedDelivery.collection.insertOne({ _id: id as never, at: new Date(), ...fields }));
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}
