import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CallbackReceiver, startCallbackReceiver } from './support/callback-receiver.js';
import { type TestMcpServer, startMcpServer } from './support/mcp-server.js';
import { toolContext } from './support/tool-context.js';
import { type DirectToolSources, directToolSources } from './support/tool-sources.js';

const signal = new AbortController().signal;
const refusal = (host: string, address: string) =>
  `Refused to connect to ${address} (loopback address) for host "${host}": blocked by the outbound address policy; ` +
  'an operator can allow it with AGENTRY_OUTBOUND_ALLOW.';

describe('tool sources obey the outbound address policy', () => {
  let receiver: CallbackReceiver;
  let mcp: TestMcpServer;
  let sseMcp: TestMcpServer;

  beforeAll(async () => {
    [receiver, mcp, sseMcp] = await Promise.all([startCallbackReceiver(), startMcpServer('streamable-http'), startMcpServer('sse')]);
    receiver.reply('/callback', { body: { ok: true } });
    receiver.reply('/functions', { body: [{ name: 'listed', description: 'x', callbackUrl: `${receiver.url}/callback`, contentFormat: {} }] });
    receiver.reply('/instructions', { body: 'Be brief.', contentType: 'text/plain' });
  });
  afterAll(async () => {
    await Promise.all([receiver?.close(), mcp?.close(), sseMcp?.close()]);
  });
  beforeEach(() => {
    receiver.received.length = 0;
    mcp.stats.requests.length = 0;
    sseMcp.stats.requests.length = 0;
  });

  describe('without AGENTRY_OUTBOUND_ALLOW', () => {
    let direct: DirectToolSources;
    beforeAll(() => {
      direct = directToolSources();
    });
    afterAll(() => direct?.close());

    it('answers a callback to 127.0.0.1 with an error result, without connecting', async () => {
      const { tools } = await direct.sources.toolsFor(
        'org-a',
        { protocolFunctions: [{ name: 'cb', description: 'x', callbackUrl: `${receiver.url}/callback`, contentFormat: {} }] },
        { signal },
      );
      const result = await tools[0]?.execute({}, toolContext('org-a'));
      expect(result).toEqual({ content: JSON.stringify({ error: `cb failed: ${refusal('127.0.0.1', '127.0.0.1')}` }), isError: true });
      expect(receiver.received).toHaveLength(0);
    });

    it('refuses a name that resolves to loopback at connect time', async () => {
      const port = new URL(receiver.url).port;
      const { tools } = await direct.sources.toolsFor(
        'org-a',
        { protocolFunctions: [{ name: 'cb', description: 'x', callbackUrl: `http://localhost:${port}/callback`, contentFormat: {} }] },
        { signal },
      );
      const result = await tools[0]?.execute({}, toolContext('org-a'));
      expect(result?.isError).toBe(true);
      expect(JSON.parse(result?.content ?? '{}').error).toMatch(/^cb failed: Refused to connect to (127\.0\.0\.1|::1) \(loopback address\) for host "localhost"/);
      expect(receiver.received).toHaveLength(0);
    });

    it('skips a function source and an instruction source on loopback', async () => {
      const { tools, problems } = await direct.sources.toolsFor('org-a', { protocolFunctionSources: [`${receiver.url}/functions`] }, { signal });
      expect(tools).toEqual([]);
      expect(problems).toEqual([`protocolFunctionSources[0] (${receiver.url}): ${refusal('127.0.0.1', '127.0.0.1')}`]);
      const instructions = await direct.sources.instructionsFor(
        'org-a',
        { systemInstructionsSources: [{ name: 'policy', url: `${receiver.url}/instructions` }] },
        { signal },
      );
      expect(instructions).toEqual([]);
      expect(receiver.received).toHaveLength(0);
    });

    it('refuses MCP connections, over both transports, through the guarded dispatcher', async () => {
      const port = new URL(mcp.url).port;
      const { tools, problems } = await direct.sources.toolsFor(
        'org-a',
        {
          mcpSources: [
            { name: 'literal', url: mcp.url },
            { name: 'named', url: `http://localhost:${port}/mcp` },
            { name: 'legacy', url: sseMcp.url },
          ],
        },
        { signal },
      );
      expect(tools).toEqual([]);
      expect(problems).toHaveLength(3);
      expect(problems[0]).toBe(`mcpSources[0] "literal": could not list tools: ${refusal('127.0.0.1', '127.0.0.1')}`);
      expect(problems[1]).toMatch(/^mcpSources\[1\] "named": could not list tools: Refused to connect to (127\.0\.0\.1|::1) \(loopback address\) for host "localhost"/);
      expect(problems[2]).toBe(`mcpSources[2] "legacy": could not list tools: ${refusal('127.0.0.1', '127.0.0.1')}`);
      expect(mcp.stats.requests).toEqual([]);
      expect(sseMcp.stats.requests).toEqual([]);
    });
  });

  describe('with 127.0.0.1 in AGENTRY_OUTBOUND_ALLOW', () => {
    let direct: DirectToolSources;
    beforeAll(() => {
      direct = directToolSources({ allow: '127.0.0.1' });
    });
    afterAll(() => direct?.close());

    it('reaches the same callback, sources and MCP server', async () => {
      const { tools, problems } = await direct.sources.toolsFor(
        'org-a',
        {
          protocolFunctions: [{ name: 'cb', description: 'x', callbackUrl: `${receiver.url}/callback`, contentFormat: {} }],
          protocolFunctionSources: [`${receiver.url}/functions`],
          mcpSources: [{ name: 'calc', url: mcp.url }],
        },
        { signal },
      );
      expect(problems).toEqual([]);
      expect(tools.map((tool) => tool.name)).toEqual(['cb', 'listed', 'calc__add', 'calc__echo', 'calc__fail', 'calc__slow', 'calc__lookup_city']);
      expect(await tools[0]?.execute({}, toolContext('org-a'))).toMatchObject({ isError: false, structured: { ok: true } });
      const instructions = await direct.sources.instructionsFor(
        'org-a',
        { systemInstructionsSources: [{ name: 'policy', url: `${receiver.url}/instructions` }] },
        { signal },
      );
      expect(instructions).toEqual(['Be brief.']);
    });
  });
});
