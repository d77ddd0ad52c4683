const MAX_FILE_NAME_CHARACTERS = 255;

/**
 * The name to keep for an uploaded file: its last path segment (some browsers
 * send `C:\fakepath\…`), without control characters, at most 255 characters
 * with its extension kept. Never used as a path: blobs are stored by id.
 */
export function cleanFileName(raw: string | undefined): string {
  const lastSegment = (raw ?? '').split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const printable = lastSegment.replace(/[\u0000-\u001f\u007f]/g, '').trim();
  if (printable === '' || printable === '.' || printable === '..') return 'file';
  const characters = [...printable];
  if (characters.length <= MAX_FILE_NAME_CHARACTERS) return printable;
  const dot = printable.lastIndexOf('.');
  const extension = dot > 0 ? [...printable.slice(dot)] : [];
  if (extension.length > 16) return characters.slice(0, MAX_FILE_NAME_CHARACTERS).join('');
  return characters.slice(0, MAX_FILE_NAME_CHARACTERS - extension.length).join('') + extension.join('');
}
