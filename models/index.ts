/**
 * Every model, registered here so that index creation at start-up (src/db/connect.ts
 * `ensureIndexes`, which walks `mongoose.modelNames()`) never depends on which modules the entry
 * point happened to import. Import this module once before connecting.
 */
export { AuditEvent } from './audit-event.js';
export { Campaign } from './campaign.js';
export { CodeClaim } from './code-claim.js';
export { ContactKey, contactKey } from './contact-key.js';
export { Conversation, NotificationRef, OpenConversations, SnippetBook, type ConversationDoc } from './conversation.js';
export { Counter } from './counter.js';
export { Customer, type CustomerDoc } from './customer.js';
export { CustomerName } from './customer-name.js';
export { LeadQuestion, type LeadQuestionDoc } from './lead-question.js';
export { Delivery } from './delivery.js';
export { DeliveryEvent } from './delivery-event.js';
export { DigestSubscription } from './digest-subscription.js';
export { FollowUp } from './follow-up.js';
export { Identity, identityId, type IdentityDoc } from './identity.js';
export { Interaction, type InteractionDoc } from './interaction.js';
export { Invite } from './invite.js';
export { MergeRecord } from './merge-record.js';
export { Order, ORDER_STATUSES, type OrderStatus, type OrderDoc } from './order.js';
export { OrderTransition } from './order-transition.js';
export { Outbox } from './outbox.js';
export { ProcessedDelivery } from './processed-delivery.js';
export { SalesDay } from './sales-day.js';
export { RatingClaim, Resolution, type ResolutionDoc } from './resolution.js';
export { SegmentRun, SegmentState } from './segment-state.js';
export { Staff, STAFF_ROLES, type StaffRole, type StaffDoc } from './staff.js';
export { TelegramCallback } from './telegram-callback.js';
export { TotalsSnapshot } from './totals-snapshot.js';
