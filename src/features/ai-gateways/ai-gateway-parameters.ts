import { z } from 'zod';

/**
 * The `parameters` object of an AI gateway (aivax-api.txt, CreateGateway), plus
 * Agentry's extensions (`limits`, `fallbackModels`). Every object is loose:
 * fields the spec adds later are stored and returned unchanged instead of being
 * refused or silently dropped.
 */

/** All of the spec's AiModelFlags; the catalog-only ones (New, Preview, Deprecated, Discounted, Free) are accepted and have no effect. */
export const aiModelFlagSchema = z.enum([
  'NoSystemInstruct',
  'NoTemperature',
  'ThinkingProcess',
  'NoAssistantPrefilling',
  'ReturnReasoningTokens',
  'DisableMultiModalInput',
  'DiffusingStream',
  'OpenAiStrictJson',
  'StructuredOutputSupport',
  'PreserveThinkingTokens',
  'New',
  'Preview',
  'Deprecated',
  'NoStopParameter',
  'NoReasoningEffort',
  'RewriteToolCallsAsUserMessages',
  'Discounted',
  'Free',
  'DisableReasoningSummary',
  'DisableReasoningDetails',
  'IncludeStoredReasoning',
  'StrictUserAssistantTurns',
]);
export type AiModelFlag = z.infer<typeof aiModelFlagSchema>;

export const contextOverflowActionSchema = z.enum(['Throw', 'Truncate']);
export const queryStrategySchema = z.enum(['Plain', 'Concatenate', 'FullRewrite', 'UserRewrite', 'QueryFunction']);
export const multimodalFeatureSchema = z.enum(['Image', 'Audio', 'Video', 'File', 'OtherFiles', 'All']);
export const builtinFunctionSchema = z.enum([
  'WebSearch',
  'Code',
  'OpenUrl',
  'Remember',
  'ImageGeneration',
  'XPostsSearch',
  'GenerateDocument',
  'GenerateWebPage',
  'AdvancedWebUsage',
  'Request',
  'Calendar',
]);

/** Same shape as connection names, so `@<connection>/<model>` parses the same way everywhere. */
export const CONNECTION_MODEL_PATTERN = /^@([a-z0-9][a-z0-9._-]{0,62})\/(.+)$/;
const connectionModel = z
  .string()
  .max(300)
  .regex(CONNECTION_MODEL_PATTERN, 'must be `@<connection>/<model>`');

/** A plain provider model id, or `@<connection>/<model>`; a stray `@` is refused so a typo is not sent upstream as a model id. */
const modelName = z
  .string()
  .min(1)
  .max(300)
  .refine((value) => !value.startsWith('@') || CONNECTION_MODEL_PATTERN.test(value), 'must be a model id or `@<connection>/<model>`');

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

const httpUrl = z.string().max(2000).refine(isHttpUrl, 'must be an http(s) URL');
const headers = z.record(z.string(), z.string().max(8000));
const text = (max: number) => z.string().max(max);
const effort = z.string().min(1).max(50);

const remoteSource = z.looseObject({
  name: z.string().min(1).max(200),
  description: text(2000).nullable().optional(),
  url: httpUrl,
  headers: headers.optional(),
  cacheDuration: z.number().int().min(0).optional().describe('Seconds the fetched content is cached.'),
});

