import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalBlobStore } from './local-blob-store.js';

describe('LocalBlobStore', () => {
  let root: string;
  let store: LocalBlobStore;

  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'agentry-blobs-'));
    store = new LocalBlobStore(path.join(root, 'blobs'));
    await store.init();
  });
  afterEach(() => fs.rm(root, { recursive: true, force: true }));

  it('writes, reads and deletes blobs under nested keys', async () => {
    await store.put('org-1/files/a.txt', Buffer.from('hello'));
    await store.put('org-1/files/b.txt', Readable.from(['str', 'eam']));
    expect(await text(store.read('org-1/files/a.txt'))).toBe('hello');
    expect(await text(store.read('org-1/files/b.txt'))).toBe('stream');
    await store.delete('org-1/files/a.txt');
    expect(await store.exists('org-1/files/a.txt')).toBe(false);
    expect(await store.exists('org-1/files/b.txt')).toBe(true);
  });

  it('reads an inclusive byte range of a blob', async () => {
    await store.put('org-1/files/c.txt', Buffer.from('0123456789'));
    expect(await text(store.read('org-1/files/c.txt', { start: 2, end: 5 }))).toBe('2345');
    expect(await text(store.read('org-1/files/c.txt', { start: 9, end: 9 }))).toBe('9');
  });

  it.each(['../escape.txt', 'org/../../etc/passwd', '/etc/passwd', 'a//b', '.hidden', 'a/./b', ''])(
    'refuses the unsafe key %j',
    (key) => {
      expect(() => store.resolve(key)).toThrow(/not a safe relative path|outside/);
    },
  );
});
