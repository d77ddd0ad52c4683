export type JobStatus = 'queued' | 'running' | 'succeeded' | 'dead';

export interface JobsTable {
  id: string;
  /** Null for system jobs that span organizations. */
  org_id: string | null;
  name: string;
  /** JSON text of the payload, validated against the job's schema. */
  payload: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  run_at: string;
  lease_expires_at: string | null;
  locked_by: string | null;
  last_error: string | null;
  idempotency_key: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}
