import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type TestServer, startTestServer } from './support/test-server.js';

type ErrorBody = { error: { code: string; message: string; details?: Array<{ field: string; rule: string }> } };

const minimal = { baseAddress: 'http://127.0.0.1:9/v1', modelName: 'gpt-4o-mini' };

describe.each(dialects)('AI gateway validation (%s)', (dialect) => {
  let server: TestServer;
  let http: HttpClient;

  beforeAll(async () => {
    server = await startTestServer(dialect, { AGENTRY_OUTBOUND_ALLOW: '127.0.0.0/8' });
    http = httpClient(server.url);
  });
  afterAll(() => server?.close());

  const create = (parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    http.post<ErrorBody & { aiGatewayId: string }>('/api/v1/ai-gateways', { key: server.adminKey, body: { name: 'g', parameters, ...extra } });

  function expectRefused(response: { status: number; body: ErrorBody }, field: string): void {
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.body.error.details?.map((problem) => problem.field)).toContain(field);
    expect(response.body.error.message).toContain(field);
  }

  it.each([
    ['flags', { flags: ['NoTemperature', 'Telepathy'] }, 'body.parameters.flags.1'],
    ['contextOverflowAction', { contextOverflowAction: 'Explode' }, 'body.parameters.contextOverflowAction'],
    ['queryStrategy', { queryStrategy: 'Guess' }, 'body.parameters.queryStrategy'],
    ['enabledMultimodalFeatures', { enabledMultimodalFeatures: ['Image', 'Smell'] }, 'body.parameters.enabledMultimodalFeatures.1'],
    ['sentinelOptions.enabledFunctions', { sentinelOptions: { enabledFunctions: ['Teleport'] } }, 'body.parameters.sentinelOptions.enabledFunctions.0'],
    ['bashOptions.toolExclusionMode', { bashOptions: { toolExclusionMode: 'GreyList' } }, 'body.parameters.bashOptions.toolExclusionMode'],
    ['builtinFunctionsOptions.webSearchMode', { builtinFunctionsOptions: { webSearchMode: 'Partial' } }, 'body.parameters.builtinFunctionsOptions.webSearchMode'],
    ['imageGenerationQuality', { builtinFunctionsOptions: { imageGenerationQuality: 'Ultra' } }, 'body.parameters.builtinFunctionsOptions.imageGenerationQuality'],
  ])('refuses an unknown %s value naming its path', async (_name, fields, field) => {
    expectRefused(await create({ ...minimal, ...fields }), field);
  });

  it.each([
    ['temperature above 2', { temperature: 2.5 }, 'body.parameters.temperature'],
    ['negative temperature', { temperature: -0.1 }, 'body.parameters.temperature'],
    ['topP above 1', { topP: 1.5 }, 'body.parameters.topP'],
    ['presencePenalty below -2', { presencePenalty: -3 }, 'body.parameters.presencePenalty'],
    ['frequencyPenalty above 2', { frequencyPenalty: 2.1 }, 'body.parameters.frequencyPenalty'],
    ['maxCompletionTokens 0', { maxCompletionTokens: 0 }, 'body.parameters.maxCompletionTokens'],
    ['fractional contextMaximumSize', { contextMaximumSize: 10.5 }, 'body.parameters.contextMaximumSize'],
    ['contextMaximumSize 0', { contextMaximumSize: 0 }, 'body.parameters.contextMaximumSize'],
    ['limits.requestsPerMinute 0', { limits: { requestsPerMinute: 0 } }, 'body.parameters.limits.requestsPerMinute'],
    ['a fallback model without a connection', { fallbackModels: ['@groq/m', 'gpt-4o'] }, 'body.parameters.fallbackModels.1'],
    ['a malformed connection model', { modelName: '@Bad Name/x' }, 'body.parameters.modelName'],
    ['a routing tier without a model', { modelRoutingParameters: { lowComplexityModelName: 'a', mediumComplexityModelName: 'b' } }, 'body.parameters.modelRoutingParameters.highComplexityModelName'],
    ['a string where a boolean belongs', { enableBash: 'yes' }, 'body.parameters.enableBash'],
  ])('refuses %s', async (_name, fields, field) => {
    expectRefused(await create({ ...minimal, ...fields }), field);
  });

  it('requires modelName and baseAddress', async () => {
    const noModel = await create({ baseAddress: minimal.baseAddress });
    expectRefused(noModel, 'body.parameters.modelName');
    expect(noModel.body.error.details?.[0]?.rule).toBe('required');
    expectRefused(await create({ modelName: 'gpt-4o' }), 'body.parameters.baseAddress');
    expectRefused(await http.post<ErrorBody>('/api/v1/ai-gateways', { key: server.adminKey, body: { name: 'g' } }), 'body.parameters');
  });

  it('refuses a baseAddress that is not an http(s) URL', async () => {
    expectRefused(await create({ ...minimal, baseAddress: 'not a url' }), 'body.parameters.baseAddress');
    expectRefused(await create({ ...minimal, baseAddress: 'ftp://files.example/v1' }), 'body.parameters.baseAddress');
  });

  it('allows an empty baseAddress only when every model names a connection', async () => {
    expect((await create({ baseAddress: '', modelName: '@groq/llama' })).status).toBe(200);
    const plain = await create({ baseAddress: '', modelName: 'gpt-4o' });
    expectRefused(plain, 'body.parameters.baseAddress');
    expect(plain.body.error.details?.[0]?.rule).toBe('required');
    const both = await create({ baseAddress: minimal.baseAddress, modelName: '@groq/llama' });
    expectRefused(both, 'body.parameters.baseAddress');
    const routing = { lowComplexityModelName: '@groq/a', mediumComplexityModelName: 'plain', highComplexityModelName: '@groq/c' };
    expectRefused(await create({ baseAddress: '', modelName: '@groq/llama', modelRoutingParameters: routing }), 'body.parameters.modelRoutingParameters.mediumComplexityModelName');
  });

  it('refuses the read-only mask as a new key and unknown top-level body fields', async () => {
    expectRefused(await create({ ...minimal, apiKey: '********' }), 'body.parameters.apiKey');
    const extra = await create(minimal, { owner: 'me' });
    expect(extra.status).toBe(400);
    expectRefused(await create(minimal, { slug: 'Not A Slug' }), 'body.slug');
  });

  it('refuses a base address on a private network unless the operator allows it', async () => {
    const refused = await create({ ...minimal, baseAddress: 'http://10.0.0.1/v1' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('outbound_address_refused');
    const metadata = await create({ ...minimal, baseAddress: 'http://169.254.169.254/latest' });
    expect(metadata.status).toBe(403);

    const created = await create(minimal);
    const moved = await http.patch<ErrorBody>(`/api/v1/ai-gateways/${created.body.aiGatewayId}`, {
      key: server.adminKey,
      body: { parameters: { baseAddress: 'http://10.0.0.1/v1' } },
    });
    expect(moved.status).toBe(403);
    expect(moved.body.error.code).toBe('outbound_address_refused');
    const after = await http.get<{ parameters: { baseAddress: string } }>(`/api/v1/ai-gateways/${created.body.aiGatewayId}`, { key: server.adminKey });
    expect(after.body.parameters.baseAddress).toBe(minimal.baseAddress);
  });

  it('validates PATCHed parameters field by field and against the merged gateway', async () => {
    const created = await create(minimal);
    const url = `/api/v1/ai-gateways/${created.body.aiGatewayId}`;
    expectRefused(await http.patch<ErrorBody>(url, { key: server.adminKey, body: { parameters: { flags: ['Nope'] } } }), 'body.parameters.flags.0');
    expectRefused(await http.patch<ErrorBody>(url, { key: server.adminKey, body: { parameters: { modelName: null } } }), 'body.parameters.modelName');
    expectRefused(await http.patch<ErrorBody>(url, { key: server.adminKey, body: { parameters: { baseAddress: '' } } }), 'body.parameters.baseAddress');
    const switched = await http.patch<ErrorBody>(url, { key: server.adminKey, body: { parameters: { baseAddress: '', modelName: '@groq/llama' } } });
    expect(switched.status).toBe(200);
  });
});
