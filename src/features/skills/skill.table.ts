export interface SkillsTable {
  id: string;
  org_id: string;
  /** Unique per organization; agents list their skills by slug. */
  slug: string;
  description: string | null;
  instructions: string;
  /** JSON text of `InstructionSource[]`. */
  instruction_sources: string;
  /** JSON text of the tool names the skill reveals. */
  allowed_tools_names: string;
  created_at: string;
  updated_at: string;
}
