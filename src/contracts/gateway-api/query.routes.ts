import { z } from 'zod';
import { type KnowledgeSearch, knowledgeQueryBody, knowledgeQueryResultSchema } from '../../features/knowledge/index.js';
import type { AppInstance } from '../../platform/http/create-server.js';
import { requestSignal } from '../../platform/http/request-signal.js';
import { principalOf, requireOrganizationScope } from '../shared/authentication.js';
import { authenticatedErrors, notFoundError } from '../shared/responses.js';
import { contractSecurity } from '../shared/security-schemes.js';
import { KNOWLEDGE_SCOPE_NOTE } from './collections.routes.js';

export interface QueryRoutesDependencies {
  readonly knowledgeSearch: KnowledgeSearch;
}

export function registerQueryRoutes(app: AppInstance, deps: QueryRoutesDependencies): void {
  app.post(
    '/api/v1/query',
    {
      schema: {
        tags: ['Gateway API: RAG'],
        security: contractSecurity.gateway,
        summary: 'Semantic search',
        description: `Searches collections for the passages that best match the terms. Retrieval is hybrid: each indexed chunk is ranked by vector similarity to the term (embedded with the collection’s model) and by full-text relevance, and the two rankings are fused by reciprocal rank fusion; \`score\` is normalized to 0–1 the same way on SQLite and PostgreSQL, so \`minScore\` means the same everywhere. Each document appears once, with its best chunk as \`documentContent\`. Queued documents are searchable with their previous contents until their new chunks replace them in one step; collections with nothing indexed return \`[]\`. ${KNOWLEDGE_SCOPE_NOTE}`,
        body: knowledgeQueryBody,
        response: { 200: z.array(knowledgeQueryResultSchema), ...authenticatedErrors, ...notFoundError },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      requireOrganizationScope(principal);
      const body = request.body;
      const hits = await deps.knowledgeSearch.search(
        principal.orgId,
        { terms: body.terms, collectionIds: body.collections, top: body.top, minScore: body.minScore, includeReferences: body.includeReferences, mode: body.mode },
        requestSignal(reply),
      );
      return hits.map((hit) => ({
        documentId: hit.documentId,
        documentName: hit.documentName,
        documentContent: hit.content,
        score: hit.score,
        metadata: hit.metadata,
        ...(body.includeReferences ? { referencedDocuments: [...(hit.referencedDocuments ?? [])] } : {}),
        collectionId: hit.collectionId,
        reference: hit.reference,
      }));
    },
  );
}
