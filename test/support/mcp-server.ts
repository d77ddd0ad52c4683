import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export type McpTestTransport = 'streamable-http' | 'sse';

/** What the server saw, for assertions on caching, headers and fallbacks. */
export interface McpServerStats {
  /** JSON-RPC methods received, in order (`initialize`, `tools/list`, `tools/call`…). */
  readonly methods: string[];
  /** Every HTTP request as `METHOD path`. */
  readonly requests: string[];
  /** The `authorization` header of the last request that carried one. */
  lastAuthorization: string | undefined;
}

export interface TestMcpServer {
  /** The URL a client is configured with: `/mcp` (Streamable HTTP) or `/sse`. */
  readonly url: string;
  readonly stats: McpServerStats;
  count(method: string): number;
  close(): Promise<void>;
}

/** The tools every test server offers; built per connection, as the SDK's stateless examples do. */
function buildServer(): McpServer {
  const server = new McpServer({ name: 'agentry-test-mcp', version: '1.0.0' });
  server.registerTool(
    'add',
    {
      description: 'Adds two numbers.',
      inputSchema: { a: z.number(), b: z.number() },
      outputSchema: { sum: z.number() },
    },
    ({ a, b }) => ({ content: [{ type: 'text', text: `${a} + ${b} = ${a + b}` }], structuredContent: { sum: a + b } }),
  );
  server.registerTool('echo', { description: 'Repeats the text.', inputSchema: { text: z.string() } }, ({ text }) => ({
    content: [{ type: 'text', text }],
  }));
  server.registerTool('fail', { description: 'Always reports an error.' }, () => ({
    content: [{ type: 'text', text: 'the warehouse is closed' }],
    isError: true,
  }));
  server.registerTool('slow', { description: 'Answers after a delay.', inputSchema: { ms: z.number() } }, async ({ ms }) => {
    await delay(ms);
    return { content: [{ type: 'text', text: 'done' }] };
  });
  server.registerTool('lookup.city', { description: 'A name with a dot.', inputSchema: { city: z.string() } }, ({ city }) => ({
    content: [{ type: 'text', text: `${city} is sunny` }],
  }));
  return server;
}

async function readJson(request: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

function methodsOf(body: unknown): string[] {
  const messages = Array.isArray(body) ? body : [body];
  return messages.flatMap((message) =>
    typeof message === 'object' && message !== null && typeof (message as { method?: unknown }).method === 'string'
      ? [(message as { method: string }).method]
      : [],
  );
}

/**
 * A real MCP server built with the SDK on a real port: Streamable HTTP in
 * stateless mode at `/mcp`, or the older HTTP+SSE transport at `/sse` (which
 * refuses Streamable HTTP's POST, as such servers do, so clients fall back).
 */
export async function startMcpServer(transport: McpTestTransport): Promise<TestMcpServer> {
  const stats: McpServerStats = { methods: [], requests: [], lastAuthorization: undefined };
  const sseSessions = new Map<string, SSEServerTransport>();

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    stats.requests.push(`${request.method} ${path}`);
    if (request.headers.authorization) stats.lastAuthorization = request.headers.authorization;
    if (transport === 'streamable-http' && path === '/mcp' && request.method === 'POST') {
      const body = await readJson(request);
      stats.methods.push(...methodsOf(body));
      const server = buildServer();
      const streamable = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      response.on('close', () => {
        void streamable.close();
        void server.close();
      });
      await server.connect(streamable);
      await streamable.handleRequest(request, response, body);
      return;
    }
    if (transport === 'sse' && path === '/sse' && request.method === 'GET') {
      const sse = new SSEServerTransport('/messages', response);
      sseSessions.set(sse.sessionId, sse);
      response.on('close', () => sseSessions.delete(sse.sessionId));
      await buildServer().connect(sse);
      return;
    }
    if (transport === 'sse' && path === '/messages' && request.method === 'POST') {
      const sessionId = new URL(request.url ?? '/', 'http://localhost').searchParams.get('sessionId') ?? '';
      const sse = sseSessions.get(sessionId);
      const body = await readJson(request);
      stats.methods.push(...methodsOf(body));
      if (!sse) {
        response.writeHead(404).end('unknown session');
        return;
      }
      await sse.handlePostMessage(request, response, body);
      return;
    }
    response.writeHead(405, { allow: 'GET' }).end('method not allowed');
  }

  const server = http.createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${transport === 'sse' ? '/sse' : '/mcp'}`,
    stats,
    count: (method) => stats.methods.filter((name) => name === method).length,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
