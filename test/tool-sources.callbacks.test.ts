import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentTool, ExternalToolSources } from '../src/features/tools/index.js';
import { type CallbackReceiver, startCallbackReceiver } from './support/callback-receiver.js';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type TestServer, startTestServer } from './support/test-server.js';
import { toolContext } from './support/tool-context.js';
import { type DirectToolSources, directToolSources } from './support/tool-sources.js';

const weatherSchema = {
  type: 'object',
  properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1 } },
  required: ['city'],
};

function signatureOf(salt: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', salt).update(`${timestamp}.${body}`).digest('hex')}`;
}

describe.each(dialects)('HTTP callback tools (%s)', (dialect) => {
  let app: TestServer;
  let api: HttpClient;
  let receiver: CallbackReceiver;
  let toolSources: ExternalToolSources;
  const signal = new AbortController().signal;

  async function salt(): Promise<string> {
    const response = await api.get<{ salt: string }>('/api/v1/accounts/api-key', { key: app.adminKey });
    return response.body.salt;
  }

  async function onlyTool(definition: Record<string, unknown>, sources: ExternalToolSources = toolSources): Promise<AgentTool> {
    const { tools, problems } = await sources.toolsFor(
      app.orgId,
      { protocolFunctions: [{ name: 'get_weather', description: 'Weather of a city.', callbackUrl: `${receiver.url}/weather`, contentFormat: weatherSchema, ...definition }] },
      { signal },
    );
    expect(problems).toEqual([]);
    const [tool] = tools;
    if (!tool || tools.length !== 1) throw new Error(`expected one tool, got ${tools.length}`);
    return tool;
  }

  beforeAll(async () => {
    receiver = await startCallbackReceiver();
    app = await startTestServer(dialect, { AGENTRY_OUTBOUND_ALLOW: '127.0.0.1' });
    api = httpClient(app.url);
    toolSources = app.server.container.toolSources;
  });
  afterAll(async () => {
    await app?.close();
    await receiver?.close();
  });
  beforeEach(() => {
    receiver.received.length = 0;
  });

  it('offers the function with its schema and POSTs the envelope signed with the organization salt', async () => {
    const tool = await onlyTool({ headers: { 'x-tenant-token': 'abc' } });
    expect(tool).toMatchObject({ name: 'get_weather', description: 'Weather of a city.', kind: 'http', requiresApproval: false, parameters: weatherSchema });
    receiver.reply('/weather', { body: { temperature: 21, unit: 'C' } });

    const before = Math.floor(Date.now() / 1000);
    const result = await tool.execute({ city: 'Lisbon', days: 2 }, toolContext(app.orgId));

    expect(result).toEqual({ content: '{"temperature":21,"unit":"C"}', isError: false, structured: { temperature: 21, unit: 'C' } });
    const request = receiver.last('/weather');
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-tenant-token']).toBe('abc');
    expect(JSON.parse(request.body)).toEqual({
      toolName: 'get_weather',
      arguments: { city: 'Lisbon', days: 2 },
      conversationId: 'conversation-1',
      agentId: 'agent-1',
      externalUserId: 'user-7',
    });
    const timestamp = String(request.headers['x-agentry-timestamp']);
    expect(Number(timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(timestamp)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(request.headers['x-agentry-signature']).toBe(signatureOf(await salt(), timestamp, request.body));
  });

  it('signs with the new salt once the account rolls it', async () => {
    const tool = await onlyTool({});
    receiver.reply('/weather', { body: { ok: true } });
    const oldSalt = await salt();
    expect((await api.post('/api/v1/accounts/roll-salt', { key: app.adminKey })).status).toBe(200);
    const newSalt = await salt();
    expect(newSalt).not.toBe(oldSalt);

    await tool.execute({ city: 'Porto' }, toolContext(app.orgId));

    const request = receiver.last('/weather');
    const timestamp = String(request.headers['x-agentry-timestamp']);
    expect(request.headers['x-agentry-signature']).toBe(signatureOf(newSalt, timestamp, request.body));
    expect(request.headers['x-agentry-signature']).not.toBe(signatureOf(oldSalt, timestamp, request.body));
  });

  it('keeps the signature and framing headers its own whatever the tenant configures', async () => {
    const tool = await onlyTool({ headers: { 'X-Agentry-Signature': 'sha256=forged', 'x-agentry-timestamp': '1', 'Content-Type': 'text/plain' } });
    receiver.reply('/weather', { body: { ok: true } });
    await tool.execute({ city: 'Faro' }, toolContext(app.orgId));
    const request = receiver.last('/weather');
    const timestamp = String(request.headers['x-agentry-timestamp']);
    expect(timestamp).not.toBe('1');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-agentry-signature']).toBe(signatureOf(await salt(), timestamp, request.body));
  });

  it('marks a function that requires approval', async () => {
    expect((await onlyTool({ requiresApproval: true })).requiresApproval).toBe(true);
  });

  it('reports malformed arguments to the model without calling the callback', async () => {
    const tool = await onlyTool({});
    receiver.reply('/weather', { body: { ok: true } });
    const context = toolContext(app.orgId);

    const missing = await tool.execute({ days: 2 }, context);
    expect(missing.isError).toBe(true);
    expect(JSON.parse(missing.content)).toEqual({
      error: "Invalid arguments for get_weather: arguments must have required property 'city'. Fix them and call again.",
    });
    const wrongType = await tool.execute({ city: 7, days: 0 }, context);
    expect(JSON.parse(wrongType.content).error).toContain('arguments/city must be string, arguments/days must be >= 1');
    const notJson = await tool.execute('{"city": "Lis', context);
    expect(JSON.parse(notJson.content).error).toContain('the arguments are not valid JSON');
    const notObject = await tool.execute([1, 2], context);
    expect(JSON.parse(notObject.content).error).toContain('the arguments must be a JSON object');
    expect(receiver.count('/weather')).toBe(0);

    // Arguments as JSON text (as some providers hand them over) are accepted.
    expect((await tool.execute('{"city":"Braga"}', context)).isError).toBe(false);
    expect(JSON.parse(receiver.last('/weather').body).arguments).toEqual({ city: 'Braga' });
  });

  it('passes a non-JSON response to the model as text', async () => {
    const tool = await onlyTool({});
    receiver.reply('/weather', { body: 'Sunny, 21 °C', contentType: 'text/plain; charset=utf-8' });
    expect(await tool.execute({ city: 'Lisbon' }, toolContext(app.orgId))).toEqual({ content: 'Sunny, 21 °C', isError: false });
  });

  it('answers an empty 2xx body with a success the model can read', async () => {
    const tool = await onlyTool({});
    receiver.reply('/weather', { status: 204 });
    expect(await tool.execute({ city: 'Lisbon' }, toolContext(app.orgId))).toEqual({
      content: '{"ok":true,"status":204}',
      isError: false,
      structured: { ok: true, status: 204 },
    });
  });

  it('turns 5xx and 4xx answers into error results naming the status', async () => {
    const tool = await onlyTool({});
    receiver.reply('/weather', { status: 503, body: 'upstream down' });
    const failed = await tool.execute({ city: 'Lisbon' }, toolContext(app.orgId));
    expect(failed).toEqual({ content: JSON.stringify({ error: 'get_weather failed: the callback answered HTTP 503: upstream down' }), isError: true });

    receiver.reply('/weather', { status: 422, body: { message: 'unknown city' } });
    const refused = await tool.execute({ city: 'Atlantis' }, toolContext(app.orgId));
    expect(refused.isError).toBe(true);
    expect(JSON.parse(refused.content).error).toBe('get_weather failed: the callback answered HTTP 422: {"message":"unknown city"}');
  });

  describe('with tight limits', () => {
    let direct: DirectToolSources;
    beforeAll(() => {
      direct = directToolSources({
        allow: '127.0.0.1',
        orgSalt: (orgId) => app.server.container.organizations.getSalt(orgId),
        limits: { callbackTimeoutMs: 300, callbackMaxResponseBytes: 1_000 },
      });
    });
    afterAll(() => direct?.close());

    it('gives up on a callback that does not answer in time, with an error result', async () => {
      const tool = await onlyTool({}, direct.sources);
      receiver.reply('/weather', { delayMs: 2_000, body: { late: true } });
      const started = Date.now();
      const result = await tool.execute({ city: 'Lisbon' }, toolContext(app.orgId));
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(result).toEqual({ content: JSON.stringify({ error: 'get_weather failed: No complete response within 0.3 s.' }), isError: true });
    });

    it('refuses a response larger than the cap', async () => {
      const tool = await onlyTool({}, direct.sources);
      receiver.reply('/weather', { bytes: 5_000 });
      const result = await tool.execute({ city: 'Lisbon' }, toolContext(app.orgId));
      expect(result).toEqual({ content: JSON.stringify({ error: 'get_weather failed: The response is larger than the 1000-byte limit.' }), isError: true });
    });

    it('reports a cancelled turn as an error result, not a throw', async () => {
      const tool = await onlyTool({}, direct.sources);
      receiver.reply('/weather', { delayMs: 2_000, body: {} });
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('turn cancelled')), 50);
      const result = await tool.execute({ city: 'Lisbon' }, toolContext(app.orgId, { signal: controller.signal }));
      expect(result).toEqual({ content: JSON.stringify({ error: 'get_weather failed: The call was cancelled.' }), isError: true });
    });
  });

  it('skips a function whose contentFormat is not a usable schema, and a duplicate name, naming them', async () => {
    const { tools, problems } = await toolSources.toolsFor(
      app.orgId,
      {
        protocolFunctions: [
          { name: 'broken', description: 'x', callbackUrl: `${receiver.url}/x`, contentFormat: { type: 'string' } },
          { name: 'bad_ref', description: 'x', callbackUrl: `${receiver.url}/x`, contentFormat: { type: 'object', properties: { a: { $ref: '#/nope' } } } },
          { name: 'from_text', description: 'x', callbackUrl: `${receiver.url}/x`, contentFormat: '{"properties":{"q":{"type":"string"}}}' },
          { name: 'from_text', description: 'again', callbackUrl: `${receiver.url}/y`, contentFormat: null },
          { name: 'no.dots allowed', description: 'x', callbackUrl: `${receiver.url}/x`, contentFormat: null },
        ],
      },
      { signal },
    );
    expect(tools.map((tool) => [tool.name, tool.parameters])).toEqual([
      ['from_text', { properties: { q: { type: 'string' } }, type: 'object' }],
      ['no_dots_allowed', { type: 'object', properties: {} }],
    ]);
    expect(problems).toEqual([
      'protocolFunctions[0] "broken": contentFormat must describe an object (its type is "string"), skipped',
      expect.stringMatching(/^protocolFunctions\[1\] "bad_ref": contentFormat is not a usable JSON schema: can't resolve reference #\/nope/),
      'protocolFunctions[3] "from_text": another tool already has this name, skipped',
    ]);
  });

  it('sends the configured name to the callback even when the model sees a sanitized one', async () => {
    const { tools } = await toolSources.toolsFor(
      app.orgId,
      { protocolFunctions: [{ name: 'crm.lookup', description: 'x', callbackUrl: `${receiver.url}/crm`, contentFormat: null }] },
      { signal },
    );
    receiver.reply('/crm', { body: { found: 1 } });
    const [tool] = tools;
    expect(tool?.name).toBe('crm_lookup');
    await tool?.execute({}, toolContext(app.orgId));
    expect(JSON.parse(receiver.last('/crm').body)).toMatchObject({ toolName: 'crm.lookup', arguments: {} });
  });
});
