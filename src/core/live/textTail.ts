// Following a CSV, TSV or JSONL run file: the first read keeps the dialect and header (the reader's shape, the same
// one a second thread resumes from in parallel.ts); each later read parses only the complete lines appended since,
// from the byte after the last line feed read, and appends their rows. A line without its line feed is not yet data,
// nor is a record whose quoted field is still open after the last line feed (its writer may be between the lines of
// that field): it is held, and read from its start once its quote closes.
// A file that shrank or was replaced (another inode) is read again whole, as is one whose header cannot be resumed
// (a W&B panel export reshaped as it streams, columns left out) or whose first bytes changed (a header written over).
// A line ends in a LF, a CRLF or a lone CR (old Mac files), as a read of the file has it; a CR that ends the bytes
// written so far is held, since its LF may come with the next write (a CRLF split in two appends is one line end),
// until an update finds the file as it was: then it ends its line, and a LF written after it is that CR's.
// Memory: the rows, plus one read window.
import { stat, type FileHandle } from 'node:fs/promises';
import { CR, LF } from '../table/bytes';
import type { LineEndsSeen } from '../table/lineEnds';
import { describeFsError } from '../table/problems';
import { failedTable, readTable } from '../table/read';
import { ReadAhead } from '../table/stream';
import { DEFAULT_MAX_BYTES, pump, TableReader, tooLargeMessage, type ReadTableOptions } from '../table/tableReader';
import type { PartShape } from '../table/parallel';
import type { Table } from '../table/types';
import type { SourceRead } from '../sources';
import { bytesBefore, NotRegularFileError, openRegularFile } from '../sources/regularFile';
import { LiveTable } from './liveTable';
import {
  followable,
  notFollowableMessage,
  notFound,
  REPLACED_BY_STREAM,
  whatBecameOf,
  type Tail,
  type TailUpdate,
} from './tail';

/** The size a provisional read of a file that does not exist is kept under (no file has it). */
const MISSING = -1;
/** The same, of a path that cannot be followed (a FIFO, a device). */
const NOT_FOLLOWABLE = -2;

/**
 * Offsets of zeros read kept per file, at most: the first and last NUL of each read that dropped some (the latest
 * reads'), looked at again at each update, so a hole a writer fills in later (out of order, or over NFS) is read.
 */
const HOLE_MARKS = 16;

/** Bytes read per step when looking back from the end of the file for its last line feed. */
const BACK_STEP = 64 * 1024;
/** Bytes before the read end kept to tell a file rewritten in place (truncated, then written longer) from a grown one. */
const SEAM_BYTES = 64;
/**
 * The file's first bytes kept to tell a header written over in place (a writer restarted that truncates and writes
 * other column names of the same length): they are compared at each read of what was appended, and so is the whole
 * header record when it is longer (hundreds of columns, or a quoted name holding line breaks: to its last line).
 */
const HEAD_BYTES = 4096;
/**
 * The longest record held while its quote is open. Past it the quote is taken as a stray one and rejected, as a read
 * of the file rejects it, so one stray quote cannot hide the rows after it for long.
 */
const HELD_QUOTE_BYTES = 64 * 1024;

/** What is known of the file after a read: which file it was, and how far its complete lines were read. */
interface Position {
  ino: bigint;
  dev: bigint;
  /** Offset after the last line feed read, or where a held record starts: where the next read starts. */
  consumed: number;
  /** Bytes after `consumed` of a record held because its quote is still open (0: none): read, not yet data. */
  held: number;
  /** Lines in [0, consumed). */
  lines: number;
  /** How to parse the bytes after `consumed`; null: read the whole file again on a change. */
  shape: PartShape | null;
  /** The last bytes before `consumed` (up to SEAM_BYTES): other bytes there mean the file was rewritten, not grown. */
  seam: Buffer;
  /** Offsets before `consumed` that held a NUL byte when read (see HOLE_MARKS): other bytes there mean a hole filled. */
  holes: number[];
  /**
   * The first bytes of the file before `consumed`, up to HEAD_BYTES or the end of its header record (its last line,
   * when a quoted name holds line breaks) when that is further: other bytes there mean its header was rewritten.
   */
  head: Buffer;
  /** The line ends read in [0, consumed): the next part is read knowing them (a lone CR is no mix in a file of them). */
  lineEnds: LineEndsSeen;
  /** The size of the file when its last byte was a CR held (its LF may follow), else -1: see completeEnd. */
  crHeldAt: number;
  /** `consumed` follows a CR taken as a line end at the file's end: a LF next is its CRLF's, not a line of its own. */
  afterCr: boolean;
}

