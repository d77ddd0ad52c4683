import type { Migration } from 'kysely';
import type { Dialect } from '../dialect.js';
import { foundationMigration } from './0001-foundation.js';
import { connectionsMigration } from './0002-connections.js';
import { aiGatewaysMigration } from './0003-ai-gateways.js';
import { usageMigration } from './0004-usage.js';
import { limitsMigration } from './0005-limits.js';
import { conversationsMigration } from './0006-conversations.js';
import { filesMigration } from './0007-files.js';
import { skillsMigration } from './0008-skills.js';
import { memoriesMigration } from './0009-memories.js';
import { conversationIndexesMigration } from './0010-conversation-indexes.js';
import { knowledgeMigration } from './0011-knowledge.js';
import { knowledgeIndexMigration } from './0012-knowledge-index.js';
import { agentFilesMigration } from './0013-agent-files.js';

/** Every schema change, in the order it is applied. Names never change once released. */
export function migrationsFor(dialect: Dialect): Record<string, Migration> {
  return {
    '0001-foundation': foundationMigration(dialect),
    '0002-connections': connectionsMigration(dialect),
    '0003-ai-gateways': aiGatewaysMigration(dialect),
    '0004-usage': usageMigration(dialect),
    '0005-limits': limitsMigration(dialect),
    '0006-conversations': conversationsMigration(dialect),
    '0007-files': filesMigration(dialect),
    '0008-skills': skillsMigration(dialect),
    '0009-memories': memoriesMigration(dialect),
    '0010-conversation-indexes': conversationIndexesMigration(dialect),
    '0011-knowledge': knowledgeMigration(dialect),
    '0012-knowledge-index': knowledgeIndexMigration(dialect),
    '0013-agent-files': agentFilesMigration(dialect),
  };
}
