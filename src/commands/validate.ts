/**
 * zod at the command boundary: every command states the shape of its
 * arguments as a schema; a mismatch becomes a {@link ValidationError} that the
 * core shows with the command's usage line.
 *
 * @example
 *   const { ref } = check(z.object({ ref: z.string().min(1, 'say which customer') }), { ref });
 */
import type { z } from 'zod';
import { ValidationError } from '../errors.js';

export function check<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new ValidationError(issue.path.join('.') || 'arguments', issue.message);
}
