export type { Embedder } from './embedder.js';
export { LocalEmbedder, type LocalEmbedderOptions } from './local-embedder.js';
export { ConnectionEmbedder, type ConnectionEmbedderOptions } from './connection-embedder.js';
export { createEmbedderRegistry, type EmbedderRegistry, type EmbedderRegistryDependencies } from './embedder-registry.js';
export { LOCAL_EMBEDDING_MODEL, parseEmbeddingModel, type EmbeddingModelId } from './embedding-model.js';
export { toUnitVector } from './unit-vector.js';
