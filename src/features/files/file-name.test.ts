import { describe, expect, it } from 'vitest';
import { cleanFileName } from './file-name.js';

describe('cleanFileName', () => {
  it('keeps ordinary and non-ASCII names as they are', () => {
    expect(cleanFileName('report Q3.pdf')).toBe('report Q3.pdf');
    expect(cleanFileName('Übersicht – 東京.docx')).toBe('Übersicht – 東京.docx');
  });

  it('keeps only the last path segment and drops control characters', () => {
    expect(cleanFileName('C:\\fakepath\\notes.txt')).toBe('notes.txt');
    expect(cleanFileName('../../etc/passwd')).toBe('passwd');
    expect(cleanFileName('evil\r\nname.txt')).toBe('evilname.txt');
  });

  it('names a file with no usable name "file"', () => {
    expect(cleanFileName(undefined)).toBe('file');
    expect(cleanFileName('   ')).toBe('file');
    expect(cleanFileName('dir/..')).toBe('file');
  });

  it('shortens long names to 255 characters, keeping the extension', () => {
    const cleaned = cleanFileName(`${'a'.repeat(400)}.pdf`);
    expect([...cleaned]).toHaveLength(255);
    expect(cleaned.endsWith('a.pdf')).toBe(true);
  });
});
