/**
 * Reading MongoDB command-monitoring events: the filters a command reads or writes by, and
 * whether a filter is exactly `{_id: <string|ObjectId>}` — the one shape FerretDB's SQLite backend
 * answers from its index. Used by tests/integration/indexed-paths.test.ts and bench/scale.ts.
 *
 * @example
 *   client.on('commandStarted', (e) => filtersOf(e).filter((f) => !isExactId(f.filter)));
 */
import type { CommandStartedEvent } from 'mongodb';

export interface CommandFilter {
  command: string;
  collection: string;
  filter: unknown;
  comment: unknown;
}

/** The filters of a command that reads or writes data (find, update, delete, findAndModify, count, distinct, aggregate). */
export function filtersOf(e: CommandStartedEvent): CommandFilter[] {
  const cmd = e.command as Record<string, unknown>;
  const target = cmd[e.commandName];
  const collection = typeof target === 'string' ? target : '';
  const seen = (filter: unknown): CommandFilter => ({ command: e.commandName, collection, filter, comment: cmd.comment });
  switch (e.commandName) {
    case 'find':
      return [seen(cmd.filter ?? {})];
    case 'findAndModify':
    case 'count':
    case 'distinct':
      return [seen(cmd.query ?? {})];
    case 'update':
      return ((cmd.updates as { q: unknown }[]) ?? []).map((u) => seen(u.q));
    case 'delete':
      return ((cmd.deletes as { q: unknown }[]) ?? []).map((d) => seen(d.q));
    case 'aggregate':
      return [seen(((cmd.pipeline as Record<string, unknown>[]) ?? [])[0]?.$match ?? {})];
    default:
      return [];
  }
}

/** Exactly `{_id: <string or ObjectId>}`. */
export function isExactId(filter: unknown): boolean {
  if (!filter || typeof filter !== 'object') return false;
  const keys = Object.keys(filter);
  if (keys.length !== 1 || keys[0] !== '_id') return false;
  const id = (filter as { _id: unknown })._id;
  return typeof id === 'string' || (typeof id === 'object' && id !== null && (id as { _bsontype?: string })._bsontype === 'ObjectId');
}

/** A filter with its values replaced by their types, so that the same query groups together. */
export function shapeOf(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return `<${typeof v}>`;
  if (v instanceof Date) return '<Date>';
  if (v instanceof RegExp) return '<RegExp>';
  const bson = (v as { _bsontype?: string })._bsontype;
  if (bson) return `<${bson}>`;
  if (Array.isArray(v)) return v.map(shapeOf);
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shapeOf(x)]));
}
