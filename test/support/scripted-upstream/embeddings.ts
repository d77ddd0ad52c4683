import { createHash } from 'node:crypto';
import { countTokens } from './chat-completion.js';

export const DEFAULT_EMBEDDING_DIMENSIONS = 8;

/**
 * A unit-length vector derived from SHA-256 of the text: equal texts embed
 * equally, different texts almost surely differently. Values are rounded to
 * float32 so the JSON and base64 encodings decode to the same numbers.
 */
export function fakeEmbedding(text: string, dimensions: number = DEFAULT_EMBEDDING_DIMENSIONS): number[] {
  const raw: number[] = [];
  for (let block = 0; raw.length < dimensions; block += 1) {
    const digest = createHash('sha256').update(`${block}\u0000${text}`).digest();
    for (let offset = 0; offset + 4 <= digest.length && raw.length < dimensions; offset += 4) {
      raw.push((digest.readUInt32BE(offset) / 0xffffffff) * 2 - 1);
    }
  }
  const norm = Math.hypot(...raw) || 1;
  return raw.map((value) => Math.fround(value / norm));
}

/** The inputs as texts to hash; token-id inputs are hashed as their JSON. Undefined when the shape is not OpenAI's. */
export function embeddingInputs(input: unknown): string[] | undefined {
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((item) => typeof item === 'number')) return [JSON.stringify(input)];
  if (input.every((item) => typeof item === 'string')) return input;
  if (input.every((item) => Array.isArray(item) && item.every((token) => typeof token === 'number'))) {
    return input.map((item) => JSON.stringify(item));
  }
  return undefined;
}

/**
 * The `list` of embeddings for a validated request. The openai client asks for
 * `encoding_format: 'base64'` unless told otherwise, so both encodings are served:
 * base64 is the little-endian float32 bytes.
 */
export function embeddingsBody(
  requestBody: Record<string, unknown>,
  texts: readonly string[],
  defaultDimensions: number,
  scale = 1,
): Record<string, unknown> {
  const dimensions = typeof requestBody.dimensions === 'number' ? requestBody.dimensions : defaultDimensions;
  const base64 = requestBody.encoding_format === 'base64';
  const data = texts.map((text, index) => {
    const unit = fakeEmbedding(text, dimensions);
    const vector = scale === 1 ? unit : unit.map((value) => Math.fround(value * scale));
    const embedding = base64 ? float32LittleEndianBase64(vector) : vector;
    return { object: 'embedding', index, embedding };
  });
  const promptTokens = texts.reduce((sum, text) => sum + countTokens(text), 0);
  return {
    object: 'list',
    data,
    model: typeof requestBody.model === 'string' ? requestBody.model : 'scripted-embedding',
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}

function float32LittleEndianBase64(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}
