import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { ensureIndexes, IndexCreationError } from '../../src/db/connect.js';
import { DatabaseUnavailableError, resolveDatabaseServer } from '../../src/db/server.js';
import { useTestDatabase } from '../support/db.js';

const db = useTestDatabase('db_bootstrap');
const quiet = (): void => {};

describe('database bootstrap', () => {
  it('round-trips documents on the provided server, in this file’s own database', async () => {
    expect(mongoose.connection.name).toBe(db.dbName);
    const collection = mongoose.connection.collection('bootstrap_roundtrip');
    await collection.insertOne({ key: 'a', n: 1, at: new Date('2024-01-02T03:04:05Z') });
    const found = await collection.findOne({ key: 'a' });
    expect(found).toMatchObject({ key: 'a', n: 1, at: new Date('2024-01-02T03:04:05Z') });
  });

  it('reports index creation failures naming the model and the index', async () => {
    const schema = new mongoose.Schema({ a: Number });
    schema.index({ a: 'no_such_index_type' as unknown as 1 });
    const Bad = mongoose.model('BootstrapBadIndex', schema);
    try {
      const error = await ensureIndexes([Bad]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(IndexCreationError);
      expect((error as Error).message).toContain('model BootstrapBadIndex');
      expect((error as Error).message).toContain('no_such_index_type');
    } finally {
      mongoose.deleteModel('BootstrapBadIndex');
    }
  });

  it('uses an explicit MONGODB_URI as an external server', async () => {
    const uri = inject('mongodbUri');
    const server = await resolveDatabaseServer({
      mongodbUri: uri,
      dataDir: '/nonexistent',
      repoRoot: '/nonexistent',
      env: {},
      log: quiet,
    });
    expect(server.kind).toBe('external');
    expect(server.uri).toBe(uri);
    await server.stop(); // no-op
  });

  describe('when nothing can provide a server', () => {
    let tmp: string | undefined;
    afterAll(async () => {
      if (tmp) await rm(tmp, { recursive: true, force: true });
    });

    it('throws DatabaseUnavailableError explaining every step and how to set MONGODB_URI', async () => {
      tmp = await mkdtemp(join(tmpdir(), 'chatcrm-no-db-'));
      const started = Date.now();
      // mongodb-memory-server prints its own failure with a stack trace; keep the test output clean.
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const error = await resolveDatabaseServer({
        dataDir: join(tmp, 'data'),
        repoRoot: tmp, // no tools/ferretdb, no built launcher
        env: {
          PATH: '/nonexistent',
          HOME: tmp,
          CHATCRM_DB_SKIP_MONGOD: '1',
          CHATCRM_GO: '/nonexistent/go',
          // mongodb-memory-server: no download (and nothing cached in this folder)
          MONGOMS_DOWNLOAD_DIR: join(tmp, 'mongodb-binaries'),
          MONGOMS_RUNTIME_DOWNLOAD: 'false',
          MONGOMS_MAX_RETRIES: '1',
        },
        log: quiet,
      }).then(
        () => undefined,
        (e: unknown) => e,
      ).finally(() => warn.mockRestore());

      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      const dbError = error as DatabaseUnavailableError;
      expect(dbError.code).toBe('DB_UNAVAILABLE');
      expect(dbError.attempts.map((a) => a.step)).toEqual(['MONGODB_URI', 'mongod', 'ferretdb', 'memory-server']);
      expect(dbError.message).toContain('MONGODB_URI=mongodb://localhost:27017/chatcrm');
      expect(dbError.message).toMatch(/- mongod: skipped \(CHATCRM_DB_SKIP_MONGOD=1\)/);
      expect(dbError.message).toMatch(/- ferretdb: .*tools\/ferretdb\/main\.go.*\/nonexistent\/go/);
      expect(dbError.message).toMatch(/- memory-server: .+/);
      // one line per step, framed by a heading and the MONGODB_URI hint
      expect(dbError.message.split('\n')).toHaveLength(2 + dbError.attempts.length);
      expect(Date.now() - started).toBeLessThan(20_000);
    });
  });
});
