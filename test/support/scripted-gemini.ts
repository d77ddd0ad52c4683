import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the next generateContent call answers. */
export type GeminiStep =
  | {
      readonly kind: 'reply';
      readonly text: string;
      /** Gemini's promptTokenCount, which includes the cached tokens. */
      readonly promptTokens?: number;
      readonly outputTokens?: number;
      /** Reported as cachedContentTokenCount, as for an implicit or explicit context cache hit. */
      readonly cachedTokens?: number;
    }
  | { readonly kind: 'error'; readonly status: number; readonly message?: string };

export interface GeminiRequest {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: { contents?: unknown; systemInstruction?: { parts?: Array<{ text?: string }> }; generationConfig?: Record<string, unknown> };
}

export interface ScriptedGemini {
  /** Base URL as a Gemini connection takes it (ends in /v1beta). */
  readonly url: string;
  readonly requests: readonly GeminiRequest[];
  enqueue(step: GeminiStep): void;
  close(): Promise<void>;
}

function candidate(text: string, finishReason?: string) {
  return { content: { role: 'model', parts: [{ text }] }, index: 0, ...(finishReason ? { finishReason } : {}) };
}

/**
 * Google's Generative Language API, as far as chat needs it, on a real socket:
 * `models/{model}:generateContent` (JSON) and `models/{model}:streamGenerateContent?alt=sse`.
 */
export async function startScriptedGemini(): Promise<ScriptedGemini> {
  const steps: GeminiStep[] = [];
  const requests: GeminiRequest[] = [];
  const server = http.createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => (raw += chunk.toString()));
    request.on('end', () => {
      const body = (raw ? JSON.parse(raw) : {}) as GeminiRequest['body'];
      requests.push({ path: request.url ?? '', headers: request.headers, body });
      const step = steps.shift() ?? { kind: 'reply', text: 'Scripted Gemini reply.' };
      if (step.kind === 'error') {
        response.writeHead(step.status, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { code: step.status, message: step.message ?? 'scripted failure', status: 'UNAVAILABLE' } }));
        return;
      }
      const usageMetadata = {
        promptTokenCount: step.promptTokens ?? 5,
        candidatesTokenCount: step.outputTokens ?? 3,
        totalTokenCount: (step.promptTokens ?? 5) + (step.outputTokens ?? 3),
        ...(step.cachedTokens === undefined ? {} : { cachedContentTokenCount: step.cachedTokens }),
      };
      if (!(request.url ?? '').includes(':streamGenerateContent')) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ candidates: [candidate(step.text, 'STOP')], usageMetadata }));
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const half = Math.ceil(step.text.length / 2);
      response.write(`data: ${JSON.stringify({ candidates: [candidate(step.text.slice(0, half))] })}\r\n\r\n`);
      response.end(`data: ${JSON.stringify({ candidates: [candidate(step.text.slice(half), 'STOP')], usageMetadata })}\r\n\r\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1beta`,
    requests,
    enqueue: (step) => steps.push(step),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
