/**
 * Mongoose connection: which database, which engine, how many connections, and index creation.
 *
 * Why: `autoIndex` builds indexes in the background and only reports failures through model
 * `error` events, so a missing unique or TTL index goes unnoticed. We turn it off and create
 * every index explicitly at start-up, failing loudly when one cannot be created (FerretDB,
 * for instance, refuses TTL, partial and text indexes).
 *
 * FerretDB v1 runs updates as read-modify-write, so the same `$inc` arriving on two connections at
 * once loses one increment (500 concurrent `$inc`s through the driver's default pool left 12).
 * Over one connection none are lost and it is not slower, so on FerretDB — however it was reached,
 * MONGODB_URI included — mongoose gets exactly one connection; MongoDB keeps the default pool.
 */
import mongoose, { type ConnectOptions, type Model } from 'mongoose';
import { AppError } from '../errors.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyModel = Model<any, any, any, any, any, any, any>;

/** One index that the server refused. */
export interface IndexFailure {
  model: string;
  collection: string;
  /** Index keys, e.g. `{ expiresAt: 1 }`. */
  fields: Record<string, unknown>;
  /** Index options, e.g. `{ expireAfterSeconds: 0 }`. */
  options: Record<string, unknown>;
  error: string;
}

/**
 * Thrown by {@link ensureIndexes} (and so {@link connectMongoose}) when an index cannot be created.
 * For operators: not shown in chat.
 */
export class IndexCreationError extends AppError {
  readonly code = 'DB_INDEX_FAILED' as const;
  readonly failures: readonly IndexFailure[];

  constructor(failures: IndexFailure[]) {
    const notImplemented = failures.some((f) => /not implemented|NotImplemented/i.test(f.error));
    super(
      [
        `Could not create ${failures.length} MongoDB index(es):`,
        ...failures.map(
          (f) =>
            `  - model ${f.model} (collection ${f.collection}), index ${JSON.stringify(f.fields)}` +
            `${Object.keys(f.options).length ? ` ${JSON.stringify(f.options)}` : ''}: ${f.error}`,
        ),
        ...(notImplemented
          ? [
              'The server does not implement these index features (FerretDB refuses TTL, partial and text indexes); ' +
                'use a real MongoDB, e.g. MONGODB_URI=mongodb://localhost:27017/chatcrm',
            ]
          : []),
      ].join('\n'),
    );
    this.name = 'IndexCreationError';
    this.failures = failures;
  }
}

/** The server software behind a connection string. */
export type DatabaseEngine = 'mongodb' | 'ferretdb';

const SERVER_SELECTION_TIMEOUT_MS = 10_000;
let connectedEngine: DatabaseEngine | undefined;

/**
 * The database name a connection string asks for: the path of the URI (`mongodb://host/shopdb` →
 * `shopdb`, percent-decoded), else `fallback` (MONGODB_DB) when the URI names none (no path, or
 * just `/`).
 *
 * Why: every MongoDB tool (mongosh, mongodump, the drivers) treats the path as the database, so a
 * MONGODB_URI naming `shopdb` must not quietly write into `chatcrm`. The local servers' URIs name
 * no database, so MONGODB_DB is the name there.
 *
 * Throws an Error for a string that is not a `mongodb://` or `mongodb+srv://` URI, and for a
 * name MongoDB would refuse (with `/\. "$`, a space or NUL, or over 63 bytes).
 *
 * @example
 * databaseNameFor('mongodb+srv://app:pw@cluster0.example.net/shopdb?retryWrites=true', 'chatcrm'); // 'shopdb'
 * databaseNameFor('mongodb://127.0.0.1:27017/', 'chatcrm');                                       // 'chatcrm'
 */
