import type { KnowledgeHit, KnowledgeQuery } from '../search/knowledge-search.js';

/** The gateway parameters and profile fields retrieval reads (aivax `knowledge*`, Siesta `dataSourceCollections`). */
export interface AgentKnowledgeSettings {
  readonly knowledgeCollections?: readonly unknown[] | undefined;
  readonly knowledgeBaseMaximumResults?: number | undefined;
  readonly knowledgeBaseMinimumScore?: number | undefined;
  readonly knowledgeUseReferences?: boolean | undefined;
  readonly knowledgeUseMetaDescriptions?: boolean | undefined;
  readonly queryStrategy?: 'Plain' | 'Concatenate' | 'FullRewrite' | 'UserRewrite' | 'QueryFunction' | undefined;
  readonly queryStrategyParameters?: { readonly rewriteContextSize?: number | undefined; readonly concatenateContextSize?: number | undefined } | undefined;
  readonly dataSourceCollections?: readonly { id: string; maxChunks?: number | null | undefined; relevanceThreshold?: number | null | undefined }[] | undefined;
}

export interface ConversationLine {
  readonly role: 'user' | 'assistant';
  readonly content: string;
}

/** A chunk an assistant reply was given, as recorded on the message. */
export interface RetrievedChunk {
  readonly documentId: string;
  readonly documentName: string;
  readonly collectionId: string;
  readonly position: number;
  readonly score: number;
  readonly content: string;
}

export interface AgentRetrievalDependencies {
  readonly search: (orgId: string, query: KnowledgeQuery, signal: AbortSignal) => Promise<KnowledgeHit[]>;
  /** Names and descriptions of the org's collections among `ids`; ids that are not the org's are left out. */
  readonly collections: (orgId: string, ids: readonly string[]) => Promise<Map<string, { name: string; context: string | null }>>;
  /** The conversation's last `limit` messages of the given roles up to `throughSeq` (the turn's own user message, included), oldest first. */
  readonly recentMessages: (
    orgId: string,
    conversationId: string,
    limit: number,
    roles: readonly ('user' | 'assistant')[],
    throughSeq: number | null,
  ) => Promise<ConversationLine[]>;
  /** Asks the agent's model for a search query; returns its text. */
  readonly rewrite: (instructions: string, transcript: string, signal: AbortSignal) => Promise<string>;
  /** Told when a rewrite failed and the plain query was used instead. */
  readonly onRewriteFailure?: (error: unknown) => void;
}

export interface RetrievalRequest {
  readonly orgId: string;
  readonly conversationId: string | null;
  /** The seq of the turn's own user message; null when unknown (then the newest messages are read). */
  readonly throughSeq: number | null;
  readonly userText: string;
  readonly settings: AgentKnowledgeSettings;
  readonly signal: AbortSignal;
}

export interface KnowledgeToolDefinition {
  readonly name: string;
  readonly description: string;
  readonly parameters: Record<string, unknown>;
  run(query: string): Promise<string>;
}

export interface TurnKnowledge {
  /** System instructions: the retrieved passages, or how to use the search tool. */
  readonly instructions: readonly string[];
  /** The search tool, with the QueryFunction strategy. */
  readonly tool: KnowledgeToolDefinition | undefined;
  /** Every chunk handed to the model so far in the turn (the tool adds to it). */
  used(): readonly RetrievedChunk[];
}

export const SEARCH_TOOL_NAME = 'search_knowledge';
const DEFAULT_MAXIMUM_RESULTS = 5;
const DEFAULT_CONCATENATE_SIZE = 3;
const DEFAULT_REWRITE_SIZE = 6;
const REFERENCE_CHARACTERS = 2_000;

const REWRITE_INSTRUCTIONS =
  'You write search queries for a knowledge base. Read the conversation and write one short, self-contained search query for the information the last user message needs: resolve pronouns and references to earlier messages, keep names, numbers and key terms. Answer with the query only, no quotes or explanation.';

interface SearchTarget {
  readonly collectionIds: readonly string[];
  readonly top: number;
  readonly minScore: number;
}

/** `knowledgeCollections` holds ids, or objects naming one (the spec types the items as `any`). */
function collectionIdsOf(items: readonly unknown[] | undefined): string[] {
  return (items ?? []).flatMap((item) => {
    if (typeof item === 'string') return [item];
    if (item && typeof item === 'object') {
      const id = (item as { id?: unknown; collectionId?: unknown }).id ?? (item as { collectionId?: unknown }).collectionId;
      if (typeof id === 'string') return [id];
    }
    return [];
  });
}

/**
 * Retrieval-augmented context for one agent turn. The gateway's collections are
 * searched with its maximum results and minimum score; each Siesta data source
 * collection with its own `maxChunks` and `relevanceThreshold`. The query comes
 * from the agent's `queryStrategy`; with QueryFunction the model searches itself
 * through a tool.
 */
