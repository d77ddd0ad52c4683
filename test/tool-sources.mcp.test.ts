import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AgentTool } from '../src/features/tools/index.js';
import { type TestMcpServer, startMcpServer } from './support/mcp-server.js';
import { toolContext } from './support/tool-context.js';
import { type DirectToolSources, directToolSources } from './support/tool-sources.js';

const signal = new AbortController().signal;

function named(tools: readonly AgentTool[], name: string): AgentTool {
  const tool = tools.find((candidate) => candidate.name === name);
  if (!tool) throw new Error(`no tool ${name} among ${tools.map((candidate) => candidate.name).join(', ')}`);
  return tool;
}

describe('MCP tools', () => {
  let streamable: TestMcpServer;
  let sse: TestMcpServer;
  let direct: DirectToolSources;

  beforeAll(async () => {
    [streamable, sse] = await Promise.all([startMcpServer('streamable-http'), startMcpServer('sse')]);
  });
  afterAll(async () => {
    await Promise.all([streamable?.close(), sse?.close()]);
  });
  beforeEach(() => {
    streamable.stats.methods.length = 0;
    sse.stats.methods.length = 0;
    sse.stats.requests.length = 0;
    direct = directToolSources({ allow: '127.0.0.1', limits: { mcpCallTimeoutMs: 500, failureTtlMs: 60_000 } });
    return () => direct.close();
  });

  it('lists a Streamable HTTP server’s tools as <source>__<tool>, with their schemas', async () => {
    const { tools, problems } = await direct.sources.toolsFor(
      'org-a',
      { mcpSources: [{ name: 'calc', url: streamable.url, headers: { authorization: 'Bearer mcp-secret' } }] },
      { signal },
    );
    expect(problems).toEqual([]);
    expect(tools.map((tool) => tool.name)).toEqual(['calc__add', 'calc__echo', 'calc__fail', 'calc__slow', 'calc__lookup_city']);
    expect(named(tools, 'calc__add')).toMatchObject({
      kind: 'mcp',
      requiresApproval: false,
      description: 'Adds two numbers.',
      parameters: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
    });
    expect(streamable.stats.lastAuthorization).toBe('Bearer mcp-secret');
  });

  it('calls a tool and passes back its structured content and text', async () => {
    const { tools } = await direct.sources.toolsFor('org-a', { mcpSources: [{ name: 'calc', url: streamable.url }] }, { signal });
    const result = await named(tools, 'calc__add').execute({ a: 2, b: 3 }, toolContext('org-a'));
    expect(result).toEqual({ content: '2 + 3 = 5', isError: false, structured: { sum: 5 } });

    const echoed = await named(tools, 'calc__echo').execute('{"text":"hello"}', toolContext('org-a'));
    expect(echoed).toEqual({ content: 'hello', isError: false });
    // The sanitized name still calls the server's own tool name.
    const city = await named(tools, 'calc__lookup_city').execute({ city: 'Lisbon' }, toolContext('org-a'));
    expect(city).toEqual({ content: 'Lisbon is sunny', isError: false });
    expect(streamable.count('tools/call')).toBe(3);
  });

  it('turns an isError result, bad arguments and a slow tool into error results', async () => {
    const { tools } = await direct.sources.toolsFor('org-a', { mcpSources: [{ name: 'calc', url: streamable.url }] }, { signal });
    expect(await named(tools, 'calc__fail').execute({}, toolContext('org-a'))).toEqual({
      content: JSON.stringify({ error: 'the warehouse is closed' }),
      isError: true,
    });

    const invalid = await named(tools, 'calc__add').execute({ a: 'two' }, toolContext('org-a'));
    expect(invalid.isError).toBe(true);
    expect(JSON.parse(invalid.content).error).toMatch(/Input validation error/);

    const notJson = await named(tools, 'calc__add').execute('{"a":', toolContext('org-a'));
    expect(JSON.parse(notJson.content)).toEqual({ error: 'Invalid arguments for calc__add: the arguments are not valid JSON. Fix them and call again.' });

    const started = Date.now();
    const slow = await named(tools, 'calc__slow').execute({ ms: 3_000 }, toolContext('org-a'));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(slow).toEqual({ content: JSON.stringify({ error: 'calc__slow failed: no answer within 0.5 s.' }), isError: true });
  });

  it('keeps the tool list for cacheDuration seconds, per organization and source', async () => {
    const source = { name: 'calc', url: streamable.url, cacheDuration: 60 };
    for (let turn = 0; turn < 3; turn += 1) {
      const { tools } = await direct.sources.toolsFor('org-a', { mcpSources: [source] }, { signal });
      expect(tools).toHaveLength(5);
    }
    expect(streamable.count('tools/list')).toBe(1);

    await direct.sources.toolsFor('org-b', { mcpSources: [source] }, { signal });
    expect(streamable.count('tools/list')).toBe(2);
    // Other credentials may see other tools: a source with different headers is listed on its own.
    await direct.sources.toolsFor('org-a', { mcpSources: [{ ...source, headers: { authorization: 'Bearer other' } }] }, { signal });
    expect(streamable.count('tools/list')).toBe(3);
  });

  it('lists again on every turn when cacheDuration is 0, and after it expires', async () => {
    const uncached = { name: 'calc', url: streamable.url, cacheDuration: 0 };
    await direct.sources.toolsFor('org-a', { mcpSources: [uncached] }, { signal });
    await direct.sources.toolsFor('org-a', { mcpSources: [uncached] }, { signal });
    expect(streamable.count('tools/list')).toBe(2);

    const brief = { name: 'calc', url: `${streamable.url}?brief`, cacheDuration: 1 };
    await direct.sources.toolsFor('org-a', { mcpSources: [brief] }, { signal });
    await direct.sources.toolsFor('org-a', { mcpSources: [brief] }, { signal });
    expect(streamable.count('tools/list')).toBe(3);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await direct.sources.toolsFor('org-a', { mcpSources: [brief] }, { signal });
    expect(streamable.count('tools/list')).toBe(4);
  });

  it('falls back to the SSE transport for an older server, for listing and calls', async () => {
    const { tools, problems } = await direct.sources.toolsFor('org-a', { mcpSources: [{ name: 'legacy', url: sse.url }] }, { signal });
    expect(problems).toEqual([]);
    expect(tools.map((tool) => tool.name)).toContain('legacy__add');
    expect(sse.stats.requests.slice(0, 2)).toEqual(['POST /sse', 'GET /sse']);

    sse.stats.requests.length = 0;
    const result = await named(tools, 'legacy__add').execute({ a: 20, b: 22 }, toolContext('org-a'));
    expect(result).toEqual({ content: '20 + 22 = 42', isError: false, structured: { sum: 42 } });
    // The listing remembered SSE works, so the call goes straight to it.
    expect(sse.stats.requests[0]).toBe('GET /sse');
    expect(sse.stats.requests).not.toContain('POST /sse');
  });

  it('offers no tools for a server that is down, without throwing, and keeps the other sources', async () => {
    const down = await startMcpServer('streamable-http');
    const downUrl = down.url;
    await down.close();
    const { tools, problems } = await direct.sources.toolsFor(
      'org-a',
      { mcpSources: [{ name: 'gone', url: downUrl }, { name: 'calc', url: streamable.url }] },
      { signal },
    );
    expect(tools.map((tool) => tool.name)).toEqual(['calc__add', 'calc__echo', 'calc__fail', 'calc__slow', 'calc__lookup_city']);
    expect(problems).toEqual(['mcpSources[0] "gone": could not list tools: the connection failed (ECONNREFUSED)']);
  });

  it('reports a server that went down between listing and calling as an error result', async () => {
    const flaky = await startMcpServer('streamable-http');
    const { tools } = await direct.sources.toolsFor('org-a', { mcpSources: [{ name: 'flaky', url: flaky.url }] }, { signal });
    await flaky.close();
    const result = await named(tools, 'flaky__echo').execute({ text: 'hi' }, toolContext('org-a'));
    expect(result.isError).toBe(true);
    // A pooled socket to the closed server fails as UND_ERR_SOCKET, a fresh one as ECONNREFUSED.
    expect(JSON.parse(result.content).error).toMatch(/^flaky__echo failed: the connection failed \((ECONNREFUSED|UND_ERR_SOCKET)\)\.$/);
  });

  it('gives up on a server that accepts connections but never answers', async () => {
    const { createServer } = await import('node:http');
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const quick = directToolSources({ allow: '127.0.0.1', limits: { mcpConnectTimeoutMs: 300, mcpListTimeoutMs: 300 } });
    try {
      const started = Date.now();
      const { tools, problems } = await quick.sources.toolsFor('org-a', { mcpSources: [{ name: 'mute', url: `http://127.0.0.1:${port}/mcp` }] }, { signal });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(tools).toEqual([]);
      expect(problems).toEqual([expect.stringMatching(/^mcpSources\[0\] "mute": could not list tools: no answer within/)]);
    } finally {
      await quick.close();
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('keeps names provider-safe and unique', async () => {
    const longName = 'a-very-long-source-name-that-goes-on-and-on-for-ever';
    const { tools } = await direct.sources.toolsFor(
      'org-a',
      {
        mcpSources: [
          { name: longName, url: streamable.url },
          { name: 'calc', url: `${streamable.url}?again` },
        ],
      },
      { signal, reservedNames: ['calc__add'] },
    );
    for (const tool of tools) expect(tool.name).toMatch(/^[a-zA-Z0-9_-]{1,64}$/);
    expect(new Set(tools.map((tool) => tool.name)).size).toBe(tools.length);
    const calcAdd = tools.filter((tool) => tool.name.startsWith('calc__add'));
    expect(calcAdd).toHaveLength(1);
    expect(calcAdd[0]?.name).toMatch(/^calc__add_[0-9a-f]{8}$/);
    expect(await calcAdd[0]?.execute({ a: 1, b: 1 }, toolContext('org-a'))).toMatchObject({ structured: { sum: 2 } });
  });
});
