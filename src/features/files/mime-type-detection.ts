import type { Readable } from 'node:stream';

export const OCTET_STREAM = 'application/octet-stream';

/** Bytes of the start of a file kept for sniffing text; enough to judge, small enough to hold per upload. */
export const SNIFF_BYTES = 64 * 1024;

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** Text formats recognized by extension once the content is known to be text. */
const TEXT_TYPES_BY_EXTENSION: Readonly<Record<string, string>> = {
  txt: 'text/plain',
  text: 'text/plain',
  log: 'text/plain',
  md: 'text/markdown',
  markdown: 'text/markdown',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  html: 'text/html',
  htm: 'text/html',
  xml: 'application/xml',
};

const UTF8_BOM = [0xef, 0xbb, 0xbf];

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}

/**
 * Control characters that do not occur in text files; ESC, form feed and
 * backspace do (terminal logs, old printouts), so they are allowed.
 */
function isBinaryControl(code: number): boolean {
  return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d && code !== 0x0c && code !== 0x08 && code !== 0x1b) || code === 0x7f;
}

/**
 * The encoding of `head` when it reads as text: a UTF-16 byte order mark, or
 * valid UTF-8 without NUL bytes and with (almost) no other control characters.
 * `complete` says whether `head` is the whole file; when it is not, a
 * multi-byte character cut at its end is not held against it.
 */
export function textEncodingOf(head: Uint8Array, complete: boolean): TextEncoding | undefined {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  let text: string;
  try {
    const decoder = new TextDecoder('utf-8', { fatal: true });
    text = decoder.decode(head, { stream: !complete });
  } catch {
    return undefined;
  }
  let controls = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 0) return undefined;
    if (isBinaryControl(code)) controls += 1;
  }
  return controls * 100 > text.length ? undefined : 'utf-8';
}

function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : '';
}

function looksLikeHtml(head: Uint8Array): boolean {
  const offset = startsWith(head, UTF8_BOM) ? 3 : 0;
  const start = Buffer.from(head.subarray(offset, offset + 512)).toString('latin1').trimStart().toLowerCase();
  return start.startsWith('<!doctype html') || start.startsWith('<html');
}

/**
 * The MIME type of text content: by extension among the known text formats,
 * HTML by its opening tag, otherwise plain text. Undefined when the content is
 * not text.
 */
export function sniffTextMimeType(head: Uint8Array, fileName: string, complete: boolean): string | undefined {
  if (!textEncodingOf(head, complete)) return undefined;
  const byExtension = TEXT_TYPES_BY_EXTENSION[extensionOf(fileName)];
  if (byExtension) return byExtension;
  return looksLikeHtml(head) ? 'text/html' : 'text/plain';
}

export interface DetectionInput {
  readonly fileName: string;
  /** The first SNIFF_BYTES of the content (or all of it when shorter). */
  readonly head: Uint8Array;
  /** Whether `head` is the whole content. */
  readonly complete: boolean;
  /** Opens the whole content: zip-based formats (DOCX…) are recognized by entries past the first bytes. */
  readonly open: () => Readable;
}

/**
 * Detects a file's MIME type from its content: magic numbers first (file-type),
 * then a text sniff, else `application/octet-stream`. The client's declared
 * type is deliberately not an input.
 */
export async function detectMimeType(input: DetectionInput): Promise<string> {
  const stream = input.open();
  try {
    // Loaded on first upload rather than at start-up.
    const { fileTypeFromStream } = await import('file-type');
    const detected = await fileTypeFromStream(stream);
    if (detected) return detected.mime;
  } finally {
    stream.destroy();
  }
  return sniffTextMimeType(input.head, input.fileName, input.complete) ?? OCTET_STREAM;
}
