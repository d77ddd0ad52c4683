/** What the collection and document services need from the indexing pipeline, without depending on it. */
export interface KnowledgeIndexingHooks {
  /** The platform's embedding model (`AGENTRY_EMBEDDINGS`) for collections that name none. */
  readonly defaultEmbeddingModel: string;
  /** Rejects, with a 4xx naming `field` and the model, a model the organization cannot embed with. */
  validateEmbeddingModel(orgId: string, model: string, field: string): Promise<void>;
  /** Asks the pipeline to index the collection's Queued documents. Called after the write commits; never throws. */
  schedule(orgId: string, collectionId: string): void;
}
