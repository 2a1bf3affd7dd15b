/** An order: items, amount in minor units with currency, and its status history. */
import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const ORDER_STATUSES = ['new', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

const orderSchema = new Schema(
  {
    /** `"O7"`: the short sequential reference people type, and a string primary key (see models/customer.ts). */
    _id: { type: String, required: true },
    customerId: { type: String, required: true },
    items: {
      type: [{ _id: false, name: String, qty: Number, unitMinor: Number }],
      default: [],
    },
    amountMinor: { type: Number, required: true },
    currency: { type: String, required: true },
    status: { type: String, enum: ORDER_STATUSES, default: 'new' },
    history: {
      type: [{ _id: false, status: String, at: Date, by: String }],
      default: [],
    },
    /** Staff member who recorded it (or `customer` when the customer ordered in chat). */
    createdBy: { type: String },
    /** Whether this order's amount is counted in the customer's running totals. */
    counted: { type: Boolean, default: false },
  },
  { timestamps: true, versionKey: false },
);
orderSchema.index({ customerId: 1, createdAt: -1 });

export type OrderDoc = InferSchemaType<typeof orderSchema> & { _id: string };
export const Order = mongoose.model('Order', orderSchema);
