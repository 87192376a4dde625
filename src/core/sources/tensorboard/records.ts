// TFRecord framing, read from disk in chunks by position: u64 little-endian length, u32 masked CRC-32C of those 8
// bytes, the data, u32 masked CRC-32C of the data. Every record's two CRCs are checked. A record whose data CRC fails
// is skipped by its (checked) length; a header whose CRC fails is not trusted, so the reader scans forward byte by
// byte for the next valid header. A record cut short at the end is a writer still running: it stays unconsumed and
// the read says where it starts, so a later read resumes there. Memory is one chunk (or the largest record).
import type { FileHandle } from 'node:fs/promises';
import { describeFsError } from '../../table/problems';
import { NotRegularFileError, openRegularFile } from '../regularFile';
import { crc32cOf, maskCrc, maskedCrc32c8, viewOf } from './crc32c';

/** Bytes read per positional read. */
const CHUNK_BYTES = 4 << 20;
/** The smallest window (a file still written grows past the size it had when its read began: the window doubles). */
const MIN_WINDOW_BYTES = 4 << 10;
/** Records longer than this are skipped unread (graphs of huge models); no scalar summary comes near it. */
export const MAX_RECORD_BYTES = 64 << 20;
export const HEADER_BYTES = 12;
export const FOOTER_BYTES = 4;

export interface RecordVisitor {
  /** One record whose CRCs match: its data is bytes[start, end), valid only during the call. */
  record(bytes: Uint8Array, start: number, end: number, offset: number): void;
  /** A record that cannot be read: where it starts in the file, and why. */
  corrupt(offset: number, reason: string): void;
}

export interface RecordsRead {
  /** The offset of the first byte not consumed: the end of the last whole record (or of the file when the tail was garbage). */
  end: number;
  /** Whole records handed to the visitor. */
  records: number;
  /** A record cut short at the end of the file (a writer still running): where it starts and how many bytes it has. */
  partial: { offset: number; bytes: number } | null;
  /** The file could not be opened or read: a message for the user; records before the failure were handed over. */
  error?: string;
}

/**
 * A window on the file: the bytes [base, base + length) are in `bytes`. It starts at the size of what there is to read
 * (up to CHUNK_BYTES) and doubles as the file proves longer: a run of 5,000 small event files allocated (and zeroed)
 * 4 MiB for each, 20 GB in all, and took 25 s for 3 MB of records.
 */
class Window {
  bytes: Uint8Array;
  /** The same bytes as 32-bit words and floats (the CRC loop and the lengths read through it). */
  view: DataView;
  base = 0;
  length = 0;
  eof = false;
  private reads = 0;

  constructor(
    private readonly handle: FileHandle,
    capacity: number,
  ) {
    this.bytes = new Uint8Array(capacity);
    this.view = viewOf(this.bytes);
  }

  /** Whether `need` bytes from `at` are in the window (sync: the hot loop awaits only when they are not). */
  holds(at: number, need: number): boolean {
    return at >= this.base && at + need <= this.base + this.length;
  }

  /** Bytes available from `at` after reading up to `need` of them (fewer at the end of the file). */
  async fill(at: number, need: number): Promise<number> {
    if (!this.holds(at, need)) await this.read(at, need);
    return Math.max(0, Math.min(need, this.base + this.length - at));
  }

  private async read(at: number, need: number): Promise<void> {
    const keep = at >= this.base && at < this.base + this.length ? this.base + this.length - at : 0;
    // Read past the window's first fill, the file is longer than it was sized for: double it, up to CHUNK_BYTES.
    const wanted = this.reads++ > 0 ? Math.min(CHUNK_BYTES, this.bytes.length * 2) : 0;
    if (need > this.bytes.length || wanted > this.bytes.length) {
      const grown = new Uint8Array(Math.max(need, wanted, need > this.bytes.length ? this.bytes.length * 2 : 0));
      grown.set(this.bytes.subarray(at - this.base, at - this.base + keep));
      this.bytes = grown;
      this.view = viewOf(grown);
    } else if (keep > 0) this.bytes.copyWithin(0, at - this.base, at - this.base + keep);
    this.base = at;
    this.length = keep;
    this.eof = false;
    while (this.length < need) {
      const { bytesRead } = await this.handle.read(
        this.bytes,
        this.length,
        this.bytes.length - this.length,
        at + this.length,
      );
      if (bytesRead === 0) {
        this.eof = true;
        return;
      }
      this.length += bytesRead;
    }
  }
}

