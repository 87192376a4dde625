// NUL bytes are not text, but they are not a reason to refuse a file either: a log whose writer crashed is padded with
// zeros where its last block was never written (often at the end, sometimes before more rows when the run resumed),
// and one NUL in a cell is a bad cell. So NULs are handled per line, in the reader's window before the parsers see
// the bytes: the content of every line holding a NUL is dropped (its line feed stays, so line numbers do not move,
// and the parsers see a blank line), with one finding per such line saying where and what was lost. A run of zeros
// with no line feed is one line however long, dropped as it streams: memory stays at one window.

import { characterColumn, countByte, indexOfByte, lastIndexOfByte, LF, SPACE, TAB, CR } from './bytes';
import { formatBytes, type ProblemLog } from './problems';

/** Compared against a stretch of the window to see that it is all zeros (a crash-padded tail may be gigabytes). */
const ZEROS = Buffer.alloc(64 * 1024);

/** The line being dropped: where its first NUL is, and what it held. */
interface NulLine {
  line: number;
  column: number;
  nuls: number;
  /** Whether it held anything but NULs and blanks: a row, or part of one, is lost with it. */
  text: boolean;
  /** The NULs began the line and nothing else has come yet: padding, after which the line may still be whole. */
  leading: boolean;
}

export class NulLines {
  /** A line with a NUL whose line feed has not been read yet: its bytes are dropped as they arrive. */
  private open: NulLine | null = null;
  /** NUL bytes dropped in all (a file of nothing else is reported as such, not as empty). */
  nuls = 0;

  constructor(
    private readonly problems: ProblemLog,
    /** Counts a row lost with a line (Table.rowsRejected). */
    private readonly rejectRow: () => void,
  ) {}

  /** True while a line is being dropped: the bytes read so far do not end at a line start. */
  get dropping(): boolean {
    return this.open !== null;
  }

  /**
   * Drops the content of the lines of buf[from, end) that hold a NUL (and of the rest of a line being dropped),
   * moving the bytes after them down; bytes before `from` are untouched unless they begin a line that holds one.
   * `lineOf(offset)` gives the line of an offset of buf as it is on entry. Returns the new end of the data.
   */
  drop(buf: Buffer, from: number, end: number, lineOf: (offset: number) => number): number {
    let read = from;
    let write = from;
    let line = this.open?.line ?? 0; // the line at `read`
    if (this.open === null) {
      const nul = indexOfByte(buf, 0, from, end);
      if (nul < 0) return end;
      read = write = lastIndexOfByte(buf, LF, 0, nul) + 1; // the line may have begun before `from`
      line = lineOf(read);
    }
    while (read < end) {
      if (this.open === null) {
        const nul = indexOfByte(buf, 0, read, end);
        const lineStart = nul < 0 ? end : lastIndexOfByte(buf, LF, read, nul) + 1 || read;
        if (write !== read) buf.copy(buf, write, read, lineStart);
        write += lineStart - read;
        line += countByte(buf, LF, read, lineStart);
        read = lineStart;
        if (nul < 0) break;
        this.open = {
          line,
          column: characterColumn(buf, lineStart, nul),
          nuls: 0,
          text: false,
          leading: nul === lineStart,
        };
      }
      if (this.open.leading) {
        // Zeros before a line (a log truncated while its writer kept its offset is zeros up to where it wrote next):
        // they are dropped and the text after them is read as the line, unless a NUL follows in it too.
        const text = indexOfNonZero(buf, read, end);
        this.open.nuls += text - read;
        read = text;
        if (read === end) break;
        if (buf[read] !== LF) {
          this.close(false);
          continue;
        }
        this.open.leading = false; // a line of nothing but zeros
      }
      const lf = indexOfByte(buf, LF, read, end);
      const contentEnd = lf < 0 ? end : lf;
      this.account(this.open, buf, read, contentEnd);
      read = contentEnd;
      if (lf < 0) break;
      this.close(false);
      buf[write++] = LF;
      read = lf + 1;
      line++;
    }
    return write;
  }

  /** At the end of the data: a line still being dropped ends the file. */
  finish(): void {
    if (this.open !== null) this.close(true);
  }

  /** Counts the NULs of buf[from, to) and whether anything else was there. */
  private account(open: NulLine, buf: Buffer, from: number, to: number): void {
    for (let at = from; at < to; at += ZEROS.length) {
      const stop = Math.min(to, at + ZEROS.length);
      if (buf.compare(ZEROS, 0, stop - at, at, stop) === 0) {
        open.nuls += stop - at;
        continue;
      }
      for (let i = at; i < stop; i++) {
        const c = buf[i];
        if (c === 0) open.nuls++;
        else if (c !== SPACE && c !== TAB && c !== CR) open.text = true;
      }
    }
  }

  private close(atEnd: boolean): void {
    const open = this.open!;
    this.open = null;
    this.nuls += open.nuls;
    const where = `line ${open.line}, column ${open.column}`;
    const nuls = open.nuls === 1 ? 'a NUL byte' : `${describeCount(open.nuls)} NUL bytes`;
    if (open.text) this.rejectRow();
    const message =
      open.leading && !atEnd
        ? `${nuls} before line ${open.line} (zeros, as a log truncated while its writer went on leaves): they are ignored and the line after them is read`
        : atEnd
          ? `the file ends in ${nuls} from ${where} (a log cut off by a crash, or padded where a write never happened); ` +
            (open.text ? 'they and the incomplete row before them are left out' : 'they are ignored')
          : `${nuls} at ${where} (bytes of zeros, as a crash or a binary write leaves): ` +
            (open.text
              ? 'the line is left out — remove them or rewrite the row'
              : 'the line holds nothing else and is ignored');
    const severity = open.text ? 'warning' : 'info';
    // The end of the file is said once: kept however many row problems came before it.
    if (atEnd) this.problems.addForFile('nul-bytes', severity, open.line, open.column, message);
    else this.problems.add('nul-bytes', severity, open.line, open.column, message);
  }
}

/** The first byte of buf[from, end) that is not zero, or end. */
function indexOfNonZero(buf: Buffer, from: number, end: number): number {
  let at = from;
  while (at + ZEROS.length <= end && buf.compare(ZEROS, 0, ZEROS.length, at, at + ZEROS.length) === 0)
    at += ZEROS.length;
  while (at < end && buf[at] === 0) at++;
  return at;
}

/** "4096" for a few, "12 MiB of" for many: a tail of zeros is often megabytes. */
function describeCount(count: number): string {
  return count < 1024 * 1024 ? String(count) : `${formatBytes(count)} of`;
}
