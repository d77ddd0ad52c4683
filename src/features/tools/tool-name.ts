import { createHash } from 'node:crypto';

/** What every provider accepts as a function name (OpenAI's rule is the strictest). */
export const MAX_TOOL_NAME_LENGTH = 64;
const HASH_LENGTH = 8;

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_LENGTH);
}

/**
 * A provider-safe tool name: characters outside [a-zA-Z0-9_-] become `_`, and a
 * name too long is cut and suffixed with a hash of the original. The result is
 * a pure function of the input, so a tool keeps its name from one turn to the
 * next and earlier tool calls in the history still match it.
 */
export function safeToolName(name: string): string {
  const sanitized = name.replace(/[^a-zA-Z0-9_-]/g, '_') || 'tool';
  if (sanitized.length <= MAX_TOOL_NAME_LENGTH) return sanitized;
  return `${sanitized.slice(0, MAX_TOOL_NAME_LENGTH - HASH_LENGTH - 1)}_${shortHash(name)}`;
}

/**
 * Keeps model-facing names unique within a turn. Two different originals can
 * sanitize to the same name (`a.b`, `a_b`); the later one gets a hash suffix
 * of its original, which stays stable as long as the tool list does.
 */
export class ToolNameRegistry {
  private readonly taken = new Set<string>();

  constructor(reserved: Iterable<string> = []) {
    for (const name of reserved) this.taken.add(name);
  }

  /** The safe form of `original`, or undefined when a tool already has it. */
  claimExact(original: string): string | undefined {
    const name = safeToolName(original);
    if (this.taken.has(name)) return undefined;
    this.taken.add(name);
    return name;
  }

  /** The name to use, or undefined when even the hashed form is taken (the same tool twice). */
  claim(original: string): string | undefined {
    const preferred = safeToolName(original);
    if (!this.taken.has(preferred)) {
      this.taken.add(preferred);
      return preferred;
    }
    const hashed = `${preferred.slice(0, MAX_TOOL_NAME_LENGTH - HASH_LENGTH - 1)}_${shortHash(original)}`;
    if (this.taken.has(hashed)) return undefined;
    this.taken.add(hashed);
    return hashed;
  }
}
