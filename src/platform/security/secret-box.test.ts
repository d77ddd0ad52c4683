import { describe, expect, it } from 'vitest';
import { SecretBox, SecretDecryptionError } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox('operator-secret-of-at-least-32-characters');

  it('round-trips a secret without leaving it readable', () => {
    const sealed = box.encrypt('sk-provider-secret', 'connection:1');
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('sk-provider-secret');
    expect(box.decrypt(sealed, 'connection:1')).toBe('sk-provider-secret');
    expect(box.encrypt('sk-provider-secret', 'connection:1')).not.toBe(sealed);
  });

  it('refuses another context, another key and tampering', () => {
    const sealed = box.encrypt('secret', 'connection:1');
    expect(() => box.decrypt(sealed, 'connection:2')).toThrow(SecretDecryptionError);
    expect(() => new SecretBox('a-different-operator-secret-value-xx').decrypt(sealed, 'connection:1')).toThrow(SecretDecryptionError);
    // Flip one bit of the ciphertext itself: editing the base64 text can leave
    // the decoded bytes unchanged (a last character's unused bits).
    const bytes = Buffer.from(sealed.slice('v1:'.length), 'base64url');
    const last = bytes.length - 1;
    bytes.writeUInt8(bytes.readUInt8(last) ^ 0x01, last);
    const tampered = `v1:${bytes.toString('base64url')}`;
    expect(tampered).not.toBe(sealed);
    expect(() => box.decrypt(tampered, 'connection:1')).toThrow(SecretDecryptionError);
    expect(() => box.decrypt('garbage', 'connection:1')).toThrow(SecretDecryptionError);
  });
});
