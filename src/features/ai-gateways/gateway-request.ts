import { type AiGatewayParameters, CONNECTION_MODEL_PATTERN } from './ai-gateway-parameters.js';
import type { ChatMessage } from './chat-message.js';
import { type ComplexityTier, classifyComplexity } from './classify-complexity.js';
import { estimatePromptTokens, fitContext } from './context-budget.js';
import {
  alternateUserAssistantTurns,
  applyUserPromptTemplate,
  foldInstructionsIntoFirstUserTurn,
} from './conversation-shaping.js';

/** The gateway settings the transformer reads; only `modelName` is needed. */
export type GatewayRequestParameters = Partial<AiGatewayParameters> & Pick<AiGatewayParameters, 'modelName'>;

/** An OpenAI chat completions request as the client sent it (`model` names the gateway). */
export interface ChatRequestBody {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  readonly [field: string]: unknown;
}

/** The request body for the provider: the client's fields, the gateway's rewrites. */
export interface UpstreamChatBody {
  model: string;
  messages: ChatMessage[];
  [field: string]: unknown;
}

export interface GatewayRequestMetadata {
  /** The model id sent upstream, without any `@<connection>/` prefix. */
  readonly upstreamModel: string;
  /** The `reasoning_effort` sent upstream, or null when none is. */
  readonly reasoningEffort: string | null;
  /** Set when the gateway routes by complexity. */
  readonly complexityTier?: ComplexityTier;
  /** Estimate of the messages sent (see context-budget.ts). */
  readonly estimatedPromptTokens: number;
  /** Messages dropped by contextOverflowAction Truncate. */
  readonly droppedMessages: number;
  /** Set when includePrefillingInMessages: the reply shown to the client starts with this prefill. */
  readonly replyPrefix?: string;
}

export interface GatewayRequest {
  /** The connection the chosen model names (`@<connection>/<model>`), or null to call the gateway's baseAddress. */
  readonly connection: string | null;
  readonly body: UpstreamChatBody;
  readonly metadata: GatewayRequestMetadata;
}

/** Fields of `additionalSettings` that would take the request away from the client. */
const PROTECTED_FIELDS = new Set(['model', 'messages', 'stream', 'stream_options']);

interface ChosenModel {
  readonly modelName: string;
  readonly reasoningEffort: string | null;
  readonly tier?: ComplexityTier;
}

function chooseModel(parameters: GatewayRequestParameters, request: ChatRequestBody): ChosenModel {
  const routing = parameters.modelRoutingParameters;
  const gatewayEffort = parameters.reasoningEffort ?? null;
  if (!routing) return { modelName: parameters.modelName, reasoningEffort: gatewayEffort };
  const hasTools = Array.isArray(request.tools) && request.tools.length > 0;
  const tier = classifyComplexity(request.messages, { hasTools });
  return {
    modelName: routing[`${tier}ComplexityModelName`],
    reasoningEffort: routing[`${tier}ComplexityModelReasoningEffort`] ?? gatewayEffort,
    tier,
  };
}

function splitConnection(modelName: string): { connection: string | null; model: string } {
  const match = CONNECTION_MODEL_PATTERN.exec(modelName);
  return match?.[1] && match[2] ? { connection: match[1], model: match[2] } : { connection: null, model: modelName };
}

function shapeMessages(parameters: GatewayRequestParameters, request: ChatRequestBody, flags: ReadonlySet<string>, prefill: string | null) {
  let messages: ChatMessage[] = [...request.messages];
  if (parameters.userPromptTemplate) messages = applyUserPromptTemplate(messages, parameters.userPromptTemplate);
  if (parameters.systemInstruction) messages = [{ role: 'system', content: parameters.systemInstruction }, ...messages];
  if (prefill !== null) messages.push({ role: 'assistant', content: prefill });
  // Budget before folding: once instructions sit inside the first user turn, truncation could drop them.
  const limit = parameters.contextMaximumSize;
  const fitted = limit ? fitContext(messages, limit, parameters.contextOverflowAction ?? 'Throw') : undefined;
  messages = fitted?.messages ?? messages;
  if (flags.has('NoSystemInstruct')) messages = foldInstructionsIntoFirstUserTurn(messages);
  if (flags.has('StrictUserAssistantTurns')) messages = alternateUserAssistantTurns(messages);
  return { messages, droppedMessages: fitted?.droppedMessages ?? 0 };
}

/**
 * Gateway values win over the client's: a gateway is how an organization pins
 * a model's behaviour (and cost) for every caller, so a client cannot lift
 * them. Fields the gateway leaves unset keep the client's value.
 */
function enforceSettings(body: UpstreamChatBody, parameters: GatewayRequestParameters, reasoningEffort: string | null, flags: ReadonlySet<string>): void {
  const enforced: ReadonlyArray<readonly [string, unknown]> = [
    ['temperature', parameters.temperature],
    ['top_p', parameters.topP],
    ['presence_penalty', parameters.presencePenalty],
    ['frequency_penalty', parameters.frequencyPenalty],
    ['stop', parameters.stop],
    ['max_completion_tokens', parameters.maxCompletionTokens],
    ['reasoning_effort', reasoningEffort],
    ['verbosity', parameters.verbosity],
  ];
  for (const [field, value] of enforced) {
    if (value !== null && value !== undefined) body[field] = value;
  }
  // OpenAI refuses max_tokens together with max_completion_tokens.
  if (parameters.maxCompletionTokens != null) delete body.max_tokens;
  if (flags.has('NoTemperature')) {
    delete body.temperature;
    delete body.top_p;
  }
  if (flags.has('NoStopParameter')) delete body.stop;
  if (flags.has('NoReasoningEffort')) delete body.reasoning_effort;
}

/**
 * Turns a client's chat completions request into the one the gateway sends
 * upstream. Pure: no I/O, the client's request is not modified, and the same
 * input always gives the same output. Throws a ValidationError (field
 * `messages`) when the conversation exceeds contextMaximumSize and cannot be
 * truncated to fit.
 */
export function buildGatewayRequest(parameters: GatewayRequestParameters, request: ChatRequestBody): GatewayRequest {
  const flags = new Set<string>(parameters.flags ?? []);
  const chosen = chooseModel(parameters, request);
  const { connection, model } = splitConnection(chosen.modelName);
  const prefill = parameters.assistantPrefill && !flags.has('NoAssistantPrefilling') ? parameters.assistantPrefill : null;
  const { messages, droppedMessages } = shapeMessages(parameters, request, flags, prefill);

  const { model: _gateway, messages: _messages, ...clientFields } = request;
  const additional = Object.entries(parameters.additionalSettings ?? {}).filter(([field]) => !PROTECTED_FIELDS.has(field));
  const body: UpstreamChatBody = { model, messages, ...clientFields, ...Object.fromEntries(additional) };
  enforceSettings(body, parameters, chosen.reasoningEffort, flags);

  return {
    connection,
    body,
    metadata: {
      upstreamModel: model,
      reasoningEffort: typeof body.reasoning_effort === 'string' ? body.reasoning_effort : null,
      ...(chosen.tier ? { complexityTier: chosen.tier } : {}),
      estimatedPromptTokens: estimatePromptTokens(messages),
      droppedMessages,
      ...(prefill !== null && parameters.includePrefillingInMessages ? { replyPrefix: prefill } : {}),
    },
  };
}
