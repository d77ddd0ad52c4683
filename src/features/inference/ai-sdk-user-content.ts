import type { ModelMessage } from 'ai';
import { z } from 'zod';
import { BadRequestError } from '../../platform/errors.js';

export type UserPart = Exclude<Extract<ModelMessage, { role: 'user' }>['content'], string>[number];

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });
const imagePart = z.looseObject({ type: z.literal('image_url'), image_url: z.looseObject({ url: z.string().min(1) }) });
const audioPart = z.looseObject({ type: z.literal('input_audio'), input_audio: z.looseObject({ data: z.string(), format: z.string() }) });
const filePart = z.looseObject({
  type: z.literal('file'),
  file: z.looseObject({ file_data: z.string().optional(), file_id: z.string().optional(), filename: z.string().optional() }),
});

/** OpenAI's two formats, and those Gemini also takes, by the name OpenAI clients give them. */
const AUDIO_MEDIA_TYPES: Readonly<Record<string, string>> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  aac: 'audio/aac',
  aiff: 'audio/aiff',
};

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)((?:;[\w.+-]+=[^;,]*)*);base64,/i;

function unsupportedContent(message: string): BadRequestError {
  return new BadRequestError('unsupported_parameter', message);
}

/** A content part's place in the request, as clients read it in the error: `messages[1].content[2]`. */
function partPath(messageIndex: number, partIndex: number): string {
  return `messages[${messageIndex}].content[${partIndex}]`;
}

/** The text of a message whose role takes text only (system, assistant, tool). */
export function textOf(value: string | ReadonlyArray<{ type: string }> | null | undefined, messageIndex: number): string {
  if (typeof value === 'string') return value;
  if (!value) return '';
  return value
    .map((part, partIndex) => {
      const parsed = textPart.safeParse(part);
      if (parsed.success) return parsed.data.text;
      throw unsupportedContent(`${partPath(messageIndex, partIndex)}: only text content parts are supported in this message, not '${part.type}'.`);
    })
    .join('');
}

/**
 * A user message's content as AI SDK parts: text, images, audio and files.
 * URLs are handed to the provider as URLs; files must come inline (a data
 * URL), since OpenAI file ids mean nothing to another provider.
 */
export function userParts(value: string | ReadonlyArray<{ type: string }> | null | undefined, messageIndex: number): string | UserPart[] {
  if (typeof value === 'string' || !value) return value ?? '';
  return value.map((part, partIndex) => userPart(part, partPath(messageIndex, partIndex)));
}

function userPart(part: { type: string }, where: string): UserPart {
  switch (part.type) {
    case 'text': {
      const text = textPart.safeParse(part);
      if (text.success) return { type: 'text', text: text.data.text };
      throw unsupportedContent(`${where}: a text part needs a string 'text'.`);
    }
    case 'image_url': {
      const image = imagePart.safeParse(part);
      if (image.success) return { type: 'image', image: imageUrl(image.data.image_url.url, where) };
      throw unsupportedContent(`${where}: an image_url part needs image_url.url.`);
    }
    case 'input_audio': {
      const audio = audioPart.safeParse(part);
      if (!audio.success) throw unsupportedContent(`${where}: an input_audio part needs input_audio.data (base64) and input_audio.format.`);
      return audioFile(audio.data.input_audio, where);
    }
    case 'file': {
      const file = filePart.safeParse(part);
      if (!file.success) throw unsupportedContent(`${where}: a file part needs a 'file' object with file_data.`);
      return inlineFile(file.data.file, where);
    }
    default:
      throw unsupportedContent(`${where}: content parts of type '${part.type}' are not supported for this connection type.`);
  }
}

function imageUrl(url: string, where: string): URL {
  try {
    return new URL(url);
  } catch {
    throw unsupportedContent(`${where}: image_url.url is not a URL (http(s) or data:).`);
  }
}

function audioFile(audio: { data: string; format: string }, where: string): UserPart {
  const mediaType = AUDIO_MEDIA_TYPES[audio.format.toLowerCase()];
  if (!mediaType) {
    throw unsupportedContent(`${where}: input_audio.format '${audio.format}' is not supported (use one of ${Object.keys(AUDIO_MEDIA_TYPES).join(', ')}).`);
  }
  if (audio.data === '' || !BASE64.test(audio.data)) throw unsupportedContent(`${where}: input_audio.data must be base64-encoded audio.`);
  return { type: 'file', data: audio.data, mediaType };
}

function inlineFile(file: { file_data?: string | undefined; file_id?: string | undefined; filename?: string | undefined }, where: string): UserPart {
  if (file.file_data === undefined) {
    throw unsupportedContent(
      file.file_id === undefined
        ? `${where}: file.file_data is required.`
        : `${where}: file.file_id names an OpenAI upload, which this connection type cannot read; send the file inline as file.file_data.`,
    );
  }
  const match = DATA_URL.exec(file.file_data);
  const data = match ? file.file_data.slice(match[0].length) : '';
  if (!match?.[1] || data === '' || !BASE64.test(data)) {
    throw unsupportedContent(`${where}: file.file_data must be a base64 data URL (data:<media type>;base64,<data>).`);
  }
  return { type: 'file', data, mediaType: match[1].toLowerCase(), ...(file.filename ? { filename: file.filename } : {}) };
}
