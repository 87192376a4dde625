// The table under construction: typed columns, pre-sized from an estimate of the row count, regrown (to a fresh
// estimate, at most doubling) when it falls short, and trimmed at the end, so memory stays proportional to the
// numeric data rather than to the text of the file.

import { ProblemLog, quote } from './problems';
import type { Column, FileFormat, Table } from './types';

const MIN_CAPACITY = 1024;
/** Files past 2^31 lines cannot be addressed by Table.lines (Int32Array). */
const MAX_LINE = 0x7fffffff;

/** Where a cell sits in the file, for the one warning each column gets about its non-numeric cells. */
export interface CellLocation {
  line: number;
  column: number;
}

export class ColumnBuilder {
  private values: Float64Array;
  private codes: Int32Array | null = null;
  private readonly dictionary: string[] = [];
  private readonly dictionaryIndex = new Map<string, number>();
  private readonly suffixes: string[] = [];
  numericCount = 0;
  textCount = 0;
  /** First text cell, reported once per mostly-numeric column. */
  firstText: (CellLocation & { text: string }) | null = null;
  // The row last written and what it held: a JSONL key flattened twice in one object must not count twice.
  private lastRow = -1;
  private lastKind: 'none' | 'number' | 'text' = 'none';

  constructor(
    readonly name: string,
    capacity: number,
  ) {
    this.values = new Float64Array(capacity).fill(NaN);
  }

  setNumber(row: number, value: number, suffix?: string): void {
    this.forget(row);
    this.values[row] = value;
    this.numericCount++;
    this.lastKind = 'number';
    if (suffix !== undefined && !this.suffixes.includes(suffix)) this.suffixes.push(suffix);
    // A written NaN ("nan" in a diverged run's loss) must stay distinguishable from an empty cell.
    if (Number.isNaN(value)) this.setCode(row, 'NaN');
  }

  private setCode(row: number, text: string): number {
    let code = this.dictionaryIndex.get(text);
    if (code === undefined) {
      code = this.dictionary.length;
      this.dictionary.push(text);
      this.dictionaryIndex.set(text, code);
    }
    if (this.codes === null) this.codes = new Int32Array(this.values.length).fill(-1);
    this.codes[row] = code;
    return code;
  }

  /** True until the first text cell: only then does the caller need to work out where the cell is. */
  get wantsLocation(): boolean {
    return this.firstText === null;
  }

  /** Text cells are dictionary-coded. `where` is needed for the first one only (see wantsLocation). */
  setText(row: number, text: string, where: CellLocation | null): void {
    this.forget(row);
    this.setCode(row, text);
    if (this.firstText === null) this.firstText = { line: where?.line ?? 1, column: where?.column ?? 1, text };
    this.textCount++;
    this.lastKind = 'text';
  }

  /** Marks an empty cell (only needed to overwrite a value set earlier in the same row). */
  setEmpty(row: number): void {
    this.forget(row);
    this.lastKind = 'none';
  }

  /** Undoes a value already written to this row, so the last write wins and counts stay exact. */
  private forget(row: number): void {
    if (this.lastRow !== row) {
      this.lastRow = row;
      return;
    }
    if (this.lastKind === 'number') this.numericCount--;
    if (this.lastKind === 'text') this.textCount--;
    this.values[row] = NaN;
    if (this.codes !== null) this.codes[row] = -1;
  }

  grow(capacity: number): void {
    const values = new Float64Array(capacity).fill(NaN, this.values.length);
    values.set(this.values);
    this.values = values;
    if (this.codes !== null) {
      const codes = new Int32Array(capacity).fill(-1, this.codes.length);
      codes.set(this.codes);
      this.codes = codes;
    }
  }

  finish(rowCount: number): Column {
    const column: Column = {
      name: this.name,
      values: trim(this.values, rowCount),
      numericCount: this.numericCount,
      textCount: this.textCount,
      emptyCount: rowCount - this.numericCount - this.textCount,
      suffixes: this.suffixes,
    };
    if (this.codes !== null) column.text = { codes: trim(this.codes, rowCount), dictionary: this.dictionary };
    return column;
  }
}

/** Share of a column's capacity that may stay unused rather than be copied away (estimates overshoot ~10%). */
const MAX_KEPT_SLACK = 0.3;

/**
 * Cuts an array to `length`. Small slack is kept as a view (copying would briefly need the memory twice); a
 * doubled buffer is copied to the exact length, so the table never pins twice its size.
 */
