import { randomFillSync } from 'node:crypto';
import { validate, version } from 'uuid';

/**
 * Random bytes are drawn from the system in blocks this large. uuid's v7
 * refills a 256-byte pool every 16 ids, and that call into OpenSSL cost more
 * than the rest of the id: a gateway call makes two ids (its correlation id
 * and its usage record).
 */
const RANDOM_POOL_BYTES = 16 * 1024;
/** Per id: 4 bytes seed the counter when a millisecond begins, 6 fill the random tail. */
const ID_RANDOM_BYTES = 10;
const randomPool = Buffer.allocUnsafe(RANDOM_POOL_BYTES);
let randomOffset = RANDOM_POOL_BYTES;

const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
/** An id is formatted into this buffer and read out as one string (concatenating 20 pieces made as many intermediate strings). */
const text = Buffer.from('00000000-0000-7000-8000-000000000000', 'latin1');
/** Where each of the 16 bytes goes in the text. */
const BYTE_POSITIONS = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

function putByte(index: number, byte: number): void {
  const at = BYTE_POSITIONS[index]!;
  text[at] = HEX_DIGITS[byte >>> 4]!;
  text[at + 1] = HEX_DIGITS[byte & 0x0f]!;
}

/** The millisecond of the last id, and a counter that keeps ids made within one millisecond in order. */
let lastMs = -1;
let sequence = 0;

function takeRandom(): number {
  if (randomOffset + ID_RANDOM_BYTES > RANDOM_POOL_BYTES) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  const offset = randomOffset;
  randomOffset += ID_RANDOM_BYTES;
  return offset;
}

/**
 * Resource ids are UUIDv7 (RFC 9562): unique across nodes and ordered by
 * creation time. Within a millisecond a 31-bit counter, started at a random
 * value each millisecond, follows the timestamp (the RFC's method 1, as the
 * uuid package does it), so ids made by one process never go backwards.
 */
export function newId(): string {
  const now = Date.now();
  const random = takeRandom();
  if (now > lastMs) {
    lastMs = now;
    sequence = randomPool.readUInt32BE(random) >>> 1;
  } else {
    sequence = (sequence + 1) | 0;
    // 2^31 ids in one millisecond: borrow the next millisecond rather than wrap.
    if (sequence < 0) {
      lastMs += 1;
      sequence = 0;
    }
  }
  const ms = lastMs;
  const high = Math.floor(ms / 0x1_0000_0000);
  const low = ms >>> 0;
  putByte(0, (high >>> 8) & 0xff);
  putByte(1, high & 0xff);
  putByte(2, low >>> 24);
  putByte(3, (low >>> 16) & 0xff);
  putByte(4, (low >>> 8) & 0xff);
  putByte(5, low & 0xff);
  putByte(6, 0x70 | ((sequence >>> 27) & 0x0f));
  putByte(7, (sequence >>> 19) & 0xff);
  putByte(8, 0x80 | ((sequence >>> 13) & 0x3f));
  putByte(9, (sequence >>> 5) & 0xff);
  putByte(10, ((sequence << 3) & 0xf8) | (randomPool[random + 4]! & 0x07));
  for (let index = 11; index < 16; index += 1) putByte(index, randomPool[random + index - 6]!);
  return text.toString('latin1');
}

export function isUuid(value: string): boolean {
  return validate(value) && version(value) >= 1;
}
