/** The OpenAPI security schemes of the five contracts; routes reference them by name. */
export const securitySchemes = {
  bearerAuth: { type: 'http', scheme: 'bearer', description: 'An Agentry API key (`sk-...`).' },
  apiKeyQuery: { type: 'apiKey', in: 'query', name: 'api-key', description: 'The API key as a query parameter.' },
  xApiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'Organization API key (Organization API).' },
  xOrgId: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Org-Id',
    description: 'Organization id; when sent it must match the key, else 401.',
  },
  organizationSecretKey: { type: 'apiKey', in: 'header', name: 'Organization-Secret-Key' },
  agentSecretKey: { type: 'apiKey', in: 'header', name: 'Agent-Secret-Key', description: 'An agent-scoped key.' },
} as const;

type SchemeName = keyof typeof securitySchemes;
/** An OpenAPI security requirement: every scheme named in one object is needed together. */
type Requirement = { readonly [scheme in SchemeName]?: readonly string[] };

/** The styles each contract documents. Every route accepts all of them (see authentication.ts). */
export const contractSecurity: Record<
  'inference' | 'gateway' | 'organization' | 'conversations' | 'agentKey',
  Array<Record<string, readonly string[]>>
> = {
  inference: [{ bearerAuth: [] }, { apiKeyQuery: [] }],
  gateway: [{ bearerAuth: [] }, { apiKeyQuery: [] }],
  organization: [{ xApiKey: [], xOrgId: [] }, { bearerAuth: [] }],
  conversations: [{ bearerAuth: [] }],
  agentKey: [{ agentSecretKey: [] }, { organizationSecretKey: [] }],
} satisfies Record<string, Requirement[]>;
