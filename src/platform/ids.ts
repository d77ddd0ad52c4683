import { v7 as uuidv7, validate, version } from 'uuid';

/** Resource ids are UUIDv7: unique across nodes and ordered by creation time. */
export function newId(): string {
  return uuidv7();
}

export function isUuid(value: string): boolean {
  return validate(value) && version(value) >= 1;
}
