export interface AuditEventsTable {
  id: string;
  org_id: string;
  correlation_id: string;
  created_at: string;
  actor_key_id: string | null;
  actor_label: string | null;
  entity_type: string;
  entity_id: string;
  change_type: 'Created' | 'Updated' | 'Deleted';
  /** JSON text of `ChangedProperty[]`, for updates. */
  changes: string | null;
}
