/**
 * connectMongoose on the suite's server: the engine is recognised from the server's own answer,
 * FerretDB gets exactly one connection, and so concurrent `$inc`s of one document lose nothing
 * (FerretDB v1 runs updates as read-modify-write; over several connections they raced).
 */
import type { ConnectionCheckedOutEvent, ConnectionCreatedEvent } from 'mongodb';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectMongoose, databaseEngine, disconnectMongoose } from '../../src/db/connect.js';
import { useTestDatabase } from '../support/db.js';

const db = useTestDatabase('connection_pool');

/** The server's own `buildInfo`, asked without the code under test. */
let serverIsFerretDb: boolean;
beforeAll(async () => {
  const client = new mongoose.mongo.MongoClient(db.uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    serverIsFerretDb = typeof info.ferretdbVersion === 'string';
  } finally {
    await client.close();
  }
});

const Counter = mongoose.model('PoolTestCounter', new mongoose.Schema({ _id: String, n: Number }, { versionKey: false }), 'pool_test_counters');

/** Records pool events of the connected mongoose client from now on. */
function watchPool() {
  const client = mongoose.connection.getClient();
  const created: ConnectionCreatedEvent[] = [];
  const checkedOut = new Set<number | '<monitor>'>();
  const onCreated = (e: ConnectionCreatedEvent) => created.push(e);
  const onCheckedOut = (e: ConnectionCheckedOutEvent) => checkedOut.add(e.connectionId);
  client.on('connectionCreated', onCreated);
  client.on('connectionCheckedOut', onCheckedOut);
  return {
    created,
    checkedOut,
    stop() {
      client.off('connectionCreated', onCreated);
      client.off('connectionCheckedOut', onCheckedOut);
    },
  };
}

describe('connectMongoose', () => {
  it('reports the engine the server says it is', () => {
    expect(databaseEngine()).toBe(serverIsFerretDb ? 'ferretdb' : 'mongodb');
  });

  it('keeps exactly one connection on FerretDB and the default pool on MongoDB', () => {
    const { maxPoolSize, minPoolSize } = mongoose.connection.getClient().options;
    if (serverIsFerretDb) {
      expect({ maxPoolSize, minPoolSize }).toEqual({ maxPoolSize: 1, minPoolSize: 1 });
    } else {
      expect(maxPoolSize).toBe(100); // the driver's default
    }
  });

  it('counts 300 concurrent $inc of one document exactly, over one connection on FerretDB', async () => {
    await Counter.create({ _id: 'hits', n: 0 });
    const pool = watchPool();
    // The server numbers its connections: every command of this burst should arrive on the same one.
    const serverConnectionIds = new Set<number>();
    try {
      await Promise.all([
        ...Array.from({ length: 300 }, () => Counter.updateOne({ _id: 'hits' }, { $inc: { n: 1 } })),
        ...Array.from({ length: 20 }, async () => {
          const hello = await mongoose.connection.db!.admin().command({ hello: 1 });
          serverConnectionIds.add(hello.connectionId as number);
        }),
      ]);
    } finally {
      pool.stop();
    }
    expect((await Counter.findById('hits').lean())?.n).toBe(300);
    if (serverIsFerretDb) {
      expect(pool.created).toHaveLength(0); // the one connection was opened at connect and kept
      expect(pool.checkedOut.size).toBe(1);
      expect(serverConnectionIds.size).toBe(1);
    }
  });
});

describe('connectMongoose with a connection string that asks for a bigger pool', () => {
  afterAll(async () => {
    // Back to the plain connection for useTestDatabase's afterAll (drops the database).
    await disconnectMongoose();
    await connectMongoose(db.uri, db.dbName);
  });

  it('still uses one connection on FerretDB (maxPoolSize in the URI loses)', async () => {
    await disconnectMongoose();
    await connectMongoose(`${db.uri}${db.uri.includes('?') ? '&' : '?'}maxPoolSize=50`, db.dbName);
    expect(databaseEngine()).toBe(serverIsFerretDb ? 'ferretdb' : 'mongodb');
    expect(mongoose.connection.getClient().options.maxPoolSize).toBe(serverIsFerretDb ? 1 : 50);
  });
});
