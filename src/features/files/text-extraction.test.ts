import { Readable } from 'node:stream';
import { Document, Packer, Paragraph } from 'docx';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { extractText, extractionKindOf } from './text-extraction.js';

function source(content: Buffer | string, chunkSize = 1024): () => Readable {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize) chunks.push(bytes.subarray(offset, offset + chunkSize));
  return () => Readable.from(chunks);
}

async function pdfWith(pages: string[]): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const text of pages) pdf.addPage().drawText(text, { x: 50, y: 700, font, size: 14 });
  return Buffer.from(await pdf.save());
}

describe('extractionKindOf', () => {
  it.each([
    ['application/pdf', 'pdf'],
    ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'],
    ['text/html', 'html'],
    ['text/markdown', 'text'],
    ['text/csv', 'text'],
    ['application/json', 'text'],
    ['image/png', undefined],
    ['application/zip', undefined],
  ])('reads %s as %s', (mimeType, kind) => {
    expect(extractionKindOf(mimeType)).toBe(kind);
  });
});

describe('extractText', () => {
  it('reads the text of every page of a PDF', async () => {
    const result = await extractText('application/pdf', source(await pdfWith(['Quarterly risk: supplier delay', 'Page two mentions penalties'])));
    expect(result.truncated).toBe(false);
    expect(result.text).toContain('Quarterly risk: supplier delay');
    expect(result.text).toContain('Page two mentions penalties');
  });

  it('stops reading a PDF once the limit is reached', async () => {
    const result = await extractText('application/pdf', source(await pdfWith(['first page words', 'second page', 'third page'])), { limit: 10 });
    expect(result).toEqual({ text: 'first page', truncated: true });
  });

  it('reads the paragraphs of a DOCX', async () => {
    const docx = await Packer.toBuffer(new Document({ sections: [{ children: [new Paragraph('Dear customer,'), new Paragraph('Your order shipped.')] }] }));
    const result = await extractText('application/vnd.openxmlformats-officedocument.wordprocessingml.document', source(docx));
    expect(result.text).toBe('Dear customer,\n\nYour order shipped.');
  });

  it('turns HTML into readable text without scripts, styles or link targets', async () => {
    const html = '<html><head><style>p{}</style><script>alert(1)</script></head><body><h1>Terms</h1><p>See <a href="https://x.example">the policy</a>.</p><table><tr><th>Plan</th><th>Price</th></tr><tr><td>Pro</td><td>10</td></tr></table></body></html>';
    const result = await extractText('text/html', source(html));
    expect(result.text).toContain('Terms');
    expect(result.text).toContain('See the policy.');
    expect(result.text).toMatch(/Plan\s+Price\nPro\s+10/);
    expect(result.text).not.toMatch(/alert|p\{\}|x\.example/);
  });

  it('passes Markdown, CSV and JSON through as text, normalizing line ends', async () => {
    expect((await extractText('text/markdown', source('# Title\r\n\r\n- item\r\n'))).text).toBe('# Title\n\n- item');
    expect((await extractText('text/csv', source('a,b\n1,2\n'))).text).toBe('a,b\n1,2');
    expect((await extractText('application/json', source('{"k": [1, 2]}'))).text).toBe('{"k": [1, 2]}');
  });

  it('decodes multi-byte characters split across chunks, and UTF-16 with a byte order mark', async () => {
    expect((await extractText('text/plain', source('naïve café — 東京 🌍', 1))).text).toBe('naïve café — 東京 🌍');
    expect((await extractText('text/plain', source(Buffer.from('\ufeffUTF-16 text', 'utf16le'), 3))).text).toBe('UTF-16 text');
  });

  it('caps long text and says it was truncated, without reading the rest', async () => {
    let served = 0;
    const open = () =>
      Readable.from(
        (function* () {
          for (let chunk = 0; chunk < 1_000; chunk += 1) {
            served += 1;
            yield Buffer.from('x'.repeat(1_000));
          }
        })(),
      );
    const result = await extractText('text/plain', open, { limit: 5_000 });
    expect(result).toEqual({ text: 'x'.repeat(5_000), truncated: true });
    expect(served).toBeLessThan(10);
  });

  it('never cuts a surrogate pair in half and drops NUL characters', async () => {
    expect((await extractText('text/plain', source('ab🌍cd'), { limit: 3 })).text).toBe('ab');
    expect((await extractText('text/plain', source('a\u0000b'))).text).toBe('ab');
  });

  it('gives empty text for types without text, and throws for a corrupt document', async () => {
    expect(await extractText('image/png', source('not read'))).toEqual({ text: '', truncated: false });
    await expect(extractText('application/pdf', source('%PDF-1.7 this is not a real pdf'))).rejects.toThrow();
  });

  it('stops when its signal fires', async () => {
    const controller = new AbortController();
    controller.abort(new Error('shutting down'));
    await expect(extractText('text/plain', source('text'), { signal: controller.signal })).rejects.toThrow('shutting down');
  });
});
