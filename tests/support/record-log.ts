import { EventEmitter } from 'node:events';

/**
 * An append-only list of records that tests can await.
 *
 * Why: the bot under test reacts asynchronously (polling loop, webhook handler, job runner), so
 * tests need "wait until the bot sent X" rather than sleeps. `waitFor` first scans what is already
 * recorded (no race if the call happened before the test started waiting), then listens for new
 * records. Pass `since` (an index, usually `log.items.length` captured earlier) to ignore old ones.
 *
 * @example
 * const log = new RecordLog<{ method: string }>();
 * const pending = log.waitFor((r) => r.method === 'sendMessage', 1000);
 * log.push({ method: 'sendMessage' });
 * await pending; // { method: 'sendMessage' }
 */
export class RecordLog<T> {
  /** Everything recorded so far, oldest first. Cleared in place by {@link clear}. */
  readonly items: T[] = [];
  private readonly events = new EventEmitter();

  constructor(private readonly describe: (item: T) => string = (item) => JSON.stringify(item)) {
    this.events.setMaxListeners(0);
  }

  /** Appends a record and wakes matching waiters. */
  push(item: T): void {
    this.items.push(item);
    this.events.emit('record', item);
  }

  /** Empties the list in place (references to `items` stay valid). */
  clear(): void {
    this.items.length = 0;
  }

  /**
   * Resolves with the first record (at index >= `since`) matching `predicate`; rejects after
   * `timeoutMs` with a message listing the most recent records, to make failures readable.
   */
  waitFor(predicate: (item: T) => boolean, timeoutMs = 5000, since = 0): Promise<T> {
    const existing = this.items.slice(since).find(predicate);
    if (existing !== undefined) return Promise.resolve(existing);
    return new Promise<T>((resolve, reject) => {
      const onRecord = (item: T): void => {
        if (!predicate(item)) return;
        cleanup();
        resolve(item);
      };
      const timer = setTimeout(() => {
        cleanup();
        const recent = this.items.slice(-10).map(this.describe).join('\n  ');
        reject(new Error(`waitFor timed out after ${timeoutMs}ms; last ${Math.min(10, this.items.length)} of ${this.items.length} records:\n  ${recent || '(none)'}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.events.off('record', onRecord);
      };
      this.events.on('record', onRecord);
    });
  }
}
