import { type ModelMessage, type ToolChoice, type ToolSet, jsonSchema, tool } from 'ai';
import { z } from 'zod';
import { BadRequestError } from '../../platform/errors.js';
import { textOf, userParts } from './ai-sdk-user-content.js';
import { type ProviderOptions, reasoningProviderOptions } from './reasoning-options.js';

type AssistantPart = Exclude<Extract<ModelMessage, { role: 'assistant' }>['content'], string>[number];

const content = z.union([z.string(), z.array(z.looseObject({ type: z.string() })), z.null()]).optional();
const toolCall = z.looseObject({ id: z.string(), function: z.looseObject({ name: z.string(), arguments: z.string().optional() }) });

/**
 * The parts of an OpenAI request an AI SDK provider can act on. The
 * OpenAI-compatible path forwards bodies untouched; here every field must be
 * translated, so the accepted shape is spelled out and anything else is refused.
 */
const openAiBody = z.looseObject({
  model: z.string(),
  messages: z.array(
    z.looseObject({
      role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
      content,
      tool_call_id: z.string().optional(),
      tool_calls: z.array(toolCall).optional(),
    }),
  ),
  temperature: z.number().nullable().optional(),
  top_p: z.number().nullable().optional(),
  max_tokens: z.number().int().positive().nullable().optional(),
  max_completion_tokens: z.number().int().positive().nullable().optional(),
  stop: z.union([z.string(), z.array(z.string())]).nullable().optional(),
  reasoning_effort: z.string().nullable().optional(),
  tools: z
    .array(
      z.looseObject({
        type: z.literal('function'),
        function: z.looseObject({ name: z.string().min(1), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional() }),
      }),
    )
    .optional(),
  tool_choice: z
    .union([z.enum(['auto', 'none', 'required']), z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) })])
    .optional(),
});
type OpenAiMessage = z.infer<typeof openAiBody>['messages'][number];

/** Everything `generateText`/`streamText` needs besides the model and the signal. */
export interface AiSdkCall {
  readonly messages: ModelMessage[];
  /** OpenAI clients put system messages among the others by design; the SDK would warn on every call. */
  readonly allowSystemInMessages: true;
  readonly tools?: ToolSet;
  readonly toolChoice?: ToolChoice<ToolSet>;
  readonly temperature?: number;
  readonly topP?: number;
  readonly maxOutputTokens?: number;
  readonly stopSequences?: string[];
  readonly providerOptions?: ProviderOptions;
}

function invalid(message: string): BadRequestError {
  return new BadRequestError('unsupported_parameter', message);
}

function parseArguments(text: string | undefined, where: string): unknown {
  try {
    return JSON.parse(text || '{}') as unknown;
  } catch {
    throw invalid(`${where}: tool call arguments are not valid JSON.`);
  }
}

/** OpenAI names a tool result only by its call id; the AI SDK also wants the tool's name. */
function toolNames(messages: readonly OpenAiMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const message of messages) for (const call of message.tool_calls ?? []) names.set(call.id, call.function.name);
  return names;
}

function toModelMessage(message: OpenAiMessage, index: number, names: Map<string, string>): ModelMessage {
  const where = `messages[${index}]`;
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: textOf(message.content, index) };
    case 'user':
      return { role: 'user', content: userParts(message.content, index) };
    case 'assistant': {
      const text = textOf(message.content, index);
      const parts: AssistantPart[] = text ? [{ type: 'text', text }] : [];
      for (const call of message.tool_calls ?? []) {
        parts.push({ type: 'tool-call', toolCallId: call.id, toolName: call.function.name, input: parseArguments(call.function.arguments, where) });
      }
      return { role: 'assistant', content: parts };
    }
    case 'tool': {
      const toolCallId = message.tool_call_id;
      if (!toolCallId) throw invalid(`${where}: a tool message needs tool_call_id.`);
      const toolName = names.get(toolCallId);
      if (!toolName) throw invalid(`${where}: tool_call_id '${toolCallId}' answers no earlier assistant tool call.`);
      return { role: 'tool', content: [{ type: 'tool-result', toolCallId, toolName, output: { type: 'text', value: textOf(message.content, index) } }] };
    }
  }
}

function toolChoiceOf(choice: z.infer<typeof openAiBody>['tool_choice']): ToolChoice<ToolSet> | undefined {
  if (choice === undefined) return undefined;
  if (typeof choice === 'string') return choice;
  return { type: 'tool', toolName: choice.function.name };
}

/** Translates an OpenAI chat completion body (as planned, gateway parameters applied) into an AI SDK call for a connection type. */
export function toAiSdkCall(body: Record<string, unknown>, connectionType: string): AiSdkCall {
  const parsed = openAiBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(`${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'unsupported request'} (this connection type translates the request).`);
  }
  const request = parsed.data;
  const names = toolNames(request.messages);
  // No `execute`: the client runs its tools, so the SDK returns the calls instead of looping.
  const tools = request.tools?.length
    ? Object.fromEntries(
        request.tools.map((entry) => [
          entry.function.name,
          tool({
            ...(entry.function.description ? { description: entry.function.description } : {}),
            inputSchema: jsonSchema(entry.function.parameters ?? { type: 'object', properties: {} }),
          }),
        ]),
      )
    : undefined;
  const maxOutputTokens = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  const toolChoice = toolChoiceOf(request.tool_choice);
  const providerOptions = reasoningProviderOptions(connectionType, request.reasoning_effort);
  return {
    allowSystemInMessages: true,
    messages: request.messages.map((message, index) => toModelMessage(message, index, names)),
    ...(tools ? { tools } : {}),
    ...(toolChoice ? { toolChoice } : {}),
    ...(request.temperature == null ? {} : { temperature: request.temperature }),
    ...(request.top_p == null ? {} : { topP: request.top_p }),
    ...(maxOutputTokens === undefined ? {} : { maxOutputTokens }),
    ...(request.stop == null ? {} : { stopSequences: typeof request.stop === 'string' ? [request.stop] : request.stop }),
    ...(providerOptions ? { providerOptions } : {}),
  };
}
