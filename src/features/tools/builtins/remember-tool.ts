import { z } from 'zod';
import { MEMORY_CONTENT_MAX_CHARACTERS, type MemoryService } from '../../memories/index.js';
import { AppError } from '../../../platform/errors.js';
import { type AgentTool, type ToolContext, errorResult, jsonResult } from '../agent-tool.js';
import { parseArguments, toolParameters } from './tool-arguments.js';

export type MemoryWriter = Pick<MemoryService, 'remember'>;

const rememberArguments = z
  .strictObject({
    content: z
      .string()
      .trim()
      .min(1)
      .max(MEMORY_CONTENT_MAX_CHARACTERS)
      .describe('What to remember, as one short self-contained sentence about the user, e.g. "Prefers to be contacted by email."'),
    format: z
      .enum(['Text', 'DateReminder'])
      .optional()
      .describe('Text (default): a lasting fact. DateReminder: something tied to a date, forgotten after expiresAt.'),
    expiresAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('DateReminder only (and then required): when the reminder stops mattering, ISO 8601 with a UTC offset, e.g. "2026-12-14T18:00:00+01:00".'),
  })
  .superRefine((value, context) => {
    const format = value.format ?? (value.expiresAt ? 'DateReminder' : 'Text');
    if (format === 'DateReminder' && value.expiresAt === undefined) {
      context.addIssue({ code: 'custom', path: ['expiresAt'], message: 'is required for a DateReminder' });
    }
    if (format === 'Text' && value.expiresAt !== undefined) {
      context.addIssue({ code: 'custom', path: ['expiresAt'], message: 'applies only to DateReminder memories; leave it out for Text' });
    }
  });

/** `Remember`: stores a memory about the conversation's external user, read into later conversations' prompts. */
export function rememberTool(memories: MemoryWriter): AgentTool {
  return {
    name: 'Remember',
    description:
      'Stores something worth remembering about the user for future conversations: a lasting fact or preference (format Text), or a dated item such as an appointment (format DateReminder, with expiresAt when it stops mattering). Store only what the user would expect you to remember; never secrets such as passwords or card numbers.',
    parameters: toolParameters(rememberArguments),
    kind: 'builtin',
    requiresApproval: false,
    async execute(args: unknown, context: ToolContext) {
      const parsed = parseArguments(rememberArguments, args);
      if (!parsed.ok) return parsed.error;
      if (!context.externalUserId) {
        return errorResult(
          'Nothing was stored: memories belong to an external user, and this conversation has no external user id. Continue without remembering.',
        );
      }
      const { content, expiresAt } = parsed.value;
      const format = parsed.value.format ?? (expiresAt ? 'DateReminder' : 'Text');
      try {
        const memory = await memories.remember({
          orgId: context.orgId,
          agentId: context.agentId,
          externalUserId: context.externalUserId,
          format,
          content,
          ...(expiresAt ? { expiresAt } : {}),
        });
        return jsonResult({ remembered: true, id: memory.id, format: memory.format, content: memory.content, expiresAt: memory.expiresAt });
      } catch (error) {
        // Rule violations (a past expiresAt…) are the model's to fix; anything else is the platform's problem.
        if (error instanceof AppError && error.kind === 'invalid') return errorResult(`Nothing was stored: ${error.message}`);
        throw error;
      }
    },
  };
}
