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

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

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
  return (
    HEX[(high >>> 8) & 0xff]! +
    HEX[high & 0xff]! +
    HEX[low >>> 24]! +
    HEX[(low >>> 16) & 0xff]! +
    '-' +
    HEX[(low >>> 8) & 0xff]! +
    HEX[low & 0xff]! +
    '-' +
    HEX[0x70 | ((sequence >>> 27) & 0x0f)]! +
    HEX[(sequence >>> 19) & 0xff]! +
    '-' +
    HEX[0x80 | ((sequence >>> 13) & 0x3f)]! +
    HEX[(sequence >>> 5) & 0xff]! +
    '-' +
    HEX[((sequence << 3) & 0xf8) | (randomPool[random + 4]! & 0x07)]! +
    HEX[randomPool[random + 5]!]! +
    HEX[randomPool[random + 6]!]! +
    HEX[randomPool[random + 7]!]! +
    HEX[randomPool[random + 8]!]! +
    HEX[randomPool[random + 9]!]!
  );
}

export function isUuid(value: string): boolean {
  return validate(value) && version(value) >= 1;
}
