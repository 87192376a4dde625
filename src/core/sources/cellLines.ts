// The shells' side of Finding.cell for files read from disk (the CLI's, the server's unopened files): the lines of
// the findings' cells, read from their files, so each finding shows its character column as a parse problem does.
// A followed run asks again at every update: each file is read on from where the last read stopped (its byte offset
// and line number), so the work over a whole run grows with the file's length, however many bad rows arrive. A read
// goes up to the last line wanted, however far into the file, holding only the wanted lines' bytes.
import { LF, CR } from '../table/bytes';
import { locatedCell, OBJECT_LINES } from '../analysis/cellColumn';
import type { Finding } from '../analysis/types';
import { appendAll, maxOf } from '../util/arrays';
import { openRegularFile } from './regularFile';

/**
 * Bytes of one line kept to find a column on (a JSON document written on one line): a longer line's findings keep file
 * and line only. Only the wanted lines are kept, so this bounds the memory of a read, whatever the file's size.
 */
const MAX_LINE_BYTES = 256 * 2 ** 20;
/**
 * Lines between two line starts a file's index keeps: a line below the read end whose text was not kept (a finding
 * of an old row seen for the first time) is read from the indexed start before it, at most this many lines.
 */
export const INDEX_EVERY = 1024;
/** Bytes asked for per read. */
const CHUNK = 256 * 1024;

/**
 * Bytes from `position` of a file, at most `length` (possibly fewer; none only at its end); throws when it cannot be
 * read. The file system's by default; a test's can count what is read.
 */
export type ReadBytes = (file: string, position: number, length: number) => Promise<Uint8Array>;

/** The findings with their cells' columns found on their lines (each file read once, up to the last line wanted). */
export async function withCellColumns(findings: Finding[]): Promise<Finding[]> {
  return new CellLines().located(findings);
}

/** How far a file's complete lines were read, and what of them is kept. */
interface FileLines {
  /** Offset just past the line feed of the last complete line read, and that line's number (0: none read). */
  end: number;
  lines: number;
  /** starts[k]: the offset of line k * INDEX_EVERY + 1, for each such line up to `lines`. */
  starts: number[];
  /** The texts of the lines the last update wanted: the next asks for them again (the same old rows' findings). */
  kept: Map<number, string>;
}

/**
 * withCellColumns for a followed run, analysed again at each update with the same findings of its old rows: an
 * appended file is read on from where the last read stopped, the lines wanted last time are kept, and an old line
 * not kept is read from the nearest indexed line start before it. `forget` when a file may have been rewritten.
 */
export class CellLines {
  private files = new Map<string, FileLines>();

  constructor(private readonly read: ReadBytes = readFileBytes) {}

  async located(findings: Finding[]): Promise<Finding[]> {
    const texts = new Map<string, Map<number, string>>();
    for (const [file, lines] of linesWanted(findings)) {
      let state = this.files.get(file);
      if (!state) this.files.set(file, (state = { end: 0, lines: 0, starts: [], kept: new Map() }));
      texts.set(file, await this.linesOf(file, state, lines).catch(() => new Map<number, string>()));
    }
    return findings.map((f) => locatedCell(f, (file, line) => texts.get(file)?.get(line)));
  }

  /** Drops everything read: a file was rewritten or replaced, its lines may have moved. */
  forget(): void {
    this.files.clear();
  }

  /**
   * The wanted lines' texts: kept ones, old ones from the index, new ones read on from the read end (which moves
   * past every complete line read). A last line without its line feed (a writer mid-line) is returned for this update
   * but neither kept nor counted as read: the next update reads it again, whole.
   */
  private async linesOf(file: string, state: FileLines, wanted: Set<number>): Promise<Map<number, string>> {
    const found = new Map<number, string>();
    const old = new Map<number, number[]>();
    let last = 0;
    for (const line of wanted) {
      const text = state.kept.get(line);
      if (text !== undefined) found.set(line, text);
      else if (line <= state.lines) {
        const block = Math.floor((line - 1) / INDEX_EVERY);
        const lines = old.get(block);
        if (lines) lines.push(line);
        else old.set(block, [line]);
      } else last = Math.max(last, line);
    }
    for (const [block, lines] of old) {
      const want = new Set(lines);
      // The block's lines end where the next block starts (or at the read end).
      const [from, to] = [state.starts[block], state.starts[block + 1] ?? state.end];
      const wants = (n: number) => want.has(n);
      await this.scan(
        file,
        { from, first: block * INDEX_EVERY + 1, last: maxOf(lines), limit: to },
        wants,
        (n, bytes) => {
          if (bytes) found.set(n, lineText(bytes));
        },
      );
    }
    if (last > 0) {
      // The index's new line starts, kept once the read has succeeded (a failed one leaves the state as it was).
      const starts: number[] = [];
      const indexed = (n: number) => (n - 1) % INDEX_EVERY === 0;
      const from = { from: state.end, first: state.lines + 1, last, limit: Number.POSITIVE_INFINITY };
      const read = await this.scan(
        file,
        from,
        (n) => wanted.has(n) || indexed(n),
        (n, bytes, start) => {
          if (indexed(n)) starts.push(start);
          if (bytes && wanted.has(n)) found.set(n, lineText(bytes));
        },
      );
      appendAll(state.starts, starts);
      [state.end, state.lines] = [read.end, read.lines];
      if (read.partial && wanted.has(state.lines + 1)) found.set(state.lines + 1, lineText(read.partial));
    }
    state.kept = new Map([...found].filter(([line]) => line <= state.lines));
    return found;
  }

