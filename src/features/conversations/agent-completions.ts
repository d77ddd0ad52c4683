import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { Actor } from '../../platform/actor.js';
import { AppError } from '../../platform/errors.js';
import { openAiErrorBody } from '../../platform/http/error-mapping.js';
import type { ChatMessage, ResolvedAiGateway } from '../ai-gateways/index.js';
import type { Caller, ChatCompletionRequest, ChatCompletionResult, TokenUsage } from '../inference/index.js';
import type { ToolContext, Toolset } from '../tools/index.js';
import type { PriceTable, UsageLineItem } from '../usage/index.js';
import { type AgentLoopOutcome, type CompleteChat, runAgentLoop } from './agent-loop.js';
import type { ConversationAgent } from './conversation.service.js';
import { callsOf } from './tool-steps.js';

export interface AgentCompletionsDependencies {
  readonly resolveAgent: (orgId: string, idOrSlug: string) => Promise<ResolvedAiGateway>;
  readonly agents: (orgId: string, agentId: string) => Promise<ConversationAgent>;
  readonly toolsetFor: (agent: ConversationAgent, context: ToolContext, userText: string) => Promise<Toolset>;
  readonly complete: CompleteChat;
  readonly prices: PriceTable;
  readonly maxToolSteps: number;
}

export interface AgentCompletionOptions {
  readonly signal: AbortSignal;
}

/** Whether an agent has anything only the runtime can do; others are served by the plain gateway path. */
function needsRuntime(agent: ResolvedAiGateway): boolean {
  const { parameters, profile } = agent;
  return [
    parameters.sentinelOptions?.enabledFunctions,
    parameters.protocolFunctions,
    parameters.protocolFunctionSources,
    parameters.mcpSources,
    parameters.skills,
    parameters.systemInstructionsSources,
    profile.subAgents,
  ].some((list) => Array.isArray(list) && list.length > 0);
}

function textOf(message: ChatMessage | undefined): string {
  const content = message?.content;
  if (typeof content === 'string') return content;
  return (content ?? []).map((part) => (part.type === 'text' && typeof part.text === 'string' ? part.text : '')).join('\n');
}

/** A paused loop cannot wait for approval here, so the reply says what it would have needed. */
function approvalNotice(outcome: AgentLoopOutcome): string {
  if (outcome.status !== 'awaiting_approval') return '';
  const pending = callsOf(outcome.steps).filter((call) => call.status === 'pending_approval').map((call) => call.name);
  return `\n\n[Not done: ${pending.join(', ')} needs a person's approval, which only conversations can ask for.]`;
}

function replyText(outcome: AgentLoopOutcome): string {
  return outcome.steps.map((step) => step.content).join('') + approvalNotice(outcome);
}

function openAiUsage(usage: TokenUsage | undefined) {
  const prompt = usage?.promptTokens ?? 0;
  const completion = usage?.completionTokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion, prompt_tokens_details: { cached_tokens: usage?.cachedTokens ?? 0 } };
}

/**
 * `/v1/chat/completions` with an agent that has tools: the agent's full tool
 * loop runs statelessly (nothing is stored), and the reply reports the tools
 * it ran in `generation_context.runned_functions`. Requests that bring their
 * own `tools` keep the client in charge of tools and take the plain path.
 */
export class AgentCompletions {
  constructor(private readonly deps: AgentCompletionsDependencies) {}

  /** False when the request cannot run an agent's tool loop: it names a connection's model, or brings its own tools. */
  mayNameAgent(request: ChatCompletionRequest): boolean {
    return !request.model.startsWith('@') && !Array.isArray(request.tools);
  }

  /** The agent a request should run through the runtime, or null for the plain gateway path. */
  async agentFor(orgId: string, request: ChatCompletionRequest): Promise<ResolvedAiGateway | null> {
    if (!this.mayNameAgent(request)) return null;
    const agent = await this.deps.resolveAgent(orgId, request.model).catch((error: unknown) => {
      if (error instanceof AppError && error.kind === 'not_found') return null;
      throw error;
    });
    return agent && needsRuntime(agent) ? agent : null;
  }

