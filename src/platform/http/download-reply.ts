import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ByteRange, parseRange } from './byte-range.js';
import { contentDisposition } from './content-disposition.js';

/** A stored file to send: its metadata and a way to read all or part of it. */
export interface Download {
  readonly fileName: string;
  readonly mimeType: string;
  readonly size: number;
  /** A strong validator of the content (its hash), without quotes. */
  readonly etag: string;
  readonly lastModified: string;
  open(range?: ByteRange): Readable;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** If-None-Match uses the weak comparison: `W/"x"` matches `"x"`. */
function noneMatch(request: FastifyRequest, etag: string): boolean {
  const value = header(request, 'if-none-match');
  if (value === undefined) return false;
  return value.split(',').some((candidate) => {
    const trimmed = candidate.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

/** If-Range needs a strong match (RFC 9110 §13.1.5): otherwise the whole file is sent instead of a part. */
function rangeStillValid(request: FastifyRequest, etag: string, lastModified: string): boolean {
  const value = header(request, 'if-range')?.trim();
  if (value === undefined) return true;
  if (value.startsWith('"')) return value === etag;
  return value === lastModified;
}

/**
 * Sends a download with the headers clients and proxies rely on: type, length,
 * `Content-Disposition` (RFC 6266), a strong ETag with `If-None-Match` (304),
 * and single byte ranges (206, `If-Range`, 416 when unsatisfiable).
 * Uploaded content is untrusted: it is always an attachment, never sniffed,
 * and sandboxed should a browser render it anyway.
 */
export function sendDownload(request: FastifyRequest, reply: FastifyReply, download: Download): FastifyReply {
  const etag = `"${download.etag}"`;
  const lastModified = new Date(download.lastModified).toUTCString();
  reply
    .header('etag', etag)
    .header('last-modified', lastModified)
    .header('cache-control', 'private, no-cache')
    .header('accept-ranges', 'bytes');
  if (noneMatch(request, etag)) return reply.status(304).send();

  const requested = rangeStillValid(request, etag, lastModified) ? parseRange(header(request, 'range'), download.size) : { kind: 'whole' as const };
  if (requested.kind === 'unsatisfiable') {
    return reply
      .status(416)
      .header('content-range', `bytes */${download.size}`)
      .send({ error: { code: 'range_not_satisfiable', message: `The range is outside the file's ${download.size} bytes.` } });
  }
  reply
    .header('content-type', download.mimeType)
    .header('content-disposition', contentDisposition(download.fileName))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox");
  const range = requested.kind === 'partial' ? requested.range : undefined;
  if (range) reply.status(206).header('content-range', `bytes ${range.start}-${range.end}/${download.size}`);
  reply.header('content-length', String(range ? range.end - range.start + 1 : download.size));
  // Fastify's HEAD handling reads a stream to its end; an empty one keeps the length above without touching the file.
  if (request.method === 'HEAD') return reply.send(Readable.from([]));
  return reply.send(download.open(range));
}
