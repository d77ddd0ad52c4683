import { AppError } from '../../platform/errors.js';
import type { ChatMessage } from '../ai-gateways/index.js';
import type { Caller, ChatCompletionRequest, ChatCompletionResult, TokenUsage } from '../inference/index.js';
import { type AgentTool, type ToolContext, type ToolResult, type Toolset, errorResult, toOpenAiTool } from '../tools/index.js';
import { readModelReply } from './model-reply.js';
import { type ToolCallRecord, type ToolStep, stepsAsMessages } from './tool-steps.js';

export type CompleteChat = (
  caller: Caller,
  request: ChatCompletionRequest,
  options: { signal: AbortSignal; pingIntervalMs: number },
) => Promise<ChatCompletionResult>;

/** What a turn's stream reports besides text. */
export type ToolEvent =
  | { readonly type: 'tool_call'; readonly call: ToolCallRecord }
  | { readonly type: 'tool_result'; readonly call: ToolCallRecord };

export interface AgentLoopInput {
  readonly complete: CompleteChat;
  readonly caller: Caller;
  readonly agentId: string;
  /** The prompt: instructions, history and the user's message. */
  readonly messages: readonly ChatMessage[];
  readonly toolset: Toolset;
  readonly toolContext: ToolContext;
  readonly maxSteps: number;
  /** Steps of an earlier run of this turn (resumed after approvals): their decided calls are replayed, pending ones run. */
  readonly priorSteps?: readonly ToolStep[];
  /** Adds to every tool's description that the model must say why it calls it. */
  readonly explainToolCalls?: boolean;
  readonly onDelta: (text: string) => void;
  readonly onToolEvent?: (event: ToolEvent) => void;
  /** Called whenever the steps change, so the caller can save them. */
  readonly onSteps?: (steps: readonly ToolStep[]) => void;
}

export interface AgentLoopOutcome {
  readonly status: 'completed' | 'awaiting_approval';
  readonly steps: ToolStep[];
  readonly usage: TokenUsage | undefined;
  /** `@<connection>/<model>` of the last model call. */
  readonly model: string | null;
  /** Each model call of this run with what it used, for pricing. */
  readonly modelCalls: ReadonlyArray<{ readonly model: string | null; readonly usage: TokenUsage | undefined }>;
  readonly stepLimitReached: boolean;
}

const EXPLANATION_FIELD = 'explanation';

function addUsage(total: TokenUsage | undefined, more: TokenUsage | undefined): TokenUsage | undefined {
  if (!more) return total;
  if (!total) return more;
  return {
    promptTokens: total.promptTokens + more.promptTokens,
    completionTokens: total.completionTokens + more.completionTokens,
    cachedTokens: total.cachedTokens + more.cachedTokens,
  };
}

/** With toolInvocationExplanations, every tool asks for a short reason, which is stripped before the tool runs. */
function withExplanation(tool: AgentTool): ReturnType<typeof toOpenAiTool> {
  const described = toOpenAiTool(tool);
  const parameters = described.function.parameters as { properties?: Record<string, unknown>; required?: string[] };
  return {
    ...described,
    function: {
      ...described.function,
      parameters: {
        ...parameters,
        type: 'object',
        properties: { ...parameters.properties, [EXPLANATION_FIELD]: { type: 'string', description: 'Why you call this tool now, in one sentence for the user.' } },
        required: [...(parameters.required ?? []), EXPLANATION_FIELD],
      },
    },
  };
}

function parseArguments(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, message: `The arguments are not valid JSON (${error instanceof Error ? error.message : 'parse error'}); call the tool again with a JSON object.` };
  }
}

async function runTool(tool: AgentTool | undefined, name: string, args: unknown, context: ToolContext, visible: boolean): Promise<ToolResult> {
  if (!tool) return errorResult(`There is no tool named "${name}".`);
  if (!visible) return errorResult(`The tool "${name}" is not available yet: load the skill that provides it first.`);
  try {
    return await tool.execute(args, context);
  } catch (error) {
    if (context.signal.aborted) throw error;
    return errorResult(error instanceof AppError ? error.message : `The tool "${name}" failed unexpectedly.`);
  }
}

/**
 * The agent's tool loop: call the model with the visible tools; run the tools
 * it calls and give it the results; repeat until it answers without tools or
 * the step limit is reached. A call that needs approval pauses the loop; the
 * same loop resumes it later from the stored steps.
 */
