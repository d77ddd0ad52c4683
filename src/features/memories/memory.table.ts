import type { MemoryFormat } from './memory.schemas.js';

export interface MemoriesTable {
  id: string;
  org_id: string;
  /** The agent that wrote it, as a record only: memories belong to the user, so they outlive the agent. */
  agent_id: string | null;
  external_user_id: string;
  format: MemoryFormat;
  content: string;
  /** Set for DateReminder memories; past it the memory is hidden at once and purged by a job. */
  expires_at: string | null;
  created_at: string;
  updated_at: string;
}
