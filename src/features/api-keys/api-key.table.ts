export interface ApiKeysTable {
  id: string;
  org_id: string;
  /** Null for organization-wide keys. */
  agent_id: string | null;
  label: string;
  /** SHA-256 hex digest of the key; the key itself is never stored. */
  key_hash: string;
  last_chars: string;
  expires_at: string | null;
  used_at: string | null;
  created_at: string;
  /** Null: no limit. */
  requests_per_minute: number | null;
  tokens_per_day: number | null;
}
