import type { Logger } from '../../platform/logging/logger.js';
import type { OutboundClient } from '../../platform/outbound/index.js';
import { type RemoteSource, remoteSourceKey, sourceOrigin, sourceTtlMs } from './remote-source.js';
import { RemoteRequestError, requestRemoteText } from './remote-text.js';
import { TtlCache } from './ttl-cache.js';

export interface InstructionSourceSettings {
  readonly outbound: OutboundClient;
  readonly logger: Logger;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly defaultCacheSeconds: number;
  readonly failureTtlMs: number;
  readonly maxCacheEntries: number;
}

type Fetched = { readonly ok: true; readonly text: string } | { readonly ok: false };

/**
 * `systemInstructionsSources`: texts fetched through the guarded outbound
 * client and kept `cacheDuration` seconds per organization and source. A source
 * that fails is logged and left out; the turn goes on with the others.
 */
export class InstructionSources {
  private readonly cache: TtlCache<Fetched>;

  constructor(private readonly settings: InstructionSourceSettings) {
    this.cache = new TtlCache({ maxEntries: settings.maxCacheEntries });
  }

  /** The texts in the order of the sources, empty ones and failures left out. */
  async load(orgId: string, sources: readonly RemoteSource[], options: { readonly signal?: AbortSignal }): Promise<string[]> {
    const fetched = await Promise.all(
      sources.map((source) => {
        const ttlMs = sourceTtlMs(source, this.settings.defaultCacheSeconds);
        return this.cache.get(remoteSourceKey(orgId, source), () => this.fetchText(orgId, source), {
          ttlMs: (result) => (result.ok ? ttlMs : Math.min(ttlMs, this.settings.failureTtlMs)),
          signal: options.signal,
        });
      }),
    );
    return fetched.flatMap((result) => (result.ok && result.text !== '' ? [result.text] : []));
  }

  private async fetchText(orgId: string, source: RemoteSource): Promise<Fetched> {
    let problem: string;
    try {
      const response = await requestRemoteText(this.settings.outbound, source.url, {
        headers: { accept: 'text/plain, text/markdown;q=0.9, */*;q=0.5', ...source.headers },
        timeoutMs: this.settings.timeoutMs,
        maxBytes: this.settings.maxBytes,
      });
      if (response.status >= 200 && response.status < 300) return { ok: true, text: response.text.trim() };
      problem = `HTTP ${response.status}`;
    } catch (error) {
      problem = error instanceof RemoteRequestError ? error.message : 'unexpected failure';
    }
    this.settings.logger.warn({ orgId, source: source.name, origin: sourceOrigin(source.url), problem }, 'system instruction source skipped');
    return { ok: false };
  }
}
