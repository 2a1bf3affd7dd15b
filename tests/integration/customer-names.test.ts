/**
 * The name index stays small for common names: a name lists at most NAMESAKES_LISTED customers
 * (the oldest), whether they came one by one (`lead`) or in batches (an import), and a batch run
 * that has learnt a name is full writes nothing more for it.
 */
import '../../models/index.js';
import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import { CustomerName } from '../../models/customer-name.js';
import { indexName, indexNames, NAMESAKES_LISTED, type KnownNames } from '../../src/services/customer-names.js';
import { useTestDatabase } from '../support/db.js';

useTestDatabase('customer_names');

const listed = async (key: string) => (await CustomerName.findById(key).lean<{ customerIds: string[] }>())?.customerIds ?? [];

describe('name index', () => {
  it('lists at most NAMESAKES_LISTED customers of one name, the oldest first, one by one or in batches', async () => {
    for (let i = 1; i <= NAMESAKES_LISTED + 3; i++) await indexName(`C${i}`, 'Nguyễn Văn An');
    expect(await listed('nguyen van an')).toEqual(Array.from({ length: NAMESAKES_LISTED }, (_, i) => `C${i + 1}`));

    const known: KnownNames = new Map();
    await indexNames([{ _id: 'C100', name: 'Hoa' }, { _id: 'C101', name: 'Hòa' }, { _id: 'C102', name: 'nguyen van an' }], known);
    expect(await listed('hoa')).toEqual(['C100', 'C101']);
    expect(await listed('nguyen van an')).toHaveLength(NAMESAKES_LISTED);
    const batch = Array.from({ length: 40 }, (_, i) => ({ _id: `C${200 + i}`, name: 'Hoa' }));
    await indexNames(batch, known);
    expect(await listed('hoa')).toEqual(['C100', 'C101', ...batch.slice(0, NAMESAKES_LISTED - 2).map((c) => c._id)]);
  });

  it('a batch run writes nothing for a name it has learnt is full', async () => {
    const known: KnownNames = new Map();
    await indexNames(Array.from({ length: NAMESAKES_LISTED }, (_, i) => ({ _id: `C${500 + i}`, name: 'Trần Thị Mai' })), known);
    const calls: string[] = [];
    mongoose.set('debug', (collection: string, method: string) => calls.push(`${collection}.${method}`));
    try {
      await indexNames([{ _id: 'C900', name: 'Tran Thi Mai' }], known);
    } finally {
      mongoose.set('debug', false);
    }
    expect(calls).toEqual([]);
    // Without what the run learnt: one read, and still no write.
    mongoose.set('debug', (collection: string, method: string) => calls.push(`${collection}.${method}`));
    try {
      await indexNames([{ _id: 'C901', name: 'Tran Thi Mai' }]);
    } finally {
      mongoose.set('debug', false);
    }
    expect(calls.filter((c) => !c.endsWith('.findOne'))).toEqual(['customernames.insertMany']);
    expect(await listed('tran thi mai')).not.toContain('C900');
  });
});

describe('name index during an import', () => {
  it('is written once at the end; a run cut short leaves it marked stale and the next lookup rebuilds it', async () => {
    const { Customer } = await import('../../models/customer.js');
    const { NameIndexing, customersNamed } = await import('../../src/services/customer-names.js');
    await Customer.collection.insertMany([
      { _id: 'C700' as never, name: 'Đỗ Thị Hạnh', nameKey: 'do thi hanh', status: 'active', phones: [], emails: [], tags: [] },
      { _id: 'C701' as never, name: 'Đỗ Thị Hạnh', nameKey: 'do thi hanh', status: 'active', phones: [], emails: [], tags: [] },
    ]);
    const done = new NameIndexing();
    await done.add([{ _id: 'C700', name: 'Đỗ Thị Hạnh' }]);
    expect(await listed('do thi hanh')).toEqual([]);
    expect(await CustomerName.findById('~stale').lean()).not.toBeNull();
    await done.finish();
    expect(await listed('do thi hanh')).toEqual(['C700']);
    expect(await CustomerName.findById('~stale').lean()).toBeNull();

    // An index already built: only the stale mark makes the lookup rebuild it.
    await CustomerName.collection.insertOne({ _id: '~built' as never, customerIds: [] });
    expect((await customersNamed('do thi hanh')).map((c) => c._id)).toEqual(['C700']);
    const cut = new NameIndexing();
    await cut.add([{ _id: 'C701', name: 'Đỗ Thị Hạnh' }]);
    cut.abandon();
    expect((await customersNamed('do thi hanh')).map((c) => c._id)).toEqual(['C700', 'C701']);
    expect(await CustomerName.findById('~stale').lean()).toBeNull();
  });
});
