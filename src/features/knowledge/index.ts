export { CollectionService, type CollectionServiceDependencies } from './collection.service.js';
export { DocumentService, type DocumentServiceDependencies } from './document.service.js';
export { DocumentImportError, type DocumentLineProblem } from './document-import.js';
export {
  type Collection,
  type CollectionChanges,
  changesFromDataSource,
  changesFromGateway,
  toCollectionView,
  toDataSourceCollection,
} from './collection-record.js';
export {
  collectionCreatedSchema,
  collectionIdParams,
  collectionListQuery,
  collectionRequeuedSchema,
  collectionResetSchema,
  collectionViewSchema,
  createCollectionBody,
  dataSourceCollectionBody,
  dataSourceCollectionPageSchema,
  dataSourceCollectionSchema,
  updateCollectionBody,
  updateDataSourceCollectionBody,
  type CollectionView,
  type DataSourceCollection,
} from './collection.schemas.js';
export {
  documentBody,
  documentIdParams,
  documentImportResultSchema,
  documentListQuery,
  documentSummarySchema,
  documentUpsertResultSchema,
  documentViewSchema,
  importDocumentsBody,
  type DocumentSummary,
  type DocumentView,
} from './document.schemas.js';
export { KnowledgeSearch, type KnowledgeHit, type KnowledgeQuery } from './search/knowledge-search.js';
export { knowledgeQueryBody, knowledgeQueryResultSchema, type KnowledgeQueryBody } from './search/query.schemas.js';
export { DocumentIndexer } from './indexing/document-indexer.js';
export { KnowledgeIndexing } from './indexing/indexing.jobs.js';
export type { KnowledgeIndexingHooks } from './indexing-hooks.js';
export { retrieveForTurn, SEARCH_TOOL_NAME, type AgentRetrievalDependencies, type RetrievedChunk } from './retrieval/agent-retrieval.js';
