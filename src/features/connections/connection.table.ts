export interface ConnectionsTable {
  id: string;
  org_id: string;
  /** Unique per organization; models are addressed as `@<name>/<model>`. */
  name: string;
  type: string;
  base_url: string | null;
  /** Sealed JSON of `ConnectionCredentials` (SecretBox), or null. */
  credentials: string | null;
  is_default: number;
  access_mode: string;
  /** JSON text of the model names the connection offers. */
  models: string;
  timeout_ms: number;
  created_at: string;
  updated_at: string;
}
