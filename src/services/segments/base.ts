/**
 * What the recompute holds in memory, in columns: typed arrays of numbers
 * indexed by position, and one map from a customer's `_id` to its position —
 * for the active customers ({@link CustomerBase}: their RFM numbers) and for
 * the stored states ({@link StoredStates}: what each state says, without its
 * history). About 60 bytes a customer on each side (a few MB at 100 000),
 * instead of an object per customer with strings and dates, so the recompute
 * can read both collections side by side in one pass each and its memory stays
 * flat as the shop grows.
 *
 * Ids of the usual shape (`"C12"`) are keyed by their number (a small integer
 * key: cheaper in a Map than a string); any other id by the string itself.
 *
 * @example
 *   const base = new CustomerBase();
 *   base.add('C12', buyerNumbers(customer, now, window, 'VND'));
 *   base.stateAt(base.indexOf('C12')!, rfmThresholds(base.buyerColumns(), 'VND')) // → { segment: 'New', r: 5, … }
 */
import { SEGMENTS, type RfmThresholds, type Segment } from './rfm.js';
import { stateOf, type BuyerNumbers, type NextState, type StoredState } from './state.js';

const CUSTOMER_ID = /^C([1-9]\d{0,8})$/;

/** A growable Float64Array. */
class Column {
  data = new Float64Array(1024);
  set(i: number, value: number): void {
    if (i >= this.data.length) {
      const bigger = new Float64Array(Math.max(this.data.length * 2, i + 1));
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[i] = value;
  }
  get(i: number): number {
    return this.data[i]!;
  }
}

/** Customer ids by position, and positions by id. */
class IdIndex {
  private readonly positions = new Map<number | string, number>();
  /** Ids not of the `C<number>` shape, by position (rare: kept apart so the usual ones cost no string). */
  private readonly oddIds = new Map<number, string>();
  private readonly numbers = new Column();
  size = 0;

  /** The position of a new id, or `undefined` when the id is already there. */
  add(customerId: string): number | undefined {
    const key = keyOf(customerId);
    if (this.positions.has(key)) return undefined;
    const i = this.size++;
    this.positions.set(key, i);
    if (typeof key === 'number') this.numbers.set(i, key);
    else this.oddIds.set(i, String(customerId));
    return i;
  }

  indexOf(customerId: string): number | undefined {
    return this.positions.get(keyOf(customerId));
  }

  idAt(i: number): string {
    return this.oddIds.get(i) ?? `C${this.numbers.get(i)}`;
  }
}

function keyOf(customerId: string): number | string {
  const id = String(customerId); // a state left with a numeric id by old code must not pass for "C<number>"
  const m = CUSTOMER_ID.exec(id);
  return m ? Number(m[1]) : id;
}

/** The active customers of one recompute: ids, and for buyers their RFM numbers and lifetime figures. */
export class CustomerBase {
  private readonly ids = new IdIndex();
  /** NaN for a lead; the other columns are read only for buyers. */
  private readonly recencyDays = new Column();
  private readonly frequency = new Column();
  private readonly monetary = new Column();
  private readonly orders = new Column();
  private readonly value = new Column();
  private readonly lastOrderAt = new Column();
  /** Of the customers, buyers (customers with numbers). */
  buyers = 0;

  /** Customers added. */
  get size(): number {
    return this.ids.size;
  }

  /** Adds a customer: a buyer with their numbers, or a lead (`undefined`). A second add of the same id is ignored. */
  add(customerId: string, numbers: BuyerNumbers | undefined): void {
    const i = this.ids.add(customerId);
    if (i === undefined) return;
    if (!numbers) {
      this.recencyDays.set(i, NaN);
      return;
    }
    this.buyers++;
    this.recencyDays.set(i, numbers.recencyDays);
    this.frequency.set(i, numbers.frequency);
    this.monetary.set(i, numbers.monetary);
    this.orders.set(i, numbers.lifetime.orders);
    this.value.set(i, numbers.lifetime.value);
    this.lastOrderAt.set(i, new Date(numbers.lifetime.lastOrderAt).getTime());
  }

  /** The `_id` of the customer at a position. */
  idAt(i: number): string {
    return this.ids.idAt(i);
  }