export function databaseNameFor(uri: string, fallback: string): string {
  const match = /^mongodb(?:\+srv)?:\/\/([^]*)$/i.exec(uri.trim());
  if (!match) throw new Error('The database connection string must start with mongodb:// or mongodb+srv://');
  // Connection string spec: the host list ends at the first "/" (user names and passwords must
  // percent-encode theirs); the database runs from there to "?" (options) or "#".
  const rest = match[1]!;
  const slash = rest.indexOf('/');
  if (slash < 0) return fallback;
  const encoded = rest.slice(slash + 1).split(/[?#]/, 1)[0]!;
  if (encoded === '') return fallback;
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    throw new Error(`The database name in the connection string is not valid percent-encoding: ${encoded}`);
  }
  if (/[/\\. "$\0]/.test(name) || Buffer.byteLength(name, 'utf8') > 63) {
    throw new Error(
      `MongoDB does not accept the database name "${name}" from the connection string: ` +
        'at most 63 bytes, without / \\ . " $, spaces or NUL.',
    );
  }
  return name;
}

/**
 * Tells FerretDB from MongoDB by a `buildInfo` answer: FerretDB adds `ferretdbVersion` (and
 * `ferretdbFeatures`) to the fields MongoDB has.
 *
 * @example
 * engineFromBuildInfo({ version: '7.0.42', ferretdbVersion: 'v1.24.2' }); // 'ferretdb'
 */
export function engineFromBuildInfo(buildInfo: Record<string, unknown>): DatabaseEngine {
  return 'ferretdbVersion' in buildInfo || 'ferretdbFeatures' in buildInfo ? 'ferretdb' : 'mongodb';
}

/**
 * Asks the server behind `uri` what it is, over a short-lived client of one connection that is
 * closed before returning.
 *
 * Why: the pool size must be chosen before mongoose connects; a URI alone does not say whether a
 * FerretDB sits behind it.
 *
 * @example
 * await detectDatabaseEngine('mongodb://127.0.0.1:27017/'); // 'mongodb' or 'ferretdb'
 */
export async function detectDatabaseEngine(uri: string): Promise<DatabaseEngine> {
  const client = new mongoose.mongo.MongoClient(uri, { serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS, maxPoolSize: 1 });
  try {
    await client.connect();
    return engineFromBuildInfo(await client.db('admin').command({ buildInfo: 1 }));
  } finally {
    await client.close().catch(() => undefined);
  }
}

/**
 * The engine mongoose is connected to (or was, after a disconnect), for code that must know —
 * e.g. a query shape FerretDB cannot run — and for logs.
 *
 * Throws before the first {@link connectMongoose}.
 *
 * @example
 * log.info({ engine: databaseEngine() }, 'database connected');
 */
export function databaseEngine(): DatabaseEngine {
  if (!connectedEngine) throw new Error('databaseEngine() was called before connectMongoose()');
  return connectedEngine;
}

/**
 * Connection pool options per engine: exactly one connection on FerretDB (opened at connect and
 * kept; object options win over any `maxPoolSize` in the URI), the driver's defaults on MongoDB.
 * Every command goes over the pool; the driver's server monitor keeps a socket of its own that
 * only ever sends `hello` heartbeats (it cannot be turned off outside load-balanced mode).
 *
 * @example
 * poolOptionsFor('ferretdb'); // { maxPoolSize: 1, minPoolSize: 1 }
 */
export function poolOptionsFor(engine: DatabaseEngine): Pick<ConnectOptions, 'maxPoolSize' | 'minPoolSize'> {
  return engine === 'ferretdb' ? { maxPoolSize: 1, minPoolSize: 1 } : {};
}

/**
 * Connects the default mongoose connection and creates the indexes of every registered model.
 * Register models (import `models/`) before calling it. The server is asked first what it is
 * ({@link detectDatabaseEngine}): FerretDB gets one connection, MongoDB the default pool
 * ({@link poolOptionsFor}); {@link databaseEngine} reports which afterwards. `dbName` wins over a
 * database in `uri`: pick it with {@link databaseNameFor}. On an index failure the connection is
 * closed and an {@link IndexCreationError} is thrown.
 *
 * @example
 * const server = await resolveDatabaseServer({ ... });
 * await connectMongoose(server.uri, databaseNameFor(server.uri, config.MONGODB_DB));
 */
export async function connectMongoose(uri: string, dbName: string): Promise<typeof mongoose> {
  mongoose.set('strictQuery', true);
  const engine = await detectDatabaseEngine(uri);
  await mongoose.connect(uri, {
    dbName,
    serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS,
    autoIndex: false,
    ...poolOptionsFor(engine),
  });
  connectedEngine = engine;
  try {
    await ensureIndexes();
  } catch (err) {
    await mongoose.disconnect();
    throw err;
  }
  return mongoose;
}

/**
 * Creates the schema indexes of `models` (default: every model registered on the default
 * mongoose instance), one model after the other, and throws an {@link IndexCreationError}
 * naming each model and index the server refused.
 *
 * @example
 * await ensureIndexes();              // all registered models
 * await ensureIndexes([ContactModel]); // just one
 */
export async function ensureIndexes(models: AnyModel[] = mongoose.modelNames().map((n) => mongoose.model(n))): Promise<void> {
  const failures: IndexFailure[] = [];
  for (const model of models) {
    const modelFailures: IndexFailure[] = [];
    const onIndexDone = (err: unknown, fields: Record<string, unknown>, options: Record<string, unknown>): void => {
      if (err) {
        modelFailures.push({
          model: model.modelName,
          collection: model.collection.collectionName,
          fields,
          options: options ?? {},
          error: describeMongoError(err),
        });
      }
    };
    // Mongoose emits 'error' on the model for index failures; without a listener that emit
    // would throw inside mongoose and leave createIndexes() pending forever.
    const onError = (): void => {};
    model.on('index-single-done', onIndexDone);
    model.on('error', onError);
    try {
      await model.init(); // collection creation started at model registration
      await model.createIndexes();
    } catch (err) {
      if (modelFailures.length === 0) {
        modelFailures.push({
          model: model.modelName,
          collection: model.collection.collectionName,
          fields: {},
          options: {},
          error: describeMongoError(err),
        });
      }
    } finally {
      model.off('index-single-done', onIndexDone);
      model.off('error', onError);
    }
    failures.push(...modelFailures);
  }
  if (failures.length > 0) throw new IndexCreationError(failures);
}

/**
 * Closes the default mongoose connection (and every other one it opened).
 *
 * @example
 * await disconnectMongoose();
 */
export async function disconnectMongoose(): Promise<void> {
  await mongoose.disconnect();
}

function describeMongoError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const { codeName } = err as Error & { codeName?: string };
  return codeName ? `${err.message} [${codeName}]` : err.message;
}
