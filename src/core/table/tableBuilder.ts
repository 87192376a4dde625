// The table under construction: typed columns, pre-sized from an estimate of the row count, regrown (to a fresh
// estimate, at most doubling) when it falls short, and trimmed at the end, so memory stays proportional to the
// numeric data rather than to the text of the file. A part of a file parsed elsewhere (a worker, see parallel.ts)
// comes back as a TablePart (tablePart.ts) and is appended with absorb(). When the worker was given a Placement, it wrote its rows
// straight into the reading thread's arrays (shared memory) past the rows expected from the first part, so absorb()
// only moves them down: no second copy of the table, and no page of it faulted twice.

import { ColumnBuilder, trim } from './columnBuilder';
import { cellBudget, MAX_COLUMNS } from './limits';
import { formatBytes, ProblemLog, quote } from './problems';
import type { MultilineQuotes, Placement, TablePart } from './tablePart';
import type { FileFormat, Table } from './types';

/** Rows allocated before any estimate: small, so that a table of thousands of columns starts small too. */
const MIN_CAPACITY = 256;
/** Rows a table may still take after it reached its cell budget (see beginRows), so each batch does not regrow it. */
const PAST_BUDGET_ROWS = 1024;
/** Files past 2^31 lines cannot be addressed by Table.lines (Int32Array). */
const MAX_LINE = 0x7fffffff;

export interface TableHead {
  format: FileFormat;
  delimiter?: string;
  headerLine: number;
  bytesRead: number;
}

export class TableBuilder {
  readonly columns: ColumnBuilder[] = [];
  private lines: Int32Array;
  /** Rows that fit before regrowing: the arrays' length, or less while a worker's rows are placed after it. */
  private capacity: number;
  rowCount = 0;
  rowsRejected = 0;
  /** Set when the line limit is hit: later rows are dropped with one error instead of corrupting line numbers. */
  private full = false;
  /** New arrays go in shared memory (a reader that will share() them), until share() is called. */
  private sharing = false;
  /** `lines` is in memory shared with the other thread, where both expect it (false once regrown). */
  private linesShared = false;
  /** The row where a worker writes its rows into these arrays (see share), or -1. */
  private placedAt = -1;
  /** A worker's builder: the columns the reader shared, by name, and the row of those arrays that is its row 0. */
  private readonly placement: Map<string, SharedArrayBuffer> | null = null;
  private readonly placedFrom: number = 0;
  private multilineQuotes: MultilineQuotes | null = null;
  /** Columns not admitted (see addColumn): how many, and the first. */
  private columnsLeftOut = 0;
  private firstLeftOut: { name: string; line: number } | null = null;
  /** How many of them a finding already counts (see reportColumnsLeftOut). */
  private columnsReported = 0;
  /** The rows reserve() was told to expect (see expectedRows). */
  private reserved = 0;
  /** Rows that fit the cell budget, as of the last look (see fitsBudget); more columns lower it. */
  private rowLimit = 0;
  /**
   * Set when more rows would pass the cell budget: the parsers stop at the record they are on, and the reader ends
   * the read there (see TableReader.push), saying which rows were left out.
   */
  stopped = false;

  /**
   * estimateRows: the final row count projected from progress so far, when the reader knows the file size.
   * placement: a worker's builder writes its rows into the reader's arrays (see share).
   * inputBytes: the size of the input (or the bytes read so far, when it is a stream), which sets the cell budget.
   */
  constructor(
    readonly problems: ProblemLog,
    private readonly estimateRows: (() => number) | null = null,
    placement: Placement | null = null,
    private readonly inputBytes: () => number = () => 0,
  ) {
    if (placement === null) {
      this.capacity = MIN_CAPACITY;
      this.lines = new Int32Array(this.capacity);
      return;
    }
    this.capacity = placement.room;
    this.lines = new Int32Array(placement.lines, placement.at * 4, placement.room);
    this.linesShared = true;
    this.placement = new Map(placement.columns.map((c) => [c.name, c.values]));
    this.placedFrom = placement.at;
  }

  /** Makes room for `rows` rows up front (an estimate from the file size), so the columns are not regrown. */
  reserve(rows: number): void {
    this.reserved = rows;
    // A worker's placed arrays are not left on an estimate: only when they are actually full.
    if (rows > this.capacity && this.placement === null) this.growTo(Math.ceil(rows));
  }

