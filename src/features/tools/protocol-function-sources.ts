import type { Logger } from '../../platform/logging/logger.js';
import type { OutboundClient } from '../../platform/outbound/index.js';
import { type ProtocolFunction, protocolFunctionSchema } from './protocol-function.js';
import { RemoteRequestError, requestRemoteText } from './remote-text.js';
import { TtlCache } from './ttl-cache.js';

export interface ProtocolFunctionSourceSettings {
  readonly outbound: OutboundClient;
  readonly logger: Logger;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly ttlMs: number;
  /** A failing source is asked again only after this, so a dead one does not slow every turn. */
  readonly failureTtlMs: number;
  readonly maxCacheEntries: number;
}

export interface LoadedProtocolFunctions {
  readonly functions: ProtocolFunction[];
  readonly problems: string[];
}

type SourceOutcome = { readonly ok: true; readonly loaded: LoadedProtocolFunctions } | { readonly ok: false; readonly problem: string };

const MAX_FUNCTIONS_PER_SOURCE = 200;

function originOf(url: string): string {
  return URL.canParse(url) ? new URL(url).origin : 'an unparsable URL';
}

/** A source serves a JSON array of functions, or an object holding it in `functions`. */
function functionList(document: unknown): unknown[] | undefined {
  if (Array.isArray(document)) return document;
  if (typeof document === 'object' && document !== null && Array.isArray((document as { functions?: unknown }).functions)) {
    return (document as { functions: unknown[] }).functions;
  }
  return undefined;
}

function parseFunctions(label: string, text: string): SourceOutcome {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { ok: false, problem: `${label}: the response is not JSON` };
  }
  const items = functionList(document);
  if (!items) return { ok: false, problem: `${label}: expected a JSON array of functions or { "functions": [...] }` };
  const functions: ProtocolFunction[] = [];
  const problems: string[] = [];
  if (items.length > MAX_FUNCTIONS_PER_SOURCE) problems.push(`${label}: only the first ${MAX_FUNCTIONS_PER_SOURCE} functions are used`);
  items.slice(0, MAX_FUNCTIONS_PER_SOURCE).forEach((item, index) => {
    const parsed = protocolFunctionSchema.safeParse(item);
    if (parsed.success) {
      functions.push(parsed.data);
      return;
    }
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
    problems.push(`${label}: function ${index}${field} is invalid (${issue?.message ?? 'invalid'}), skipped`);
  });
  return { ok: true, loaded: { functions, problems } };
}

/**
 * `protocolFunctionSources`: URLs serving protocol functions, fetched through
 * the guarded outbound client and kept per organization and URL. A source that
 * fails is reported and skipped; the others still count.
 */
export class ProtocolFunctionSources {
  private readonly cache: TtlCache<SourceOutcome>;

  constructor(private readonly settings: ProtocolFunctionSourceSettings) {
    this.cache = new TtlCache({ maxEntries: settings.maxCacheEntries });
  }

  async load(orgId: string, urls: readonly string[], options: { readonly signal?: AbortSignal }): Promise<LoadedProtocolFunctions> {
    const outcomes = await Promise.all(
      urls.map((url, index) =>
        this.cache.get(`${orgId}\n${url}`, () => this.fetchSource(orgId, url, index), {
          ttlMs: (outcome) => (outcome.ok ? this.settings.ttlMs : this.settings.failureTtlMs),
          signal: options.signal,
        }),
      ),
    );
    const functions: ProtocolFunction[] = [];
    const problems: string[] = [];
    for (const outcome of outcomes) {
      if (outcome.ok) {
        functions.push(...outcome.loaded.functions);
        problems.push(...outcome.loaded.problems);
      } else {
        problems.push(outcome.problem);
      }
    }
    return { functions, problems };
  }

  private async fetchSource(orgId: string, url: string, index: number): Promise<SourceOutcome> {
    const label = `protocolFunctionSources[${index}] (${originOf(url)})`;
    const outcome = await this.request(label, url);
    if (!outcome.ok) this.settings.logger.warn({ orgId, source: originOf(url), problem: outcome.problem }, 'protocol function source skipped');
    return outcome;
  }

  private async request(label: string, url: string): Promise<SourceOutcome> {
    try {
      const response = await requestRemoteText(this.settings.outbound, url, {
        headers: { accept: 'application/json' },
        timeoutMs: this.settings.timeoutMs,
        maxBytes: this.settings.maxResponseBytes,
      });
      if (response.status < 200 || response.status >= 300) return { ok: false, problem: `${label}: HTTP ${response.status}` };
      return parseFunctions(label, response.text);
    } catch (error) {
      return { ok: false, problem: `${label}: ${error instanceof RemoteRequestError ? error.message : 'unexpected failure'}` };
    }
  }
}
