import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../src/server.js';
import { type TestDialect, postgresUrl } from './support/dialects.js';
import { collectEvents, openEventStream } from './support/event-source.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type ScriptedUpstream, startScriptedUpstream } from './support/scripted-upstream.js';
import { type TestServer, startTestServer } from './support/test-server.js';

const redisUrl = process.env.TEST_REDIS_URL || undefined;

/**
 * A cancel sent to one node must reach the node running the turn through the
 * deployment's broadcast. The flag in the database would reach it too, at the
 * next flush; the flush interval is set far beyond the test, so only the
 * broadcast can end the turn here.
 */
const setups: Array<[string, TestDialect, Record<string, string>]> = [];
if (postgresUrl) setups.push(['PostgreSQL LISTEN/NOTIFY', 'postgres', {}]);
if (redisUrl) setups.push(['Redis pub/sub', 'sqlite', { REDIS_URL: redisUrl }]);


describe.each(setups)('a cancel through another node, by %s', (_name, dialect, environment) => {
  let upstream: ScriptedUpstream;
  let nodeA: TestServer;
  let nodeB: RunningServer;
  let b: HttpClient;
  let base: string;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    nodeA = await startTestServer(dialect, {
      OPENAI_BASE_URL: upstream.url,
      OPENAI_API_KEY: 'sk-upstream-0001',
      AGENTRY_TURN_FLUSH_INTERVAL_MS: '600000',
      ...environment,
    });
    nodeB = await startServer(nodeA.config);
    b = httpClient(nodeB.url);
    const agent = await httpClient(nodeA.url).post<{ aiGatewayId: string }>('/api/v1/ai-gateways', {
      key: nodeA.adminKey,
      body: { name: 'Shared', parameters: { baseAddress: '', modelName: '@openai/scripted-model' } },
    });
    base = `/tenants/${nodeA.orgId}/api/v2/agents/${agent.body.aiGatewayId}/conversations`;
  });
  afterAll(async () => {
    await nodeB?.stop();
    await nodeA?.close();
    await upstream?.close();
  });

  it('stops the turn on the node that runs it', async () => {
    const created = await b.post<{ id: string }>(base, { key: nodeA.adminKey, body: { name: 'c' } });
    upstream.enqueue({ kind: 'hang', chunks: ['Working ', 'on ', 'it'], afterChunks: 1 });
    const onA = await openEventStream(`${nodeA.url}${base}/${created.body.id}/stream`, {
      method: 'POST',
      headers: { authorization: `Bearer ${nodeA.adminKey}` },
      body: { content: 'long task' },
    });
    await collectEvents(onA.events, (event) => event.event === 'message');
    const cancelled = await b.post<{ cancelled: unknown[] }>(`${base}/${created.body.id}/cancel`, { key: nodeA.adminKey });
    expect(cancelled.body.cancelled).toHaveLength(1);
    const rest = await collectEvents(onA.events);
    expect(rest.at(-1)?.event).toBe('done');
    expect(JSON.parse(rest.at(-1)?.data ?? '{}')).toMatchObject({ status: 'cancelled' });
    await upstream.waitUntil(() => upstream.lastRequest().aborted);
  });
});