  /** The rows the table is expected to end with: the estimates from the file size, or the rows so far. */
  private expectedRows(): number {
    return Math.max(1, this.rowCount, this.reserved, this.estimateRows?.() ?? 0);
  }

  /** Arrays from now on are allocated in shared memory, so that share() can hand them to a worker. */
  allocateShared(): void {
    this.sharing = true;
    if (this.rowCount === 0 && this.columns.length === 0) this.growTo(this.capacity);
  }

  /** Rows the arrays hold (past the cap while a worker's rows are placed). */
  get length(): number {
    return this.lines.length;
  }

  /**
   * Lets a worker write the rows of the rest of the file into these arrays from row `at` on (at or past the rows
   * this thread expects to write), and caps this thread's rows at `at` meanwhile: reaching it regrows into new
   * private arrays, leaving the worker's rows where they are. Null when the arrays are not all shared.
   */
  share(at: number): Placement | null {
    this.sharing = false;
    const length = this.lines.length;
    const lines = this.lines.buffer;
    const columns = this.columns.map((column) => ({ name: column.name, values: column.sharedBuffer }));
    if (!this.linesShared || !(lines instanceof SharedArrayBuffer) || at < this.rowCount || at >= length) return null;
    if (columns.some((c) => c.values === null || c.values.byteLength !== length * 8)) return null;
    this.capacity = at;
    this.placedAt = at;
    return { at, room: length - at, lines, columns: columns as Placement['columns'] };
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

  /**
   * Adds a column; rows before it (a JSONL key first seen late) are empty. Null when the table has MAX_COLUMNS, or
   * when the column's rows would take the table past its cell budget (a late key in a file of many short rows): the
   * column is left out, and finish() says so. `line`: where the column is first seen.
   */
  addColumn(name: string, line = 1): ColumnBuilder | null {
    if (!this.admits(1)) {
      this.columnsLeftOut++;
      this.firstLeftOut ??= { name, line };
      return null;
    }
    const placed = this.linesShared ? this.placement?.get(name) : undefined;
    const storage =
      placed === undefined
        ? { shared: this.sharing }
        : { values: new Float64Array(placed, this.placedFrom * 8, this.capacity) };
    const column = new ColumnBuilder(name, this.lines.length, storage);
    this.columns.push(column);
    this.rowLimit = 0; // looked at again on the next row
    return column;
  }

  /**
   * A quoted field that holds line feeds: legal CSV (a note over several lines), but also what a stray quote does to
   * the rows after it, which become one cell. Summed up in one finding, so those lines are never lost unsaid; kept as
   * a count rather than a problem per field so that a part of the file read elsewhere can still be joined.
   */
  noteMultilineQuote(line: number, column: number, lastLine: number): void {
    if (this.multilineQuotes === null) this.multilineQuotes = { count: 1, line, column, lastLine };
    else this.multilineQuotes.count++;
  }

  /**
   * How many of `count` more columns would be admitted (see addColumn); the header offers only those, and leaves
   * the rest out (see leaveOutColumns) before its names are checked, so a header of a million names costs no more.
   */
  admissible(count: number): number {
    const fit = Math.floor(cellBudget(this.inputBytes()) / this.expectedRows());
    return Math.max(0, Math.min(count, MAX_COLUMNS - this.columns.length, fit - this.columns.length));
  }

  /** Header fields left out without being offered: `count` of them, the first called `first`. */
  leaveOutColumns(count: number, first: string, line: number): void {
    if (count <= 0) return;
    this.columnsLeftOut += count;
    this.firstLeftOut ??= { name: first, line };
  }

  /** Whether `more` columns fit the column limit, and the cell budget with the rows expected (see expectedRows). */
  private admits(more: number): boolean {
    const columns = this.columns.length + more;
    return columns <= MAX_COLUMNS && columns * this.expectedRows() <= cellBudget(this.inputBytes());
  }

  /** Index of the row about to be written; make sure every column has room for it. */
  beginRow(): number {
    return this.beginRows(1);
  }

  /**
   * Index of the first of `count` rows about to be written together; every column has room for them. Rows past the
   * cell budget are still written, then the parser stops (see stopped): a batch (at most 32768 cells) over at most.
   */
  beginRows(count: number): number {
    if (this.rowCount + count > this.rowLimit && !this.fitsBudget(this.rowCount + count)) this.stopped = true;
    if (this.rowCount + count <= this.capacity) return this.rowCount;
    if (this.stopped) this.growTo(this.rowCount + Math.max(count, PAST_BUDGET_ROWS));
    while (this.rowCount + count > this.capacity) this.growTo(Math.max(this.nextCapacity(), this.rowCount + count));
    return this.rowCount;
  }

  /** Whether `rows` rows of the columns fit the cell budget; rowLimit is the most that do (budgets grow in a stream). */
  private fitsBudget(rows: number): boolean {
    this.rowLimit = Math.floor(cellBudget(this.inputBytes()) / Math.max(1, this.columns.length));
    return rows <= this.rowLimit;
  }

  /** Whether rows up to this line can be kept (see endRow). */
  fitsLines(line: number): boolean {
    return line <= MAX_LINE;
  }

  /** Commits the rows begun by beginRows, at lines[0, count) (which fitsLines accepts). */
  endRows(lines: Float64Array, count: number): void {
    this.lines.set(lines.subarray(0, count), this.rowCount);
    this.rowCount += count;
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
    this.problems.add(
      'file-too-many-lines',
      'error',
      MAX_LINE,
      1,
      `the file has more than ${MAX_LINE} lines; rows from line ${line} on are skipped — split the file`,
    );
  }

  /** Moves every array to new ones of `capacity` rows (shared when allocating shared). */
  private growTo(capacity: number): void {
    for (const column of this.columns) column.grow(capacity, this.sharing);
    const lines = this.sharing ? new Int32Array(new SharedArrayBuffer(capacity * 4)) : new Int32Array(capacity);
    lines.set(this.lines.subarray(0, this.rowCount));
    this.lines = lines;
    this.linesShared = this.sharing;
    this.capacity = capacity;
    this.placedAt = -1; // a worker's rows placed in the old arrays are copied from its part instead
  }

  /** The rows parsed so far, as one part of a file (the caller then drops this builder). */
  part(bytesRead: number, linesConsumed: number): TablePart {
    return {
      columns: this.columns.map((column) => column.part(this.rowCount)),
      rowCount: this.rowCount,
      lines: this.lines.subarray(0, this.rowCount),
      linesPlaced: this.linesShared,
      rowsRejected: this.rowsRejected,
      problemCount: this.problems.count,
      columnsLeftOut: this.columnsLeftOut,
      bytesRead,
      linesConsumed,
      multilineQuotes: this.multilineQuotes,
    };
  }

  /**
   * Touches the memory of the rows not yet read (each column is filled with NaN up to `rows`), so that the
   * kernel's page faults happen while the reader waits for a worker, not while it copies the worker's rows in.
   */
  prefault(rows: number): void {
    if (this.placedAt >= 0) return; // the worker writes (and so faults) the rest of these arrays itself
    const end = Math.min(this.capacity, rows);
    for (const column of this.columns) column.fillTo(end);
    if (end > this.rowCount) this.lines.fill(0, this.rowCount, end);
  }

  /**
   * Appends the rows of the part of the file that follows, whose line 1 is line lineShift + 1 here. Columns match
   * by name (header names are made unique; JSONL keys are); a column new in the part joins at the end, as it would
   * have when read in order. Returns false, changing nothing, when the lines would pass the line limit.
   */
  /**
   * Whether parts read elsewhere (in file order, each with its line shift) can be appended as a read in order would
   * have read them: every row's line addressable, no key left out by a part, and the keys they hold that this table
   * lacks admitted together, none of them when this table already left some out (a read in order would have judged
   * each where it came). absorb() then takes every part; refused parts are read again here. A worker's JSON Lines
   * half with keys of its own past the budget was dropped whole by absorb, unsaid: half the rows of the file lost.
   */
  admitsParts(parts: readonly TablePart[], shifts: readonly number[]): boolean {
    const known = new Set(this.columns.map((column) => column.name));
    const added = new Set<string>();
    for (const [k, part] of parts.entries()) {
      if (part.columnsLeftOut > 0) return false;
      if (part.rowCount > 0 && !this.fitsLines(part.lines[part.rowCount - 1] + shifts[k])) return false;
      for (const column of part.columns) if (!known.has(column.name)) added.add(column.name);
    }
    return added.size === 0 || (this.columnsLeftOut === 0 && this.admits(added.size));
  }

  /** Appends a part read elsewhere, its lines shifted by `lineShift`: one admitsParts accepted. */
  absorb(part: TablePart, lineShift: number): void {
    if (this.placedAt >= 0) this.capacity = this.lines.length; // the worker's rows are past the cap, in these arrays
    const rows = this.rowCount + part.rowCount;
    if (rows > this.capacity) this.growTo(rows);
    const placedAt = this.placedAt;
    this.placedAt = -1;
    const byName = new Map(this.columns.map((column) => [column.name, column]));
    for (const column of part.columns)
      (byName.get(column.name) ?? this.addColumn(column.name)!).absorb(column, this.rowCount, lineShift, placedAt);
    // Forward, so placed lines moving down (at <= placedAt) are read before they are overwritten.
    const placed = placedAt >= 0 && part.linesPlaced && this.linesShared;
    const from = placed ? this.lines : part.lines;
    const offset = placed ? placedAt : 0;
    for (let i = 0; i < part.rowCount; i++) this.lines[this.rowCount + i] = from[offset + i] + lineShift;
    this.rowCount = rows;
    this.rowsRejected += part.rowsRejected;
    const quotes = part.multilineQuotes;
    if (quotes !== null) {
      if (this.multilineQuotes === null)
        this.multilineQuotes = { ...quotes, line: quotes.line + lineShift, lastLine: quotes.lastLine + lineShift };
      else this.multilineQuotes.count += quotes.count;
    }
  }

  /** The source line of a row written so far. */
  lineOf(row: number): number {
    return this.lines[row];
  }

  finish(head: TableHead): Table {
    this.reportColumnsLeftOut();
    this.reportMultilineQuotes();
    this.reportTextInNumericColumns();
    if (this.rowCount === 0 && this.columns.length > 0) {
      this.problems.add(
        'no-data-rows',
        'info',
        Math.max(1, head.headerLine),
        1,
        'the file has a header but no data rows yet; add rows below the header (or wait for the run to log some)',
      );
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

  private reportMultilineQuotes(): void {
    const quotes = this.multilineQuotes;
    if (quotes === null) return;
    const fields = quotes.count === 1 ? 'a quoted field holds' : `${quotes.count} quoted fields hold`;
    this.problems.addForFile(
      'quote-multiline',
      'info',
      quotes.line,
      quotes.column,
      `${fields} line breaks, the first opened at line ${quotes.line}, column ${quotes.column} and running to line ` +
        `${quotes.lastLine}: such lines are part of their cell, not rows — if a quote was not meant to hold line ` +
        'breaks, close it on its line',
    );
  }

  /**
   * Says which columns were left out, and why: at once for a header (before its other findings, so that a flood of
   * them does not push this one out of the kept problems), at the end for keys left out as they came.
   */
  reportColumnsLeftOut(): void {
    const first = this.firstLeftOut;
    if (first === null || this.columnsLeftOut === this.columnsReported) return;
    this.columnsReported = this.columnsLeftOut;
    const count = this.columnsLeftOut;
    const budget = formatBytes(8 * cellBudget(this.inputBytes()));
    this.problems.addForFile(
      'columns-capped',
      'warning',
      first.line,
      1,
      `${count} column${count === 1 ? ' was' : 's were'} left out, from ${quote(first.name)} at line ${first.line} ` +
        `on: a table keeps at most ${MAX_COLUMNS} columns, and at most ${budget} of numbers for a file of ` +
        `${formatBytes(this.inputBytes())} (a column holds a number for every row, however few it fills) — keep ` +
        'the columns you need, or split the file',
    );
  }

  /** One warning per column that is mostly numbers but has some text: likely a typo or a log line in the data. */
  private reportTextInNumericColumns(): void {
    for (const column of this.columns) reportTextInNumericColumn(this.problems, column);
  }
}

/**
 * The one warning a column that is mostly numbers but has some text gets (likely a typo or a log line in the data), at
 * its first text cell: a read says it of its columns, a followed table of its columns' totals so far (liveTable.ts).
 */
export function reportTextInNumericColumn(
  problems: ProblemLog,
  column: Pick<ColumnBuilder, 'name' | 'numericCount' | 'textCount' | 'firstText'>,
): void {
  const first = column.firstText;
  if (first === null || column.numericCount < column.textCount) return;
  const cells = column.textCount === 1 ? 'cell' : 'cells';
  problems.add(
    'cell-not-numeric',
    'warning',
    first.line,
    first.column,
    `column ${quote(column.name)} has ${column.textCount} non-numeric ${cells} (first ${quote(first.text)} at line ` +
      `${first.line}); they are treated as missing — fix them or remove those rows`,
    first.field,
  );
}
