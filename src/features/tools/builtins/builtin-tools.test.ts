import { afterAll, describe, expect, it } from 'vitest';
import { OutboundPolicy, createOutboundClient } from '../../../platform/outbound/index.js';
import { builtinTools } from './builtin-tools.js';

describe('builtinTools', () => {
  const deps = {
    memories: { remember: () => Promise.reject(new Error('not used')) },
    request: { outbound: createOutboundClient({ policy: new OutboundPolicy() }) },
  };
  afterAll(() => deps.request.outbound.close());

  it('builds Remember, Request and Calendar, and reports the others unavailable', () => {
    const { tools, unavailable } = builtinTools(['WebSearch', 'Remember', 'Calendar', 'Code', 'Request', 'Calendar', 'ImageGeneration'], deps);
    expect(tools.map((tool) => tool.name)).toEqual(['Remember', 'Calendar', 'Request']);
    expect(tools.every((tool) => tool.kind === 'builtin')).toBe(true);
    expect(unavailable).toEqual(['WebSearch', 'Code', 'ImageGeneration']);
  });

  it('reports unknown names too, and never matches inherited properties', () => {
    expect(builtinTools(['toString', 'constructor', 'remember'], deps)).toEqual({ tools: [], unavailable: ['toString', 'constructor', 'remember'] });
    expect(builtinTools([], deps)).toEqual({ tools: [], unavailable: [] });
  });
});
