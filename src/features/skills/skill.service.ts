import type { Actor } from '../../platform/actor.js';
import type { DatabaseHandle } from '../../platform/db/database.js';
import { isUniqueViolation, nowIso } from '../../platform/db/dialect.js';
import { ConflictError, NotFoundError } from '../../platform/errors.js';
import { newId } from '../../platform/ids.js';
import { type AuditService, changedProperties } from '../audit/index.js';
import { parseSkillLines, readLines } from './skill-import.js';
import {
  auditSnapshot,
  mergeUpdate,
  portableFromInput,
  portableFromRow,
  rowFromPortable,
  samePortable,
  toDefinition,
  toSummary,
  toView,
} from './skill-record.js';
import {
  type SkillRow,
  deleteSkills,
  findSkill,
  findSkillsBySlugs,
  findTakenSlugs,
  insertSkills,
  listSkillPage,
  listSkillSummaries,
  updateSkill,
} from './skill.repository.js';
import type { ImportResult, SkillDefinition, SkillInput, SkillSummary, SkillView, UpdateSkillInput } from './skill.schemas.js';

export interface SkillServiceDependencies {
  readonly db: DatabaseHandle;
  readonly audit: AuditService;
  /** Largest JSONL file an import reads; 16 MiB by default. */
  readonly maxImportBytes?: number;
  /** Most skills one import may hold; 10,000 by default. */
  readonly maxImportSkills?: number;
}

const ENTITY_TYPE = 'Skill';
const DEFAULT_MAX_IMPORT_BYTES = 16 * 1024 * 1024;
const DEFAULT_MAX_IMPORT_SKILLS = 10_000;
const EXPORT_PAGE_SIZE = 200;
const CLEAR_BATCH = 500;

export class SkillService {
  constructor(private readonly deps: SkillServiceDependencies) {}

  get maxImportBytes(): number {
    return this.deps.maxImportBytes ?? DEFAULT_MAX_IMPORT_BYTES;
  }

  async list(orgId: string): Promise<SkillSummary[]> {
    return (await listSkillSummaries(this.deps.db, orgId)).map(toSummary);
  }

  async get(orgId: string, id: string): Promise<SkillView> {
    const row = await findSkill(this.deps.db, orgId, id);
    if (!row) throw new NotFoundError('Skill', id);
    return toView(row);
  }

  async create(actor: Actor, input: SkillInput): Promise<SkillView> {
    const skill = portableFromInput(input);
    const now = nowIso();
    const row = rowFromPortable(skill, { id: newId(), orgId: actor.orgId, createdAt: now, updatedAt: now });
    await this.writeUnique(skill.slug, () =>
      this.deps.db.transaction().execute(async (transaction) => {
        await insertSkills(transaction, [row]);
        await this.recordCreated(transaction, actor, row);
      }),
    );
    return toView(row);
  }

  async update(actor: Actor, id: string, input: UpdateSkillInput): Promise<SkillView> {
    const updated = await this.writeUnique(input.slug ?? '', () =>
      this.deps.db.transaction().execute(async (transaction) => {
        const before = await findSkill(transaction, actor.orgId, id);
        if (!before) throw new NotFoundError('Skill', id);
        const old = portableFromRow(before);
        const skill = mergeUpdate(old, input);
        if (samePortable(old, skill)) return before;
        const after = rowFromPortable(skill, { id, orgId: actor.orgId, createdAt: before.created_at, updatedAt: nowIso() });
        const { id: _id, org_id: _org, created_at: _created, ...changed } = after;
        await updateSkill(transaction, actor.orgId, id, changed);
        const changes = changedProperties(auditSnapshot(old), auditSnapshot(skill));
        // Snapshots name headers without their values, so a changed value alone would otherwise leave no trace.
        if (changes.length === 0) changes.push({ propertyName: 'options.instructionSources.headers', oldValue: '***', newValue: '***' });
        await this.deps.audit.record(transaction, actor, { entityType: ENTITY_TYPE, entityId: id, changeType: 'Updated', changes });
        return after;
      }),
    );
    return toView(updated);
  }

  async delete(actor: Actor, id: string): Promise<void> {
    await this.deps.db.transaction().execute(async (transaction) => {
      const before = await findSkill(transaction, actor.orgId, id);
      if (!before) throw new NotFoundError('Skill', id);
      await deleteSkills(transaction, actor.orgId, [id]);
      await this.recordDeleted(transaction, actor, before);
    });
  }

