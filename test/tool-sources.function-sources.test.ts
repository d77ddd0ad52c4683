import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CallbackReceiver, startCallbackReceiver } from './support/callback-receiver.js';
import { toolContext } from './support/tool-context.js';
import { type DirectToolSources, directToolSources } from './support/tool-sources.js';

const signal = new AbortController().signal;

describe('protocolFunctionSources', () => {
  let receiver: CallbackReceiver;
  let direct: DirectToolSources;

  beforeAll(async () => {
    receiver = await startCallbackReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });
  beforeEach(() => {
    receiver.received.length = 0;
    direct = directToolSources({ allow: '127.0.0.1', limits: { functionSourceTtlMs: 60_000, failureTtlMs: 60_000 } });
    return () => direct.close();
  });

  function functionAt(name: string, path: string): Record<string, unknown> {
    return { name, description: `${name} tool`, callbackUrl: `${receiver.url}${path}`, contentFormat: { type: 'object', properties: {} } };
  }

  it('fetches the listed functions, offers them after the inline ones and calls them', async () => {
    receiver.reply('/functions', { body: [functionAt('create_ticket', '/tickets'), { ...functionAt('refund', '/refunds'), requiresApproval: true }] });
    receiver.reply('/tickets', { body: { id: 'T-1' } });

    const { tools, problems } = await direct.sources.toolsFor(
      'org-a',
      { protocolFunctions: [functionAt('inline_first', '/inline') as never], protocolFunctionSources: [`${receiver.url}/functions`] },
      { signal },
    );

    expect(problems).toEqual([]);
    expect(tools.map((tool) => [tool.name, tool.kind, tool.requiresApproval])).toEqual([
      ['inline_first', 'http', false],
      ['create_ticket', 'http', false],
      ['refund', 'http', true],
    ]);
    expect(receiver.last('/functions').method).toBe('GET');
    const result = await tools[1]?.execute({}, toolContext('org-a'));
    expect(result).toMatchObject({ isError: false, structured: { id: 'T-1' } });
  });

  it('caches a source per organization and URL', async () => {
    receiver.reply('/cached', { body: { functions: [functionAt('one', '/one')] } });
    const parameters = { protocolFunctionSources: [`${receiver.url}/cached`] };

    for (let turn = 0; turn < 3; turn += 1) {
      const { tools } = await direct.sources.toolsFor('org-a', parameters, { signal });
      expect(tools.map((tool) => tool.name)).toEqual(['one']);
    }
    expect(receiver.count('/cached')).toBe(1);

    await direct.sources.toolsFor('org-b', parameters, { signal });
    expect(receiver.count('/cached')).toBe(2);
  });

  it('shares one fetch between turns that ask at the same time', async () => {
    receiver.reply('/slow-list', { body: [functionAt('one', '/one')], delayMs: 100 });
    const parameters = { protocolFunctionSources: [`${receiver.url}/slow-list`] };
    const results = await Promise.all([1, 2, 3].map(() => direct.sources.toolsFor('org-a', parameters, { signal })));
    expect(results.map((result) => result.tools.length)).toEqual([1, 1, 1]);
    expect(receiver.count('/slow-list')).toBe(1);
  });

  it('fetches again once the cache expires', async () => {
    const shortLived = directToolSources({ allow: '127.0.0.1', limits: { functionSourceTtlMs: 50 } });
    try {
      receiver.reply('/expiring', { body: [functionAt('one', '/one')] });
      const parameters = { protocolFunctionSources: [`${receiver.url}/expiring`] };
      await shortLived.sources.toolsFor('org-a', parameters, { signal });
      await new Promise((resolve) => setTimeout(resolve, 80));
      await shortLived.sources.toolsFor('org-a', parameters, { signal });
      expect(receiver.count('/expiring')).toBe(2);
    } finally {
      await shortLived.close();
    }
  });

  it('skips failing sources and invalid functions, naming each problem, and keeps the rest', async () => {
    receiver.reply('/good', { body: [functionAt('good', '/good-call'), { name: 'no_url', description: 'x', contentFormat: {} }] });
    receiver.reply('/down', { status: 500, body: 'boom' });
    receiver.reply('/html', { body: '<html>not json</html>', contentType: 'text/html' });
    receiver.reply('/object', { body: { tools: [] } });
    const origin = receiver.url;

    const { tools, problems } = await direct.sources.toolsFor(
      'org-a',
      {
        protocolFunctionSources: [`${origin}/down`, `${origin}/good`, `${origin}/html`, `${origin}/object`, 'http://127.0.0.1:1/closed'],
      },
      { signal },
    );

    expect(tools.map((tool) => tool.name)).toEqual(['good']);
    expect(problems).toEqual([
      `protocolFunctionSources[0] (${origin}): HTTP 500`,
      `protocolFunctionSources[1] (${origin}): function 1.callbackUrl is invalid (Invalid input: expected string, received undefined), skipped`,
      `protocolFunctionSources[2] (${origin}): the response is not JSON`,
      `protocolFunctionSources[3] (${origin}): expected a JSON array of functions or { "functions": [...] }`,
      'protocolFunctionSources[4] (http://127.0.0.1:1): The connection failed (ECONNREFUSED).',
    ]);

    // A failed source is not asked again on every turn.
    await direct.sources.toolsFor('org-a', { protocolFunctionSources: [`${origin}/down`] }, { signal });
    expect(receiver.count('/down')).toBe(1);
  });

  it('keeps an inline function when a source offers the same name', async () => {
    receiver.reply('/dupes', { body: [functionAt('shared', '/from-source')] });
    const { tools, problems } = await direct.sources.toolsFor(
      'org-a',
      { protocolFunctions: [functionAt('shared', '/inline') as never], protocolFunctionSources: [`${receiver.url}/dupes`] },
      { signal },
    );
    expect(tools).toHaveLength(1);
    expect(problems).toEqual(['protocolFunctionSources "shared": another tool already has this name, skipped']);
  });
});
