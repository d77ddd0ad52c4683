export interface AiGatewaysTable {
  id: string;
  org_id: string;
  name: string;
  /** Unique per organization. */
  slug: string;
  /** JSON text of the gateway parameters without `apiKey`, which is kept sealed apart. */
  parameters: string;
  /** The provider key sealed with SecretBox (bound to the row), or null. */
  api_key: string | null;
  /** JSON text of the agent profile (description, icon, initial message…), see agent-profile.ts. */
  profile: string;
  created_at: string;
  updated_at: string;
}
