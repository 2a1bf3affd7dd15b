/**
 * Human references to records: customers are C12 (or 12), orders O7 (or 7).
 *
 * @example
 *   customerNumber('C12') // → 12
 *   formatCustomerRef(12) // → 'C12'
 */
export function customerNumber(ref: string): number | undefined {
  const m = /^c?(\d{1,9})$/i.exec(ref.trim());
  return m?.[1] ? Number(m[1]) : undefined;
}

export function orderNumber(ref: string): number | undefined {
  const m = /^o?(\d{1,9})$/i.exec(ref.trim());
  return m?.[1] ? Number(m[1]) : undefined;
}

export const formatCustomerRef = (id: number): string => `C${id}`;
export const formatOrderRef = (id: number): string => `O${id}`;
