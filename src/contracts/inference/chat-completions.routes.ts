import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { AgentCompletions } from '../../features/conversations/index.js';
import {
  type ChatCompletionRequest,
  type ChatCompletionService,
  type ChatCompletionResult,
  chatCompletionRequest,
  isWellFormedChatCompletionRequest,
} from '../../features/inference/index.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import type { DirectRoutes } from '../../platform/http/direct-routes.js';
import { type ClientDisconnect, watchClientDisconnect } from '../../platform/http/request-signal.js';
import { directBodyValidator, fastAcceptingValidator } from '../../platform/http/fast-accepting-validator.js';
import { SSE_HEADERS } from '../../platform/http/sse-relay.js';
import { sendStreamBody } from '../../platform/http/stream-body.js';
import { ForbiddenError } from '../../platform/errors.js';
import { type Authenticate, type Principal, actorFor, principalOf } from '../shared/authentication.js';
import { callerOf } from '../shared/callers.js';
import { contractSecurity } from '../shared/security-schemes.js';

export interface ChatCompletionRoutesDependencies {
  readonly chatCompletions: ChatCompletionService;
  /** Agents with tools run their tool loop here instead of the plain gateway path. */
  readonly agentCompletions: AgentCompletions;
  /** Silence after which a streamed response gets a `: ping` comment. */
  readonly ssePingIntervalMs: number;
  readonly authenticate: Authenticate;
  /** Where the plain shape of the request is served, ahead of Fastify's router. */
  readonly directRoutes?: DirectRoutes;
}

const PATH = '/v1/chat/completions';

/** One call, whichever way the request came in. */
function answerWith(deps: ChatCompletionRoutesDependencies) {
  return async (principal: Principal, correlationId: string, body: ChatCompletionRequest, headers: IncomingHttpHeaders, disconnect: ClientDisconnect): Promise<ChatCompletionResult> => {
    // An agent's key talks to its agent and nothing else.
    if (principal.agentId !== null && body.model !== principal.agentId) {
      throw new ForbiddenError('This API key is scoped to one agent; set `model` to that agent’s id.', 'key_scope');
    }
    const noPing = String(headers['sse-stream-options'] ?? '').toLowerCase() === 'no-ping';
    const caller = callerOf(principal);
    const agent = deps.agentCompletions.mayNameAgent(body) ? await deps.agentCompletions.agentFor(principal.orgId, body) : null;
    return agent
      ? deps.agentCompletions.complete(caller, actorFor(principal, correlationId), agent, body, { signal: disconnect.signal })
      : deps.chatCompletions.complete(caller, body, { signal: disconnect, pingIntervalMs: noPing ? 0 : deps.ssePingIntervalMs });
  };
}

const DESCRIPTION = `Creates a chat completion in the OpenAI wire format, so the \`openai\` SDK, the Vercel AI SDK and LangChain work unchanged against \`/v1\`.

\`model\` is \`@<connection>/<model>\` (for example \`@openai/gpt-4o-mini\`, or a connection the organization created), or the id or slug of an AI gateway, whose parameters then apply: system instruction, prompt template, prefill, sampling settings, flags, context budget, complexity routing (reported in \`generation_context.model_routing\` and the \`X-Agentry-Complexity\` header) and fallback models, tried in order when the provider fails before the first byte. The model that served the call is in \`X-Agentry-Upstream-Model\`. For OpenAI-compatible providers every field Agentry does not act on (tools, tool_choice, response_format, metadata…) is forwarded untouched; Anthropic and Gemini connections are served through the AI SDK, which translates messages, tools and sampling settings and answers in the same OpenAI format. Only \`n = 1\` is supported. An agent is an AI gateway: \`model\` = the agent’s id runs it with its instructions and settings, statelessly (conversations are kept by the Conversations, Organization and Agent-key APIs); an agent-scoped key may call only its own agent (else 403). An agent with tools (built-in functions, HTTP callbacks, MCP servers, skills, sub-agents) runs its full tool loop here, unless the request brings its own \`tools\`: the reply lists the tools it ran in \`generation_context.runned_functions\`, \`user\` (or \`metadata.external_user_id\`) names the end user whose memories apply, and a tool that needs approval is not run (the reply says so; approvals need a conversation).

With \`stream: true\` the provider's server-sent events are relayed as they arrive, unbuffered, ending with \`data: [DONE]\`; during 15 s of silence a \`: ping\` comment keeps proxies from closing the connection, unless the request sends \`Sse-Stream-Options: no-ping\`. A provider failure after the stream began ends it with a \`data: {"error": …}\` event in OpenAI's shape, whose \`code\` says how: \`upstream_stream_failed\` (the provider broke off), \`upstream_timeout\` (it sent nothing for the connection's \`timeoutMs\`) or \`upstream_response_too_large\`. A client that disconnects aborts the provider request.

Errors use OpenAI's shape: unknown model or connection 404, malformed messages 400 naming the path (\`messages[2].content\`), disabled connection type 403, provider unreachable 502, a provider reply that is not a JSON object 502 (\`upstream_invalid_reply\`; a reply is checked where Agentry reads it, its braces, \`model\` and \`usage\`, and otherwise relayed as sent), a reply from a tenant's connection larger than the operator's \`AGENTRY_OUTBOUND_MAX_RESPONSE_BYTES\` 502 (\`upstream_response_too_large\`), provider timeout 504, provider rate limit 429 with \`Retry-After\`.`;

/**
 * The route on Fastify (documented, and serving every shape of request), and
 * its direct twin for the plain shape that nearly every client sends.
 */
export function registerChatCompletionRoutes(app: AppInstance, deps: ChatCompletionRoutesDependencies): void {
  const answer = answerWith(deps);
  const validator = fastAcceptingValidator(isWellFormedChatCompletionRequest);
  app.post(
    PATH,
    {
      schema: {
        tags: ['OpenAI-compatible inference'],
        security: contractSecurity.inference,
        summary: 'Chat completions',
        description: DESCRIPTION,
        body: chatCompletionRequest,
      },
      validatorCompiler: validator,
    },
    async (request, reply) => {
      const result = await answer(principalOf(request), request.id, request.body, request.headers, watchClientDisconnect(reply));
      reply.headers(result.headers);
      if (result.kind === 'json') {
        return result.encoded === undefined ? reply.send(result.body) : reply.type('application/json; charset=utf-8').send(result.encoded);
      }
      // Sent as the direct route sends it (a relay straight to the socket); the onResponse hook still logs the call.
      reply.headers(SSE_HEADERS).hijack();
      // Only headers that were set are listed, so none is undefined.
      reply.raw.writeHead(200, reply.getHeaders() as OutgoingHttpHeaders);
      sendStreamBody(reply.raw, result.body, request.log);
      return reply;
    },
  );

  const validate = directBodyValidator<ChatCompletionRequest>(chatCompletionRequest, validator, PATH);
  deps.directRoutes?.add({
    path: PATH,
    admit: (request) => deps.authenticate(request),
    serve: (principal, body, exchange) => answer(principal, exchange.id, validate(body), exchange.request.headers, exchange.disconnect),
  });
}
