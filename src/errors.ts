/**
 * Coded errors. Every error the CRM raises on purpose is an `AppError` with a
 * stable string `code`; anything else thrown is wrapped by {@link asAppError}
 * so callers (the core, the adapters, the jobs) only ever handle one shape.
 *
 * Why: an error code survives logs, tests and translations; a message does not.
 *
 * @example
 *   throw new ValidationError('phone', 'not a valid phone number');
 */
export abstract class AppError extends Error {
  abstract readonly code: string;
  /** Whether the message is safe and useful to show to the chat user. */
  readonly userFacing: boolean = false;
}

/** Bad input from a person: shown to them with the command's usage line. */
export class ValidationError extends AppError {
  readonly code = 'VALIDATION';
  override readonly userFacing = true;
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** The thing asked for does not exist (or is not visible to the actor). */
export class NotFoundError extends AppError {
  readonly code = 'NOT_FOUND';
  override readonly userFacing = true;
  constructor(
    readonly what: string,
    readonly ref: string,
  ) {
    super(`${what} not found: ${ref}`);
  }
}

/** The actor may not do this. Never says more than that. */
export class ForbiddenError extends AppError {
  readonly code = 'FORBIDDEN';
  override readonly userFacing = true;
  constructor(readonly action: string) {
    super(`not allowed: ${action}`);
  }
}

/** A state conflict a person can resolve (e.g. a phone that belongs to two customers). */
export class ConflictError extends AppError {
  readonly code = 'CONFLICT';
  override readonly userFacing = true;
}

/** A messaging platform refused a call: which method, and what it said. */
export class PlatformError extends AppError {
  readonly code = 'PLATFORM';
  constructor(
    readonly platform: string,
    readonly method: string,
    readonly description: string,
    /** Permanent failures (blocked, chat not found) are not retried. */
    readonly permanent: boolean,
  ) {
    super(`${platform}.${method} refused: ${description}`);
  }
}

/** The configuration is unusable; lists every bad key (never the values). */
export class ConfigError extends AppError {
  readonly code = 'CONFIG';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Our own code failed unexpectedly; wraps the original error. */
export class InternalError extends AppError {
  readonly code = 'INTERNAL';
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original));
  }
}

/**
 * Turns any thrown value into an {@link AppError}.
 *
 * @example
 *   try { … } catch (e) { const err = asAppError(e); log.error({ code: err.code }) }
 */
export function asAppError(value: unknown): AppError {
  return value instanceof AppError ? value : new InternalError(value);
}

/** All error codes, for the uniqueness test and documentation. */
export const errorCodes = [
  'VALIDATION',
  'NOT_FOUND',
  'FORBIDDEN',
  'CONFLICT',
  'PLATFORM',
  'CONFIG',
  'INTERNAL',
] as const;
