export { AuditService, type AuditEntry } from './audit.service.js';
export { auditPurgeJob } from './audit.jobs.js';
export { changedProperties, type ChangedProperty } from './changed-properties.js';
export {
  auditEventDetailSchema,
  auditEventPageSchema,
  auditEventSchema,
  auditListQuery,
  changeTypeSchema,
  type AuditListFilters,
} from './audit.schemas.js';
