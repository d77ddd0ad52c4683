import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditService } from '../src/features/audit/index.js';
import { ConnectionService, createConnectionBody, systemConnections } from '../src/features/connections/index.js';
import { createFetchFor } from '../src/features/inference/index.js';
import { type EmbedderRegistry, LocalEmbedder, createEmbedderRegistry } from '../src/features/knowledge/embeddings/index.js';
import { operatorActor } from '../src/platform/actor.js';
import { UpstreamError } from '../src/platform/errors.js';
import { type OutboundClient, OutboundPolicy, assertOutboundUrl, createOutboundClient } from '../src/platform/outbound/index.js';
import { SecretBox } from '../src/platform/security/secret-box.js';
import { dialects } from './support/dialects.js';
import { type ScriptedUpstream, fakeEmbedding, startScriptedUpstream } from './support/scripted-upstream.js';
import { type MigratedTestDatabase, openMigratedTestDatabase } from './support/test-server.js';

const ORG_ID = '019ad300-0000-7000-8000-000000000001';
const OTHER_ORG_ID = '019ad300-0000-7000-8000-000000000002';
const TENANT_KEY = 'sk-tenant-embeddings-secret-4242';
const OPERATOR_KEY = 'sk-operator-embeddings-secret-0001';
const DIMENSIONS = 16;
/** The upstream answers vectors of this length, so normalising is observable. */
const SCALE = 3;

const norm = (vector: Float32Array) => Math.hypot(...vector);

/**
 * Connection embedders through the registry, against the scripted
 * OpenAI-compatible upstream over real HTTP: the real ConnectionService on a
 * migrated database resolves connections, and the real guarded outbound
 * clients carry the calls.
 */
