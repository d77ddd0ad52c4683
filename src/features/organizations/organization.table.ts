export interface OrganizationsTable {
  id: string;
  name: string;
  salt: string;
  /** JSON text of `OrganizationParameters`. */
  parameters: string;
  balance: number;
  /** 1 once the operator set a balance: inference then stops when it reaches zero. */
  balance_limited: number;
  created_at: string;
  updated_at: string;
}
