/** Where a file's text stands: extraction is queued, done, not applicable to its type, or failed for good. */
export type FileTextStatus = 'pending' | 'extracted' | 'none' | 'failed';

export interface FilesTable {
  id: string;
  org_id: string;
  /** The name the client gave, reduced to its last path segment. */
  file_name: string;
  /** Detected from the content, never taken from the client. */
  mime_type: string;
  size_bytes: number;
  /** Hex SHA-256 of the content; the download's strong ETag. */
  sha256: string;
  blob_key: string;
  text_status: FileTextStatus;
  /** At most TEXT_LIMIT_CHARACTERS; `text_truncated` says whether more was cut off. */
  extracted_text: string | null;
  text_truncated: number;
  text_error: string | null;
  created_by_key_id: string | null;
  created_at: string;
  expires_at: string;
  extracted_at: string | null;
}