describe.each(dialects)('embeddings through connections (%s)', (dialect) => {
  let migrated: MigratedTestDatabase;
  let upstream: ScriptedUpstream;
  let outbound: OutboundClient[];
  let connections: ConnectionService;
  let registry: EmbedderRegistry;

  beforeAll(async () => {
    upstream = await startScriptedUpstream({ embeddingDimensions: DIMENSIONS, embeddingScale: SCALE });
    migrated = await openMigratedTestDatabase(dialect);
    const now = new Date().toISOString();
    for (const [id, name] of [
      [ORG_ID, 'Embeddings'],
      [OTHER_ORG_ID, 'Other'],
    ]) {
      await migrated.database.handle
        .insertInto('organizations')
        .values({ id: id as string, name: name as string, salt: 'salt', parameters: '{}', balance: 0, balance_limited: 0, created_at: now, updated_at: now })
        .execute();
    }
    const policy = OutboundPolicy.fromSetting('127.0.0.0/8');
    connections = new ConnectionService({
      db: migrated.database.handle,
      audit: new AuditService(migrated.database.handle),
      secrets: new SecretBox('embeddings-test-secret'),
      systemConnections: systemConnections({ openai: { baseUrl: upstream.url, apiKey: OPERATOR_KEY } }),
      disabledTypes: async () => [],
      checkBaseUrl: async (url) => {
        await assertOutboundUrl(url, policy);
      },
    });
    const actor = operatorActor(ORG_ID, 'embeddings-test');
    await connections.create(actor, createConnectionBody.parse({ name: 'mine', type: 'OpenAiCompatible', baseUrl: upstream.url, apiKey: TENANT_KEY }));
    await connections.create(actor, createConnectionBody.parse({ name: 'claude', type: 'Anthropic', baseUrl: upstream.url }));
    outbound = [createOutboundClient({ policy }), createOutboundClient({ policy, trusted: true })];
    registry = createEmbedderRegistry({
      connections,
      fetchFor: createFetchFor({ tenant: (outbound[0] as OutboundClient).dispatcher, operator: (outbound[1] as OutboundClient).dispatcher }),
      defaultModel: 'mine:embed-small',
    });
  });
  afterAll(async () => {
    await registry?.close();
    await Promise.all((outbound ?? []).map((client) => client.close()));
    await migrated?.close();
    await upstream?.close();
  });

  it('embeds through a tenant connection: unit vectors in input order, the model and inputs in the request', async () => {
    upstream.reset();
    expect(registry.defaultModel).toBe('mine:embed-small');
    const embedder = await registry.forModel(ORG_ID, registry.defaultModel);
    expect(embedder.model).toBe('mine:embed-small');
    const vectors = await embedder.embed(['alpha', 'beta', 'gamma']);
    expect(vectors).toHaveLength(3);
    vectors.forEach((vector, index) => {
      expect(vector).toBeInstanceOf(Float32Array);
      expect(vector).toHaveLength(DIMENSIONS);
      expect(norm(vector)).toBeCloseTo(1, 5);
      const expected = fakeEmbedding(['alpha', 'beta', 'gamma'][index] as string, DIMENSIONS);
      expect(Array.from(vector).map((value) => Number(value.toFixed(5)))).toEqual(expected.map((value) => Number(value.toFixed(5))));
    });
    const request = upstream.lastRequest();
    expect(request.path).toBe('/v1/embeddings');
    expect(request.body).toMatchObject({ model: 'embed-small', input: ['alpha', 'beta', 'gamma'] });
    expect(request.headers.authorization).toBe(`Bearer ${TENANT_KEY}`);
    expect(await embedder.dimensions()).toBe(DIMENSIONS);
    expect(upstream.requests).toHaveLength(1);
  });

  it('learns the dimensions from one probe, and reuses the embedder for the same organization and model', async () => {
    upstream.reset();
    const embedder = await registry.forModel(ORG_ID, 'mine:probe-model');
    expect(await embedder.dimensions()).toBe(DIMENSIONS);
    expect(await embedder.dimensions()).toBe(DIMENSIONS);
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.lastRequest().body).toMatchObject({ model: 'probe-model' });
    expect(await registry.forModel(ORG_ID, 'mine:probe-model')).toBe(embedder);
    await expect(registry.forModel(ORG_ID, 'local')).resolves.toBeInstanceOf(LocalEmbedder);
    expect(await registry.forModel(ORG_ID, 'local')).toBe(await registry.forModel(OTHER_ORG_ID, 'local'));
  });

  it('resolves the operator’s environment connections by name, in every organization', async () => {
    upstream.reset();
    const embedder = await registry.forModel(OTHER_ORG_ID, 'openai:text-embedding-3-small');
    const [vector] = await embedder.embed(['hello']);
    expect(norm(vector as Float32Array)).toBeCloseTo(1, 5);
    expect(upstream.lastRequest().body).toMatchObject({ model: 'text-embedding-3-small', input: ['hello'] });
    expect(upstream.lastRequest().headers.authorization).toBe(`Bearer ${OPERATOR_KEY}`);
  });

  it('retries a 500 and returns the vectors of the next answer', async () => {
    upstream.reset();
    upstream.enqueue({ kind: 'error', status: 500, message: 'try again' }, { route: 'embeddings' });
    const embedder = await registry.forModel(ORG_ID, 'mine:embed-small');
    const vectors = await embedder.embed(['retried']);
    expect(vectors).toHaveLength(1);
    expect(upstream.requests).toHaveLength(2);
    expect(upstream.pendingSteps).toBe(0);
  });

  it('gives up after three attempts with an error naming the connection, model and status, never the key', async () => {
    upstream.reset();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      upstream.enqueue({ kind: 'error', status: 500, message: `backend exploded while using ${TENANT_KEY}` }, { route: 'embeddings' });
    }
    const embedder = await registry.forModel(ORG_ID, 'mine:embed-small');
    const error = await embedder.embed(['doomed']).then(
      () => expect.fail('expected the call to fail'),
      (caught: unknown) => caught as Error,
    );
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error.message).toContain("'mine'");
    expect(error.message).toContain("'embed-small'");
    expect(error.message).toContain('500');
    expect(error.message).toContain('backend exploded');
    expect(error.message).not.toContain(TENANT_KEY);
    expect(error).toMatchObject({ code: 'upstream_error', upstreamStatus: 500 });
    expect(upstream.requests).toHaveLength(3);
  });

  it('does not retry a request the provider rejects', async () => {
    upstream.reset();
    upstream.enqueue({ kind: 'error', status: 400, message: 'input too long' }, { route: 'embeddings' });
    const embedder = await registry.forModel(ORG_ID, 'mine:embed-small');
    await expect(embedder.embed(['too long'])).rejects.toMatchObject({ kind: 'invalid', upstreamStatus: 400 });
    expect(upstream.requests).toHaveLength(1);
  });

  it('aborts the upstream request when the signal fires', async () => {
    upstream.reset();
    upstream.enqueue({ kind: 'hang' }, { route: 'embeddings' });
    const embedder = await registry.forModel(ORG_ID, 'mine:embed-small');
    const controller = new AbortController();
    const reason = new Error('indexing cancelled');
    const pending = embedder.embed(['slow'], controller.signal);
    await upstream.waitForRequests(1);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await upstream.waitUntil(() => upstream.requests[0]?.aborted === true);
  });

  it('names an unknown connection, refuses malformed ids and connections without embeddings', async () => {
    await expect(registry.forModel(ORG_ID, 'nope:some-model')).rejects.toMatchObject({ kind: 'not_found', message: "Connection 'nope' not found." });
    // Another organization's connection is as unknown as a missing one.
    await expect(registry.forModel(OTHER_ORG_ID, 'mine:embed-small')).rejects.toMatchObject({ kind: 'not_found' });
    await expect(registry.forModel(ORG_ID, 'text-embedding-3-small')).rejects.toMatchObject({ kind: 'invalid', code: 'invalid_embedding_model' });
    await expect(registry.forModel(ORG_ID, 'mine:')).rejects.toMatchObject({ kind: 'invalid', code: 'invalid_embedding_model' });
    const anthropic = registry.forModel(ORG_ID, 'claude:anything');
    await expect(anthropic).rejects.toMatchObject({ kind: 'invalid', code: 'embeddings_not_supported' });
    await expect(anthropic).rejects.toThrow(/Connection 'claude' is of type Anthropic/);
  });

  it('keeps tenant connections to the outbound address policy; operator ones are exempt', async () => {
    upstream.reset();
    const strict = [createOutboundClient({ policy: OutboundPolicy.fromSetting(undefined) }), createOutboundClient({ policy: OutboundPolicy.fromSetting(undefined), trusted: true })];
    const guarded = createEmbedderRegistry({
      connections,
      fetchFor: createFetchFor({ tenant: (strict[0] as OutboundClient).dispatcher, operator: (strict[1] as OutboundClient).dispatcher }),
      defaultModel: 'local',
    });
    try {
      const tenant = await guarded.forModel(ORG_ID, 'mine:embed-small');
      await expect(tenant.embed(['blocked'])).rejects.toMatchObject({ code: 'outbound_address_refused' });
      expect(upstream.requests).toHaveLength(0);
      const operator = await guarded.forModel(ORG_ID, 'openai:text-embedding-3-small');
      await expect(operator.embed(['allowed'])).resolves.toHaveLength(1);
    } finally {
      await guarded.close();
      await Promise.all(strict.map((client) => client.close()));
    }
  });
});