export class TextTail implements Tail {
  private position: Position | null = null;
  private table: LiveTable | null = null;
  /** Until a complete line is read: what a whole read of the file says (empty, unreadable), and the size it read. */
  private provisional: { table: Table; size: number } | null = null;
  /** What became of the file, as said (deleted, a folder in its place), while it is not there as a file: said once each. */
  private gone: string | null = null;
  /** A read of the followed file failed (permission removed): said once, and cleared by the next read that works. */
  private failed = false;
  /** The file grew past the size limit: said once, its rows before kept, nothing after read until it is read whole. */
  private tooLarge = false;
  private readonly file: string;

  constructor(
    readonly path: string,
    private readonly options: ReadTableOptions = {},
    /** What the source of a JSON Lines format of its own (a LLaMA-Factory or W&B history log) makes of the table. */
    private readonly asSource: (table: Table) => Table = (table) => table,
  ) {
    this.file = options.displayName ?? path;
  }

  current(): SourceRead {
    const table = this.table?.snapshot() ?? this.provisional?.table;
    return { tables: table === undefined ? [] : [this.asSource(table)], problems: [] };
  }

  async update(): Promise<TailUpdate> {
    const info = await stat(this.path, { bigint: true }).catch(() => null);
    // Never read and not there: what a read says of it (it does not exist), read again only once it is there.
    if (info === null && this.table === null) return this.readProvisional(MISSING);
    if (info !== null && !followable(info) && this.table === null) return this.notFollowable();
    if (info === null || !info.isFile()) return this.goneAs(whatBecameOf(info));
    this.gone = null;
    const at = this.position;
    const size = Number(info.size);
    let update: TailUpdate;
    if (at === null || at.shape === null || info.ino !== at.ino || info.dev !== at.dev || size < at.consumed)
      update = await this.readWhole(at === null ? 'read' : 'reread', size);
    // A hole filled in changes no size: a file read with zeros is looked at again.
    else if (size === at.consumed + at.held && at.holes.length === 0) return { change: 'unchanged', rows: 0, bytes: 0 };
    else update = await this.readAppended(at, at.shape, size);
    this.noteUnfinished(size);
    return update;
  }

  /** A last line without its line feed is not data yet: said, so a file finished without one loses no line unsaid. */
  private noteUnfinished(size: number): void {
    const at = this.position;
    // Bytes a failed read left unread are not an unfinished line.
    if (this.table === null || at === null || this.failed) return;
    if (size <= at.consumed) return this.table.clear('line-unfinished');
    const message =
      at.held > 0
        ? `the row from line ${at.lines + 1} on (${size - at.consumed} bytes) is in a quoted field not closed yet, so it is not read: a run may still be writing that field; it is read once its quote closes (close it if the file is finished)`
        : `the last line (${size - at.consumed} bytes) has no line end yet, so it is not read: a run may still be writing it; it is read once its line feed is written (add one if the file is finished; a last CR is held, as its LF may follow)`;
    this.table.note({ code: 'line-unfinished', severity: 'info', line: at.lines + 1, column: 1, message });
  }

