// Line ends, whatever wrote them: LF, CRLF, and the lone CR of old Mac files and some exporters. The parsers split
// lines at LF only (their fast paths and the two-thread split depend on it), so every lone CR is turned into a LF in
// the reader's window before they see the bytes. Same length, so no offset moves; a run of CRs that ends in a LF
// (CRLF, or CRLF written twice: "\r\r\n") is left alone: the parsers read it as one line end, as they always have.
// A file that mixes lone CRs with LF line ends gets one info finding (a file of lone CRs only is simply read).
//
// Scanning costs one search per CR, nothing in a LF file but one per line in a CRLF file. So a file whose first chunk
// has CRLF line ends and no lone CR is watched instead: the parsers' fast paths take no record with a lone CR in it,
// and their general paths ask loneCrIn() of each line they read; at the first lone CR found, every chunk from there
// on is scanned.

import { countByte, CR, indexOfByte, LF } from './bytes';
import type { ProblemLog } from './problems';

/** What a parser needs of LineEnds: whether to look for lone CRs itself, and where to say it found one. */
export interface LoneCrWatch {
  readonly watching: boolean;
  /** A lone CR in the line at buf[from], line `line`: buf[from, end) is normalized, and scanned from then on. */
  found(buf: Buffer, from: number, end: number, eof: boolean, line: number): void;
}

/** The kinds of line end a file's bytes read so far held. */
export interface LineEndsSeen {
  lf: boolean;
  /** The line of the first lone CR (0: none). */
  loneCrLine: number;
}

export class LineEnds implements LoneCrWatch {
  private sawLf = false;
  private sawCrlf = false;
  private loneCrLine = 0;
  private reported = false;
  /** The mode is chosen on the first bytes normalized. */
  private decided = false;
  watching = false;
  /** Whether the last normalize() changed any byte. */
  changed = false;

  constructor(
    private readonly problems: ProblemLog,
    /** What the bytes before a later part of a file held (see parallel.ts, a followed file's next read); null: none. */
    before: LineEndsSeen | null = null,
  ) {
    this.sawLf = before?.lf ?? false;
    // A mix of both was said with the bytes before.
    this.loneCrLine = before?.loneCrLine ?? 0;
    this.reported = this.sawLf && this.loneCrLine > 0;
  }

  get seen(): LineEndsSeen {
    return { lf: this.sawLf, loneCrLine: this.loneCrLine };
  }

  /**
   * Turns the lone CRs of buf[from, end) into LFs. `lineOf(offset)` gives the line of an offset of buf (asked once).
   * Returns where the bytes are settled up to: before a run of CRs at the very end, which may still be followed by
   * a LF (examine it again with more bytes), or `end`.
   */
  normalize(buf: Buffer, from: number, end: number, eof: boolean, lineOf: (offset: number) => number): number {
    this.changed = false;
    if (this.watching) return end;
    if (!this.sawLf && indexOfByte(buf, LF, from, end) >= 0) this.sawLf = true;
    let settled = end;
    for (let cr = nextCr(buf, from, end); cr >= 0;) {
      let after = cr + 1;
      while (after < end && buf[after] === CR) after++;
      if (after === end && !eof) {
        settled = cr;
        break;
      }
      if (after < end && buf[after] === LF) {
        this.sawCrlf = true;
      } else {
        if (this.loneCrLine === 0) this.loneCrLine = lineOf(cr);
        buf.fill(LF, cr, after); // each lone CR ends a line, so "a\r\rb" keeps its blank line
        this.changed = true;
      }
      cr = nextCr(buf, after, end);
    }
    if (!this.decided) {
      this.decided = true;
      this.watching = this.sawCrlf && this.loneCrLine === 0;
    }
    this.reportMixed();
    return settled;
  }

  found(buf: Buffer, from: number, end: number, eof: boolean, line: number): void {
    this.watching = false;
    this.normalize(buf, from, end, eof, (offset) => line + countByte(buf, LF, from, offset));
  }

  /** Once the file is known to hold both kinds of line end. */
  private reportMixed(): void {
    if (this.reported || !this.sawLf || this.loneCrLine === 0) return;
    this.reported = true;
    this.problems.addForFile(
      'line-ends-mixed',
      'info',
      this.loneCrLine,
      1,
      `line ${this.loneCrLine} ends in a lone CR (a carriage return without a line feed, as old Mac files and some ` +
        'exporters write) while other lines end in a line feed; every CR, LF and CRLF is read as a line end',
    );
  }
}

/**
 * Whether the line at buf[from] (up to its LF, or `end`) holds a lone CR: a run of CRs followed by anything but a LF.
 * A run that reaches `end` is not decided yet, nor is one at the very end of the data (a parser ends a line there).
 */
export function loneCrIn(buf: Buffer, from: number, end: number): boolean {
  const lf = from < end ? buf.indexOf(LF, from) : -1;
  const lineEnd = lf < 0 || lf >= end ? end : lf;
  const cr = nextCr(buf, from, lineEnd);
  if (cr < 0) return false;
  let after = cr + 1;
  while (after < lineEnd && buf[after] === CR) after++;
  return after < lineEnd;
}

/**
 * The first CR of buf[from, end), or -1. Called once per line of a CRLF file, so it searches in place: indexOfByte's
 * view of the range would be one allocation per line (the bytes past `end` it may scan are never taken).
 */
function nextCr(buf: Buffer, from: number, end: number): number {
  const at = from < end ? buf.indexOf(CR, from) : -1;
  return at < end ? at : -1;
}
