export { MemoryService, type ForUserOptions, type MemoryServiceDependencies, type RememberInput } from './memory.service.js';
export {
  MEMORY_CONTENT_MAX_CHARACTERS,
  deleteMemoriesQuery,
  memoriesDeletedSchema,
  memoryFormatSchema,
  memoryIdParams,
  memoryListQuery,
  memorySelectorOf,
  memorySummarySchema,
  memoryViewSchema,
  type MemoryFormat,
  type MemorySelector,
  type MemoryView,
} from './memory.schemas.js';
