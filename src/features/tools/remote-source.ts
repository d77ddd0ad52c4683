import { createHash } from 'node:crypto';
import type { AiGatewayParameters } from '../ai-gateways/index.js';

/** An `mcpSources` or `systemInstructionsSources` item. */
export type RemoteSource = NonNullable<AiGatewayParameters['mcpSources']>[number];

/**
 * The cache key of a source within an organization: its URL and headers (two
 * agents may reach one URL with different credentials and see different
 * content), hashed so no header value sits in memory as a key.
 */
export function remoteSourceKey(orgId: string, source: Pick<RemoteSource, 'url' | 'headers'>): string {
  const headers = Object.entries(source.headers ?? {}).sort(([left], [right]) => left.localeCompare(right));
  const digest = createHash('sha256').update(JSON.stringify([source.url, headers])).digest('base64url');
  return `${orgId}\n${digest}`;
}

/**
 * How long a source's content is kept: its `cacheDuration` in seconds (the
 * default when absent, 0 for "fetch every time"); a failure is kept shorter.
 */
export function sourceTtlMs(source: Pick<RemoteSource, 'cacheDuration'>, defaultSeconds: number): number {
  return Math.max(0, source.cacheDuration ?? defaultSeconds) * 1000;
}

export function sourceOrigin(url: string): string {
  return URL.canParse(url) ? new URL(url).origin : 'an unparsable URL';
}
