import { ValidationError } from '../../platform/errors.js';

/** The parsed form of the documents list's `filter`: every part must match. */
export interface DocumentFilter {
  readonly tags: string[];
  readonly nameContains: string[];
  readonly referenceContains: string[];
}

const OPTIONS: Record<string, keyof DocumentFilter> = { '-t': 'tags', '-n': 'nameContains', '-r': 'referenceContains' };

/** Splits on whitespace, keeping double-quoted runs together (quotes removed). */
function tokens(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/"([^"]*)"|(\S+)/g)) found.push(match[1] ?? match[2] ?? '');
  return found;
}

/**
 * Parses `-t tag -n name -r reference`; a word outside an option is matched
 * against the name, so `-n` may be left out for the common case.
 */
export function parseDocumentFilter(text: string | undefined): DocumentFilter {
  const filter: DocumentFilter = { tags: [], nameContains: [], referenceContains: [] };
  const parts = tokens(text ?? '');
  for (let index = 0; index < parts.length; index += 1) {
    const part = parts[index] ?? '';
    const option = OPTIONS[part];
    if (option === undefined) {
      if (part !== '') filter.nameContains.push(part);
      continue;
    }
    const value = parts[index + 1];
    if (value === undefined || value === '') {
      throw ValidationError.field('querystring.filter', 'invalid_filter', `${part} needs a value, as in \`${part} value\``);
    }
    filter[option].push(value);
    index += 1;
  }
  return filter;
}
