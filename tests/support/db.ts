/**
 * Per-test-file database on the shared test server (started by ./global-setup.ts).
 *
 * Why: test files run in parallel against one server; giving each file its own database
 * (`test_<name>_<random>`) keeps their data apart without any cleanup between files.
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import { afterAll, beforeAll, inject } from 'vitest';
import { connectMongoose, disconnectMongoose } from '../../src/db/connect.js';

export interface TestDatabase {
  /** This file's database name, e.g. `test_contacts_3fa9c1`. Available immediately. */
  readonly dbName: string;
  /** Connection string of the shared test server (without database name). */
  readonly uri: string;
}

/**
 * Registers hooks that connect mongoose to a fresh database for this test file:
 * `beforeAll` connects (and creates the indexes of every model registered so far — import
 * your models before calling this), `afterAll` drops the database and disconnects.
 *
 * @example
 * import '../../models/contact.js';
 * const db = useTestDatabase('contacts');
 * it('stores a contact', async () => { ... mongoose.connection.name === db.dbName ... });
 */
export function useTestDatabase(name: string): TestDatabase {
  const safeName = name.replace(/[^A-Za-z0-9_]+/g, '_').slice(0, 40);
  const dbName = `test_${safeName}_${randomBytes(3).toString('hex')}`;
  const uri = inject('mongodbUri');

  beforeAll(async () => {
    await connectMongoose(uri, dbName);
  });

  afterAll(async () => {
    if (mongoose.connection.readyState === mongoose.ConnectionStates.connected) {
      await mongoose.connection.dropDatabase();
    }
    await disconnectMongoose();
  });

  return {
    get dbName() {
      return dbName;
    },
    get uri() {
      return uri;
    },
  };
}
