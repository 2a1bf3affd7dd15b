/**
 * Guards FerretDB's `_id` index patch (tools/ferretdb/sqlite-id-index.patch, docs/database.md).
 *
 * Unpatched FerretDB v1.24 looks documents up by `_ferretdb_sjson->'$._id'` while the `_id`
 * index is on `_ferretdb_sjson->"_id"`; SQLite does not see they are the same expression, so
 * every lookup, update and delete by `_id` scans the whole table. These tests read SQLite's
 * query plan through FerretDB's `explain` and fail as soon as `_id` lookups stop using the
 * index (patch not applied, FerretDB upgraded, recipe changed in src/db/ferretdb.ts).
 *
 * What explain can and cannot show: FerretDB's explain only reads the command's `filter`
 * (find) or its pipeline's leading `$match` (aggregate); for `update`, `findAndModify`,
 * `delete` and `count` it explains a full scan without pushdown, patched or not. Those
 * commands run the same pushed-down `SELECT … WHERE <IDColumn> = ?` as find and then write
 * with `UPDATE/DELETE … WHERE <IDColumn> = ?`: the very expression the find plan below proves
 * indexed. Their test checks that they still address exactly the right document through the
 * patched expression (a wrong expression would make them silently match nothing).
 *
 * This file starts its own FerretDB launcher (built by ensureFerretDbLauncher, like the app's),
 * whatever server the rest of the suite uses: the launcher is what it is about.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient, ObjectId, type Db, type Document } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFerretDbLauncher, startFerretDb, type StartedServer } from '../../src/db/ferretdb.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const COLLECTION = 'id_index';
const STRING_IDS = 400;

interface Item {
  _id: string | ObjectId;
  n: number;
  label: string;
}

/** The parts of FerretDB's explain answer these tests read. */
interface SqlitePlan {
  /** SQLite's `EXPLAIN QUERY PLAN` rows, e.g. `id=3 parent=0 notused=0 detail=SEARCH t USING INDEX t__id_ (<expr>=?)`. */
  plan: string[];
  /** FerretDB's extension: whether the filter was turned into SQL rather than applied in Go. */
  filterPushdown: boolean;
}

/** SQLite's words for "looked the row up in the `_id` index" (FerretDB names it `<table>__id_`). */
const USES_ID_INDEX = /detail=SEARCH \S+ USING INDEX \S+__id_ /;

describe('FerretDB _id lookups use the _id index (tools/ferretdb/sqlite-id-index.patch)', () => {
  let dataDir: string | undefined;
  let server: StartedServer | undefined;
  let client: MongoClient | undefined;
  let db: Db;
  const objectIds = Array.from({ length: 20 }, () => new ObjectId());

  beforeAll(async () => {
    // Builds only when the cached launcher is missing or out of date (a few seconds to minutes).
    const binary = await ensureFerretDbLauncher({ repoRoot, log: (msg) => console.log(`[ferretdb-id-index] ${msg}`) });
    dataDir = await mkdtemp(join(tmpdir(), 'chatcrm-ferretdb-id-index-'));
    server = await startFerretDb({ binary, dataDir, log: () => {} });
    client = await new MongoClient(server.uri, { serverSelectionTimeoutMS: 10_000 }).connect();
    db = client.db('ferretdb_id_index');
    const items = db.collection<Item>(COLLECTION);
    await items.insertMany(Array.from({ length: STRING_IDS }, (_, i) => ({ _id: `k${i}`, n: i, label: `item ${i}` })));
    await items.insertMany(objectIds.map((_id, i) => ({ _id, n: -i, label: `oid ${i}` })));
  });

  afterAll(async () => {
    await client?.close();
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function explain(command: Document): Promise<SqlitePlan> {
    const answer = await db.command({ explain: command });
    const plan = (answer.queryPlanner as { Plan?: unknown } | undefined)?.Plan;
    return {
      plan: Array.isArray(plan) ? plan.map(String) : [],
      filterPushdown: answer.filterPushdown === true,
    };
  }

  it('find by a string _id is pushed down to SQLite and searches the _id index instead of scanning', async () => {
    const { plan, filterPushdown } = await explain({ find: COLLECTION, filter: { _id: 'k42' } });
    expect(filterPushdown).toBe(true);
    expect(plan.join('\n')).toMatch(USES_ID_INDEX);
    expect(plan.join('\n')).not.toMatch(/detail=SCAN/);
  });

  it('find by an ObjectId _id searches the _id index too', async () => {
    const { plan, filterPushdown } = await explain({ find: COLLECTION, filter: { _id: objectIds[7] } });
    expect(filterPushdown).toBe(true);
    expect(plan.join('\n')).toMatch(USES_ID_INDEX);
    expect(plan.join('\n')).not.toMatch(/detail=SCAN/);
  });

  it('an aggregation starting with $match on _id searches the _id index', async () => {
    const { plan, filterPushdown } = await explain({
      aggregate: COLLECTION,
      pipeline: [{ $match: { _id: 'k42' } }],
      cursor: {},
    });
    expect(filterPushdown).toBe(true);
    expect(plan.join('\n')).toMatch(USES_ID_INDEX);
  });

  it('the indexed lookup finds exactly the document asked for, by string and by ObjectId', async () => {
    const items = db.collection<Item>(COLLECTION);
    expect(await items.findOne({ _id: 'k42' })).toEqual({ _id: 'k42', n: 42, label: 'item 42' });
    expect(await items.findOne({ _id: objectIds[7] })).toEqual({ _id: objectIds[7], n: -7, label: 'oid 7' });
    expect(await items.findOne({ _id: 'k-missing' })).toBeNull();
    expect(await items.countDocuments()).toBe(STRING_IDS + objectIds.length);
  });

  it('update, findAndModify and delete by _id (UPDATE/DELETE … WHERE on the patched expression) change only that document', async () => {
    const items = db.collection<Item>(COLLECTION);

    const updated = await items.updateOne({ _id: 'k7' }, { $set: { label: 'updated' } });
    expect(updated).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    const byOid = await items.updateOne({ _id: objectIds[3] }, { $inc: { n: 100 } });
    expect(byOid).toMatchObject({ matchedCount: 1, modifiedCount: 1 });

    const before = await items.findOneAndUpdate({ _id: 'k8' }, { $set: { label: 'fam' } }, { returnDocument: 'before' });
    expect(before).toEqual({ _id: 'k8', n: 8, label: 'item 8' });

    expect(await items.deleteOne({ _id: 'k9' })).toMatchObject({ deletedCount: 1 });
    expect(await items.findOneAndDelete({ _id: objectIds[4] })).toEqual({ _id: objectIds[4], n: -4, label: 'oid 4' });

    expect(await items.findOne({ _id: 'k7' })).toMatchObject({ label: 'updated' });
    expect(await items.findOne({ _id: objectIds[3] })).toMatchObject({ n: 97 });
    expect(await items.findOne({ _id: 'k8' })).toMatchObject({ label: 'fam' });
    expect(await items.findOne({ _id: 'k9' })).toBeNull();
    expect(await items.findOne({ _id: objectIds[4] })).toBeNull();
    // nothing else was touched
    expect(await items.countDocuments()).toBe(STRING_IDS + objectIds.length - 2);
    expect(await items.countDocuments({ label: { $in: ['updated', 'fam'] } })).toBe(2);
    expect(await items.findOne({ _id: 'k6' })).toEqual({ _id: 'k6', n: 6, label: 'item 6' });
  });
});