  /**
   * The file is gone, or is no longer a file (`what` happened: a folder or a FIFO in its place is not "deleted"): the
   * rows read are kept, and the table says what happened, instead of how its last line ended.
   */
  private goneAs(what: string): TailUpdate {
    if (this.table === null || this.gone === what)
      return { change: this.table === null ? 'waiting' : 'unchanged', rows: 0, bytes: 0 };
    this.gone = what;
    this.position = null; // a file written there again is another file: read whole
    this.table.clear('line-unfinished');
    this.table.note({
      code: 'file-changed',
      severity: 'warning',
      line: 1,
      column: 1,
      message: `${this.file} ${what} while it was followed; the ${this.table.rowCount} rows read before are kept until it is written again`,
    });
    return { change: 'deleted', rows: 0, bytes: 0 };
  }

  /** Reads [0, last line feed] with a fresh reader, keeping its shape for the reads that follow. */
  private async readWhole(change: 'read' | 'reread', size: number): Promise<TailUpdate> {
    const read = await this.withFile(async (handle, info) => {
      const end = await completeEnd(handle, 0, Number(info.size), this.position?.crHeldAt === Number(info.size));
      if (end === 0) return null;
      const reader = new TableReader(this.file, this.path, this.heldOptions(), end);
      const nothing = Buffer.alloc(0);
      const cr = { crHeldAt: -1, afterCr: false };
      if (reader.refuseSize(end))
        return { reader, end, info, consumed: end, seam: nothing, head: nothing, holes: [], cr };
      const ends = await crEnds(handle, end, Number(info.size));
      const consumed = await parseLines(handle, reader, 0, end, ends.afterCr, this.file);
      const holes = await holesRead(handle, reader, 0, consumed, []);
      const headEnd = Math.max(HEAD_BYTES, await afterHeader(handle, reader.headerLastLine, consumed));
      const [seam, head] = [await seamBefore(handle, consumed), await headOf(handle, Math.min(headEnd, consumed))];
      return { reader, end, info, consumed, seam, head, holes, cr: ends };
    });
    if (read instanceof NotRegularFileError) return this.swapped();
    if ((read === null || read instanceof Error) && this.table === null) return this.readProvisional(size);
    if (read === null) return this.emptied(size);
    if (read instanceof Error) return this.unreadable(read);
    const { reader, end, info, consumed, seam, head, holes, cr } = read;
    const lines = reader.part().linesConsumed;
    const shape = reader.shape();
    const table = reader.result();
    // The header itself is held (a quoted name with a line break, cut): no complete line yet.
    if (consumed < end && table.headerLine === 0)
      return this.table === null ? this.readProvisional(size) : this.emptied(size);
    this.table = new LiveTable(table, reader.part().columns);
    this.tooLarge = false;
    this.failed = false;
    this.provisional = null;
    const lineEnds = reader.lineEndsSeen;
    const [ino, dev, held] = [info.ino, info.dev, end - consumed];
    this.position = { ino, dev, consumed, held, lines, shape, seam, head, holes, lineEnds, ...cr };
    return { change, rows: this.table.rowCount, bytes: end };
  }

  /**
   * The file was cut to no complete line (truncated, to be written again): the rows read before are kept and the
   * table says so; the next update reads it whole, so what is written after the cut is never read from the old offset.
   */
  private emptied(size: number): TailUpdate {
    if (this.position === null) return { change: 'unchanged', rows: 0, bytes: 0 };
    this.position = null;
    this.table!.note({
      code: 'file-changed',
      severity: 'warning',
      line: 1,
      column: 1,
      message: `${this.file} was truncated to ${size} bytes while it was followed; the ${this.table!.rowCount} rows read before are kept until it holds complete lines again`,
    });
    return { change: 'reread', rows: 0, bytes: 0 };
  }

  /** The file holds other bytes where the last read ended or held zeros (rewritten in place): read again whole. */
  private async rewritten(size: number, where: string): Promise<TailUpdate> {
    this.position = null;
    const update = await this.readWhole('reread', size);
    this.table?.note({
      code: 'file-changed',
      severity: 'info',
      line: 1,
      column: 1,
      message: `${this.file} was rewritten while it was followed (${where}); it was read again whole`,
    });
    return update;
  }

