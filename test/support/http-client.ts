export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export interface RequestOptions {
  readonly key?: string;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  /** Sent as is instead of JSON-encoding `body`. */
  readonly rawBody?: string;
}

/** A thin fetch wrapper: real HTTP, JSON in and out, `Authorization: Bearer` when `key` is given. */
export function httpClient(baseUrl: string) {
  async function send<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key) headers.authorization = `Bearer ${options.key}`;
    let body: string | undefined;
    if (options.rawBody !== undefined) body = options.rawBody;
    else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(new URL(path, baseUrl), { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    const isJson = response.headers.get('content-type')?.includes('json') ?? false;
    return { status: response.status, headers: response.headers, body: (isJson && text ? JSON.parse(text) : text) as T };
  }
  return {
    get: <T = unknown>(path: string, options?: RequestOptions) => send<T>('GET', path, options),
    post: <T = unknown>(path: string, options?: RequestOptions) => send<T>('POST', path, options),
    put: <T = unknown>(path: string, options?: RequestOptions) => send<T>('PUT', path, options),
    patch: <T = unknown>(path: string, options?: RequestOptions) => send<T>('PATCH', path, options),
    delete: <T = unknown>(path: string, options?: RequestOptions) => send<T>('DELETE', path, options),
  };
}

export type HttpClient = ReturnType<typeof httpClient>;
