// Whether an open document's text is the file on disk (the editor reloaded it, or it was saved), so the file's
// follower may analyse it. Compared a chunk at a time — a slice of the text encoded, the same bytes of the file read —
// so the server's thread is never held for a whole large file (hovers keep answering between chunks), memory stays at
// two chunk buffers whatever the file's size, and a difference stops the comparison where it is found.
import type { FileHandle } from 'node:fs/promises';
import { openRegularFile } from '../core/sources/regularFile';

/** UTF-16 units of text compared per step (at most 3 bytes of UTF-8 each). */
const CHUNK_UNITS = 1 << 20;

/**
 * True when the file at `path` holds exactly `text` in UTF-8 and the text ends in a line feed (a follower leaves an
 * unfinished last line out, where the text's own analysis reads it). A file that cannot be read is not the text.
 */
export async function textIsOnDisk(path: string, text: string, chunkUnits = CHUNK_UNITS): Promise<boolean> {
  if (!text.endsWith('\n')) return false;
  // Not waiting on a FIFO put in the file's place (its open waited for a writer for good): it is not the text.
  const handle = await openRegularFile(path).catch(() => null);
  if (handle === null) return false;
  try {
    const info = await handle.stat();
    // UTF-8 takes 1 to 3 bytes per UTF-16 unit: a size outside that range rules the file out without reading it.
    if (!info.isFile() || info.size < text.length || info.size > 3 * text.length) return false;
    const end = await sameBytes(handle, text, chunkUnits);
    return end === info.size;
  } catch {
    return false;
  } finally {
    await handle.close();
  }
}

/** Bytes of the file that match the text's encoding when all of it matches, else -1. */
async function sameBytes(handle: FileHandle, text: string, chunkUnits: number): Promise<number> {
  const encoder = new TextEncoder();
  const encoded = new Uint8Array(3 * chunkUnits + 1);
  const disk = Buffer.allocUnsafe(encoded.length);
  let at = 0;
  for (let from = 0; from < text.length;) {
    let to = Math.min(text.length, from + chunkUnits);
    // A surrogate pair is never split between chunks: its halves apart would encode as two replacement characters.
    if (to < text.length && isHighSurrogate(text.charCodeAt(to - 1))) to++;
    const { written } = encoder.encodeInto(text.slice(from, to), encoded);
    const { bytesRead } = await handle.read(disk, 0, written, at);
    if (bytesRead !== written || disk.compare(encoded, 0, written, 0, written) !== 0) return -1;
    at += written;
    from = to;
  }
  return at;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}