export async function retrieveForTurn(deps: AgentRetrievalDependencies, request: RetrievalRequest): Promise<TurnKnowledge | undefined> {
  const { settings } = request;
  const gatewayIds = collectionIdsOf(settings.knowledgeCollections);
  const sources = (settings.dataSourceCollections ?? []).filter((source) => !gatewayIds.includes(source.id));
  const allIds = [...new Set([...gatewayIds, ...sources.map((source) => source.id)])];
  if (allIds.length === 0) return undefined;
  const known = await deps.collections(request.orgId, allIds);
  if (known.size === 0) return undefined;

  const defaultTop = settings.knowledgeBaseMaximumResults ?? DEFAULT_MAXIMUM_RESULTS;
  const defaultMinScore = settings.knowledgeBaseMinimumScore ?? 0;
  const targets: SearchTarget[] = [];
  const ownIds = gatewayIds.filter((id) => known.has(id));
  if (ownIds.length > 0) targets.push({ collectionIds: ownIds, top: defaultTop, minScore: defaultMinScore });
  for (const source of sources) {
    if (known.has(source.id)) targets.push({ collectionIds: [source.id], top: source.maxChunks ?? defaultTop, minScore: source.relevanceThreshold ?? defaultMinScore });
  }

  const used: RetrievedChunk[] = [];
  const search = async (query: string): Promise<KnowledgeHit[]> => {
    const found = await Promise.all(
      targets.map((target) =>
        deps.search(
          request.orgId,
          { terms: [query], collectionIds: target.collectionIds, top: target.top, minScore: target.minScore, includeReferences: settings.knowledgeUseReferences ?? false },
          request.signal,
        ),
      ),
    );
    const hits = found.flat().sort((a, b) => b.score - a.score);
    for (const hit of hits) {
      used.push({ documentId: hit.documentId, documentName: hit.documentName, collectionId: hit.collectionId, position: hit.position, score: hit.score, content: hit.content });
    }
    return hits;
  };
  const render = (hits: readonly KnowledgeHit[]) => renderPassages(hits, known, settings.knowledgeUseMetaDescriptions ?? false);

  if (settings.queryStrategy === 'QueryFunction') {
    const described = [...known.values()].map((collection) => (collection.context ? `${collection.name} (${collection.context})` : collection.name));
    return {
      instructions: [
        `You can search a knowledge base (${described.join('; ')}) with the ${SEARCH_TOOL_NAME} tool. Search it when the user's question may be answered there, and cite the documents you use by their name in square brackets.`,
      ],
      tool: {
        name: SEARCH_TOOL_NAME,
        description: 'Searches the knowledge base and returns the most relevant passages with their document names.',
        parameters: {
          type: 'object',
          properties: { query: { type: 'string', description: 'What to look for: a short, self-contained search query.' } },
          required: ['query'],
          additionalProperties: false,
        },
        run: async (query) => {
          const hits = await search(query);
          return hits.length === 0 ? 'No passages matched.' : render(hits);
        },
      },
      used: () => used,
    };
  }

  const query = await queryFor(deps, request);
  const hits = query.trim() === '' ? [] : await search(query);
  return {
    instructions: hits.length === 0 ? [] : [`${KNOWLEDGE_PREAMBLE}\n\n${render(hits)}`],
    tool: undefined,
    used: () => used,
  };
}

const KNOWLEDGE_PREAMBLE =
  'Passages retrieved from the knowledge base for the user’s message follow. Use them when they help answer, prefer them over what you remember, and cite the documents you use by their name in square brackets, e.g. [manual.pdf]. If they do not answer the question, say so rather than guess.';

async function queryFor(deps: AgentRetrievalDependencies, request: RetrievalRequest): Promise<string> {
  const { settings, conversationId } = request;
  const strategy = settings.queryStrategy ?? 'Plain';
  if (strategy === 'Plain' || conversationId === null) return request.userText;
  if (strategy === 'Concatenate') {
    const size = settings.queryStrategyParameters?.concatenateContextSize ?? DEFAULT_CONCATENATE_SIZE;
    const lines = await deps.recentMessages(request.orgId, conversationId, size, ['user'], request.throughSeq);
    return lines.length === 0 ? request.userText : lines.map((line) => line.content).join('\n');
  }
  const size = settings.queryStrategyParameters?.rewriteContextSize ?? DEFAULT_REWRITE_SIZE;
  const roles: ('user' | 'assistant')[] = strategy === 'UserRewrite' ? ['user'] : ['user', 'assistant'];
  const lines = await deps.recentMessages(request.orgId, conversationId, size, roles, request.throughSeq);
  const transcript = lines.map((line) => `${line.role === 'user' ? 'User' : 'Assistant'}: ${line.content}`).join('\n\n');
  let rewritten: string;
  try {
    rewritten = (await deps.rewrite(REWRITE_INSTRUCTIONS, transcript || `User: ${request.userText}`, request.signal)).trim();
  } catch (error) {
    // A cancelled turn stops here; a failed rewrite (the provider erred) still leaves the turn its plain query.
    if (request.signal.aborted) throw error;
    deps.onRewriteFailure?.(error);
    return request.userText;
  }
  // A model that answers nothing usable also leaves the turn its plain query.
  return rewritten === '' ? request.userText : rewritten;
}

function renderPassages(hits: readonly KnowledgeHit[], collections: Map<string, { name: string; context: string | null }>, withMetadata: boolean): string {
  return hits
    .map((hit, index) => {
      const collection = collections.get(hit.collectionId);
      const lines = [`[${index + 1}] Document: ${hit.documentName}${collection ? ` (collection: ${collection.name})` : ''}`];
      if (hit.headings.length > 0) lines.push(`Section: ${hit.headings.join(' > ')}`);
      if (withMetadata && Object.keys(hit.metadata).length > 0) lines.push(`Metadata: ${JSON.stringify(hit.metadata)}`);
      lines.push(hit.content);
      for (const sibling of hit.referencedDocuments ?? []) {
        lines.push(`Related passage (same source): ${sibling.documentContent.slice(0, REFERENCE_CHARACTERS)}`);
      }
      return lines.join('\n');
    })
    .join('\n\n');
}
