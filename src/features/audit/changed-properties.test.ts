import { describe, expect, it } from 'vitest';
import { changedProperties } from './changed-properties.js';

describe('changedProperties', () => {
  it('lists only the properties that differ, flattening nested objects', () => {
    const changes = changedProperties(
      { name: 'Acme', parameters: { automaticJsonHealing: false, allowConversationsLogging: true } },
      { name: 'Acme Corp', parameters: { automaticJsonHealing: true, allowConversationsLogging: true } },
    );
    expect(changes).toEqual([
      { propertyName: 'name', oldValue: 'Acme', newValue: 'Acme Corp' },
      { propertyName: 'parameters.automaticJsonHealing', oldValue: false, newValue: true },
    ]);
  });

  it('masks secrets but still records that they changed', () => {
    const changes = changedProperties({ salt: 'old-salt', name: 'x' }, { salt: 'new-salt', name: 'x' }, ['salt']);
    expect(changes).toEqual([{ propertyName: 'salt', oldValue: '***', newValue: '***' }]);
    expect(JSON.stringify(changes)).not.toContain('salt-');
  });

  it('records creation and deletion against null', () => {
    expect(changedProperties(null, { label: 'ci' })).toEqual([{ propertyName: 'label', oldValue: null, newValue: 'ci' }]);
    expect(changedProperties({ label: 'ci' }, null)).toEqual([{ propertyName: 'label', oldValue: 'ci', newValue: null }]);
  });

  it('masks nested values under a secret property', () => {
    const changes = changedProperties({ credentials: { apiKey: 'a' } }, { credentials: { apiKey: 'b' } }, ['credentials']);
    expect(changes).toEqual([{ propertyName: 'credentials.apiKey', oldValue: '***', newValue: '***' }]);
  });
});