  /** Parses the complete lines in [consumed, size) as a later part of the file and appends their rows. */
  private async readAppended(at: Position, shape: PartShape, size: number): Promise<TailUpdate> {
    const max = this.options.maxBytes ?? DEFAULT_MAX_BYTES;
    // Over the limit as a whole file, as a read of it refuses it (a part's own limit is only what is left of it).
    if (size > max) return this.refused(size, max);
    const read = await this.withFile(async (handle) => {
      if (!(await seamBefore(handle, at.consumed)).equals(at.seam)) return 'rewritten' as const;
      if (!(await headOf(handle, at.head.length)).equals(at.head)) return 'header' as const;
      if (!(await stillZeros(handle, at.holes))) return 'filled' as const;
      // The LF of a CRLF whose CR ended the last read: read as that line's end (the part starts after it).
      const afterCr = at.afterCr && at.held === 0 && (await byteAt(handle, at.consumed)) === LF;
      const from = afterCr ? at.consumed + 1 : at.consumed;
      const end = await completeEnd(handle, from, size, at.crHeldAt === size);
      const cr = await crEnds(handle, end, size);
      // No line end since the last read (the LF of a CRLF alone is one already read: passed over).
      if (end <= from + at.held) return { ...cr, consumed: from, seam: await seamBefore(handle, from) };
      // Numbered from the file's line where the part starts: a problem's message names its line as its location does.
      const maxBytes = max - at.consumed;
      const options = { ...this.heldOptions(), maxBytes, firstLine: at.lines + 1, lineEndsBefore: at.lineEnds };
      const reader = new TableReader(this.file, this.path, options, end - from, shape);
      const consumed = await parseLines(handle, reader, from, end, cr.afterCr, this.file);
      const holes = await holesRead(handle, reader, from, consumed, at.holes);
      return { reader, from, end, consumed, seam: await seamBefore(handle, consumed), holes, cr };
    });
    if (!(read instanceof Error) && typeof read === 'object' && 'crHeldAt' in read) {
      this.position = { ...at, ...read };
      return { change: 'unchanged', rows: 0, bytes: 0 };
    }
    if (read === 'rewritten') return this.rewritten(size, 'the bytes where the last read ended changed');
    if (read === 'header') return this.rewritten(size, 'its first bytes, its header, changed');
    if (read === 'filled')
      return this.rewritten(size, 'bytes of zeros it had read, a hole its writer left, were written over');
    if (read instanceof NotRegularFileError) return this.swapped();
    if (read instanceof Error) return this.unreadable(read);
    const { reader, from, end, consumed, seam, holes, cr } = read;
    const lines = reader.part().linesConsumed;
    const part = reader.result();
    this.table!.append(part, reader.part().columns);
    if (this.failed) this.table!.clear('file-read-failed');
    this.failed = false;
    // The header written again in another order is the order of the rows after it: the next part is read in it.
    const next = reader.shape() ?? shape;
    const lineEnds = reader.lineEndsSeen;
    const held = end - consumed;
    this.position = { ...at, consumed, held, lines: at.lines + lines, shape: next, seam, holes, lineEnds, ...cr };
    return { change: 'appended', rows: part.rowCount, bytes: end - from };
  }

  /**
   * The file grew past the size limit: said once (an error, as a read of it says), its rows read before kept; what
   * it appends is not read (the limit bounds memory), until it is rewritten smaller and read whole.
   */
  private refused(size: number, max: number): TailUpdate {
    if (this.tooLarge) return { change: 'unchanged', rows: 0, bytes: 0 };
    this.tooLarge = true;
    this.table!.note({
      code: 'file-too-large',
      severity: 'error',
      line: 1,
      column: 1,
      message: `${tooLargeMessage(this.file, size, max)}; the ${this.table!.rowCount} rows read before are kept, and what it appends is not read`,
    });
    return { change: 'appended', rows: 0, bytes: 0 };
  }

