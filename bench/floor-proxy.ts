/**
 * The floor for bench/inference.ts: the least an OpenAI-compatible gateway on
 * Fastify + undici has to do, in its own process. POST /v1/chat/completions
 * parses the JSON body once (Fastify's parser), replaces `model`
 * (`@openai/bench-model` → `bench-model`), forwards it with undici's
 * `request` on a keep-alive `Pool`, and pipes the upstream's response — JSON
 * or event stream — back unchanged. No authentication, validation, logging
 * or cancellation: what an ideal gateway could reach on this stack.
 *
 *   node --import tsx bench/floor-proxy.ts http://127.0.0.1:<upstream port>
 */
import Fastify from 'fastify';
import { Pool } from 'undici';
import { LOOPBACK, announceListening, exitWithParent, isScript, loopbackUrl } from './child-lifecycle.js';

const UPSTREAM_PATH = '/v1/chat/completions';
const UPSTREAM_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization: 'Bearer bench' };

async function main(): Promise<void> {
  const upstream = loopbackUrl(process.argv[2]);
  const pool = new Pool(upstream.origin, { headersTimeout: 30_000, bodyTimeout: 30_000 });
  const app = Fastify({ logger: false });

  app.post('/v1/chat/completions', async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const model = typeof body.model === 'string' ? body.model : '';
    body.model = model.startsWith('@') ? model.slice(model.indexOf('/') + 1) : model;
    const response = await pool.request({ path: UPSTREAM_PATH, method: 'POST', headers: UPSTREAM_HEADERS, body: JSON.stringify(body) });
    reply.code(response.statusCode);
    const contentType = response.headers['content-type'];
    if (typeof contentType === 'string') reply.header('content-type', contentType);
    return reply.send(response.body);
  });

  await app.listen({ host: LOOPBACK, port: 0 });
  exitWithParent(async () => {
    await app.close();
    await pool.close();
  });
  announceListening(app.server.address());
}

if (isScript(import.meta.url)) await main();
