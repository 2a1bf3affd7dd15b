/**
 * Database bootstrap: pick or start a MongoDB-compatible server (owning its data folder when it is
 * local), connect mongoose (one connection on FerretDB), create indexes.
 *
 * @example
 * import { resolveDatabaseServer, connectMongoose, databaseNameFor } from './db/index.js';
 * const server = await resolveDatabaseServer({
 *   mongodbUri: process.env.MONGODB_URI, dataDir: 'data', repoRoot: process.cwd(), env: process.env, log: console.log,
 * });
 * await connectMongoose(server.uri, databaseNameFor(server.uri, 'chatcrm'));
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
  SharedDatabaseRequiredError,
  type DatabaseServer,
  type DatabaseServerKind,
  type DatabaseAttempt,
  type ResolveDatabaseServerOptions,
} from './server.js';
export {
  connectMongoose,
  disconnectMongoose,
  ensureIndexes,
  databaseNameFor,
  databaseEngine,
  detectDatabaseEngine,
  engineFromBuildInfo,
  poolOptionsFor,
  IndexCreationError,
  type DatabaseEngine,
  type IndexFailure,
} from './connect.js';
export {
  lockDataFolder,
  readDataFolderOwner,
  DataFolderInUseError,
  DATA_FOLDER_LOCK_FILE,
  DEFAULT_DATA_FOLDER_HINT,
  type DataFolderLock,
  type DataFolderOwner,
  type LockDataFolderOptions,
} from './data-lock.js';
