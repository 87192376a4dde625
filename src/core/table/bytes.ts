// Byte values the tokenizers and the sniffer look for (ASCII, so they never occur inside a UTF-8 sequence).

export const TAB = 9;
export const LF = 10;
export const CR = 13;
export const SPACE = 32;
export const QUOTE = 34;
export const HASH = 35;

/**
 * Offset of the first `byte` in buf[from, end), or -1. Buffer.indexOf has no end: on the reader's window, whose
 * tail past `end` is stale, it would scan (and match) bytes that are not part of the data.
 */
export function indexOfByte(buf: Buffer, byte: number, from: number, end: number): number {
  if (from >= end) return -1;
  const i = buf.subarray(from, end).indexOf(byte);
  return i < 0 ? -1 : from + i;
}

/** Offset of the last `byte` in buf[from, end), or -1 (searching back from end - 1, so stale bytes are never seen). */
export function lastIndexOfByte(buf: Buffer, byte: number, from: number, end: number): number {
  if (from >= end) return -1;
  const i = buf.lastIndexOf(byte, end - 1);
  return i < from ? -1 : i;
}

/** How many `byte`s buf[from, end) holds (only on the rare paths: NUL bytes, lone CRs, located problems). */
export function countByte(buf: Uint8Array, byte: number, from: number, end: number): number {
  let count = 0;
  for (let i = from; i < end; i++) if (buf[i] === byte) count++;
  return count;
}

/** 1-based character column of `offset` in the line starting at lineStart: counts UTF-8 lead bytes ("é" is one). */
export function characterColumn(source: Uint8Array, lineStart: number, offset: number): number {
  let column = 1;
  for (let i = lineStart; i < offset; i++) if ((source[i] & 0xc0) !== 0x80) column++;
  return column;
}