  /**
   * No complete line yet, or the file cannot be read, and no rows were: the table is what `fit` says of the file as
   * it is (empty, unreadable), read again only when its size changes; the next complete line starts the tail.
   */
  private async readProvisional(size: number): Promise<TailUpdate> {
    if (this.provisional?.size === size) return { change: 'unchanged', rows: 0, bytes: 0 };
    // Not there: said without an open, which a FIFO made there since the stat would hold for good.
    const table =
      size === MISSING
        ? failedTable(this.file, this.path, 'file-unreadable', notFound(this.file).message)
        : await readTable(this.path, { ...this.options, regularOnly: () => notFollowableMessage(this.file) });
    this.provisional = { table, size };
    return { change: 'waiting', rows: 0, bytes: 0 };
  }

  /** The stat saw a file, the open found something else there (a FIFO swapped in): as the stat would have said. */
  private swapped(): TailUpdate {
    return this.table === null ? this.notFollowable() : this.goneAs(REPLACED_BY_STREAM);
  }

  /** Never read, and a FIFO, a device or a socket: said once, never opened (see followable). */
  private notFollowable(): TailUpdate {
    if (this.provisional?.size === NOT_FOLLOWABLE) return { change: 'unchanged', rows: 0, bytes: 0 };
    const table = failedTable(this.file, this.path, 'file-unreadable', notFollowableMessage(this.file));
    this.provisional = { table, size: NOT_FOLLOWABLE };
    return { change: 'waiting', rows: 0, bytes: 0 };
  }

  /**
   * Nothing complete to read yet, or the file could not be read (kept for the next update to try again). A failure
   * after rows were read is said once, as a change (so it is shown, not left for the next append to reveal), and
   * stands until a read works again.
   */
  private unreadable(error: Error | null): TailUpdate {
    if (error === null || this.table === null || this.failed)
      return { change: this.table === null ? 'waiting' : 'unchanged', rows: 0, bytes: 0 };
    this.failed = true;
    this.table.clear('line-unfinished');
    this.table.note({ code: 'file-read-failed', severity: 'error', line: 1, column: 1, message: error.message });
    return { change: 'appended', rows: 0, bytes: 0 };
  }

  /** The read options, holding a record whose quote is still open at the end of the lines read. */
  private heldOptions(): ReadTableOptions {
    return { ...this.options, holdOpenQuote: HELD_QUOTE_BYTES };
  }

  private async withFile<T>(
    use: (handle: FileHandle, info: { ino: bigint; dev: bigint; size: bigint }) => Promise<T>,
  ): Promise<T | Error> {
    let handle: FileHandle;
    try {
      // Opened without waiting on a FIFO and checked by its descriptor: the stat before may be of another file, since
      // the path can be swapped for a FIFO in between (its open() waited for a writer: `watch` hung).
      handle = await openRegularFile(this.path, this.file, () => notFollowableMessage(this.file));
    } catch (error) {
      return error instanceof NotRegularFileError ? error : new Error(describeFsError(error, this.file));
    }
    try {
      return await use(handle, await handle.stat({ bigint: true }));
    } catch (error) {
      return new Error(describeFsError(error, this.file));
    } finally {
      await handle.close();
    }
  }
}

/** The file's first `end` bytes. */
async function headOf(handle: FileHandle, end: number): Promise<Buffer> {
  const buf = Buffer.alloc(end);
  const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
  return buf.subarray(0, bytesRead);
}

/**
 * Offset after the end of line `line` (the header's last, 1-based), read forwards up to `limit`: a LF, a CRLF or a
 * lone CR; 0 for no header (JSON Lines). Read once per whole read, so each later read compares the header whole.
 */
