export { SkillService, type SkillServiceDependencies } from './skill.service.js';
export { SkillImportError, type ImportLineProblem } from './skill-import.js';
export {
  clearResultSchema,
  importResultSchema,
  importSkillsBody,
  skillBody,
  skillIdParams,
  skillSlugSchema,
  skillSummarySchema,
  skillViewSchema,
  updateSkillBody,
  type ImportResult,
  type InstructionSource,
  type SkillDefinition,
  type SkillInput,
  type SkillSummary,
  type SkillView,
  type UpdateSkillInput,
} from './skill.schemas.js';
