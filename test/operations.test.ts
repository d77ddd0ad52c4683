import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type TestServer, startTestServer } from './support/test-server.js';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; summary?: string; responses?: Record<string, unknown> }>>;
  components: { securitySchemes: Record<string, unknown> };
}

describe.each(dialects)('operations and API documentation (%s)', (dialect) => {
  let server: TestServer;
  let http: HttpClient;

  beforeAll(async () => {
    server = await startTestServer(dialect);
    http = httpClient(server.url);
  });
  afterAll(() => server.close());

  it('reports liveness and readiness without credentials', async () => {
    expect((await http.get('/healthz')).body).toEqual({ status: 'ok' });
    expect((await http.get('/readyz')).body).toEqual({ status: 'ready' });
  });

  it('exposes Prometheus request counts and latency by route pattern and status', async () => {
    await http.get('/api/v1/accounts', { key: server.adminKey });
    await http.get('/api/v1/AuditLog/01a20000-0000-7000-8000-000000000000', { key: server.adminKey });
    const metrics = await http.get<string>('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('agentry_http_requests_total{method="GET",route="/api/v1/accounts",status="200"}');
    expect(metrics.body).toContain('route="/api/v1/AuditLog/:id",status="404"');
    expect(metrics.body).toContain('agentry_http_request_duration_seconds_bucket');
  });

  it('serves an OpenAPI 3.1 document with every route and its auth scheme', async () => {
    const response = await http.get<OpenApiDocument>('/openapi.json');
    expect(response.status).toBe(200);
    const document = response.body;
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.components.securitySchemes)).toEqual(
      expect.arrayContaining(['bearerAuth', 'apiKeyQuery', 'xApiKey', 'xOrgId', 'organizationSecretKey', 'agentSecretKey']),
    );
    const expected: Array<[string, string]> = [
      ['/api/v1/accounts', 'get'],
      ['/api/v1/accounts', 'put'],
      ['/api/v1/accounts/roll-salt', 'post'],
      ['/api/v1/accounts/api-key', 'get'],
      ['/api/v1/accounts/api-key', 'post'],
      ['/api/v1/accounts/api-key/{keyId}', 'delete'],
      ['/api/v1/AuditLog', 'get'],
      ['/api/v1/AuditLog/{id}', 'get'],
      ['/api/v1/Connection', 'get'],
      ['/api/v1/Connection', 'post'],
      ['/api/v1/Connection/{id}', 'put'],
      ['/api/v1/Connection/{id}', 'delete'],
      ['/api/v1/ai-gateways', 'post'],
      ['/api/v1/ai-gateways', 'get'],
      ['/api/v1/ai-gateways/{id}', 'patch'],
      ['/api/v1/ai-gateways/{id}', 'get'],
      ['/api/v1/ai-gateways/{id}', 'delete'],
      ['/api/v1/usage', 'get'],
      ['/v1/chat/completions', 'post'],
      ['/v1/models', 'get'],
    ];
    for (const [path, method] of expected) {
      const operation = document.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation?.security?.length, `${method} ${path} security`).toBeGreaterThan(0);
      expect(operation?.summary).toBeTruthy();
    }
    expect(JSON.stringify(document.paths['/api/v1/accounts/api-key']?.post)).toContain('crm-integration');
  });

  it('serves a browsable reference at /docs', async () => {
    const response = await fetch(new URL('/docs/', server.url));
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/swagger-ui/i);
  });
});