  /** Deletes every skill of the organization, auditing each as one would be deleted alone. */
  async clear(actor: Actor): Promise<{ removedCount: number }> {
    return this.deps.db.transaction().execute(async (transaction) => {
      let removedCount = 0;
      for (;;) {
        // Deleting by the ids read (not the whole organization) keeps every removed skill in the audit log.
        const page = await listSkillPage(transaction, actor.orgId, undefined, CLEAR_BATCH);
        if (page.length === 0) return { removedCount };
        for (const row of page) await this.recordDeleted(transaction, actor, row);
        await deleteSkills(
          transaction,
          actor.orgId,
          page.map((row) => row.id),
        );
        removedCount += page.length;
      }
    });
  }

  /**
   * Imports a JSONL file. Every line is validated before anything is written;
   * one bad line fails the import. Slugs the organization already has are
   * skipped, never overwritten; the rest are written in one transaction.
   */
  async importJsonl(actor: Actor, content: AsyncIterable<Buffer | string>): Promise<ImportResult> {
    const lines = await parseSkillLines(readLines(content, this.maxImportBytes), {
      maxSkills: this.deps.maxImportSkills ?? DEFAULT_MAX_IMPORT_SKILLS,
    });
    const skills = lines.map((line) => portableFromInput(line.skill));
    return this.writeUnique(null, () =>
      this.deps.db.transaction().execute(async (transaction) => {
        const taken = await findTakenSlugs(
          transaction,
          actor.orgId,
          skills.map((skill) => skill.slug),
        );
        const now = nowIso();
        const rows = skills
          .filter((skill) => !taken.has(skill.slug))
          .map((skill) => rowFromPortable(skill, { id: newId(), orgId: actor.orgId, createdAt: now, updatedAt: now }));
        await insertSkills(transaction, rows);
        for (const row of rows) await this.recordCreated(transaction, actor, row);
        const skippedSlugs = skills.filter((skill) => taken.has(skill.slug)).map((skill) => skill.slug);
        return { enqueued: rows.length, imported: rows.length, skipped: skippedSlugs.length, skippedSlugs };
      }),
    );
  }

  /**
   * The organization's skills as JSONL, by slug, read a page at a time so an
   * export never holds every row. Stops when `signal` fires (the client left).
   */
  async *exportJsonl(orgId: string, options: { readonly signal?: AbortSignal } = {}): AsyncGenerator<string> {
    let afterSlug: string | undefined;
    for (;;) {
      // Nobody is reading any more: stop quietly rather than fail a response that is already gone.
      if (options.signal?.aborted) return;
      const page = await listSkillPage(this.deps.db, orgId, afterSlug, EXPORT_PAGE_SIZE);
      if (page.length > 0) yield page.map((row) => `${JSON.stringify(portableFromRow(row))}\n`).join('');
      if (page.length < EXPORT_PAGE_SIZE) return;
      afterSlug = page[page.length - 1]?.slug;
    }
  }

  /** The skills of the organization named by `slugs`, in that order; unknown slugs are left out, repeated ones given once. */
  async bySlugs(orgId: string, slugs: readonly string[]): Promise<SkillDefinition[]> {
    const wanted = [...new Set(slugs)];
    if (wanted.length === 0) return [];
    const bySlug = new Map((await findSkillsBySlugs(this.deps.db, orgId, wanted)).map((row) => [row.slug, row]));
    return wanted.flatMap((slug) => {
      const row = bySlug.get(slug);
      return row ? [toDefinition(row)] : [];
    });
  }

  private async recordCreated(transaction: DatabaseHandle, actor: Actor, row: SkillRow): Promise<void> {
    await this.deps.audit.record(transaction, actor, {
      entityType: ENTITY_TYPE,
      entityId: row.id,
      changeType: 'Created',
      changes: changedProperties(null, auditSnapshot(portableFromRow(row))),
    });
  }

  private async recordDeleted(transaction: DatabaseHandle, actor: Actor, row: SkillRow): Promise<void> {
    await this.deps.audit.record(transaction, actor, {
      entityType: ENTITY_TYPE,
      entityId: row.id,
      changeType: 'Deleted',
      changes: changedProperties(auditSnapshot(portableFromRow(row)), null),
    });
  }

  /** A slug taken by a concurrent write surfaces as the unique constraint; `slug` null when an import raced. */
  private async writeUnique<T>(slug: string | null, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new ConflictError(
        slug === null
          ? 'Another request created one of these skills while the import ran; send the file again to skip it.'
          : `A skill with the slug '${slug}' already exists.`,
        'skill_slug_taken',
      );
    }
  }
}
