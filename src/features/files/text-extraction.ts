import type { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';

/** The most text one file contributes to a prompt; longer text is cut and marked as truncated. */
export const TEXT_LIMIT_CHARACTERS = 200_000;

/** HTML is converted whole, so only this much of it is read; markup makes it far longer than its text. */
const HTML_INPUT_LIMIT_BYTES = 16 * 1024 * 1024;

/** Text for a model, not a terminal: no wrapping, no link targets or images, headings and tables kept readable. */
const HTML_OPTIONS = {
  wordwrap: false as const,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].map((selector) => ({ selector, options: { uppercase: false } })),
  ],
};

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const TEXT_APPLICATION_TYPES = new Set(['application/json', 'application/xml', 'application/x-ndjson', 'application/yaml']);

export type ExtractionKind = 'pdf' | 'docx' | 'html' | 'text';

/** How a MIME type's text is read, or undefined when it has none (images, archives, other binaries). */
export function extractionKindOf(mimeType: string): ExtractionKind | undefined {
  if (mimeType === 'application/pdf') return 'pdf';
  if (mimeType === DOCX) return 'docx';
  if (mimeType === 'text/html' || mimeType === 'application/xhtml+xml') return 'html';
  if (mimeType.startsWith('text/') || TEXT_APPLICATION_TYPES.has(mimeType)) return 'text';
  return undefined;
}

export interface ExtractedText {
  readonly text: string;
  /** True when the content had more text than the limit. */
  readonly truncated: boolean;
}

export interface ExtractionOptions {
  readonly signal?: AbortSignal;
  readonly limit?: number;
}

/**
 * Extracts the text of content of the given MIME type, at most `limit`
 * characters. Throws for content its format's parser rejects (a corrupt or
 * encrypted PDF…); returns empty text for types without text.
 */
export async function extractText(mimeType: string, open: () => Readable, options: ExtractionOptions = {}): Promise<ExtractedText> {
  const limit = options.limit ?? TEXT_LIMIT_CHARACTERS;
  const kind = extractionKindOf(mimeType);
  if (!kind) return { text: '', truncated: false };
  options.signal?.throwIfAborted();
  switch (kind) {
    case 'text':
      return decodeText(open(), limit, Number.POSITIVE_INFINITY, options.signal);
    case 'html': {
      const html = await decodeText(open(), HTML_INPUT_LIMIT_BYTES, HTML_INPUT_LIMIT_BYTES, options.signal);
      // The extractors load on first use: a server that never extracts text does not pay for them at start-up.
      const { convert: htmlToText } = await import('html-to-text');
      const text = htmlToText(html.text, HTML_OPTIONS);
      const capped = cap(clean(text), limit);
      return { text: capped.text, truncated: capped.truncated || html.truncated };
    }
    case 'pdf':
      return pdfText(await readAll(open(), options.signal), limit, options.signal);
    case 'docx': {
      const { default: mammoth } = await import('mammoth');
      const result = await mammoth.extractRawText({ buffer: await readAll(open(), options.signal) });
      return cap(clean(result.value), limit);
    }
  }
}

async function pdfText(content: Buffer, limit: number, signal: AbortSignal | undefined): Promise<ExtractedText> {
  // A copy: pdf.js detaches the buffer it is given, and a small Buffer shares its memory with unrelated ones.
  const { getDocumentProxy } = await import('unpdf');
  const document = await getDocumentProxy(new Uint8Array(content));
  try {
    const pages: string[] = [];
    let length = 0;
    // Page by page rather than all at once: a long PDF stops being read once the limit is reached.
    for (let number = 1; number <= document.numPages && length <= limit; number += 1) {
      signal?.throwIfAborted();
      const page = await document.getPage(number);
      const content = await page.getTextContent();
      const text = content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join('');
      pages.push(text);
      length += text.length + 2;
    }
    const merged = pages.join('\n\n').replace(/[^\S\n]+/g, ' ').replace(/ ?\n ?/g, '\n');
    return cap(clean(merged), limit);
  } finally {
    await document.destroy();
  }
}

/**
 * Decodes text (UTF-8, or UTF-16 by its byte order mark) as it streams in,
 * stopping after `limit` characters or `maxBytes` bytes, so a huge text file
 * costs only what is kept.
 */
async function decodeText(stream: Readable, limit: number, maxBytes: number, signal: AbortSignal | undefined): Promise<ExtractedText> {
  let decoder: TextDecoder | undefined;
  let text = '';
  let bytes = 0;
  let truncated = false;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      signal?.throwIfAborted();
      decoder ??= new TextDecoder(encodingOf(chunk));
      const room = maxBytes - bytes;
      bytes += chunk.length;
      text += decoder.decode(chunk.length > room ? chunk.subarray(0, room) : chunk, { stream: true });
      if (text.length > limit || bytes > maxBytes) {
        truncated = true;
        break;
      }
    }
    if (!truncated && decoder) text += decoder.decode();
  } finally {
    stream.destroy();
  }
  const capped = cap(clean(text), limit);
  return { text: capped.text, truncated: truncated || capped.truncated };
}

function encodingOf(firstChunk: Buffer): string {
  if (firstChunk[0] === 0xff && firstChunk[1] === 0xfe) return 'utf-16le';
  if (firstChunk[0] === 0xfe && firstChunk[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

/** NUL cannot be stored in PostgreSQL text and means nothing to a model; CRLF becomes LF. */
function clean(text: string): string {
  return text.replace(/\0/g, '').replace(/\r\n?/g, '\n').trim();
}

function cap(text: string, limit: number): ExtractedText {
  if (text.length <= limit) return { text, truncated: false };
  // Never split a surrogate pair: half a character is not valid UTF-16 for the database.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(limit - 1)) ? limit - 1 : limit;
  return { text: text.slice(0, end), truncated: true };
}

/** Reads a stream whole: for formats whose parsers need all of the file at once. */
export async function readAll(stream: Readable, signal: AbortSignal | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      signal?.throwIfAborted();
      chunks.push(chunk);
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks);
}
