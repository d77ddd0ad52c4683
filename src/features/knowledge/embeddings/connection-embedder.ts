import type { EmbeddingModel } from 'ai';
import { BadRequestError, UpstreamError } from '../../../platform/errors.js';
import type { ResolvedConnection } from '../../connections/index.js';
import { type FetchFor, loadAiSdkProvider } from '../../inference/index.js';
import type { Embedder } from './embedder.js';
import { toUnitVector } from './unit-vector.js';

export interface ConnectionEmbedderOptions {
  readonly connection: ResolvedConnection;
  /** The provider's model id, e.g. `text-embedding-3-small`. */
  readonly model: string;
  readonly fetchFor: FetchFor;
  /** Texts per request; default 64, below Gemini's 100 and OpenAI's per-request token budget for paragraph-sized texts. */
  readonly batchSize?: number;
}

const OPENAI_WIRE_TYPES: ReadonlySet<string> = new Set(['OpenAiCompatible', 'Ollama']);
const DEFAULT_BATCH_SIZE = 64;
const PROBE_TEXT = 'dimensions';
const NEVER_ABORTED = new AbortController().signal;

type UpstreamErrorKind = ConstructorParameters<typeof UpstreamError>[0];

/** The AI SDK, loaded on first use like the rest of the SDK adapter, so starting the server does not pay for it. */
async function loadSdk() {
  const [{ embedMany }, { createOpenAICompatible }, { aiSdkFailure, connectionFetch, geminiProviderFor }] = await Promise.all([
    import('ai'),
    import('@ai-sdk/openai-compatible'),
    loadAiSdkProvider(),
  ]);
  return { embedMany, createOpenAICompatible, aiSdkFailure, connectionFetch, geminiProviderFor };
}

type Sdk = Awaited<ReturnType<typeof loadSdk>>;

/**
 * A model behind a connection's embeddings endpoint (`<connection>:<model>`),
 * called through the AI SDK over the guarded `fetch`: tenant endpoints obey the
 * outbound address policy, and failures before the first byte (transport,
 * 429, 5xx) are retried with jittered backoff, three attempts in all, by the
 * same policy as chat completions. The SDK's own retries stay off.
 */
export class ConnectionEmbedder implements Embedder {
  readonly model: string;
  private readonly batchSize: number;
  private embeddingModel: EmbeddingModel | undefined;
  private knownDimensions: number | undefined;

  constructor(private readonly options: ConnectionEmbedderOptions) {
    const { connection } = options;
    if (!OPENAI_WIRE_TYPES.has(connection.type) && connection.type !== 'Gemini') {
      throw new BadRequestError(
        'embeddings_not_supported',
        `Connection '${connection.name}' is of type ${connection.type}, which offers no embedding models: ` +
          "use an OpenAI-compatible, Ollama or Gemini connection, or the built-in model 'local'.",
      );
    }
    this.model = `${connection.name}:${options.model}`;
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  }

  /** Learned from the first answer; until then one probe text is embedded to find out. */
  async dimensions(signal?: AbortSignal): Promise<number> {
    if (this.knownDimensions === undefined) await this.embed([PROBE_TEXT], signal);
    return this.knownDimensions as number;
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (texts.length === 0) return [];
    const sdk = await loadSdk();
    const vectors: Float32Array[] = [];
    for (let offset = 0; offset < texts.length; offset += this.batchSize) {
      signal?.throwIfAborted();
      vectors.push(...(await this.embedBatch(sdk, texts.slice(offset, offset + this.batchSize), signal)));
    }
    return vectors;
  }

  private async embedBatch(sdk: Sdk, values: string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    let embeddings: number[][];
    try {
      ({ embeddings } = await sdk.embedMany({
        model: this.modelFrom(sdk),
        values,
        maxRetries: 0,
        ...(signal ? { abortSignal: signal } : {}),
      }));
    } catch (error) {
      throw this.failure(sdk, error, signal ?? NEVER_ABORTED);
    }
    if (embeddings.length !== values.length) throw this.unreadable(`${embeddings.length} vectors for ${values.length} texts`);
    const dimensions = this.knownDimensions ?? embeddings[0]?.length ?? 0;
    if (dimensions === 0 || embeddings.some((values) => values.length !== dimensions)) {
      throw this.unreadable(`vectors of ${[...new Set(embeddings.map((values) => values.length))].join(', ')} dimensions where ${dimensions} were expected`);
    }
    this.knownDimensions = dimensions;
    return embeddings.map((values) => toUnitVector(values));
  }

  private modelFrom(sdk: Sdk): EmbeddingModel {
    const { connection, model, fetchFor } = this.options;
    if (connection.type === 'Gemini') {
      this.embeddingModel ??= sdk.geminiProviderFor(connection, fetchFor).embeddingModel(model);
    } else {
      this.embeddingModel ??= sdk
        .createOpenAICompatible({
          name: 'openai-compatible',
          baseURL: connection.baseUrl.replace(/\/+$/, ''),
          fetch: sdk.connectionFetch(connection, fetchFor),
          ...(connection.apiKey ? { apiKey: connection.apiKey } : {}),
        })
        .embeddingModel(model);
    }
    return this.embeddingModel;
  }

  /** The chat path's mapping (status, retry-after, scrubbed provider message), with the model named too. */
  private failure(sdk: Sdk, error: unknown, signal: AbortSignal): unknown {
    const mapped = sdk.aiSdkFailure(error, this.options.connection, signal);
    if (signal.aborted || !(mapped instanceof UpstreamError)) return mapped;
    return new UpstreamError(mapped.kind as UpstreamErrorKind, mapped.code, `Embedding with model '${this.options.model}' failed. ${mapped.message}`, mapped.upstreamStatus, {
      cause: error,
      ...(mapped.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: mapped.retryAfterSeconds }),
    });
  }

  private unreadable(what: string): UpstreamError {
    return new UpstreamError(
      'upstream',
      'upstream_error',
      `Embedding with model '${this.options.model}' failed: connection '${this.options.connection.name}' answered ${what}.`,
      null,
    );
  }
}
