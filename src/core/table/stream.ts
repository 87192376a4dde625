// Bytes in, chunk by chunk. ChunkWindow is the reused read buffer: bytes are read into its free tail, a parser
// consumes whole records from the front, and the unconsumed partial record is moved to the front before the next
// read. It only grows when one record is larger than it, so memory stays at about one chunk whatever the file size.
// ReadAhead keeps file reads in flight while the parser works.

import type { FileHandle } from 'node:fs/promises';

/** A format parser fed by the window. */
export interface ChunkParser {
  /**
   * Parses complete records in buf[start, end) and returns where the first incomplete one starts (end when all
   * were used). With eof, everything left is final: a last line without a newline is still a record.
   */
  consume(buf: Buffer, start: number, end: number, eof: boolean): number;
}

export class ChunkWindow {
  buffer: Buffer;
  /** Bytes of buffer[0, filled) hold unconsumed data. */
  filled = 0;

  constructor(private readonly chunkSize: number) {
    // Twice the chunk: a whole chunk still fits after the partial record carried over from the last one.
    this.buffer = Buffer.allocUnsafe(chunkSize * 2);
  }

  /** Where the next read goes: at most one chunk, after the data already held (growing when full). */
  target(): { offset: number; length: number } {
    if (this.filled === this.buffer.length) {
      const bigger = Buffer.allocUnsafe(this.buffer.length * 2);
      this.buffer.copy(bigger, 0, 0, this.filled);
      this.buffer = bigger;
    }
    return { offset: this.filled, length: Math.min(this.chunkSize, this.buffer.length - this.filled) };
  }

  /** Drops the first `consumed` bytes, keeping the rest at the front. */
  discard(consumed: number): void {
    if (consumed === 0) return;
    this.buffer.copy(this.buffer, 0, consumed, this.filled);
    this.filled -= consumed;
  }
}

/** Slots of a range's control (a BigInt64Array on shared memory): its end, and how far reads have been issued. */
export const RANGE_LIMIT = 0;
export const RANGE_ISSUED = 1;

/**
 * Reads a file in chunks with the next two reads already in flight, so thread-pool latency (large on a busy
 * machine) overlaps parsing instead of adding to it. Reads use explicit positions, so they cannot reorder.
 * A range [start, end) reads one part of the file (see parallel.ts); `cut` then tells its end from the file's.
 * With a `control`, the end can be moved down by another thread while reading (it takes the rest): reads are never
 * issued, nor bytes delivered, past control[RANGE_LIMIT], and control[RANGE_ISSUED] says how far reads went.
 */
export class ReadAhead {
  private readonly buffers: [Buffer, Buffer];
  private readonly reads: [Promise<number>, Promise<number>];
  /** Bytes asked for by each buffer's read (a shorter answer means the file ended there), and where it read. */
  private readonly asked: [number, number] = [0, 0];
  private readonly offsets: [number, number] = [0, 0];
  /** The buffer being drained, and its unread bytes [start, end). end -1: nothing awaited yet. */
  private active = 0;
  private start = 0;
  private end = -1;
  private position: number;
  private lastRead = false;
  /** True once the range ended before the file did: no more bytes here, but this is not the end of the data. */
  cut = false;

  constructor(
    private readonly handle: FileHandle,
    private readonly chunkSize: number,
    from = 0,
    private readonly until = Infinity,
    private readonly control: BigInt64Array | null = null,
  ) {
    this.position = from;
    this.buffers = [Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize)];
    this.reads = [this.issue(0), this.issue(1)];
  }

  /** Copies up to `length` bytes into target at offset; returns 0 at the end of the file or of the range. */
  async read(target: Buffer, offset: number, length: number): Promise<number> {
    if (this.start === this.end || this.end < 0) {
      if (this.lastRead) return 0;
      if (this.end >= 0) {
        this.reads[this.active] = this.issue(this.active);
        this.active ^= 1;
      }
      this.end = await this.reads[this.active];
      this.start = 0;
      this.lastRead = this.end < this.asked[this.active]; // a short read of a regular file is its end
      if (this.end === 0) {
        this.lastRead = true;
        this.cut = this.asked[this.active] === 0;
        return 0;
      }
    }
    const stop = Math.min(this.end, this.limit() - this.offsets[this.active]);
    if (stop <= this.start) {
      // Another thread took the rest of the range.
      this.lastRead = true;
      this.cut = true;
      return 0;
    }
    const n = Math.min(length, stop - this.start);
    this.buffers[this.active].copy(target, offset, this.start, this.start + n);
    this.start += n;
    return n;
  }

  /** Where the range ends now. */
  private limit(): number {
    return this.control === null ? this.until : Math.min(this.until, Number(Atomics.load(this.control, RANGE_LIMIT)));
  }

  private issue(index: number): Promise<number> {
    const at = this.position;
    const length = Math.max(0, Math.min(this.chunkSize, this.limit() - at));
    this.asked[index] = length;
    this.offsets[index] = at;
    this.position += length;
    if (this.control !== null) Atomics.store(this.control, RANGE_ISSUED, BigInt(this.position));
    if (length === 0) return Promise.resolve(0);
    const read = this.handle.read(this.buffers[index], 0, length, at).then((r) => r.bytesRead);
    read.catch(() => undefined); // a read still in flight when reading stops early must not be an unhandled rejection
    return read;
  }
}