  /**
   * Reads the complete lines from offset `from` (the start of line `first`) up to line `last`, never past byte
   * `limit`, handing each line `wants` to `onLine` with its number, its offset and its bytes (without the line feed;
   * null for a line over MAX_LINE_BYTES). Only a wanted line's bytes are held, so memory is one line, not the file.
   * Returns the number of the last complete line read, the offset past its line feed, and the bytes after it when the
   * file ends there without one (a partial line, when wanted), else null.
   */
  private async scan(
    file: string,
    { from, first, last, limit }: { from: number; first: number; last: number; limit: number },
    wants: (line: number) => boolean,
    onLine: (line: number, bytes: Uint8Array | null, start: number) => void,
  ): Promise<{ lines: number; end: number; partial: Uint8Array | null }> {
    // The bytes of the line under way, as read, when it is wanted (a long line is joined once, when its line feed comes).
    const held = new HeldLine();
    let [at, line, lineStart] = [from, first, from];
    held.reset(wants(line));
    while (line <= last && at < limit) {
      const read = await this.read(file, at, Math.min(CHUNK, limit - at));
      if (read.length === 0) return { lines: line - 1, end: lineStart, partial: held.size > 0 ? held.bytes() : null };
      let start = 0;
      for (let lf = read.indexOf(LF); lf >= 0 && line <= last; lf = read.indexOf(LF, start)) {
        if (held.wanted) {
          held.add(read.subarray(start, lf));
          onLine(line, held.bytes(), lineStart);
        }
        held.reset(wants(++line));
        lineStart = at + lf + 1;
        start = lf + 1;
      }
      if (line <= last && start < read.length) held.add(read.subarray(start));
      at += read.length;
    }
    return { lines: line - 1, end: lineStart, partial: null };
  }
}

/** The bytes read of a wanted line, up to MAX_LINE_BYTES: past them only counted. */
class HeldLine {
  wanted = false;
  size = 0;
  private parts: Uint8Array[] = [];

  /** Starts the next line: held when `wanted` (most are not: nothing is allocated for them). */
  reset(wanted: boolean): void {
    this.wanted = wanted;
    this.size = 0;
    if (this.parts.length > 0) this.parts = [];
  }

  add(bytes: Uint8Array): void {
    if (!this.wanted) return;
    this.size += bytes.length;
    if (this.size <= MAX_LINE_BYTES) this.parts.push(bytes);
    else this.parts = [];
  }

  /** The line's bytes so far; null when there are too many. */
  bytes(): Uint8Array | null {
    return this.size > MAX_LINE_BYTES ? null : joinBytes(this.parts);
  }
}

/** A line's text from its bytes: UTF-8, a CRLF's CR dropped (as a line reader does). */
function lineText(bytes: Uint8Array): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
  return Buffer.from(bytes.buffer, bytes.byteOffset, end).toString('utf8');
}

function joinBytes(parts: Uint8Array[]): Uint8Array {
  return parts.length === 1 ? parts[0] : Buffer.concat(parts);
}

/**
 * The file system's bytes of a file (ReadBytes), only while it is a regular file: a followed file replaced by a FIFO
 * held `watch` in open() for good (even past SIGTERM), and a link to /dev/zero was read on forever for a line feed.
 */
async function readFileBytes(file: string, position: number, length: number): Promise<Uint8Array> {
  const handle = await openRegularFile(file);
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The lines of the findings' cells still to locate, by file (a pretty-printed object's: the lines below its `{`). */
function linesWanted(findings: Finding[]): Map<string, Set<number>> {
  const wanted = new Map<string, Set<number>>();
  for (const f of findings) {
    if (!f.cell || f.line <= 0) continue;
    let lines = wanted.get(f.file);
    if (!lines) wanted.set(f.file, (lines = new Set()));
    const last = f.cell.inObject ? f.line + OBJECT_LINES : f.line;
    for (let line = f.line; line <= last; line++) lines.add(line);
  }
  return wanted;
}
