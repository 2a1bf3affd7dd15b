/**
 * The recompute's columns (src/services/segments/base.ts): customers and stored states kept as
 * numbers by position must give back exactly what was put in — ids of every shape, a lead apart
 * from a buyer, a state's fields and history length — so the comparison they feed is the one the
 * documents themselves would give.
 */
import { describe, expect, it } from 'vitest';
import { CustomerBase, StoredStates } from '../../src/services/segments/base.js';
import { RECENCY_BANDS_DAYS, FREQUENCY_BANDS, MONETARY_BANDS, RFM_RULES_VERSION, type RfmThresholds } from '../../src/services/segments/rfm.js';
import { sameState, stateOf } from '../../src/services/segments/state.js';

const bands: RfmThresholds = { method: 'bands', version: RFM_RULES_VERSION, recencyDays: RECENCY_BANDS_DAYS, frequency: FREQUENCY_BANDS, monetary: MONETARY_BANDS.VND! };
const last = new Date('2026-02-25T10:00:00Z');
const buyer = (recencyDays: number, frequency: number, monetary: number) => ({ recencyDays, frequency, monetary, lifetime: { orders: frequency, value: monetary, lastOrderAt: last } });

describe('CustomerBase', () => {
  it('keys ids of every shape and gives them back, ignoring a second add', () => {
    const base = new CustomerBase();
    for (const id of ['C12', 'C7', 'legacy-9', '12', 'C012']) base.add(id, undefined);
    base.add('C12', buyer(1, 1, 1));
    expect(base.size).toBe(5);
    expect([0, 1, 2, 3, 4].map((i) => base.idAt(i))).toEqual(['C12', 'C7', 'legacy-9', '12', 'C012']);
    expect(base.buyers).toBe(0);
  });

  it('scores buyers from their columns exactly as from their numbers, and leads as Lead', () => {
    const base = new CustomerBase();
    base.add('C1', buyer(5, 1, 400_000));
    base.add('C2', undefined);
    base.add('C3', buyer(200, 12, 15_000_000));
    expect(base.buyerColumns()).toEqual({ recencyDays: Float64Array.from([5, 200]), frequency: Float64Array.from([1, 12]), monetary: Float64Array.from([400_000, 15_000_000]) });
    expect(base.stateAt(0, bands)).toEqual(stateOf(buyer(5, 1, 400_000), bands));
    expect(base.stateAt(1, bands)).toEqual({ segment: 'Lead', orders: 0, value: 0 });
    expect(base.stateAt(2, bands)).toMatchObject({ segment: "Can't lose", r: 1, f: 5, m: 5 });
  });

  it('grows past its first columns', () => {
    const base = new CustomerBase();
    for (let n = 1; n <= 5000; n++) base.add(`C${n}`, n % 2 ? buyer(n % 400, 1 + (n % 12), n * 1000) : undefined);
    expect(base.size).toBe(5000);
    expect(base.buyers).toBe(2500);
    expect(base.idAt(4999)).toBe('C5000');
    expect(base.stateAt(4998, bands)).toEqual(stateOf(buyer(4999 % 400, 1 + (4999 % 12), 4_999_000), bands));
  });
});

describe('StoredStates', () => {
  it('gives back what a state says, compares as the document would, and lists the states never matched', () => {
    const stored = new StoredStates();
    const anna = { customerId: 'C1', segment: 'New', r: 5, f: 1, m: 2, orders: 1, value: 400_000, lastOrderAt: last, history: [{ segment: 'New', at: last }] };
    const lead = { customerId: 'C2', segment: 'Lead', orders: 0, value: 0, history: [] };
    stored.add(anna as never);
    stored.add(lead as never);
    stored.add({ customerId: 'C9', segment: 'Lost', r: 1, f: 1, m: 1, orders: 1, value: 100, lastOrderAt: last, history: [] } as never);

    const i = stored.match('C1')!;
    expect(stored.summaryAt(i)).toEqual({ segment: 'New', r: 5, f: 1, m: 2, orders: 1, value: 400_000, lastOrderAt: last, historyLength: 1 });
    const next = stateOf(buyer(5, 1, 400_000), bands);
    expect(sameState(stored.summaryAt(i), next)).toBe(sameState(anna, next));
    expect(sameState(stored.summaryAt(stored.match('C2')!), { segment: 'Lead', orders: 0, value: 0 })).toBe(true);
    expect(stored.match('C5')).toBeUndefined();
    expect([...stored.unmatched()]).toEqual(['C9']);
  });
});
