import type { Readable } from 'node:stream';
import type { Actor } from '../../platform/actor.js';
import type { LocalBlobStore } from '../../platform/blobs/local-blob-store.js';
import type { DatabaseHandle } from '../../platform/db/database.js';
import { nowIso } from '../../platform/db/dialect.js';
import { NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { type NumberedPage, numberedPageOffset, toNumberedPage } from '../../platform/paging.js';
import type { AgentService } from '../ai-gateways/index.js';
import { type AuditService, changedProperties } from '../audit/index.js';
import { type ExtractedText, checkDeclaredUploadLength, extractText, storeUpload } from '../files/index.js';
import type { CollectionService, DocumentService } from '../knowledge/index.js';
import { ACCEPTED_AGENT_FILE_TYPES, agentFileWithoutText, unreadableAgentFile, unsupportedAgentFileType } from './agent-file-errors.js';
import {
  type AgentFileMetadata,
  type AgentFileRow,
  claimAgentFileCollection,
  deleteAgentFile,
  findAgentFile,
  findAgentFileCollection,
  findAgentFileWithText,
  insertAgentFile,
  linkAgentFileDocument,
  listAgentFiles,
} from './agent-file.repository.js';
import type { AgentFileListQuery, AgentFileView } from './agent-file.schemas.js';

export interface AgentFileServiceDependencies {
  readonly db: DatabaseHandle;
  readonly blobs: LocalBlobStore;
  readonly audit: AuditService;
  readonly agents: Pick<AgentService, 'get' | 'attachCollection'>;
  readonly collections: Pick<CollectionService, 'create' | 'delete'>;
  readonly documents: Pick<DocumentService, 'upsert' | 'delete'>;
  /** AGENTRY_FILE_MAX_BYTES: the same limit as files. */
  readonly maxBytes: number;
}

export interface AgentFileUpload {
  /** The name the client gave the file; cleaned, and used with the content to detect the type. */
  readonly fileName: string | undefined;
  /** A name to show instead of the file's own. */
  readonly name?: string | undefined;
  readonly content: Readable;
  /** Stops the text extraction when the uploader goes away. */
  readonly signal?: AbortSignal;
}

/** The most text one knowledge document holds: a file's text becomes one document. */
export const AGENT_FILE_TEXT_LIMIT = 2_000_000;

const ENTITY_TYPE = 'AgentFile';
/** Collection names may be 200 characters; the suffix takes 6. */
const COLLECTION_NAME_PREFIX_CHARACTERS = 194;

function toView(row: AgentFileMetadata): AgentFileView {
  const added = row.document_id !== null;
  return {
    id: row.id,
    agentId: row.agent_id,
    name: row.name,
    mimeType: row.mime_type,
    size: row.size_bytes,
    status: added ? 'added_to_assistant' : 'uploaded',
    addedToAssistant: added,
    collectionId: added ? row.collection_id : null,
    documentId: row.document_id,
    textTruncated: row.text_truncated === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function auditSnapshot(row: AgentFileMetadata): Record<string, unknown> {
  return { agentId: row.agent_id, name: row.name, mimeType: row.mime_type, size: row.size_bytes, collectionId: row.collection_id, documentId: row.document_id };
}

/** Unique in the collection even when two files share a name; the file id also makes upserts find the same document. */
function documentName(row: AgentFileMetadata): string {
  return `${row.name} (${row.id})`;
}

/** Errors of the machine (disk, descriptors) are not the file's fault: they stay 500s rather than 422s. */
function isSystemError(error: unknown): boolean {
  return typeof (error as { syscall?: unknown } | null)?.syscall === 'string';
}

/**
 * Agent files: documents uploaded for one agent. The text is extracted at
 * upload, so a file the agent could never use is refused to its uploader;
 * add-to-assistant turns the text into a document of the agent's own
 * collection, which retrieval searches once the pipeline has indexed it.
 * Unlike files, agent files do not expire.
 */
export class AgentFileService {
  constructor(private readonly deps: AgentFileServiceDependencies) {}

  get maxUploadBytes(): number {
    return this.deps.maxBytes;
  }

  checkDeclaredLength(contentLength: number | undefined): void {
    checkDeclaredUploadLength(contentLength, this.deps.maxBytes);
  }

  /** Stores the original in the blob store, checks its type and extracts its text, then records it. */
  async upload(actor: Actor, agentId: string, input: AgentFileUpload): Promise<AgentFileView> {
    const id = newId();
    const blobKey = `agent-files/${actor.orgId}/${id}`;
    const stored = await storeUpload(this.deps.blobs, blobKey, input, this.deps.maxBytes);
    try {
      if (!(stored.mimeType in ACCEPTED_AGENT_FILE_TYPES)) throw unsupportedAgentFileType(stored.mimeType);
      const extracted = await this.extract(stored.mimeType, blobKey, input.signal);
      const now = nowIso();
      const row: AgentFileRow = {
        id,
        org_id: actor.orgId,
        agent_id: agentId,
        name: input.name ?? stored.fileName,
        mime_type: stored.mimeType,
        size_bytes: stored.size,
        blob_key: blobKey,
        text: extracted.text,
        text_truncated: extracted.truncated ? 1 : 0,
        collection_id: null,
        document_id: null,
        created_by_key_id: actor.keyId,
        created_at: now,
        updated_at: now,
      };
      await this.deps.db.transaction().execute(async (transaction) => {
        await insertAgentFile(transaction, row);
        await this.deps.audit.record(transaction, actor, {
          entityType: ENTITY_TYPE,
          entityId: id,
          changeType: 'Created',
          changes: changedProperties(null, auditSnapshot(row)),
        });
      });
      return toView(row);
    } catch (error) {
      await this.deps.blobs.delete(blobKey);
      throw error;
    }
  }

  /** The agent's files, newest first. */
  async list(orgId: string, agentId: string, query: AgentFileListQuery): Promise<NumberedPage<AgentFileView>> {
    const page = await listAgentFiles(this.deps.db, orgId, agentId, { offset: numberedPageOffset(query), limit: query.pageSize });
    return toNumberedPage(page.items.map(toView), query, page.total);
  }

  /**
   * Makes the file searchable by its agent: its text becomes one document of
   * the agent's files collection (created on first use, and attached to the
   * agent). Upserted by name, so a second call finds the same document.
   */
  async addToAssistant(actor: Actor, agentId: string, id: string): Promise<AgentFileView> {
    const file = await findAgentFileWithText(this.deps.db, actor.orgId, agentId, id);
    if (!file) throw new NotFoundError(ENTITY_TYPE, id);
    const collectionId = await this.collectionFor(actor, agentId);
    const { documentId } = await this.deps.documents.upsert(actor, collectionId, {
      name: documentName(file),
      contents: file.text,
      reference: file.id,
      metadata: { agentFileId: file.id, fileName: file.name, mimeType: file.mime_type },
    });
    await this.deps.agents.attachCollection(actor, agentId, collectionId);
    const linked = await this.deps.db.transaction().execute(async (transaction) => {
      const before = await findAgentFile(transaction, actor.orgId, agentId, id);
      if (!before || (before.collection_id === collectionId && before.document_id === documentId)) return before;
      const after: AgentFileMetadata = { ...before, collection_id: collectionId, document_id: documentId, updated_at: nowIso() };
      await linkAgentFileDocument(transaction, actor.orgId, id, { collection_id: collectionId, document_id: documentId, updated_at: after.updated_at });
      await this.deps.audit.record(transaction, actor, {
        entityType: ENTITY_TYPE,
        entityId: id,
        changeType: 'Updated',
        changes: changedProperties(auditSnapshot(before), auditSnapshot(after)),
      });
      return after;
    });
    if (!linked) {
      // Deleted while its document was written: that document must not outlive it.
      await this.deleteDocument(actor, collectionId, documentId);
      throw new NotFoundError(ENTITY_TYPE, id);
    }
    return toView(linked);
  }

  /** Removes the file's document (so retrieval stops finding it), then the file, then its blob. */
  async delete(actor: Actor, agentId: string, id: string): Promise<void> {
    const current = await findAgentFile(this.deps.db, actor.orgId, agentId, id);
    if (!current) throw new NotFoundError(ENTITY_TYPE, id);
    if (current.collection_id && current.document_id) await this.deleteDocument(actor, current.collection_id, current.document_id);
    const removed = await this.deps.db.transaction().execute(async (transaction) => {
      const before = await findAgentFile(transaction, actor.orgId, agentId, id);
      if (!before || (await deleteAgentFile(transaction, actor.orgId, id)) === 0) throw new NotFoundError(ENTITY_TYPE, id);
      await this.deps.audit.record(transaction, actor, {
        entityType: ENTITY_TYPE,
        entityId: id,
        changeType: 'Deleted',
        changes: changedProperties(auditSnapshot(before), null),
      });
      return before;
    });
    // Added again between the first read and the deletion: that document goes too.
    if (removed.collection_id && removed.document_id && removed.document_id !== current.document_id) {
      await this.deleteDocument(actor, removed.collection_id, removed.document_id);
    }
    // After the commit: a blob left by a failure here costs disk only.
    await this.deps.blobs.delete(removed.blob_key);
  }

  private async extract(mimeType: string, blobKey: string, signal: AbortSignal | undefined): Promise<ExtractedText> {
    let extracted: ExtractedText;
    try {
      extracted = await extractText(mimeType, () => this.deps.blobs.read(blobKey), { limit: AGENT_FILE_TEXT_LIMIT, ...(signal ? { signal } : {}) });
    } catch (error) {
      if (signal?.aborted || isSystemError(error)) throw error;
      throw unreadableAgentFile(mimeType, error);
    }
    if (extracted.text === '') throw agentFileWithoutText(mimeType);
    return extracted;
  }

  /**
   * The agent's files collection, created on first use. Two first uses at once
   * may both create one; the first to claim the place keeps it and the other
   * removes its own.
   */
  private async collectionFor(actor: Actor, agentId: string): Promise<string> {
    const existing = await findAgentFileCollection(this.deps.db, actor.orgId, agentId);
    if (existing) return existing;
    const agent = await this.deps.agents.get(actor.orgId, agentId);
    const created = await this.deps.collections.create(actor, {
      name: `${[...agent.name].slice(0, COLLECTION_NAME_PREFIX_CHARACTERS).join('')} files`,
      context: `Documents uploaded for the agent “${agent.name}” as agent files.`,
      tags: ['agent-files'],
    });
    const claimed = await claimAgentFileCollection(this.deps.db, actor.orgId, agentId, created.id, nowIso());
    if (claimed !== created.id) await this.deps.collections.delete(actor, created.id);
    return claimed;
  }

  /** Deletes a document unless it (or its collection) is gone already. */
  private async deleteDocument(actor: Actor, collectionId: string, documentId: string): Promise<void> {
    try {
      await this.deps.documents.delete(actor, collectionId, documentId);
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
}