  /** The buyers' three numbers, in flat arrays: what the thresholds are computed from. */
  buyerColumns(): { recencyDays: Float64Array; frequency: Float64Array; monetary: Float64Array } {
    const columns = { recencyDays: new Float64Array(this.buyers), frequency: new Float64Array(this.buyers), monetary: new Float64Array(this.buyers) };
    let k = 0;
    for (let i = 0; i < this.size; i++) {
      if (Number.isNaN(this.recencyDays.get(i))) continue;
      columns.recencyDays[k] = this.recencyDays.get(i);
      columns.frequency[k] = this.frequency.get(i);
      columns.monetary[k] = this.monetary.get(i);
      k++;
    }
    return columns;
  }

  /** What the state of the customer at a position should be, scored against `thresholds`. */
  stateAt(i: number, thresholds: RfmThresholds): NextState {
    const days = this.recencyDays.get(i);
    if (Number.isNaN(days)) return stateOf(undefined, thresholds);
    return stateOf(
      {
        recencyDays: days,
        frequency: this.frequency.get(i),
        monetary: this.monetary.get(i),
        lifetime: { orders: this.orders.get(i), value: this.value.get(i), lastOrderAt: new Date(this.lastOrderAt.get(i)) },
      },
      thresholds,
    );
  }
}

/** A stored state as the recompute compares it: its fields, and how long its history is. */
export type StoredSummary = Pick<StoredState, 'segment' | 'r' | 'f' | 'm' | 'orders' | 'value' | 'lastOrderAt'> & { historyLength: number };

/**
 * The stored states, without their history (only its length, to know whether
 * one more entry fits): what the recompute compares each customer's next state
 * with. States are marked once matched with a customer; those left unmatched
 * belong to customers no longer active.
 */
export class StoredStates {
  private readonly ids = new IdIndex();
  /** Position in SEGMENTS; NaN for a name not in it (compares unequal to every segment). */
  private readonly segment = new Column();
  /** Scores, lifetime figures and the last order (ms); NaN when absent. */
  private readonly r = new Column();
  private readonly f = new Column();
  private readonly m = new Column();
  private readonly orders = new Column();
  private readonly value = new Column();
  private readonly lastOrderAt = new Column();
  private readonly historyLength = new Column();
  private matched = new Uint8Array(1024);

  get size(): number {
    return this.ids.size;
  }

  add(s: Pick<StoredState, 'customerId' | 'segment' | 'r' | 'f' | 'm' | 'orders' | 'value' | 'lastOrderAt' | 'history'>): void {
    const i = this.ids.add(s.customerId);
    if (i === undefined) return;
    const n = (v: number | null | undefined) => (v === null || v === undefined ? NaN : v);
    const at = s.lastOrderAt ? new Date(s.lastOrderAt).getTime() : NaN;
    const index = SEGMENTS.indexOf(s.segment as Segment);
    this.segment.set(i, index < 0 ? NaN : index);
    this.r.set(i, n(s.r));
    this.f.set(i, n(s.f));
    this.m.set(i, n(s.m));
    this.orders.set(i, n(s.orders));
    this.value.set(i, n(s.value));
    this.lastOrderAt.set(i, at);
    this.historyLength.set(i, s.history?.length ?? 0);
  }

  /** The position of a customer's state, marked as matched; `undefined` when they have none. */
  match(customerId: string): number | undefined {
    const i = this.ids.indexOf(customerId);
    if (i === undefined) return undefined;
    if (i >= this.matched.length) {
      const bigger = new Uint8Array(Math.max(this.matched.length * 2, this.size));
      bigger.set(this.matched);
      this.matched = bigger;
    }
    this.matched[i] = 1;
    return i;
  }

  /** The customer ids of the states never matched. */
  *unmatched(): Generator<string> {
    for (let i = 0; i < this.size; i++) if (!this.matched[i]) yield this.ids.idAt(i);
  }

  /** What the state at a position says. */
  summaryAt(i: number): StoredSummary {
    const opt = (v: number) => (Number.isNaN(v) ? undefined : v);
    const at = this.lastOrderAt.get(i);
    const segment = this.segment.get(i);
    return {
      segment: Number.isNaN(segment) ? '' : SEGMENTS[segment]!,
      r: opt(this.r.get(i)),
      f: opt(this.f.get(i)),
      m: opt(this.m.get(i)),
      orders: opt(this.orders.get(i)) ?? 0,
      value: opt(this.value.get(i)) ?? 0,
      lastOrderAt: Number.isNaN(at) ? undefined : new Date(at),
      historyLength: this.historyLength.get(i),
    };
  }
}