export const aiGatewayParametersSchema = z.looseObject({
  baseAddress: z
    .string()
    .max(2000)
    .refine((value) => value === '' || isHttpUrl(value), 'must be an http(s) URL, or empty when modelName is `@<connection>/<model>`')
    .describe(
      'OpenAI-compatible base URL of the provider (e.g. `https://api.openai.com/v1`). Agentry extension: empty when `modelName` is `@<connection>/<model>`, which then uses that connection’s address and credentials. A URL must pass the outbound address policy (private, loopback and link-local addresses are refused unless the operator allows them with AGENTRY_OUTBOUND_ALLOW).',
    ),
  modelName: modelName.describe(
    'Upstream model id, sent as `model`. `@<connection>/<model>` routes through one of the organization’s connections.',
  ),
  apiKey: z
    .string()
    .min(1)
    .max(4000)
    .nullable()
    .optional()
    .describe('Provider key used with `baseAddress`. Encrypted at rest, never returned: reads show `********` when set, null when not.'),
  skills: z.array(z.unknown()).max(500).optional().describe('Skills available to the gateway (stored; used by the agent runtime).'),
  hideToolsWithoutSkill: z.boolean().optional(),
  alwaysVisibleTools: z.array(text(200)).max(500).optional(),
  enableBash: z.boolean().optional(),
  bashOptions: z
    .looseObject({
      allowDataPersistence: z.boolean().optional(),
      toolList: z.array(text(200)).max(500).optional(),
      toolExclusionMode: z.enum(['WhiteList', 'BlackList']).optional(),
    })
    .nullable()
    .optional(),
  knowledgeCollections: z.array(z.unknown()).max(100).optional().describe('Knowledge collections searched for context.'),
  knowledgeBaseMaximumResults: z.number().int().min(1).max(1000).optional(),
  knowledgeBaseMinimumScore: z.number().min(0).max(1).optional(),
  knowledgeUseReferences: z.boolean().optional(),
  knowledgeUseMetaDescriptions: z.boolean().optional(),
  queryStrategy: queryStrategySchema.optional(),
  queryStrategyParameters: z
    .looseObject({
      rewriteContextSize: z.number().int().min(1).max(1000).optional(),
      concatenateContextSize: z.number().int().min(1).max(1000).optional(),
    })
    .optional(),
  temperature: z.number().min(0).max(2).nullable().optional().describe('Enforced: replaces the client’s `temperature`.'),
  topP: z.number().min(0).max(1).nullable().optional().describe('Enforced: replaces the client’s `top_p`.'),
  presencePenalty: z.number().min(-2).max(2).nullable().optional().describe('Enforced: replaces the client’s `presence_penalty`.'),
  frequencyPenalty: z.number().min(-2).max(2).nullable().optional().describe('Enforced: replaces the client’s `frequency_penalty`.'),
  stop: text(1000).nullable().optional().describe('Enforced: replaces the client’s `stop`.'),
  maxCompletionTokens: z
    .number()
    .int()
    .min(1)
    .nullable()
    .optional()
    .describe('Enforced: replaces the client’s `max_completion_tokens` (and drops a legacy `max_tokens`).'),
  contextMaximumSize: z
    .number()
    .int()
    .min(1)
    .nullable()
    .optional()
    .describe('Token budget of the messages, estimated as ceil(characters / 4) + 4 per message.'),
  contextOverflowAction: contextOverflowActionSchema
    .optional()
    .describe('Over `contextMaximumSize`: Throw (default) refuses the request with 400; Truncate drops the oldest non-system messages.'),
  systemInstruction: text(500_000).nullable().optional().describe('Sent as a system message before the client’s messages.'),
  workerScriptSource: text(500_000).nullable().optional().describe('Stored; not executed by Agentry yet.'),
  userPromptTemplate: text(100_000)
    .nullable()
    .optional()
    .describe('Applied to the last user message: `{{prompt}}` is replaced by it; without the placeholder the message follows the template.'),
  assistantPrefill: text(100_000).nullable().optional().describe('Sent as a final assistant message, unless flag NoAssistantPrefilling.'),
  includePrefillingInMessages: z.boolean().optional().describe('Whether the reply shown to the client starts with the prefill.'),
  reasoningEffort: effort.nullable().optional().describe('Enforced `reasoning_effort`, e.g. `low`, `medium`, `high`.'),
  verbosity: effort.nullable().optional().describe('Enforced `verbosity`, e.g. `low`, `medium`, `high`.'),
  flags: z.array(aiModelFlagSchema).max(50).optional(),
  tools: z.array(z.unknown()).max(500).nullable().optional(),
  protocolFunctions: z
    .array(
      z.looseObject({
        name: z.string().min(1).max(200),
        description: text(10_000),
        headers: headers.optional(),
        callbackUrl: httpUrl,
        contentFormat: z.unknown(),
        requiresApproval: z.boolean().optional().describe('Agentry extension: calls wait for a person’s approval (default false).'),
      }),
    )
    .max(200)
    .optional()
    .describe(
      'HTTP tools. A call POSTs `{ "toolName", "arguments", "conversationId", "agentId", "externalUserId" }` (JSON) to `callbackUrl` with the configured headers plus `X-Agentry-Timestamp` (Unix seconds) and `X-Agentry-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>", keyed with the account salt>`; receivers should reject timestamps older than 5 minutes. `contentFormat` is the JSON schema of `arguments`, checked before the call. The response (JSON, or text, up to 512 KB, within 30 s) is given to the model; 4xx/5xx, timeouts and refused addresses are reported to it as errors.',
    ),
  protocolFunctionSources: z
    .array(text(2000))
    .max(100)
    .optional()
    .describe('URLs answering GET with a JSON array of protocol functions (or `{ "functions": [...] }`), cached 5 minutes; a failing source is skipped.'),
  mcpSources: z
    .array(remoteSource)
    .max(100)
    .optional()
    .describe('MCP servers (Streamable HTTP, or SSE for older servers). Their tools are offered as `<name>__<tool>` and listed again after `cacheDuration` seconds (default 300); a server that is down offers no tools.'),
  systemInstructionsSources: z
    .array(remoteSource)
    .max(100)
    .optional()
    .describe('URLs whose text (up to 256 KB) is appended to the system instruction, cached `cacheDuration` seconds (default 300); a failing source is skipped.'),
  enabledMultimodalFeatures: z.array(multimodalFeatureSchema).max(10).optional(),
  toolContextCount: z.number().int().min(0).nullable().optional(),
  sentinelOptions: z.looseObject({ enabledFunctions: z.array(builtinFunctionSchema).max(20).optional() }).nullable().optional(),
  builtinFunctionsOptions: z
    .looseObject({
      webSearchMode: z.enum(['Full', 'Summarized']).optional(),
      webSearchMaxResults: z.number().int().min(1).max(100).optional(),
      imageGenerationMaxResults: z.number().int().min(1).max(20).optional(),
      imageGenerationQuality: z.enum(['Low', 'Medium', 'High', 'Highest']).optional(),
      imageGenerationAllowMatureContent: z.boolean().optional(),
      imageGenerationAllowReferenceUsage: z.boolean().optional(),
      imageGenerationModelName: text(300).nullable().optional(),
      includeAllMemoryContext: z.boolean().optional(),
    })
    .nullable()
    .optional(),
  moderationParameters: z
    .looseObject({
      violenceThreshold: z.number().int().min(0).max(100).optional(),
      sexualExplicitThreshold: z.number().int().min(0).max(100).optional(),
      politicalThreshold: z.number().int().min(0).max(100).optional(),
      dangerousContentThreshold: z.number().int().min(0).max(100).optional(),
      jailbreakThreshold: z.number().int().min(0).max(100).optional(),
    })
    .nullable()
    .optional(),
  knownToolHandlerName: text(200).nullable().optional(),
  toolInvocationExplanations: z.boolean().optional(),
  modelRoutingParameters: z
    .looseObject({
      lowComplexityModelName: modelName,
      lowComplexityModelReasoningEffort: effort.nullable().optional(),
      mediumComplexityModelName: modelName,
      mediumComplexityModelReasoningEffort: effort.nullable().optional(),
      highComplexityModelName: modelName,
      highComplexityModelReasoningEffort: effort.nullable().optional(),
    })
    .nullable()
    .optional()
    .describe('Routes each request by its estimated complexity (low/medium/high) to that tier’s model and reasoning effort.'),
  additionalSettings: z
    .record(z.string(), z.unknown())
    .nullable()
    .optional()
    .describe('Extra request-body fields sent to the provider as they are (e.g. `{ "seed": 7 }`); `model`, `messages` and `stream` cannot be overridden.'),
  limits: z
    .looseObject({
      requestsPerMinute: z.number().int().min(1).optional(),
      tokensPerDay: z.number().int().min(1).optional(),
    })
    .nullable()
    .optional()
    .describe('Agentry extension: request and token limits of the gateway.'),
  fallbackModels: z
    .array(connectionModel)
    .max(10)
    .optional()
    .describe('Agentry extension: `@<connection>/<model>` models tried in order when the primary fails before the first byte of the reply.'),
});
export type AiGatewayParameters = z.infer<typeof aiGatewayParametersSchema>;

/** Whether the gateway's model is given image parts: not with flag DisableMultiModalInput, nor when `enabledMultimodalFeatures` leaves images out. */
export function acceptsImages(parameters: Pick<AiGatewayParameters, 'flags' | 'enabledMultimodalFeatures'>): boolean {
  if (parameters.flags?.includes('DisableMultiModalInput')) return false;
  const features = parameters.enabledMultimodalFeatures;
  return !features || features.length === 0 || features.includes('Image') || features.includes('All');
}
