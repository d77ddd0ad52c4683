import { describe, expect, it } from 'vitest';
import { parseEmbeddingModel } from './embedding-model.js';

describe('parseEmbeddingModel', () => {
  it('reads the built-in model and `<connection>:<model>`, the model id keeping any further colons', () => {
    expect(parseEmbeddingModel('local')).toEqual({ kind: 'local' });
    expect(parseEmbeddingModel('openai:text-embedding-3-small')).toEqual({ kind: 'connection', connection: 'openai', model: 'text-embedding-3-small' });
    expect(parseEmbeddingModel('ollama:nomic-embed-text:latest')).toEqual({ kind: 'connection', connection: 'ollama', model: 'nomic-embed-text:latest' });
  });

  it('refuses anything else with a bad-request error', () => {
    for (const model of ['', 'Local', 'text-embedding-3-small', ':model', 'openai:', 'Open AI:model']) {
      expect(() => parseEmbeddingModel(model), model).toThrow(expect.objectContaining({ kind: 'invalid', code: 'invalid_embedding_model' }));
    }
  });
});
