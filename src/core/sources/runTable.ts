// The joined table of a followed run whose metrics are files of their own (an MLflow run: one `metrics/<key>` file per
// metric), kept between reads so that the points a read appends are appended to it: rows at new steps at its end, and
// a metric that lags the others (its file written a moment later) into the rows its steps already have. It is the
// one copy of the run's points (the points are not kept beside it), so it holds what a whole read's StepTableBuilder
// table holds, the same content. Its arrays have spare room (an eighth more, grown by half); a table handed out is a
// set of views, and a row a later read writes into (a lagging metric's cell) is written into a copy of that array, so
// a table handed out never changes. What it cannot append (a step back or out of order, a new step between rows, a
// metric gone, the cell budget passed) the caller reads whole, and starts a new one from that read.
import { cellBudget, MAX_COLUMNS } from '../table/limits';
import type { CellSource, Column, ParseProblem, Table } from '../table/types';
import { lowerBound, resized } from '../util/arrays';

/** New points of one metric, in file order. */
export interface NewPoints {
  steps: readonly number[];
  values: readonly number[];
  lines: readonly number[];
}

/** Where a metric's cells lie: its file, the field of its lines. */
type Cells = Omit<CellSource, 'lines'>;

/** A row's line before any point gave it one (as StepTableBuilder.finish marks it). */
const NO_LINE = 0x7fffffff;
/** Rows of room at least. */
const MIN_ROOM = 1024;

function roomFor(rows: number): number {
  return rows + Math.max(MIN_ROOM, rows >> 3);
}

class MetricColumn {
  values: Float64Array;
  cellLines: Int32Array;
  /** 0 where a written value is NaN (a diverged loss), -1 elsewhere; null while none is. */
  nanCodes: Int32Array | null = null;
  numeric = 0;
  nans = 0;
  /** The step of its last point: a next point must come after it. */
  last = -Infinity;
  /** Whether its arrays are its own since the last table handed out (rows below it may then be written). */
  owned = false;

  constructor(
    readonly key: string,
    readonly cells: Cells,
    capacity: number,
  ) {
    this.values = new Float64Array(capacity).fill(NaN);
    this.cellLines = new Int32Array(capacity);
  }

  grow(capacity: number, rows: number): void {
    this.values = resized(this.values, capacity, rows, NaN);
    this.cellLines = resized(this.cellLines, capacity, rows);
    if (this.nanCodes !== null) this.nanCodes = resized(this.nanCodes, capacity, rows, -1);
    this.owned = true;
  }

  /** Writes a point at `row`; rows below `shared` are copied first (a table handed out holds them). */
  write(row: number, value: number, line: number, shared: number, rows: number): void {
    if (row < shared && !this.owned) this.grow(this.values.length, rows);
    this.values[row] = value;
    this.cellLines[row] = line;
    this.numeric++;
    if (value === value) return;
    this.nans++;
    this.nanCodes ??= new Int32Array(this.values.length).fill(-1);
    this.nanCodes[row] = 0;
  }

  view(rows: number): Column {
    return {
      name: this.key,
      values: this.values.subarray(0, rows),
      numericCount: this.numeric,
      textCount: 0,
      emptyCount: rows - this.numeric,
      suffixes: [],
      ...(this.nans > 0 && { text: { codes: this.nanCodes!.subarray(0, rows), dictionary: ['NaN'] } }),
      cells: { ...this.cells, lines: this.cellLines.subarray(0, rows) },
    };
  }
}

export class RunTable {
  private steps: Float64Array;
  private lines: Int32Array;
  private linesOwned = false;
  private rows: number;
  /** Rows a table handed out holds: below it, an array is copied before it is written. */
  private shared = 0;
  private readonly columns = new Map<string, MetricColumn>();
  /** What the join that made it found (a resumed run's steps logged again): said again with each table it gives. */
  joinProblems: ParseProblem[] = [];

  private constructor(capacity: number) {
    this.steps = new Float64Array(capacity);
    this.lines = new Int32Array(capacity);
    this.rows = 0;
  }

  /**
   * Starts from a whole read's joined table (its first column the steps, then one column per metric file, each with
   * its cells), or null when it is not such a table.
   */
  static from(table: Table): RunTable | null {
    const [step, ...metrics] = table.columns;
    if (step === undefined || table.rowCount === 0 || metrics.some((c) => c.cells?.lines === undefined)) return null;
    const rows = table.rowCount;
    const run = new RunTable(roomFor(rows));
    run.steps.set(step.values);
    run.lines.set(table.lines);
    run.rows = rows;
    for (const c of metrics) {
      const { lines, ...cells } = c.cells!;
      const column = new MetricColumn(c.name, cells, run.steps.length);
      column.values.set(c.values);
      column.cellLines.set(lines!);
      column.numeric = c.numericCount;
      for (let r = 0; r < rows; r++) if (lines![r] !== 0) column.last = step.values[r];
      if (c.text !== undefined) {
        column.nanCodes = new Int32Array(run.steps.length).fill(-1);
        column.nanCodes.set(c.text.codes);
        for (let r = 0; r < rows; r++) if (c.text.codes[r] === 0) column.nans++;
      }
      run.columns.set(c.name, column);
    }
    return run;
  }