function trim<T extends Float64Array | Int32Array>(array: T, length: number): T {
  if (array.length === length) return array;
  const view = array.length - length <= array.length * MAX_KEPT_SLACK;
  return (view ? array.subarray(0, length) : array.slice(0, length)) as T;
}

export interface TableHead {
  format: FileFormat;
  delimiter?: string;
  headerLine: number;
  bytesRead: number;
}

export class TableBuilder {
  readonly columns: ColumnBuilder[] = [];
  private lines: Int32Array;
  private capacity: number;
  rowCount = 0;
  rowsRejected = 0;
  /** Set when the line limit is hit: later rows are dropped with one error instead of corrupting line numbers. */
  private full = false;

  /** estimateRows: the final row count projected from progress so far, when the reader knows the file size. */
  constructor(
    readonly problems: ProblemLog,
    private readonly estimateRows: (() => number) | null = null,
  ) {
    this.capacity = MIN_CAPACITY;
    this.lines = new Int32Array(this.capacity);
  }

  /** Makes room for `rows` rows up front (an estimate from the file size), so the columns are not regrown. */
  reserve(rows: number): void {
    if (rows > this.capacity) this.growTo(Math.ceil(rows));
  }

  /**
   * Next capacity when full: the progress estimate when there is one (regrowing once, close to the final size),
   * else doubling. Always at least 1.25x, so a bad estimate cannot cause many small copies.
   */
  private nextCapacity(): number {
    const doubled = this.capacity * 2;
    const estimate = this.estimateRows?.() ?? doubled;
    return Math.ceil(Math.min(doubled, Math.max(this.capacity * 1.25, estimate)));
  }

  /** Adds a column; rows before it (a JSONL key first seen late) are empty. */
  addColumn(name: string): ColumnBuilder {
    const column = new ColumnBuilder(name, this.capacity);
    this.columns.push(column);
    return column;
  }

  /** Index of the row about to be written; make sure every column has room for it. */
  beginRow(): number {
    if (this.rowCount === this.capacity) this.growTo(this.nextCapacity());
    return this.rowCount;
  }

  /** Commits the row begun by beginRow at its 1-based source line. */
  endRow(line: number): void {
    if (line > MAX_LINE) {
      this.refuseLine(line);
      return;
    }
    this.lines[this.rowCount++] = line;
  }

  private refuseLine(line: number): void {
    this.rowsRejected++;
    // Wipe what the row wrote: the next row reuses the slot.
    for (const column of this.columns) column.setEmpty(this.rowCount);
    if (this.full) return;
    this.full = true;
    this.problems.add('file-too-many-lines', 'error', MAX_LINE, 1,
      `the file has more than ${MAX_LINE} lines; rows from line ${line} on are skipped — split the file`);
  }

  private growTo(capacity: number): void {
    for (const column of this.columns) column.grow(capacity);
    const lines = new Int32Array(capacity);
    lines.set(this.lines);
    this.lines = lines;
    this.capacity = capacity;
  }

  finish(head: TableHead): Table {
    this.reportTextInNumericColumns();
    if (this.rowCount === 0 && this.columns.length > 0) {
      this.problems.add('no-data-rows', 'info', Math.max(1, head.headerLine), 1,
        'the file has a header but no data rows yet; add rows below the header (or wait for the run to log some)');
    }
    return {
      file: this.problems.file,
      format: head.format,
      delimiter: head.delimiter,
      headerLine: head.headerLine,
      columns: this.columns.map((column) => column.finish(this.rowCount)),
      rowCount: this.rowCount,
      lines: trim(this.lines, this.rowCount),
      problems: this.problems.sorted(),
      problemCount: this.problems.count,
      rowsRejected: this.rowsRejected,
      bytesRead: head.bytesRead,
    };
  }

  /** One warning per column that is mostly numbers but has some text: likely a typo or a log line in the data. */
  private reportTextInNumericColumns(): void {
    for (const column of this.columns) {
      const first = column.firstText;
      if (first === null || column.numericCount < column.textCount) continue;
      const cells = column.textCount === 1 ? 'cell' : 'cells';
      this.problems.add('cell-not-numeric', 'warning', first.line, first.column,
        `column ${quote(column.name)} has ${column.textCount} non-numeric ${cells} (first ${quote(first.text)} at line ` +
          `${first.line}); they are treated as missing — fix them or remove those rows`);
    }
  }
}
