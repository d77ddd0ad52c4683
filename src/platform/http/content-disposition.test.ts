import { describe, expect, it } from 'vitest';
import { contentDisposition } from './content-disposition.js';

describe('contentDisposition', () => {
  it('names an ASCII file in both parameters', () => {
    expect(contentDisposition('report.pdf')).toBe(`attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`);
  });

  it('percent-encodes UTF-8 in filename* and gives old clients an ASCII fallback', () => {
    expect(contentDisposition('Übersicht 東京.docx')).toBe(
      `attachment; filename="_bersicht __.docx"; filename*=UTF-8''%C3%9Cbersicht%20%E6%9D%B1%E4%BA%AC.docx`,
    );
  });

  it('cannot be broken out of by quotes, backslashes or separators in the name', () => {
    const header = contentDisposition('a"; filename="evil.exe\\x;.txt');
    expect(header).toBe(`attachment; filename="a_; filename=_evil.exe_x;.txt"; filename*=UTF-8''a%22%3B%20filename%3D%22evil.exe%5Cx%3B.txt`);
  });
});
