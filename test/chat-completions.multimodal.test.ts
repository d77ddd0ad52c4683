import OpenAI from 'openai';
import type { ChatCompletionContentPart, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dialects } from './support/dialects.js';
import { type HttpClient, httpClient } from './support/http-client.js';
import { type ScriptedAnthropic, startScriptedAnthropic } from './support/scripted-anthropic.js';
import { type ScriptedGemini, startScriptedGemini } from './support/scripted-gemini.js';
import { type TestServer, startTestServer } from './support/test-server.js';

const CLAUDE = '@claude/claude-sonnet-4-5';
const GEMINI = '@gem/gemini-2.5-flash';
/** The first bytes of a PDF and of a WAV file: enough for the providers' request shapes. */
const PDF_BASE64 = Buffer.from('%PDF-1.4 scripted').toString('base64');
const WAV_BASE64 = Buffer.from('RIFF\u0000\u0000\u0000\u0000WAVEfmt ').toString('base64');

const pdfPart = { type: 'file', file: { file_data: `data:application/pdf;base64,${PDF_BASE64}`, filename: 'invoice.pdf' } } as const;
const audioPart = { type: 'input_audio', input_audio: { data: WAV_BASE64, format: 'wav' } } as const;

function conversation(parts: readonly unknown[]): ChatCompletionMessageParam[] {
  return [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: [{ type: 'text', text: 'What is in these?' }, ...parts] as ChatCompletionContentPart[] },
  ];
}

describe.each(dialects)('audio and file content parts through AI SDK connections (%s)', (dialect) => {
  let anthropic: ScriptedAnthropic;
  let gemini: ScriptedGemini;
  let server: TestServer;
  let http: HttpClient;
  let openai: OpenAI;

  beforeAll(async () => {
    anthropic = await startScriptedAnthropic();
    gemini = await startScriptedGemini();
    server = await startTestServer(dialect, { AGENTRY_OUTBOUND_ALLOW: '127.0.0.0/8' });
    http = httpClient(server.url);
    openai = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: server.adminKey, maxRetries: 0, timeout: 15_000 });
    for (const body of [
      { name: 'claude', type: 'Anthropic', baseUrl: anthropic.url, apiKey: 'sk-ant-tenant' },
      { name: 'gem', type: 'Gemini', baseUrl: gemini.url, apiKey: 'gemini-tenant-key-0001' },
    ]) {
      const created = await http.post('/api/v1/Connection', { key: server.adminKey, body });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }
  });
  afterAll(async () => {
    await server?.close();
    await anthropic?.close();
    await gemini?.close();
  });
  beforeEach(() => anthropic.reset());

  it('sends a file part to Anthropic as a document block, named after the file', async () => {
    await openai.chat.completions.create({ model: CLAUDE, messages: conversation([pdfPart]) });
    expect(anthropic.lastRequest().body.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these?' },
          { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: PDF_BASE64 }, title: 'invoice.pdf' },
        ],
      },
    ]);
  });

  it('sends audio and file parts to Gemini inline, with their media types', async () => {
    gemini.enqueue({ kind: 'reply', text: 'An invoice and a greeting.' });
    const completion = await openai.chat.completions.create({ model: GEMINI, messages: conversation([audioPart, pdfPart]) });
    expect(completion.choices[0]?.message.content).toBe('An invoice and a greeting.');
    expect(gemini.requests.at(-1)?.body.contents).toEqual([
      {
        role: 'user',
        parts: [
          { text: 'What is in these?' },
          { inlineData: { mimeType: 'audio/wav', data: WAV_BASE64 } },
          { inlineData: { mimeType: 'application/pdf', data: PDF_BASE64 } },
        ],
      },
    ]);
  });

  it.each([
    ['an OpenAI file id', { type: 'file', file: { file_id: 'file-abc123' } }, /: file\.file_id names an OpenAI upload/],
    ['file data that is not a data URL', { type: 'file', file: { file_data: PDF_BASE64 } }, /: file\.file_data must be a base64 data URL/],
    ['a file part without its file object', { type: 'file', file_data: 'data:application/pdf;base64,AAAA' }, /: a file part needs/],
    ['an audio format no provider takes', { type: 'input_audio', input_audio: { data: WAV_BASE64, format: 'opus' } }, /: input_audio\.format 'opus'/],
    ['audio data that is not base64', { type: 'input_audio', input_audio: { data: 'not base64!', format: 'mp3' } }, /: input_audio\.data must be base64/],
    ['an unknown part type', { type: 'video_url', video_url: { url: 'https://example.com/v.mp4' } }, /: content parts of type 'video_url'/],
  ])('refuses %s with a 400 naming the part, before calling the provider', async (_case, part, message) => {
    const response = await http.post<{ error: { message: string; type: string; code: string } }>('/v1/chat/completions', {
      key: server.adminKey,
      body: { model: CLAUDE, messages: conversation([pdfPart, part]) },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'unsupported_parameter' });
    expect(response.body.error.message.startsWith('messages[1].content[2]: ')).toBe(true);
    expect(response.body.error.message).toMatch(message);
    expect(anthropic.requests).toHaveLength(0);
  });

  it('names the part when a message that takes only text carries another part', async () => {
    const response = await http.post<{ error: { message: string } }>('/v1/chat/completions', {
      key: server.adminKey,
      body: {
        model: CLAUDE,
        messages: [
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: [{ type: 'text', text: 'Hello' }, audioPart] },
        ],
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/^messages\[1\]\.content\[1\]: only text/);
  });

  it('answers 400 when the provider cannot take a media type (Anthropic and audio)', async () => {
    const response = await http.post<{ error: { message: string; code: string } }>('/v1/chat/completions', {
      key: server.adminKey,
      body: { model: CLAUDE, messages: conversation([audioPart]) },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.body.error.message).toContain('audio/wav');
    expect(anthropic.requests).toHaveLength(0);
  });
});