async function afterHeader(handle: FileHandle, line: number, limit: number): Promise<number> {
  if (line <= 0) return 0;
  let left = line;
  const buf = Buffer.allocUnsafe(Math.min(BACK_STEP, Math.max(1, limit)));
  for (let start = 0; left > 0 && start < limit;) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, limit - start), start);
    if (bytesRead === 0) break;
    const bytes = buf.subarray(0, bytesRead);
    let next = bytesRead;
    for (let from = 0; ;) {
      const [lf, cr] = [bytes.indexOf(LF, from), bytes.indexOf(CR, from)];
      if (lf < 0 && cr < 0) break;
      let end = lf < 0 || (cr >= 0 && cr < lf) ? cr : lf;
      if (end === cr && end + 1 === bytesRead && end > 0 && start + bytesRead < limit) {
        next = end; // its LF, if any, is the next chunk's first byte: read again from the CR
        break;
      }
      if (end === cr && bytes[end + 1] === LF) end++;
      if (--left === 0) return start + end + 1;
      from = end + 1;
    }
    start += next;
  }
  return 0;
}

/** The up to SEAM_BYTES bytes before `end`. */
function seamBefore(handle: FileHandle, end: number): Promise<Buffer> {
  return bytesBefore(handle, end, SEAM_BYTES);
}

/**
 * The hole marks after a read of [from, to): the earlier ones and, when the read dropped NUL bytes, the offsets of the
 * first and the last NUL in the range (the latest HOLE_MARKS kept: a file of many holes costs as many reads, no more).
 */
async function holesRead(
  handle: FileHandle,
  reader: TableReader,
  from: number,
  to: number,
  before: number[],
): Promise<number[]> {
  if (reader.nulBytes === 0) return before;
  const first = await nextByte(handle, 0, from, to);
  if (first < 0) return before;
  const last = await afterBytes(handle, 0, first, to, 1);
  return [...before, first, last - 1].slice(-HOLE_MARKS);
}

/** Whether each offset still holds a zero byte. */
async function stillZeros(handle: FileHandle, offsets: readonly number[]): Promise<boolean> {
  const byte = Buffer.alloc(1);
  for (const offset of offsets) {
    const { bytesRead } = await handle.read(byte, 0, 1, offset);
    if (bytesRead === 1 && byte[0] !== 0) return false;
  }
  return true;
}

/** Offset of the first `byte` in [from, to), or -1. */
async function nextByte(handle: FileHandle, byte: number, from: number, to: number): Promise<number> {
  const buf = Buffer.allocUnsafe(Math.min(BACK_STEP, Math.max(1, to - from)));
  for (let start = from; start < to; start += buf.length) {
    const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, to - start), start);
    const at = buf.subarray(0, bytesRead).indexOf(byte);
    if (at >= 0) return start + at;
    if (bytesRead === 0) break;
  }
  return -1;
}

/**
 * Offset after the last line end in [from, size), or `from` when there is none: the end of the complete lines. A CR
 * that is the last byte is one only when `crAtEnd` (the file was found so at the last update too): else the LF of its
 * CRLF may be written next.
 */
export function completeEnd(handle: FileHandle, from: number, size: number, crAtEnd = false): Promise<number> {
  return afterLineEnds(handle, from, size, 1, crAtEnd);
}

/** The byte at `offset`, or -1 past the end. */
async function byteAt(handle: FileHandle, offset: number): Promise<number> {
  const byte = Buffer.alloc(1);
  const { bytesRead } = await handle.read(byte, 0, 1, offset);
  return bytesRead === 1 ? byte[0] : -1;
}

/** How the complete lines ending at `end` of a file of `size` bytes stand with a CR: held after them, or ending them. */
async function crEnds(handle: FileHandle, end: number, size: number): Promise<{ crHeldAt: number; afterCr: boolean }> {
  const last = size > 0 ? await byteAt(handle, size - 1) : -1;
  if (last !== CR) return { crHeldAt: -1, afterCr: false };
  return end < size ? { crHeldAt: size, afterCr: false } : { crHeldAt: -1, afterCr: true };
}

