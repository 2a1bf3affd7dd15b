/**
 * The database-name rule (the URI's path wins, MONGODB_DB otherwise) and the engine/pool rule
 * (FerretDB gets one connection), as pure functions.
 */
import { describe, expect, it } from 'vitest';
import { databaseNameFor, engineFromBuildInfo, poolOptionsFor } from '../../src/db/connect.js';

describe('databaseNameFor', () => {
  const fallback = 'chatcrm';

  it.each([
    ['mongodb://host:27017/shopdb', 'shopdb'],
    ['mongodb://127.0.0.1/shopdb', 'shopdb'],
    ['mongodb+srv://cluster0.example.net/shopdb', 'shopdb'],
    ['mongodb+srv://app:s3cret@cluster0.example.net/shopdb?retryWrites=true&w=majority', 'shopdb'],
    ['mongodb://user:p%40ss%2Fword@db1:27017,db2:27018,db3/shop_db-2?replicaSet=rs0&authSource=admin', 'shop_db-2'],
    ['mongodb://host/shopdb?', 'shopdb'],
    ['MONGODB://HOST/ShopDB', 'ShopDB'],
  ])('uses the database in the URI path: %s → %s', (uri, expected) => {
    expect(databaseNameFor(uri, fallback)).toBe(expected);
  });

  it.each([
    'mongodb://host:27017',
    'mongodb://host:27017/',
    'mongodb://127.0.0.1:40123/',
    'mongodb://host/?replicaSet=rs0',
    'mongodb+srv://app:pw@cluster0.example.net/?retryWrites=true',
    'mongodb+srv://cluster0.example.net',
    'mongodb://user:pw@h1,h2:27018',
  ])('falls back to MONGODB_DB when the URI names no database: %s', (uri) => {
    expect(databaseNameFor(uri, fallback)).toBe(fallback);
  });

  it('decodes percent-encoded names', () => {
    expect(databaseNameFor('mongodb://host/sales%2D2024', fallback)).toBe('sales-2024');
    expect(databaseNameFor('mongodb://host/caf%C3%A9', fallback)).toBe('café');
  });

  it('does not take a password or user name for the database', () => {
    // "/" and "?" inside credentials must be percent-encoded, so they never end the host list.
    expect(databaseNameFor('mongodb://ann:pa%2Fss%3Fx@host', fallback)).toBe(fallback);
    expect(databaseNameFor('mongodb://ann:pa%2Fss@host/crm', fallback)).toBe('crm');
  });

  it.each([
    ['mongodb://host/a.b', /a\.b/],
    ['mongodb://host/a%2Fb', /a\/b/],
    ['mongodb://host/my%20db', /my db/],
    ['mongodb://host/costs$', /costs\$/],
    [`mongodb://host/${'x'.repeat(64)}`, /63 bytes/],
  ])('refuses a name MongoDB would refuse: %s', (uri, message) => {
    expect(() => databaseNameFor(uri, fallback)).toThrow(message);
  });

  it('refuses broken percent-encoding and strings that are not MongoDB URIs, without echoing them', () => {
    expect(() => databaseNameFor('mongodb://host/bad%zz', fallback)).toThrow(/percent-encoding/);
    expect(() => databaseNameFor('http://admin:hunter2@host/shopdb', fallback)).toThrow(/mongodb:\/\//);
    expect(() => databaseNameFor('http://admin:hunter2@host/shopdb', fallback)).not.toThrow(/hunter2/);
  });
});

describe('engineFromBuildInfo', () => {
  it('recognises FerretDB by its buildInfo answer (as our launcher, FerretDB v1.24, gives it)', () => {
    const ferret = {
      version: '7.0.42',
      gitVersion: 'unknown',
      modules: [],
      versionArray: [7, 0, 42, 0],
      bits: 64,
      maxBsonObjectSize: 16777216,
      ferretdbVersion: 'unknown',
      ferretdbFeatures: { aggregationStages: ['$group', '$match'] },
      ok: 1,
    };
    expect(engineFromBuildInfo(ferret)).toBe('ferretdb');
  });

  it('takes anything else for MongoDB', () => {
    const mongo = { version: '7.0.14', gitVersion: 'ce59cfc6a3c5e5c067dca0d30697edd68d4f5188', modules: [], allocator: 'tcmalloc', ok: 1 };
    expect(engineFromBuildInfo(mongo)).toBe('mongodb');
  });
});

describe('poolOptionsFor', () => {
  it('gives FerretDB exactly one connection and MongoDB the driver’s default pool', () => {
    expect(poolOptionsFor('ferretdb')).toEqual({ maxPoolSize: 1, minPoolSize: 1 });
    expect(poolOptionsFor('mongodb')).toEqual({});
  });
});
