export interface OrganizationsTable {
  id: string;
  name: string;
  salt: string;
  /** JSON text of `OrganizationParameters`. */
  parameters: string;
  balance: number;
  created_at: string;
  updated_at: string;
}