export async function runAgentLoop(input: AgentLoopInput): Promise<AgentLoopOutcome> {
  const { toolset, toolContext } = input;
  const steps: ToolStep[] = [];
  const messages: ChatMessage[] = [...input.messages];
  let usage: TokenUsage | undefined;
  let model: string | null = null;
  const modelCalls: Array<{ model: string | null; usage: TokenUsage | undefined }> = [];

  const save = () => input.onSteps?.(steps.map((step) => ({ ...step, calls: [...step.calls] })));

  const execute = async (call: ToolCallRecord, args: unknown): Promise<ToolCallRecord> => {
    const tool = toolset.find(call.name);
    const visible = toolset.visible().some((candidate) => candidate.name === call.name);
    const result = await runTool(tool, call.name, args, toolContext, visible);
    usage = addUsage(usage, result.usage);
    return {
      ...call,
      kind: tool?.kind ?? 'unknown',
      status: result.isError ? 'failed' : 'completed',
      result: result.content,
      isError: result.isError,
      ...(result.structured === undefined ? {} : { structured: result.structured }),
    };
  };

  /** Runs (or refuses, or parks for approval) the calls of one step, in order; returns whether the loop must pause. */
  const settle = async (step: { content: string; calls: ToolCallRecord[] }): Promise<boolean> => {
    let pause = false;
    for (const [index, call] of step.calls.entries()) {
      if (call.result !== null) continue;
      const parsed = parseArguments(call.arguments);
      const tool = toolset.find(call.name);
      if (!parsed.ok) {
        step.calls[index] = { ...call, status: 'failed', result: JSON.stringify({ error: parsed.message }), isError: true };
      } else if (call.status === 'rejected') {
        step.calls[index] = { ...call, result: JSON.stringify({ error: `A person rejected this call${call.reason ? `: ${call.reason}` : '.'}` }), isError: true };
      } else if (tool?.requiresApproval && call.status !== 'approved') {
        if (call.status !== 'pending_approval') {
          step.calls[index] = { ...call, kind: tool.kind, status: 'pending_approval' };
          input.onToolEvent?.({ type: 'tool_call', call: step.calls[index] as ToolCallRecord });
          save();
        }
        pause = true;
        continue;
      } else {
        const args =
          input.explainToolCalls && parsed.value && typeof parsed.value === 'object' && !Array.isArray(parsed.value)
            ? Object.fromEntries(Object.entries(parsed.value).filter(([key]) => key !== EXPLANATION_FIELD))
            : parsed.value;
        input.onToolEvent?.({ type: 'tool_call', call });
        step.calls[index] = await execute(call, args);
      }
      input.onToolEvent?.({ type: 'tool_result', call: step.calls[index] as ToolCallRecord });
      save();
    }
    return pause;
  };

  // A resumed turn: replay what was decided, then run what was approved or refused.
  for (const prior of input.priorSteps ?? []) {
    const step = { content: prior.content, calls: [...prior.calls] };
    steps.push(step);
    if (await settle(step)) return { status: 'awaiting_approval', steps, usage, model, stepLimitReached: false, modelCalls };
    messages.push(...stepsAsMessages([step], true));
  }

  for (let round = 0; ; round += 1) {
    if (steps.length >= input.maxSteps) {
      const notice = `\n\n[Stopped: the agent reached its limit of ${input.maxSteps} tool steps without a final answer.]`;
      input.onDelta(notice);
      steps.push({ content: notice, calls: [] });
      save();
      return { status: 'completed', steps, usage, model, stepLimitReached: true, modelCalls };
    }
    const visible = toolset.visible();
    const request: ChatCompletionRequest = {
      model: input.agentId,
      messages: messages as ChatCompletionRequest['messages'],
      stream: true,
      stream_options: { include_usage: true },
      ...(visible.length > 0
        ? { tools: visible.map((tool) => (input.explainToolCalls ? withExplanation(tool) : toOpenAiTool(tool))), tool_choice: 'auto' }
        : {}),
    };
    const result = await input.complete(input.caller, request, { signal: toolContext.signal, pingIntervalMs: 0 });
    model = result.headers['x-agentry-upstream-model'] ?? model;
    const reply = await readModelReply(result, input.onDelta);
    usage = addUsage(usage, reply.usage);
    modelCalls.push({ model: result.headers['x-agentry-upstream-model'] ?? null, usage: reply.usage });
    toolContext.signal.throwIfAborted();
    const calls: ToolCallRecord[] = reply.toolCalls.map((call, index) => ({
      id: call.id || `call_${round}_${index}`,
      name: call.function.name,
      arguments: call.function.arguments,
      kind: toolset.find(call.function.name)?.kind ?? 'unknown',
      status: 'requested',
      result: null,
      isError: false,
    }));
    const step = { content: reply.content, calls };
    steps.push(step);
    save();
    if (calls.length === 0) return { status: 'completed', steps, usage, model, stepLimitReached: false, modelCalls };
    if (await settle(step)) return { status: 'awaiting_approval', steps, usage, model, stepLimitReached: false, modelCalls };
    messages.push(...stepsAsMessages([step], true));
  }
}
