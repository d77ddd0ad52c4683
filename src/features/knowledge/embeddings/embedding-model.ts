import { BadRequestError } from '../../../platform/errors.js';

/** What an embedding model id names: the built-in model, or a model behind one of the organization's connections. */
export type EmbeddingModelId =
  | { readonly kind: 'local' }
  | { readonly kind: 'connection'; readonly connection: string; readonly model: string };

export const LOCAL_EMBEDDING_MODEL = 'local';

/** Connection names are kept free of `:`, so the first one ends the name; the model id may hold more (`nomic-embed-text:latest`). */
const CONNECTION_MODEL = /^([a-z0-9][a-z0-9._-]{0,62}):(\S.*)$/;

/** Reads `local` or `<connection>:<model>` (e.g. `openai:text-embedding-3-small`). */
export function parseEmbeddingModel(model: string): EmbeddingModelId {
  if (model === LOCAL_EMBEDDING_MODEL) return { kind: 'local' };
  const match = CONNECTION_MODEL.exec(model);
  if (!match?.[1] || !match[2]) {
    throw new BadRequestError(
      'invalid_embedding_model',
      `Embedding model '${model}' is neither '${LOCAL_EMBEDDING_MODEL}' nor '<connection>:<model>' (e.g. 'openai:text-embedding-3-small').`,
    );
  }
  return { kind: 'connection', connection: match[1], model: match[2] };
}
