/**
 * Database bootstrap: pick or start a MongoDB-compatible server, connect mongoose, create indexes.
 *
 * @example
 * import { resolveDatabaseServer, connectMongoose } from './db/index.js';
 * const server = await resolveDatabaseServer({
 *   mongodbUri: process.env.MONGODB_URI, dataDir: 'data', repoRoot: process.cwd(), env: process.env, log: console.log,
 * });
 * await connectMongoose(server.uri, 'chatcrm');
 */
export {
  ensureFerretDbLauncher,
  startFerretDb,
  type EnsureFerretDbLauncherOptions,
  type StartFerretDbOptions,
  type StartedServer,
} from './ferretdb.js';
export {
  findSystemMongod,
  startMongod,
  startDownloadedMongod,
  type StartMongodOptions,
  type StartDownloadedMongodOptions,
} from './mongod.js';
export {
  resolveDatabaseServer,
  DatabaseUnavailableError,
  type DatabaseServer,
  type DatabaseServerKind,
  type DatabaseAttempt,
  type ResolveDatabaseServerOptions,
} from './server.js';
export { connectMongoose, disconnectMongoose, ensureIndexes, IndexCreationError, type IndexFailure } from './connect.js';