/**
 * Parses the complete lines [from, end) into the reader; returns where the record it held (its quote still open)
 * starts, or `end` when it held none. A CR taken as a line end at the file's end (`afterCr`) is left out, read as the
 * end of the bytes: taken for a lone CR, it was said to mix line ends with the LF its CRLF was finished with later.
 */
async function parseLines(
  handle: FileHandle,
  reader: TableReader,
  from: number,
  end: number,
  afterCr: boolean,
  file: string,
): Promise<number> {
  const parsed = afterCr ? end - 1 : end;
  await pump(reader, new ReadAhead(handle, reader.chunkSize, from, parsed), file);
  if (!reader.done) reader.push(0); // the range ended at a line end: its last record is complete
  const lines = reader.heldLines;
  // The held record ends at the range's last line end (or at its end) and spans `lines` of them: it starts after the
  // one before.
  return lines === 0 ? end : afterLineEnds(handle, from, parsed, lines + 1, true);
}

/**
 * Offset after the `count`th line end counted back from `size` in [from, size), or `from` when there are fewer: a LF,
 * or a CR not followed by one (a CRLF is one line end, at its LF). A CR that is the range's last byte is one only when
 * `crAtEnd` (the range ends at a line end); else its LF may follow.
 */
async function afterLineEnds(
  handle: FileHandle,
  from: number,
  size: number,
  count: number,
  crAtEnd: boolean,
): Promise<number> {
  let left = count;
  /** The byte after the chunk being looked at: -1 past the range's end. */
  let after = -1;
  for await (const { start, bytes } of backwardChunks(handle, from, size)) {
    // Each searched for once per hit (a file of LFs has no CR: one search of the chunk for it, not one per line).
    let [lf, cr] = [lastBefore(bytes, LF, bytes.length), lastBefore(bytes, CR, bytes.length)];
    while (lf >= 0 || cr >= 0) {
      const at = Math.max(lf, cr);
      const next = at + 1 < bytes.length ? bytes[at + 1] : after;
      const ends = at === lf || (next === -1 ? crAtEnd : next !== LF);
      if (ends && --left === 0) return start + at + 1;
      if (at === lf) lf = lastBefore(bytes, LF, at);
      else cr = lastBefore(bytes, CR, at);
    }
    after = bytes.length > 0 ? bytes[0] : after;
  }
  return from;
}

/**
 * The bytes of [from, size) read backwards in chunks of BACK_STEP, each with its offset (one buffer, reused: a chunk
 * is read before the next is asked for).
 */
async function* backwardChunks(
  handle: FileHandle,
  from: number,
  size: number,
): AsyncGenerator<{ start: number; bytes: Buffer }> {
  const buf = Buffer.allocUnsafe(Math.min(BACK_STEP, Math.max(1, size - from)));
  for (let end = size; end > from;) {
    const start = Math.max(from, end - buf.length);
    const { bytesRead } = await handle.read(buf, 0, end - start, start);
    yield { start, bytes: buf.subarray(0, bytesRead) };
    end = start;
  }
}

/** The last `byte` in bytes[0, before), or -1. */
function lastBefore(bytes: Buffer, byte: number, before: number): number {
  return before <= 0 ? -1 : bytes.lastIndexOf(byte, before - 1);
}

/** Offset after the `count`th `byte` counted back from `size` in [from, size), or `from` when there are fewer. */
async function afterBytes(
  handle: FileHandle,
  byte: number,
  from: number,
  size: number,
  count: number,
): Promise<number> {
  let left = count;
  for await (const { start, bytes } of backwardChunks(handle, from, size))
    for (let at = lastBefore(bytes, byte, bytes.length); at >= 0; at = lastBefore(bytes, byte, at))
      if (--left === 0) return start + at + 1;
  return from;
}