/**
 * The masked CRC of a header whose length is below 2^32, by the length's low byte: the length and its CRC. A file's
 * records have a few lengths, so the CRC of nearly every header is one already computed for the same eight bytes.
 * Every entry is true (filled for the lengths 0-255 first), so a lookup needs no empty mark.
 */
const headerLengths = Uint32Array.from({ length: 256 }, (_, k) => k);
const headerCrcs = Uint32Array.from(headerLengths, (length) => maskedHeaderCrc(length));

function maskedHeaderCrc(length: number): number {
  const header = new Uint8Array(8);
  viewOf(header).setUint32(0, length, true);
  return maskedCrc32c8(viewOf(header), 0);
}

/** Whether a valid header (length and its CRC) starts at offset `o` of the view. */
export function headerValid(view: DataView, o: number): boolean {
  const stored = view.getUint32(o + 8, true);
  if (view.getUint32(o + 4, true) !== 0) return maskedCrc32c8(view, o) === stored;
  const length = view.getUint32(o, true);
  const slot = length & 0xff;
  if (headerLengths[slot] !== length) {
    headerLengths[slot] = length;
    headerCrcs[slot] = maskedCrc32c8(view, o);
  }
  return headerCrcs[slot] === stored;
}

/** The u64 length of the header at `o` (exact below 2^53). */
export function recordLength(view: DataView, o: number): number {
  return view.getUint32(o, true) + view.getUint32(o + 4, true) * 2 ** 32;
}

/** Whether the data [d, d + length) matches the masked CRC stored right after it. */
export function dataValid(view: DataView, d: number, length: number): boolean {
  return maskCrc(crc32cOf(view, d, d + length)) === view.getUint32(d + length, true);
}

/**
 * Reads the records of a file from byte `from` to its current end, or only those that start before `stopAt` (the
 * first part of a read in two: `end` is then where the next record starts, at or after `stopAt`). Never throws.
 */
export async function readRecords(
  path: string,
  from: number,
  visitor: RecordVisitor,
  stopAt = Number.POSITIVE_INFINITY,
): Promise<RecordsRead> {
  let handle: FileHandle;
  try {
    // A FIFO or a device among a run's event files would block the read or never end it.
    handle = await openRegularFile(path);
  } catch (error) {
    const message = error instanceof NotRegularFileError ? error.message : describeFsError(error, path);
    return { end: from, records: 0, partial: null, error: message };
  }
  const result: RecordsRead = { end: from, records: 0, partial: null };
  try {
    await readFrom(handle, from, visitor, result, stopAt);
  } catch (error) {
    result.error = describeFsError(error, path);
  } finally {
    await handle.close().catch(() => undefined);
  }
  return result;
}

async function readFrom(
  handle: FileHandle,
  from: number,
  visitor: RecordVisitor,
  result: RecordsRead,
  stopAt: number,
): Promise<void> {
  const size = Number((await handle.stat()).size);
  const win = new Window(handle, Math.min(CHUNK_BYTES, Math.max(MIN_WINDOW_BYTES, size - from)));
  let at = from;
  for (;;) {
    at = consumeWindow(win, at, visitor, result, stopAt);
    if (at >= stopAt) break;
    // The record at `at` is not wholly in the window, or its header is bad, or it is huge: the slow path.
    if (!win.holds(at, HEADER_BYTES)) {
      const got = await win.fill(at, HEADER_BYTES);
      if (got === 0) break;
      if (got < HEADER_BYTES) {
        result.partial = { offset: at, bytes: got };
        break;
      }
    }
    const o = at - win.base;
    if (!headerValid(win.view, o)) {
      const next = await resync(win, at + 1);
      // How far the read jumps is said: a region overwritten (or a file that only has an event file's name) can
      // hide megabytes behind one bad header.
      visitor.corrupt(
        at,
        next === null
          ? `its length field fails its CRC check, and no record follows it: the ${win.base + win.length - at} bytes from it to the end of the file are skipped`
          : `its length field fails its CRC check; the next record header is ${next - at} bytes on, at byte ${next}`,
      );
      if (next === null) {
        // No valid header to the end: the tail is garbage, except its last bytes, which may begin a header.
        at = Math.max(at, win.base + win.length - (HEADER_BYTES - 1));
        break;
      }
      at = next;
      continue;
    }
    const length = recordLength(win.view, o);
    const total = HEADER_BYTES + length + FOOTER_BYTES;
    if (length > MAX_RECORD_BYTES) {
      const size = (await handle.stat()).size;
      if (at + total > size) {
        const next = await beyondEnd(win, at, length, size, visitor);
        if (next === null) {
          result.partial = { offset: at, bytes: size - at };
          break;
        }
        at = next;
        continue;
      }
      visitor.corrupt(
        at,
        `it holds ${length} bytes, over the ${MAX_RECORD_BYTES >> 20} MiB read for one record; skipped`,
      );
      at += total;
      continue;
    }
    // Not wholly in the window: read it in (consumeWindow then takes it), or it is cut short at the end.
    const got = await win.fill(at, total);
    if (got < total) {
      const next = await beyondEnd(win, at, length, at + got, visitor);
      if (next === null) {
        result.partial = { offset: at, bytes: got };
        break;
      }
      at = next;
    }
  }
  result.end = at;
}

