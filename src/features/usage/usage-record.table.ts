export interface UsageRecordsTable {
  id: string;
  org_id: string;
  key_id: string | null;
  gateway_id: string | null;
  connection: string;
  /** The model as the client named it (`@openai/gpt-4o-mini` or a gateway id). */
  model: string;
  upstream_model: string;
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  cost: number;
  latency_ms: number;
  ttft_ms: number | null;
  status: 'ok' | 'error' | 'aborted';
  error_code: string | null;
  streamed: number;
  created_at: string;
}
