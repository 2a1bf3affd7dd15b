/** Who changed what, when. Written by services for every change people may need to trace or undo. */
import mongoose, { Schema } from 'mongoose';

const auditEventSchema = new Schema(
  {
    actor: { type: String, required: true },
    action: { type: String, required: true },
    target: { type: String, required: true },
    data: { type: Schema.Types.Mixed },
    at: { type: Date, default: () => new Date() },
  },
  { versionKey: false },
);
auditEventSchema.index({ target: 1, at: -1 });

export const AuditEvent = mongoose.model('AuditEvent', auditEventSchema);
