/** Every model, imported once so that index creation at start-up sees them all. */
export { Customer, type CustomerDoc } from './customer.js';
export { ContactKey, contactKey } from './contact-key.js';
export { Staff, STAFF_ROLES, type StaffRole, type StaffDoc } from './staff.js';
export { Identity, identityId, type IdentityDoc } from './identity.js';
export { Order, ORDER_STATUSES, type OrderStatus, type OrderDoc } from './order.js';
export { Interaction, type InteractionDoc } from './interaction.js';
export { AuditEvent } from './audit-event.js';
export { Counter } from './counter.js';
export { Invite } from './invite.js';
export { ProcessedDelivery } from './processed-delivery.js';
export { MergeRecord } from './merge-record.js';
