import { AppError } from '../../platform/errors.js';

/** What agent files accept: a MIME type as detected, and how people call it. */
export const ACCEPTED_AGENT_FILE_TYPES: Readonly<Record<string, string>> = {
  'application/pdf': 'PDF',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'DOCX',
  'text/html': 'HTML',
  'text/markdown': 'Markdown',
  'text/plain': 'plain text',
  'text/csv': 'CSV',
};

const ACCEPTED_LIST = `${Object.values(ACCEPTED_AGENT_FILE_TYPES).join(', ')} (${Object.keys(ACCEPTED_AGENT_FILE_TYPES).join(', ')})`;

export function unsupportedAgentFileType(detectedType: string): AppError {
  return new AppError(
    'unsupported_media_type',
    'unsupported_file_type',
    `The file is ${detectedType}, which agent files do not accept; send ${ACCEPTED_LIST}. The type is detected from the content and the file name, not from the declared Content-Type.`,
    { details: { detectedType, acceptedTypes: Object.keys(ACCEPTED_AGENT_FILE_TYPES) } },
  );
}

export function unreadableAgentFile(mimeType: string, cause: unknown): AppError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const kind = ACCEPTED_AGENT_FILE_TYPES[mimeType] ?? mimeType;
  return new AppError('unprocessable', 'unreadable_file', `The ${kind} file could not be read (corrupt, truncated or encrypted?): ${reason.slice(0, 500)}`, {
    details: { mimeType },
    cause,
  });
}

export function agentFileWithoutText(mimeType: string): AppError {
  const kind = ACCEPTED_AGENT_FILE_TYPES[mimeType] ?? mimeType;
  return new AppError(
    'unprocessable',
    'no_text',
    `The ${kind} file contains no text to add to the assistant (a scanned PDF without a text layer, or an empty document); it was not kept.`,
    { details: { mimeType } },
  );
}
