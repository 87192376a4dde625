// What crosses between the two threads of a read (parallel.ts): the rows a worker parsed from its part of a file
// (TablePart), and where in the reading thread's shared arrays it writes them (Placement). TableBuilder makes both.
import type { ColumnPart } from './columnBuilder';

/**
 * Where a worker writes its rows: in the reading thread's own arrays, from row `at` on (see TableBuilder.share).
 * Columns the reader did not have yet are the worker's own.
 */
export interface Placement {
  at: number;
  /** Rows from `at` to the end of the arrays. */
  room: number;
  lines: SharedArrayBuffer;
  columns: { name: string; values: SharedArrayBuffer }[];
}

/** Quoted fields holding line breaks: how many, and where the first opens and ends (see noteMultilineQuote). */
export interface MultilineQuotes {
  count: number;
  line: number;
  column: number;
  lastLine: number;
}

/** Rows parsed from one part of a file, numbered from line 1 at the part's first byte; sent between threads. */
export interface TablePart {
  columns: ColumnPart[];
  rowCount: number;
  lines: Int32Array;
  /** As ColumnPart.placed, for lines. */
  linesPlaced: boolean;
  rowsRejected: number;
  problemCount: number;
  /** Keys or header fields the part left out past the column budget (said only when a read ends: not a problem yet). */
  columnsLeftOut: number;
  bytesRead: number;
  /** Lines the part's bytes hold (its rows' lines, blank and comment lines included). */
  linesConsumed: number;
  multilineQuotes: MultilineQuotes | null;
}
