export { chunkDocument, DEFAULT_CHUNK_OPTIONS, type Chunk, type ChunkOptions } from './chunker.js';
export { estimateTokens } from './token-estimate.js';
