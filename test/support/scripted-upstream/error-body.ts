/** Type and code as OpenAI sends them for the statuses tests script most; anything else is a generic error of its class. */
const KNOWN_ERRORS: Readonly<Record<number, { type: string; code: string | null; message: string }>> = {
  400: { type: 'invalid_request_error', code: null, message: 'Invalid request.' },
  401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
  403: { type: 'permission_error', code: null, message: 'You are not allowed to use this model.' },
  404: { type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist.' },
  429: { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests.' },
  500: { type: 'server_error', code: null, message: 'The server had an error while processing your request.' },
  503: { type: 'server_error', code: null, message: 'The engine is currently overloaded.' },
};

export interface ErrorOverrides {
  readonly message?: string;
  readonly type?: string;
  readonly code?: string | null;
  readonly param?: string | null;
}

/** `{ error: { message, type, param, code } }`, the body OpenAI answers every failure with. */
export function openAiErrorBody(status: number, overrides: ErrorOverrides = {}) {
  const known = KNOWN_ERRORS[status] ?? {
    type: status >= 500 ? 'server_error' : 'invalid_request_error',
    code: null,
    message: `Scripted upstream error ${status}.`,
  };
  return {
    error: {
      message: overrides.message ?? known.message,
      type: overrides.type ?? known.type,
      param: overrides.param ?? null,
      code: overrides.code === undefined ? known.code : overrides.code,
    },
  };
}
