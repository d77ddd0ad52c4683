import type { SkillRow, SkillSummaryRow } from './skill.repository.js';
import type { InstructionSource, PortableSkill, SkillDefinition, SkillInput, SkillSummary, SkillView, UpdateSkillInput } from './skill.schemas.js';

/**
 * Conversions between a skill as stored (row), as exchanged (the contract's
 * portable shape, also one line of an export) and as shown.
 */

/**
 * Fixed key order (headers sorted by name) and filled-in defaults: PostgreSQL's
 * jsonb does not keep the order objects were written in, and comparisons and
 * exports must not depend on the dialect.
 */
function normalizeSource(source: { name: string; description?: string | null; url: string; headers?: Record<string, string>; cacheDuration?: number }): InstructionSource {
  return {
    name: source.name,
    description: source.description ?? null,
    url: source.url,
    headers: Object.fromEntries(Object.entries(source.headers ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    ...(source.cacheDuration === undefined ? {} : { cacheDuration: source.cacheDuration }),
  };
}

export function portableFromInput(input: SkillInput): PortableSkill {
  return {
    slug: input.slug,
    description: input.description ?? null,
    instructions: input.instructions,
    options: {
      instructionSources: (input.options?.instructionSources ?? []).map(normalizeSource),
      allowedToolsNames: [...new Set(input.options?.allowedToolsNames ?? [])],
    },
  };
}

/** Each field sent replaces the stored one (`options` lists one by one); null clears `description`. */
export function mergeUpdate(before: PortableSkill, input: UpdateSkillInput): PortableSkill {
  return portableFromInput({
    slug: input.slug ?? before.slug,
    description: input.description === undefined ? before.description : input.description,
    instructions: input.instructions ?? before.instructions,
    options: {
      instructionSources: input.options?.instructionSources ?? before.options.instructionSources,
      allowedToolsNames: input.options?.allowedToolsNames ?? before.options.allowedToolsNames,
    },
  });
}

function toolsOf(row: Pick<SkillRow, 'allowed_tools_names'>): string[] {
  return JSON.parse(row.allowed_tools_names) as string[];
}

export function portableFromRow(row: SkillRow): PortableSkill {
  return {
    slug: row.slug,
    description: row.description,
    instructions: row.instructions,
    options: {
      instructionSources: (JSON.parse(row.instruction_sources) as InstructionSource[]).map(normalizeSource),
      allowedToolsNames: toolsOf(row),
    },
  };
}

export function rowFromPortable(skill: PortableSkill, ids: { id: string; orgId: string; createdAt: string; updatedAt: string }): SkillRow {
  return {
    id: ids.id,
    org_id: ids.orgId,
    slug: skill.slug,
    description: skill.description,
    instructions: skill.instructions,
    instruction_sources: JSON.stringify(skill.options.instructionSources),
    allowed_tools_names: JSON.stringify(skill.options.allowedToolsNames),
    created_at: ids.createdAt,
    updated_at: ids.updatedAt,
  };
}

export function toSummary(row: SkillSummaryRow): SkillSummary {
  return { id: row.id, createdAt: row.created_at, slug: row.slug, description: row.description, allowedToolsCount: toolsOf(row).length };
}

export function toView(row: SkillRow): SkillView {
  const skill = portableFromRow(row);
  return {
    id: row.id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    slug: skill.slug,
    description: skill.description,
    instructions: skill.instructions,
    options: { instructionSources: [...skill.options.instructionSources], allowedToolsNames: [...skill.options.allowedToolsNames] },
    allowedToolsCount: skill.options.allowedToolsNames.length,
  };
}

export function toDefinition(row: SkillRow): SkillDefinition {
  const skill = portableFromRow(row);
  return {
    id: row.id,
    slug: skill.slug,
    name: skill.slug,
    description: skill.description,
    instructions: skill.instructions,
    instructionSources: skill.options.instructionSources.map((source) => source.url),
    instructionSourceDetails: [...skill.options.instructionSources],
    allowedToolsNames: [...skill.options.allowedToolsNames],
  };
}

/** Header values may be credentials: the audit log names the headers, never their values. */
export function auditSnapshot(skill: PortableSkill): Record<string, unknown> {
  return {
    slug: skill.slug,
    description: skill.description,
    instructions: skill.instructions,
    options: {
      instructionSources: skill.options.instructionSources.map(({ headers, ...source }) => ({ ...source, headers: Object.keys(headers) })),
      allowedToolsNames: skill.options.allowedToolsNames,
    },
  };
}

export function samePortable(a: PortableSkill, b: PortableSkill): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