  get rowCount(): number {
    return this.rows;
  }

  /** Whether a metric of that key has a column. */
  has(key: string): boolean {
    return this.columns.has(key);
  }

  /** The steps of the rows a metric wrote. */
  writtenSteps(key: string): number[] {
    const column = this.columns.get(key);
    const steps: number[] = [];
    if (column !== undefined)
      for (let r = 0; r < this.rows; r++) if (column.cellLines[r] !== 0) steps.push(this.steps[r]);
    return steps;
  }

  /**
   * Appends each metric's new points (`keys`: every metric file of the run, in the order a whole read lists them).
   * False, with nothing changed, when they cannot be appended: a metric gone, a step not after its metric's last, or
   * a step before the last row's that no row has, or the joined table past the cell budget of `bytesRead`.
   */
  append(
    keys: readonly string[],
    points: ReadonlyMap<string, NewPoints>,
    cells: (key: string) => Cells,
    bytesRead: number,
  ): boolean {
    if (keys.length >= MAX_COLUMNS || [...this.columns.keys()].some((key) => !keys.includes(key))) return false;
    const lastRow = this.rows > 0 ? this.steps[this.rows - 1] : -Infinity;
    const fresh: number[] = [];
    for (const key of keys) {
      const p = points.get(key);
      if (p === undefined) continue;
      let before = this.columns.get(key)?.last ?? -Infinity;
      for (const step of p.steps) {
        if (!(step > before)) return false;
        before = step;
        if (step > lastRow) fresh.push(step);
        else if (this.steps[lowerBound(this.steps.subarray(0, this.rows), step)] !== step) return false;
      }
    }
    fresh.sort((a, b) => a - b);
    let added = 0;
    for (let i = 0; i < fresh.length; i++) if (i === 0 || fresh[i] !== fresh[i - 1]) fresh[added++] = fresh[i];
    fresh.length = added;
    const rows = this.rows + added;
    if (rows * (keys.length + 1) > cellBudget(bytesRead)) return false;
    this.place(keys, points, cells, rows);
    this.steps.set(fresh, this.rows);
    this.lines.fill(NO_LINE, this.rows, rows);
    const total = rows;
    for (const key of keys) {
      const p = points.get(key);
      if (p === undefined) continue;
      const column = this.columns.get(key)!;
      let row = -1;
      for (let i = 0; i < p.steps.length; i++) {
        const step = p.steps[i];
        row =
          row >= 0 && row + 1 < total && this.steps[row + 1] === step
            ? row + 1
            : lowerBound(this.steps.subarray(0, total), step);
        column.write(row, p.values[i], p.lines[i] | 0, this.shared, total);
        this.lowerLine(row, p.lines[i] | 0, total);
      }
      if (p.steps.length > 0) column.last = p.steps[p.steps.length - 1];
    }
    this.rows = rows;
    return true;
  }

  /** Room for `rows` rows, and a column for each key new with points (empty on the rows before). */
  private place(
    keys: readonly string[],
    points: ReadonlyMap<string, NewPoints>,
    cells: (key: string) => Cells,
    rows: number,
  ): void {
    if (rows > this.steps.length) {
      const capacity = Math.max(roomFor(rows), Math.ceil(1.5 * this.steps.length));
      this.steps = resized(this.steps, capacity, this.rows);
      this.lines = resized(this.lines, capacity, this.rows);
      this.linesOwned = true;
      for (const column of this.columns.values()) column.grow(capacity, this.rows);
    }
    for (const key of keys)
      if (!this.columns.has(key) && (points.get(key)?.steps.length ?? 0) > 0)
        this.columns.set(key, new MetricColumn(key, cells(key), this.steps.length));
  }

  /** A row's line is its earliest point's (as a whole read's join makes it). */
  private lowerLine(row: number, line: number, rows: number): void {
    if (line >= this.lines[row]) return;
    if (row < this.shared && !this.linesOwned) {
      this.lines = resized(this.lines, this.lines.length, rows);
      this.linesOwned = true;
    }
    this.lines[row] = line;
  }

  /** The joined table as of now (views), its columns in the order of `keys`, for `head` to complete. */
  table(keys: readonly string[]): Pick<Table, 'columns' | 'rowCount' | 'lines'> {
    const rows = this.rows;
    this.shared = rows;
    this.linesOwned = false;
    for (const column of this.columns.values()) column.owned = false;
    const step: Column = {
      name: 'step',
      values: this.steps.subarray(0, rows),
      numericCount: rows,
      textCount: 0,
      emptyCount: 0,
      suffixes: [],
    };
    const metrics = keys.flatMap((key) => {
      const column = this.columns.get(key);
      return column ? [column.view(rows)] : [];
    });
    return { columns: [step, ...metrics], rowCount: rows, lines: this.lines.subarray(0, rows) };
  }
}
