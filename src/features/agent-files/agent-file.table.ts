export interface AgentFilesTable {
  id: string;
  org_id: string;
  /** The agent (AI gateway) the file was uploaded for; only that agent's keys reach it. */
  agent_id: string;
  /** The name shown: the `name` field of the upload, else the file's own name, cleaned. */
  name: string;
  /** Detected from the content, never taken from the client. */
  mime_type: string;
  size_bytes: number;
  /** The original, as uploaded. */
  blob_key: string;
  /** Extracted at upload, never empty; at most AGENT_FILE_TEXT_LIMIT characters. */
  text: string;
  text_truncated: number;
  /** Set by add-to-assistant; null again when the collection or document is deleted. */
  collection_id: string | null;
  document_id: string | null;
  created_by_key_id: string | null;
  created_at: string;
  updated_at: string;
}

/** The knowledge collection an agent's files are added to; one per agent, created on first use. */
export interface AgentFileCollectionsTable {
  org_id: string;
  agent_id: string;
  collection_id: string;
  created_at: string;
}