/**
 * A header at `at` whose length runs past the end of the file (`size`): a record still being written when nothing
 * whole follows it, else a corrupt length (a valid-CRC header claiming 2^60 bytes in the middle of a file). Then it
 * is reported and the read goes on from the next whole record, whose offset is returned; null for a partial record.
 */
async function beyondEnd(
  win: Window,
  at: number,
  length: number,
  size: number,
  visitor: RecordVisitor,
): Promise<number | null> {
  const next = await nextWholeRecord(win, at + 1);
  if (next === null) return null;
  const left = Math.max(0, size - at - HEADER_BYTES);
  visitor.corrupt(
    at,
    `its length field claims ${length > Number.MAX_SAFE_INTEGER ? 'over 2^53' : length} bytes, only ${left} follow, and whole records follow from byte ${next}; read on from there`,
  );
  return next;
}

/** The offset of the next whole record (both CRCs valid, wholly in the file) at or after `from`, or null. */
async function nextWholeRecord(win: Window, from: number): Promise<number | null> {
  for (let at = from; ; at++) {
    const next = await resync(win, at);
    if (next === null) return null;
    const length = recordLength(win.view, next - win.base);
    const total = HEADER_BYTES + length + FOOTER_BYTES;
    if (length <= MAX_RECORD_BYTES && (await win.fill(next, total)) === total) {
      if (dataValid(win.view, next - win.base + HEADER_BYTES, length)) return next;
    }
    at = next;
  }
}

/**
 * The records wholly in the window from `at`, handed to the visitor; returns where it stopped. Synchronous and
 * separate from the async loop, whose locals live in a generator context that is slower to reach.
 */
function consumeWindow(win: Window, at: number, visitor: RecordVisitor, result: RecordsRead, stopAt: number): number {
  const { bytes, view, base } = win;
  // Offsets within the window and lengths below MAX_RECORD_BYTES are small integers: the loop keeps to int32 math
  // (a length is read whole, as a double, only by the slow path).
  const limit = win.length;
  const end = Math.min(limit, stopAt - base);
  let o = at - base;
  while (o + HEADER_BYTES <= limit && o < end) {
    if (!headerValid(view, o)) break;
    // The high word is 0 for any length the fast path takes; a larger one goes to the slow path.
    const length = view.getUint32(o + 4, true) === 0 ? view.getInt32(o, true) : -1;
    if (length < 0 || length > MAX_RECORD_BYTES) break;
    const d = o + HEADER_BYTES;
    const next = d + length + FOOTER_BYTES;
    if (next > limit) break;
    if (!dataValid(view, d, length)) visitor.corrupt(base + o, 'its data fails its CRC check');
    else {
      visitor.record(bytes, d, d + length, base + o);
      result.records++;
    }
    o = next;
  }
  return base + o;
}

/** The offset of the next valid header at or after `from`, or null when there is none before the end. */
async function resync(win: Window, from: number): Promise<number | null> {
  for (let at = from; ; at++) {
    if (!win.holds(at, HEADER_BYTES) && (await win.fill(at, HEADER_BYTES)) < HEADER_BYTES) return null;
    if (headerValid(win.view, at - win.base)) return at;
  }
}
