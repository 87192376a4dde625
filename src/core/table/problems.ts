// The problem list of one read: every problem is counted, only the first `max` are kept, so a file with a million
// ragged rows cannot exhaust memory while the user still learns how many there were.

import type { CodeWithSeverity, ParseProblemCode, SeverityOf } from '../findings';
import type { ParseProblem } from './types';
import { asError } from '../util/errors';
import { appendAll } from '../util/arrays';

export const DEFAULT_MAX_PROBLEMS = 200;

/** The reading problems that end a read (they are errors). */
export type ReadFailureCode = ParseProblemCode & CodeWithSeverity<'error'>;

export class ProblemLog {
  readonly items: ParseProblem[] = [];
  count = 0;
  /** The delimiter of the file being read, once known: a problem about a field names its cell with it (see add). */
  delimiter: string | undefined;

  constructor(
    readonly file: string,
    private readonly max: number = DEFAULT_MAX_PROBLEMS,
  ) {}

  /**
   * Records one problem; its code must be in the catalogue, with a severity the catalogue allows for it. `field`: the
   * 0-based field of a delimited line the problem is about (a cell, a header name), when it is about one.
   */
  add<C extends ParseProblemCode>(
    code: C,
    severity: SeverityOf<C>,
    line: number,
    column: number,
    message: string,
    field?: number,
  ): void {
    this.record(
      { code, severity, message, file: this.file, line, column, ...this.cellOf(field) },
      this.items.length < this.max,
    );
  }

  /**
   * A problem about the file as a whole, of which a read has a handful at most (what a limit left out, how its line
   * ends or numbers are read): kept even once the list is full, so that a flood of row problems cannot hide it.
   * `at.file`: the file its line is in, when not this log's (a run folder's metric file); `at.field`: the field of a
   * delimited line it points at, as for add (the cell that shows how the file's numbers are written).
   */
  addForFile<C extends ParseProblemCode>(
    code: C,
    severity: SeverityOf<C>,
    line: number,
    column: number,
    message: string,
    at: { file?: string; field?: number } = {},
  ): void {
    const { file = this.file, field } = at;
    this.record({ code, severity, message, file, line, column, ...this.cellOf(field) }, true);
  }

  /** The cell of a problem about field `field` of a delimited line, once the delimiter is known. */
  private cellOf(field: number | undefined): Pick<ParseProblem, 'cell'> {
    const delimiter = this.delimiter;
    return field !== undefined && delimiter !== undefined ? { cell: { field, delimiter } } : {};
  }

  private record(problem: ParseProblem, keep: boolean): void {
    this.count++;
    if (keep) this.items.push(problem);
  }

  /** Problems found by an earlier read, said again as found (kept, as addForFile's). */
  sayAgain(problems: readonly ParseProblem[]): void {
    for (const problem of problems) this.record(problem, true);
  }

  /** A log holding the same problems, that takes more without changing this one (a live reader's snapshot). */
  copy(): ProblemLog {
    const copy = new ProblemLog(this.file, this.max);
    copy.delimiter = this.delimiter;
    appendAll(copy.items, this.items);
    copy.count = this.count;
    return copy;
  }

  /** The kept problems in file order (summaries found at the end of a read land where they point). */
  sorted(): ParseProblem[] {
    return this.items.slice().sort((a, b) => a.line - b.line || a.column - b.column);
  }
}

/** "12.3 MB" style sizes for messages. */
export function formatBytes(bytes: number): string {
  // Up to EiB: a 64-bit size (2^63 bytes, 8 EiB) reads as a number of units, not thousands of TiB.
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Quotes a name for a message, keeping long cell text short. */
export function quote(text: string, maxLength = 40): string {
  const shown = text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
  return JSON.stringify(shown);
}

/** Why a file could not be opened or read, and what to do about it. */
export function describeFsError(error: unknown, file: string): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  // A name that is not UTF-8 (Linux names are bytes) reaches Node with U+FFFD in place of its bytes: no file has it.
  if (code === 'ENOENT' && file.includes('\ufffd'))
    return `${file} cannot be opened: its name is not UTF-8 (each such byte shown as \ufffd); rename the file`;
  if (code === 'ENOENT') return `${file} does not exist; check the path`;
  if (code === 'EACCES' || code === 'EPERM') return `${file} cannot be read (permission denied); check its permissions`;
  if (code === 'EISDIR') return `${file} is a directory; open a CSV, TSV or JSONL file inside it`;
  if (code === 'ENXIO')
    return `${file} cannot be opened (a socket: a program's stdin may be one); pipe the data in with a shell (cat run.csv | ...) or save it to a file`;
  const detail = asError(error).message;
  return `${file} could not be read (${detail}); check that the file is accessible`;
}
