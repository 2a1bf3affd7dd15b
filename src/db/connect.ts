/**
 * Mongoose connection and index creation.
 *
 * Why: `autoIndex` builds indexes in the background and only reports failures through model
 * `error` events, so a missing unique or TTL index goes unnoticed. We turn it off and create
 * every index explicitly at start-up, failing loudly when one cannot be created (FerretDB,
 * for instance, refuses TTL, partial and text indexes).
 */
import mongoose, { type Model } from 'mongoose';

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

/** Thrown by {@link ensureIndexes} (and so {@link connectMongoose}) when an index cannot be created. */
export class IndexCreationError extends Error {
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

/**
 * Connects the default mongoose connection and creates the indexes of every registered model.
 * Register models (import `models/`) before calling it. On an index failure the connection is
 * closed and an {@link IndexCreationError} is thrown.
 *
 * @example
 * const server = await resolveDatabaseServer({ ... });
 * await connectMongoose(server.uri, 'chatcrm');
 */
export async function connectMongoose(uri: string, dbName: string): Promise<typeof mongoose> {
  mongoose.set('strictQuery', true);
  await mongoose.connect(uri, { dbName, serverSelectionTimeoutMS: 10_000, autoIndex: false });
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
