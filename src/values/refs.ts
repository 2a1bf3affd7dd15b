/**
 * Human references to records, which are also their `_id`s: customers are `"C12"`, orders
 * `"O7"`. People may type `C12`, `c12` or just `12`; these functions turn that into the `_id`.
 *
 * Why strings: FerretDB's SQLite backend uses its index only for an exact `{_id: <string>}`
 * filter, so a numeric `_id` made every lookup read the whole collection.
 *
 * @example
 *   customerIdOf('c12') // → 'C12'
 *   customerIdOf('12')  // → 'C12'
 *   orderIdOf('O7')     // → 'O7'
 *   customerIdFor(13)   // → 'C13'
 */
export function customerIdOf(ref: string): string | undefined {
  const m = /^c?(\d{1,9})$/i.exec(ref.trim());
  return m?.[1] ? customerIdFor(Number(m[1])) : undefined;
}

export function orderIdOf(ref: string): string | undefined {
  const m = /^o?(\d{1,9})$/i.exec(ref.trim());
  return m?.[1] ? orderIdFor(Number(m[1])) : undefined;
}

export const customerIdFor = (n: number): string => `C${n}`;
export const orderIdFor = (n: number): string => `O${n}`;

/** The number inside a reference, for sorting people-facing lists numerically (`C9` before `C10`). */
export function refNumber(id: string): number {
  return Number(id.slice(1)) || 0;
}

/** The staff id inside an actor ref such as `staff:s_1` (what audit and history record), if it is one. */
export function staffIdOf(actorRef: string): string | undefined {
  return actorRef.startsWith('staff:') ? actorRef.slice(6) : undefined;
}
