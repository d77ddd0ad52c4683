import { z } from 'zod';

/** Agents list skills by slug and the model loads them by it, so it stays short and URL- and prompt-safe. */
export const skillSlugSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'must be 1-64 lower-case letters, digits or dashes, starting and ending with a letter or digit');

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

/** RFC 9110 token characters: anything else would be refused when the source is fetched. */
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,200}$/, 'must be an HTTP header name');

const instructionSourceInput = z
  .object({
    name: z.string().min(1).max(200),
    description: z.string().max(2000).nullable().optional(),
    url: z.string().max(2000).refine(isHttpUrl, 'must be an http(s) URL'),
    headers: z.record(headerName, z.string().max(8000)).optional().describe('Sent with the request that fetches the source.'),
    cacheDuration: z
      .number()
      .int()
      .min(0)
      .max(2_147_483_647)
      .optional()
      .describe('Seconds the fetched text is cached; absent leaves it to the runtime’s default.'),
  })
  .strict();

export const MAX_INSTRUCTIONS_CHARACTERS = 100_000;

const description = z
  .string()
  .max(2000)
  .nullable()
  .optional()
  .describe('Shown to the model in the catalog of skills, so it can tell when to load this one.');

const instructions = z
  .string()
  .max(MAX_INSTRUCTIONS_CHARACTERS)
  .refine((value) => value.trim() !== '', 'must not be empty')
  .describe('What the model receives when it loads the skill.');

const options = z
  .object({
    instructionSources: z
      .array(instructionSourceInput)
      .max(20)
      .optional()
      .describe(
        'URLs whose text is appended to the instructions when the skill is loaded. They are fetched then, under the outbound address policy (private, loopback and link-local addresses are refused unless the operator allows them with AGENTRY_OUTBOUND_ALLOW); a failing source is skipped.',
      ),
    allowedToolsNames: z
      .array(z.string().min(1).max(200))
      .max(500)
      .optional()
      .describe('Tools the skill reveals: with `hideToolsWithoutSkill` on, they stay hidden from the model until the skill is loaded. Duplicates are dropped.'),
  })
  .strict();

export const skillBody = z
  .object({ slug: skillSlugSchema, description, instructions, options: options.optional() })
  .strict()
  .meta({
    example: {
      slug: 'summarizer',
      description: 'Summarizes text',
      instructions: 'You are a summarizer. Summarize the input concisely.',
      options: {
        instructionSources: [{ name: 'style-guide', url: 'https://example.com/style.md', headers: {}, cacheDuration: 3600 }],
        allowedToolsNames: ['web-search'],
      },
    },
  });
export type SkillInput = z.infer<typeof skillBody>;

/** A merge: what is left out keeps its value. The read-only fields of a GET body are accepted so it can be sent back as is. */
export const updateSkillBody = z
  .object({
    slug: skillSlugSchema.optional(),
    description,
    instructions: instructions.optional(),
    options: options.optional(),
    id: z.string().optional().describe('Read-only: ignored.'),
    createdAt: z.string().optional().describe('Read-only: ignored.'),
    updatedAt: z.string().optional().describe('Read-only: ignored.'),
    allowedToolsCount: z.number().optional().describe('Read-only: ignored.'),
  })
  .strict()
  .meta({ example: { instructions: 'Summarize the input in one sentence.', options: { allowedToolsNames: ['web-search', 'fetch-page'] } } });
export type UpdateSkillInput = z.infer<typeof updateSkillBody>;

export const instructionSourceSchema = z.object({
  name: z.string(),
  description: z.string().nullable(),
  url: z.string(),
  headers: z.record(z.string(), z.string()),
  cacheDuration: z.number().int().optional(),
});
export type InstructionSource = z.infer<typeof instructionSourceSchema>;

export const skillOptionsSchema = z.object({
  instructionSources: z.array(instructionSourceSchema),
  allowedToolsNames: z.array(z.string()),
});

export const skillSummarySchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  slug: z.string(),
  description: z.string().nullable(),
  allowedToolsCount: z.number().int(),
});
export type SkillSummary = z.infer<typeof skillSummarySchema>;

export const skillViewSchema = z
  .object({
    id: z.string(),
    createdAt: z.string(),
    updatedAt: z.string().describe('Agentry extension.'),
    slug: z.string(),
    description: z.string().nullable(),
    instructions: z.string(),
    options: skillOptionsSchema,
    allowedToolsCount: z.number().int(),
  })
  .meta({
    example: {
      id: '019ab6f0-3c1e-7e2a-9d4b-0c7f3a1b2c3d',
      createdAt: '2026-12-01T10:00:00.000Z',
      updatedAt: '2026-12-01T10:00:00.000Z',
      slug: 'summarizer',
      description: 'Summarizes text',
      instructions: 'You are a summarizer. Summarize the input concisely.',
      options: { instructionSources: [], allowedToolsNames: ['web-search'] },
      allowedToolsCount: 1,
    },
  });
export type SkillView = z.infer<typeof skillViewSchema>;

/** One line of an export, and what an import line becomes once defaults are filled in. */
export interface PortableSkill {
  readonly slug: string;
  readonly description: string | null;
  readonly instructions: string;
  readonly options: { readonly instructionSources: InstructionSource[]; readonly allowedToolsNames: string[] };
}

export const skillIdParams = z.object({ id: z.string().max(64).describe('Id of the skill.') });

/** The multipart body, for the OpenAPI document only: the file is read as a stream, line by line. */
export const importSkillsBody = z.object({
  skills: z.file().describe('The JSONL file, sent as the multipart/form-data field `skills`: one skill per line.'),
});

export const importResultSchema = z.object({
  enqueued: z.number().int().describe('Skills written. The import is synchronous: they exist when the response arrives.'),
  imported: z.number().int().describe('Agentry extension: the same count as `enqueued`, under a clearer name.'),
  skipped: z.number().int().describe('Lines whose slug the organization already has; the stored skill is kept unchanged.'),
  skippedSlugs: z.array(z.string()).describe('Agentry extension: the slugs counted in `skipped`.'),
});
export type ImportResult = z.infer<typeof importResultSchema>;

export const clearResultSchema = z.object({
  message: z.string(),
  removedCount: z.number().int().describe('Agentry extension: how many skills were deleted.'),
});

/**
 * What the agent runtime needs to offer and load a skill. `name` is the slug:
 * the contract gives skills no other name. `instructionSources` are the URLs,
 * in order; `instructionSourceDetails` adds each one's headers and cache
 * duration for the fetch.
 */
export interface SkillDefinition {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly description: string | null;
  readonly instructions: string;
  readonly instructionSources: string[];
  readonly instructionSourceDetails: InstructionSource[];
  readonly allowedToolsNames: string[];
}
