/**
 * The audit trail: one {@link AuditEvent} per change a person may need to
 * trace (who merged these two customers? who changed this order?).
 *
 * @example
 *   await audit('staff:s_1', 'order.status', 'order:7', { from: 'new', to: 'paid' });
 */
import { AuditEvent } from '../../models/audit-event.js';

export async function audit(actor: string, action: string, target: string, data?: Record<string, unknown>): Promise<void> {
  await AuditEvent.create({ actor, action, target, data });
}