  async complete(caller: Caller, actor: Actor, agent: ResolvedAiGateway, request: ChatCompletionRequest, options: AgentCompletionOptions): Promise<ChatCompletionResult> {
    const profile = await this.deps.agents(caller.orgId, agent.id);
    const metadata = (request.metadata ?? {}) as Record<string, unknown>;
    const externalUserId = typeof request.user === 'string' ? request.user : typeof metadata.external_user_id === 'string' ? metadata.external_user_id : null;
    const context: ToolContext = {
      orgId: caller.orgId,
      agentId: agent.id,
      conversationId: null,
      externalUserId,
      timeZone: typeof metadata.time_zone === 'string' ? metadata.time_zone : null,
      signal: options.signal,
      depth: 0,
      caller,
      actor,
    };
    const messages = request.messages as ChatMessage[];
    const lastUser = [...messages].reverse().find((message) => message.role === 'user');
    const toolset = await this.deps.toolsetFor(profile, context, textOf(lastUser));
    const prompt: ChatMessage[] = [...toolset.instructions.map((content) => ({ role: 'system', content })), ...messages];
    const id = `chatcmpl-${randomUUID()}`;
    const created = Math.floor(Date.now() / 1000);
    const run = (onDelta: (text: string) => void) =>
      runAgentLoop({
        complete: this.deps.complete,
        caller,
        agentId: agent.id,
        messages: prompt,
        toolset,
        toolContext: context,
        maxSteps: this.deps.maxToolSteps,
        explainToolCalls: profile.explainToolCalls,
        onDelta,
      });
    const headers = { 'x-agentry-agent-runtime': 'true' };
    if (!request.stream) {
      const outcome = await run(() => undefined);
      return {
        kind: 'json',
        headers,
        body: {
          id,
          object: 'chat.completion',
          created,
          model: request.model,
          choices: [{ index: 0, message: { role: 'assistant', content: replyText(outcome) }, logprobs: null, finish_reason: 'stop' }],
          usage: openAiUsage(outcome.usage),
          generation_context: this.generationContext(outcome),
        },
      };
    }
    const body = new PassThrough();
    const frame = (delta: Record<string, unknown>, finishReason: string | null, extra: Record<string, unknown> = {}) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...extra })}\n\n`;
    body.write(frame({ role: 'assistant', content: '' }, null));
    void run((text) => body.write(frame({ content: text }, null)))
      .then((outcome) => {
        const notice = approvalNotice(outcome);
        if (notice) body.write(frame({ content: notice }, null));
        body.write(frame({}, 'stop', { generation_context: this.generationContext(outcome) }));
        if (request.stream_options?.include_usage) {
          body.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, choices: [], usage: openAiUsage(outcome.usage) })}\n\n`);
        }
        body.end('data: [DONE]\n\n');
      })
      .catch((error: unknown) => {
        if (options.signal.aborted) {
          body.destroy();
          return;
        }
        const problem =
          error instanceof AppError ? openAiErrorBody(error).error : { message: 'The agent failed.', type: 'api_error', param: null, code: 'internal_error' };
        body.end(`data: ${JSON.stringify({ error: problem })}\n\n`);
      });
    return { kind: 'stream', body, headers };
  }

  private generationContext(outcome: AgentLoopOutcome) {
    const generatedUsage: UsageLineItem[] = outcome.modelCalls.flatMap((call) => {
      const match = call.model ? /^@([^/]+)\/(.+)$/.exec(call.model) : null;
      if (!match || !call.usage) return [];
      return this.deps.prices.price({ connection: match[1] as string, model: match[2] as string, label: call.model as string, ...call.usage }).lineItems;
    });
    return {
      generated_usage: generatedUsage,
      runned_functions: callsOf(outcome.steps).map((call) => ({
        name: call.name,
        kind: call.kind,
        arguments: call.arguments,
        result: call.result,
        is_error: call.isError,
      })),
    };
  }
}
