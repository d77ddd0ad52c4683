import type { AgentFileCollectionsTable, AgentFilesTable } from './features/agent-files/agent-file.table.js';
import type { AiGatewaysTable } from './features/ai-gateways/ai-gateway.table.js';
import type { ApiKeysTable } from './features/api-keys/api-key.table.js';
import type { AuditEventsTable } from './features/audit/audit-event.table.js';
import type { ConversationsTable, MessagesTable, TurnsTable } from './features/conversations/conversation.table.js';
import type { ConnectionsTable } from './features/connections/connection.table.js';
import type { FilesTable } from './features/files/file.table.js';
import type { ChunksTable, CollectionsTable, DocumentsTable } from './features/knowledge/knowledge.table.js';
import type { RateCountersTable } from './features/limits/rate-counter.table.js';
import type { MemoriesTable } from './features/memories/memory.table.js';
import type { OrganizationsTable } from './features/organizations/organization.table.js';
import type { SkillsTable } from './features/skills/skill.table.js';
import type { UsageRecordsTable } from './features/usage/usage-record.table.js';
import type { JobsTable } from './platform/jobs/job.table.js';

/** Every table, for Kysely's types. Each feature owns its table's row type. */
export interface Tables {
  organizations: OrganizationsTable;
  api_keys: ApiKeysTable;
  audit_events: AuditEventsTable;
  jobs: JobsTable;
  connections: ConnectionsTable;
  ai_gateways: AiGatewaysTable;
  usage_records: UsageRecordsTable;
  rate_counters: RateCountersTable;
  files: FilesTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  turns: TurnsTable;
  skills: SkillsTable;
  memories: MemoriesTable;
  collections: CollectionsTable;
  documents: DocumentsTable;
  chunks: ChunksTable;
  agent_files: AgentFilesTable;
  agent_file_collections: AgentFileCollectionsTable;
}
