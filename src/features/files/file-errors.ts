import { AppError } from '../../platform/errors.js';

/** `200 MB` for whole mebibytes, else the exact byte count. */
export function formatMegabytes(bytes: number): string {
  const value = bytes / (1024 * 1024);
  return Number.isInteger(value) ? `${value} MB` : `${bytes} bytes`;
}

export function fileTooLarge(maxBytes: number): AppError {
  return new AppError('too_large', 'file_too_large', `The file is larger than the upload limit of ${formatMegabytes(maxBytes)} (${maxBytes} bytes).`, {
    details: { maxBytes },
  });
}
