import { Readable } from 'node:stream';
import { Document, Packer, Paragraph } from 'docx';
import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { OCTET_STREAM, SNIFF_BYTES, detectMimeType, sniffTextMimeType, textEncodingOf } from './mime-type-detection.js';

function detect(fileName: string, content: Buffer): Promise<string> {
  const head = content.subarray(0, SNIFF_BYTES);
  // objectMode off: file-type reads byte streams, as the blob store's file streams are.
  return detectMimeType({ fileName, head, complete: head.length === content.length, open: () => Readable.from([content], { objectMode: false }) });
}

const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5b1c6e60000000049454e44ae426082', 'hex');

describe('textEncodingOf', () => {
  it('accepts UTF-8 text, with or without a byte order mark', () => {
    expect(textEncodingOf(Buffer.from('Grüße, 世界 🌍\n\ttabbed'), true)).toBe('utf-8');
    expect(textEncodingOf(Buffer.from('\ufeffbom first'), true)).toBe('utf-8');
  });

  it('recognizes UTF-16 by its byte order mark', () => {
    expect(textEncodingOf(Buffer.from('\ufeffhello', 'utf16le'), true)).toBe('utf-16le');
    expect(textEncodingOf(Buffer.from([0xfe, 0xff, 0x00, 0x68]), true)).toBe('utf-16be');
  });

  it('refuses invalid UTF-8, NUL bytes and control-character noise', () => {
    expect(textEncodingOf(Buffer.from([0x68, 0x69, 0xff, 0xfe, 0x20]), true)).toBeUndefined();
    expect(textEncodingOf(Buffer.from('abc\0def'), true)).toBeUndefined();
    expect(textEncodingOf(Buffer.from('\x01\x02\x03\x04 some text'), true)).toBeUndefined();
  });

  it('does not hold a multi-byte character cut at the end of a sample against it, unless the sample is the whole file', () => {
    const cut = Buffer.from('prix: 10 €').subarray(0, -1);
    expect(textEncodingOf(cut, false)).toBe('utf-8');
    expect(textEncodingOf(cut, true)).toBeUndefined();
  });
});

describe('sniffTextMimeType', () => {
  it.each([
    ['notes.txt', 'text/plain'],
    ['README.md', 'text/markdown'],
    ['data.CSV', 'text/csv'],
    ['payload.json', 'application/json'],
    ['page.html', 'text/html'],
    ['script.py', 'text/plain'],
    ['no-extension', 'text/plain'],
  ])('types text named %s as %s', (fileName, expected) => {
    expect(sniffTextMimeType(Buffer.from('a,b\n1,2\n'), fileName, true)).toBe(expected);
  });

  it('recognizes HTML by its opening tag when the name says nothing', () => {
    expect(sniffTextMimeType(Buffer.from('\n  <!DOCTYPE html><html><body>x</body></html>'), 'download', true)).toBe('text/html');
  });

  it('gives nothing for binary content, whatever its name', () => {
    expect(sniffTextMimeType(PNG, 'innocent.txt', true)).toBeUndefined();
  });
});

describe('detectMimeType', () => {
  it('detects PDF, DOCX and images by their content, not their names', async () => {
    const pdf = await PDFDocument.create();
    pdf.addPage();
    expect(await detect('report.txt', Buffer.from(await pdf.save()))).toBe('application/pdf');
    const docx = await Packer.toBuffer(new Document({ sections: [{ children: [new Paragraph('x')] }] }));
    expect(await detect('letter.pdf', docx)).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(await detect('photo.html', PNG)).toBe('image/png');
  });

  it('falls back to the text sniff, then to application/octet-stream', async () => {
    expect(await detect('table.csv', Buffer.from('name,qty\napples,3\n'))).toBe('text/csv');
    expect(await detect('blob.bin', Buffer.from([0x00, 0x01, 0x02, 0x03, 0xff, 0xfe, 0x00]))).toBe(OCTET_STREAM);
  });
});
