// The shells' side of Finding.cell for files read from disk (the CLI's, the server's unopened files): the lines of
// the findings' cells, read from their files, so each finding shows its character column as a parse problem does.
// A followed run asks again at every update: each file is read on from where the last read stopped (its byte offset
// and line number), so the work over a whole run grows with the file's length, however many bad rows arrive.
import { open } from 'node:fs/promises';
import { LF, CR } from '../table/bytes';
import { locatedCell, OBJECT_LINES } from '../analysis/cellColumn';
import type { Finding } from '../analysis/types';

/** Bytes of a file read for columns at most: findings on lines past them keep file and line only. */
const MAX_BYTES = 256 * 2 ** 20;
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
      await this.scan(file, from, block * INDEX_EVERY + 1, Math.max(...lines), to, (n, bytes) => {
        if (want.has(n)) found.set(n, lineText(bytes));
      });
    }
    if (last > 0) {
      const partial = await this.scan(file, state.end, state.lines + 1, last, MAX_BYTES, (n, bytes, start) => {
        if ((n - 1) % INDEX_EVERY === 0) state.starts.push(start);
        if (wanted.has(n)) found.set(n, lineText(bytes));
        state.end = start + bytes.length + 1;
        state.lines = n;
      });
      if (partial && wanted.has(state.lines + 1)) found.set(state.lines + 1, lineText(partial));
    }
    state.kept = new Map([...found].filter(([line]) => line <= state.lines));
    return found;
  }

  /**
   * Reads the complete lines from offset `from` (the start of line `first`) up to line `last`, handing each to
   * `onLine` with its number, its bytes (without the line feed) and its offset; never past byte `limit`. Returns the
   * bytes after the last line feed when the file ends there without one (a partial line), else null.
   */
  private async scan(
    file: string,
    from: number,
    first: number,
    last: number,
    limit: number,
    onLine: (line: number, bytes: Uint8Array, start: number) => void,
  ): Promise<Uint8Array | null> {
    // The bytes of the line under way, as read (a long line is joined once, when its line feed comes).
    let parts: Uint8Array[] = [];
    let [at, line, lineStart] = [from, first, from];
    while (line <= last && at < limit) {
      const read = await this.read(file, at, Math.min(CHUNK, limit - at));
      if (read.length === 0) return parts.length > 0 ? joinBytes(parts) : null;
      let start = 0;
      for (let lf = read.indexOf(LF); lf >= 0 && line <= last; lf = read.indexOf(LF, start)) {
        parts.push(read.subarray(start, lf));
        onLine(line++, joinBytes(parts), lineStart);
        parts = [];
        lineStart = at + lf + 1;
        start = lf + 1;
      }
      if (start < read.length) parts.push(read.subarray(start));
      at += read.length;
    }
    return null;
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

/** The file system's bytes of a file (ReadBytes). */
async function readFileBytes(file: string, position: number, length: number): Promise<Uint8Array> {
  const handle = await open(file, 'r');
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
    if (!f.cell || f.column !== undefined || f.line <= 0) continue;
    let lines = wanted.get(f.file);
    if (!lines) wanted.set(f.file, (lines = new Set()));
    const last = f.cell.inObject ? f.line + OBJECT_LINES : f.line;
    for (let line = f.line; line <= last; line++) lines.add(line);
  }
  return wanted;
}
