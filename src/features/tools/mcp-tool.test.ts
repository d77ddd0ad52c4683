import { describe, expect, it } from 'vitest';
import { mcpToolResult } from './mcp-tool.js';

describe('mcpToolResult', () => {
  it('joins text blocks, names the others and keeps structured content', () => {
    expect(
      mcpToolResult({
        content: [
          { type: 'text', text: 'first' },
          { type: 'image', data: 'AAAA', mimeType: 'image/png' },
          { type: 'resource', resource: { uri: 'file:///a.txt', text: 'inline text' } },
          { type: 'resource_link', uri: 'file:///b.bin', name: 'b.bin' },
        ],
        structuredContent: { n: 1 },
      }),
    ).toEqual({ content: 'first\n[image: image/png]\ninline text\n[resource: b.bin file:///b.bin]', isError: false, structured: { n: 1 } });
  });

  it('falls back to the structured content as JSON, and reports errors as errors', () => {
    expect(mcpToolResult({ content: [], structuredContent: { n: 1 } })).toEqual({ content: '{"n":1}', isError: false, structured: { n: 1 } });
    expect(mcpToolResult({ content: [] })).toEqual({ content: 'The tool returned no content.', isError: false });
    expect(mcpToolResult({ content: [], isError: true })).toEqual({ content: '{"error":"The tool reported an error."}', isError: true });
  });
});
