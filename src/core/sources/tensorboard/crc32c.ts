// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) as TFRecord frames use it, masked as TensorFlow masks it.
// Slicing by 8: eight 256-entry tables let the loop fold eight bytes per step, which keeps the check of every record
// of a 200 MB event file a small part of its read.

const POLY = 0x82f63b78;

/** TABLES[k][b]: the CRC of byte b followed by k zero bytes. */
const TABLES: Int32Array[] = buildTables();

function buildTables(): Int32Array[] {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256));
  for (let b = 0; b < 256; b++) {
    let crc = b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ POLY : crc >>> 1;
    tables[0][b] = crc;
  }
  for (let b = 0; b < 256; b++) {
    let crc = tables[0][b];
    for (let k = 1; k < 8; k++) {
      crc = tables[0][crc & 0xff] ^ (crc >>> 8);
      tables[k][b] = crc;
    }
  }
  return tables;
}

/** The CRC-32C of bytes[start, end), unsigned. */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES;
  let crc = ~0;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const lo = crc ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    const hi = bytes[i + 4] | (bytes[i + 5] << 8) | (bytes[i + 6] << 16) | (bytes[i + 7] << 24);
    crc =
      t7[lo & 0xff] ^
      t6[(lo >>> 8) & 0xff] ^
      t5[(lo >>> 16) & 0xff] ^
      t4[lo >>> 24] ^
      t3[hi & 0xff] ^
      t2[(hi >>> 8) & 0xff] ^
      t1[(hi >>> 16) & 0xff] ^
      t0[hi >>> 24];
  }
  for (; i < end; i++) crc = t0[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** TensorFlow's mask: a CRC stored beside data is rotated and offset, so a CRC of CRCs does not collide. */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** The masked CRC-32C of bytes[start, end), as a TFRecord frame stores it. */
export function maskedCrc32c(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return maskCrc(crc32c(bytes, start, end));
}
