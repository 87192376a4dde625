// The table every step-keyed source produces: TensorBoard tags, `log_history` keys, MLflow metric files and DVCLive
// TSVs are each a series of (step, value) points, joined here on one step axis, one row per distinct step. Sources
// hand in points as they read them; memory is the points kept, and the joined table stays inside the cell budget of
// the bytes read (a source whose series share no steps would otherwise make rows x series cells).

import { cellBudget, MAX_COLUMNS } from '../table/limits';
import { stepsPerStep, staleSpanText } from '../analysis/curveSteps';
import { quote, type ProblemLog } from '../table/problems';
import { plural } from '../util/format';
import { lowerBound, resized } from '../util/arrays';
import type { CellSource, Column, FileFormat, JoinedLines, Table } from '../table/types';

/** One series to add points to, held by a source so its hot loop does not look the series up by name per point. */
export interface SeriesSink {
  push(step: number, value: number, line: number): void;
}

/**
 * The share of its input a source has read so far, in (0, 1]; 0 when it does not know (then series grow by
 * doubling). Asked only when a series fills, so a source can keep it as cheap as a field read.
 */
export type ReadShare = () => number;

/** A series grows to at least this factor of its capacity (amortised linear copying whatever the estimate). */
const MIN_GROWTH = 1.25;
/** ...and at most this factor: a series whose points all came early cannot reserve more than 8x what it holds. */
const MAX_GROWTH = 8;
/** The estimate of a series' final length is padded by this share (a source's points per byte vary a little). */
const ESTIMATE_MARGIN = 1.02;

/**
 * Points of one series in arrival order. When full it grows to the length its source's read share predicts (its
 * points so far over the share read), clamped to [1.25x, 8x] its capacity, or by doubling when the share is unknown:
 * a large file's series grows a few times instead of some twenty, and ends near its final length, so `finish` can
 * hand its arrays to the table without a copy. Arrays handed out are shared: the next write copies them first.
 *
 * Lines are kept as `firstPointLine + k * lineStride` while they go up by the same stride (a writer that logs the same
 * tags at every step: every n-th record), and as an array only from the first point that breaks the progression: the
 * usual series then writes and keeps two arrays instead of three.
 */
class SeriesPoints implements SeriesSink {
  steps = new Float64Array(16);
  values = new Float64Array(16);
  /** Each point's line, or null while they are the progression `firstPointLine + k * lineStride` (see `lineAt`). */
  private lines: Int32Array | null = null;
  private firstPointLine = 0;
  private lineStride = 0;
  length = 0;
  /**
   * True while every step is above the one before (the usual series): `finish` then skips its scans for order and
   * repeats. Dropping points keeps it true (what is left is a subsequence); false means only "scan to know".
   */
  increasing = true;
  /** False while no value written is NaN (then `finish` skips its scan for them); true means only "scan to know". */
  mayHoldNaN = false;
  /** Points that may be written without growing: the capacity, or 0 while the arrays are shared with a table. */
  private room = 16;
  /** Where the points were read, when their source has lines a finding can point at (StepTableBuilder.cellsOf). */
  cells: Omit<CellSource, 'lines'> | undefined;
  /** The first step below the one before it (a resumed run going back to its checkpoint), for the finding. */
  wentBack: { from: number; to: number; line: number } | null = null;
  /** Whether a step went back since the last `resolveRestarts`. */
  private backSinceResolved = false;
  /** Steps logged again that `resolveRestarts` resolved to their last value, and what it left out, in words. */
  relogged = 0;
  abandoned = '';

  constructor(
    readonly name: string,
    /** Where the series was first seen (line or record), for messages about it. */
    readonly firstLine: number,
    private readonly readShare: ReadShare,
  ) {}

  push(step: number, value: number, line: number): void {
    if (this.length >= this.room) this.grow();
    if (this.length > 0 && step <= this.steps[this.length - 1]) {
      this.increasing = false;
      if (step < this.steps[this.length - 1]) this.noteBack(step, line);
    }
    if (Number.isNaN(value)) this.mayHoldNaN = true;
    this.steps[this.length] = step;
    this.values[this.length] = value;
    // As an Int32Array stores it, so a line read back is the same whether the progression or an array holds it.
    const int = line | 0;
    if (this.lines !== null) this.lines[this.length] = int;
    else if (this.length === 0) this.firstPointLine = int;
    else if (this.length === 1) this.lineStride = int - this.firstPointLine;
    else if (int !== this.firstPointLine + this.length * this.lineStride) this.linesArray()[this.length] = int;
    this.length++;
  }

  private noteBack(step: number, line: number): void {
    this.wentBack ??= { from: this.steps[this.length - 1], to: step, line };
    this.backSinceResolved = true;
  }

  /**
   * A series whose steps went back and repeat is a resumed run's, resolved as a log file's curve is (curveSteps.ts):
   * each step keeps the value logged last, and what the abandoned attempt logged past the step the run resumed from
   * is left out. Steps that only come out of order (no step twice) stay for the join to sort. Equal steps in a row
   * alone (a trainer_state's train and eval entries both logging `epoch`) are no restart.
   */
  resolveRestarts(): void {
    if (!this.backSinceResolved) return;
    this.backSinceResolved = false;
    const { kept, repeated, stale } = stepsPerStep(this.steps, this.length);
    if (repeated.length === 0 || kept === null) return;
    this.relogged += repeated.length;
    this.abandoned ||= staleSpanText(
      stale,
      (i) => this.steps[i],
      (i) => this.lineAt(i),
    );
    this.unshare();
    // Kept indices ascend, so each point moves down over points already read.
    kept.forEach((i, k) => {
      this.steps[k] = this.steps[i];
      this.values[k] = this.values[i];
      this.setLineAt(k, this.lineAt(i));
    });
    this.length = kept.length;
    this.increasing = true;
  }

  /** The line of point `i` (below `length`). */
  lineAt(i: number): number {
    return this.lines !== null ? this.lines[i] : this.firstPointLine + i * this.lineStride;
  }

  /** Sets the line of point `i` (below `length`: dropping points moves them down). */
  setLineAt(i: number, line: number): void {
    if (this.lines !== null || line !== this.firstPointLine + i * this.lineStride) this.linesArray()[i] = line;
  }

  /** Marks the arrays as held by a table: the series copies them before its next write. */
  share(): void {
    this.room = 0;
  }

  /** Own arrays before writing below `length` (dropping points rewrites them in place). */
  unshare(): void {
    if (this.room === 0) this.resize(this.steps.length);
  }

  /** The lines as an array, made from the progression the first time a line breaks it. */
  private linesArray(): Int32Array {
    if (this.lines === null) {
      const lines = new Int32Array(this.steps.length);
      for (let i = 0; i < this.length; i++) lines[i] = this.firstPointLine + i * this.lineStride;
      this.lines = lines;
    }
    return this.lines;
  }

  /** Room for at least one more point: a larger capacity when full, else a private copy of shared arrays. */
  private grow(): void {
    const capacity = this.steps.length;
    this.resize(this.length < capacity ? capacity : this.nextCapacity(capacity));
  }

  private nextCapacity(capacity: number): number {
    const share = this.readShare();
    if (!(share > 0)) return capacity * 2;
    const estimate = Math.ceil((this.length / Math.min(share, 1)) * ESTIMATE_MARGIN);
    return Math.min(Math.max(estimate, Math.ceil(capacity * MIN_GROWTH)), capacity * MAX_GROWTH);
  }

  private resize(capacity: number): void {
    this.steps = resized(this.steps, capacity, this.length);
    this.values = resized(this.values, capacity, this.length);
    if (this.lines !== null) this.lines = resized(this.lines, capacity, this.length);
    this.room = capacity;
  }
}

/**
 * `a` itself when it fills (nearly all of) its buffer, else a copy of just its elements: a table keeps a series'
 * arrays without a copy only when that keeps no more than 1/16 of unused capacity alive.
 */
function fitted<T extends Float64Array | Int32Array>(a: T): T {
  return a.byteLength * 16 >= a.buffer.byteLength * 15 ? a : (a.slice() as T);
}

export interface StepTableHead {
  format: FileFormat;
  bytesRead: number;
  /** The name of the step column (default `step`). */
  stepName?: string;
  /** Where the step column's cells lie, when they are fields of lines of text (each row's line holds its step). */
  stepCells?: Omit<CellSource, 'lines'>;
  /** Where the cells of every series lie that cellsOf placed nowhere, when the points' lines are lines of text. */
  cells?: Omit<CellSource, 'lines'>;
  run?: string;
}

/**
 * Collects points by series name and joins them on step. Within a series a step logged twice keeps the value added
 * last, and a series whose steps go back to repeat earlier ones is a resumed run's: what the abandoned attempt logged
 * past its restart is left out and said (SeriesPoints.resolveRestarts); sources that know better (TensorBoard's
 * restarts) drop the orphaned points themselves before adding.
 */
export class StepTableBuilder {
  private readonly series = new Map<string, SeriesPoints>();
  private seriesLeftOut = 0;
  private firstLeftOut: { name: string; line: number } | null = null;

  /**
   * `readShare`: how much of its input the source has read, from which a filling series predicts its final length
   * (a TensorBoard run's bytes read over its files' size); without it series grow by doubling.
   */
  constructor(
    readonly problems: ProblemLog,
    private readonly readShare: ReadShare = () => 0,
  ) {}

  /** One point; `line` is the 1-based line (or record number) it was read from. Steps must be finite. */
  add(name: string, step: number, value: number, line: number): void {
    let points = this.series.get(name);
    if (points === undefined) {
      if (this.series.size >= MAX_COLUMNS - 1) {
        this.seriesLeftOut++;
        this.firstLeftOut ??= { name, line };
        return;
      }
      points = new SeriesPoints(name, line, this.readShare);
      this.series.set(name, points);
    }
    points.push(step, value, line);
  }

  /**
   * The series `name`, made if new, to push points into as `add` would; null when the column cap leaves it out (then
   * `add` is the way, which counts what is left out).
   */
  seriesOf(name: string, line: number): SeriesSink | null {
    let points = this.series.get(name);
    if (points === undefined) {
      if (this.series.size >= MAX_COLUMNS - 1) return null;
      points = new SeriesPoints(name, line, this.readShare);
      this.series.set(name, points);
    }
    return points;
  }

  /**
   * Where the cells of series `name` lie (their file when not the table's, their field on a line of delimited text):
   * the source's lines are lines of text, so the joined column keeps the line of each cell (Column.cells), for
   * findings about one to point at the record that holds it, not at its row's first. Series without it keep none.
   */
  cellsOf(name: string, cells: Omit<CellSource, 'lines'>): void {
    const points = this.series.get(name);
    if (points !== undefined) points.cells = cells;
  }

  /** How many series so far. */
  get seriesCount(): number {
    return this.series.size;
  }

  /** Removes the points of every series with step >= `step` (a restart at `step` orphans them). */
  dropFrom(step: number, names?: Iterable<string>): void {
    const which = names === undefined ? this.series.values() : [...names].map((n) => this.series.get(n));
    for (const points of which) {
      if (points === undefined) continue;
      points.unshare();
      let kept = 0;
      for (let i = 0; i < points.length; i++) {
        if (points.steps[i] >= step) continue;
        points.steps[kept] = points.steps[i];
        points.values[kept] = points.values[i];
        points.setLineAt(kept, points.lineAt(i));
        kept++;
      }
      points.length = kept;
    }
  }

  /**
   * Removes the trailing points with step >= `step` of series that are in step order (a source that drops before
   * every step that goes back keeps them so): the cost is the points removed, however often a run restarts.
   */
  dropTailFrom(step: number, names: Iterable<string>): void {
    for (const name of names) {
      const points = this.series.get(name);
      if (points === undefined) continue;
      while (points.length > 0 && points.steps[points.length - 1] >= step) points.length--;
    }
  }

  /**
   * A builder that shares the points added so far and logs into `problems`: finishing it leaves this one as it was,
   * so a live reader can make a table now and go on adding. Points added to the fork must be of series this builder
   * does not hold (they would land in the shared arrays).
   */
  fork(problems: ProblemLog): StepTableBuilder {
    const fork = new StepTableBuilder(problems, this.readShare);
    for (const [name, points] of this.series) fork.series.set(name, points);
    fork.seriesLeftOut = this.seriesLeftOut;
    fork.firstLeftOut = this.firstLeftOut;
    return fork;
  }

  finish(head: StepTableHead): Table {
    for (const points of this.series.values()) points.resolveRestarts();
    this.reportRestarts();
    const { kept, steps } = this.withinBudget(head.bytesRead);
    const lines = new Int32Array(steps.length).fill(0x7fffffff);
    const columns: Column[] = [stepColumn(head.stepName ?? 'step', steps, head.stepCells)];
    // Each cell's line, for the series whose source has lines of text: only known once every row's line is.
    const cellsOf = (points: SeriesPoints) => points.cells ?? head.cells;
    const cellLines = kept.map((points) => (cellsOf(points) ? new Int32Array(steps.length) : null));
    kept.forEach((points, i) => columns.push(joinSeries(points, steps, lines, cellLines[i])));
    for (let r = 0; r < lines.length; r++) if (lines[r] === 0x7fffffff) lines[r] = 1;
    kept.forEach((points, i) => {
      const [where, cells] = [cellsOf(points), cellLines[i]];
      // A metric file's lines are kept whole: a hover on one of its records finds its row by them (MetricFileLines).
      const keep = where?.file !== undefined || (cells !== null && offRowLines(cells, lines));
      if (where && cells) columns[i + 1].cells = keep ? { ...where, lines: cells } : where;
    });
    const joinedLines = joinedLinesOf(columns, lines);
    // The table may hold the series' own arrays: a source that goes on adding (a live read) copies them first.
    for (const points of kept) points.share();
    this.reportLeftOut();
    if (steps.length === 0)
      this.problems.addForFile(
        'no-data-rows',
        'info',
        1,
        1,
        'no scalar values were found yet; they appear once the run logs some',
      );
    return {
      file: this.problems.file,
      format: head.format,
      run: head.run,
      headerLine: 0,
      columns,
      rowCount: steps.length,
      lines,
      ...(joinedLines && { joinedLines }),
      problems: this.problems.sorted(),
      problemCount: this.problems.count,
      rowsRejected: 0,
      bytesRead: head.bytesRead,
    };
  }

  /**
   * The series that fit the cell budget, the longest first to go when they do not (they cost the most cells), and
   * their joined steps.
   */
  private withinBudget(bytesRead: number): { kept: SeriesPoints[]; steps: Float64Array } {
    const all = [...this.series.values()];
    const budget = cellBudget(bytesRead);
    const stepsIfAll = distinctSteps(all);
    if (stepsIfAll.length * (all.length + 1) <= budget) return { kept: all, steps: stepsIfAll };
    // Keep series in order of first appearance while the joined rows times columns fit.
    const kept: SeriesPoints[] = [];
    for (const points of all) {
      const trial = [...kept, points];
      if (distinctSteps(trial).length * (trial.length + 1) <= budget) kept.push(points);
      else {
        this.seriesLeftOut++;
        this.firstLeftOut ??= { name: points.name, line: points.firstLine };
      }
    }
    return { kept, steps: distinctSteps(kept) };
  }

  /** Series a resumed run logged again (SeriesPoints.resolveRestarts): one finding, at the first one's step back. */
  private reportRestarts(): void {
    const resumed = [...this.series.values()].filter((points) => points.relogged > 0);
    const [first] = resumed;
    if (first?.wentBack == null) return;
    const { from, to, line } = first.wentBack;
    const others = resumed.slice(1).map((points) => quote(points.name));
    const also = others.length
      ? ` So did ${others.length === 1 ? 'the steps of' : `${others.length} other series:`} ${others.slice(0, 3).join(', ')}${others.length > 3 ? ', …' : ''}, resolved alike.`
      : '';
    this.problems.addForFile(
      'steps-repeated',
      'info',
      line,
      1,
      `the steps of ${quote(first.name)} go back from ${from} to ${to} here (a resumed run?): the value logged last is used at each of its ${plural(first.relogged, 'step')} logged more than once.${first.abandoned}${also}`,
      { file: first.cells?.file },
    );
  }

  private reportLeftOut(): void {
    if (this.seriesLeftOut === 0 || this.firstLeftOut === null) return;
    const { name, line } = this.firstLeftOut;
    this.problems.addForFile(
      'columns-capped',
      'warning',
      line,
      1,
      `${this.seriesLeftOut} series, the first "${name.slice(0, 80)}", are left out: joined on one step axis they ` +
        'would take more memory than the data read justifies (series that share no steps, or too many of them)',
    );
  }
}

/**
 * The sorted distinct steps of the series. Series logged in step order (the usual case) are merged pairwise, in time
 * linear in the points per level of merging; others are concatenated and sorted.
 */
function distinctSteps(series: readonly SeriesPoints[]): Float64Array {
  if (series.every(isAscending)) {
    let runs = series.map((s) => {
      const steps = s.steps.subarray(0, s.length);
      return s.increasing ? steps : uniqueSorted(steps);
    });
    while (runs.length > 1) {
      const next: Float64Array[] = [];
      for (let i = 0; i < runs.length; i += 2)
        next.push(i + 1 < runs.length ? mergeUnique(runs[i], runs[i + 1]) : runs[i]);
      runs = next;
    }
    // The runs may be views of a series' own steps: kept as they are when they fill their buffer (`finish` marks the
    // series shared), copied when a larger one would stay alive with them.
    return runs.length > 0 ? fitted(runs[0]) : new Float64Array(0);
  }
  let total = 0;
  for (const s of series) total += s.length;
  const all = new Float64Array(total);
  let at = 0;
  for (const s of series) {
    all.set(s.steps.subarray(0, s.length), at);
    at += s.length;
  }
  all.sort();
  return uniqueSorted(all);
}

function isAscending(points: SeriesPoints): boolean {
  if (points.increasing) return true;
  for (let i = 1; i < points.length; i++) if (points.steps[i] < points.steps[i - 1]) return false;
  return true;
}

/** A sorted array without its repeats (itself when it has none: the arrays are only read). */
function uniqueSorted(sorted: Float64Array): Float64Array {
  let repeats = false;
  for (let i = 1; i < sorted.length && !repeats; i++) repeats = sorted[i] === sorted[i - 1];
  if (!repeats) return sorted;
  const out = new Float64Array(sorted.length);
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (n === 0 || sorted[i] !== out[n - 1]) out[n++] = sorted[i];
  return out.slice(0, n);
}

/** The union of two sorted arrays without repeats (`a` itself when they are equal: series logged together). */
function mergeUnique(a: Float64Array, b: Float64Array): Float64Array {
  if (a.length === b.length) {
    let same = true;
    for (let k = 0; k < a.length && same; k++) same = a[k] === b[k];
    if (same) return a;
  }
  const out = new Float64Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < a.length || j < b.length) {
    const v = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
    if (n === 0 || v !== out[n - 1]) out[n++] = v;
  }
  return out.slice(0, n);
}

function stepColumn(name: string, steps: Float64Array, cells: CellSource | undefined): Column {
  return {
    name,
    values: steps,
    numericCount: steps.length,
    textCount: 0,
    emptyCount: 0,
    suffixes: [],
    ...(cells && { cells }),
  };
}

/** Whether some cell (a line above 0) lies on a line other than its row's. */
function offRowLines(cellLines: Int32Array, rowLines: Int32Array): boolean {
  for (let r = 0; r < cellLines.length; r++) if (cellLines[r] !== 0 && cellLines[r] !== rowLines[r]) return true;
  return false;
}

/**
 * The lines of cells off their row's line, each with its row's line, ascending and once each (Table.joinedLines);
 * undefined when every cell is on its row's line. Indexed by line (4 bytes a line of the file, linear): a log of a
 * million steps logs them in a few million lines, which a map of pairs or a sort would cost far more to order.
 */
export function joinedLinesOf(columns: readonly Column[], rowLines: Int32Array): JoinedLines | undefined {
  // Lines of another file (a metric file of its own) are not lines of the table's.
  const joined = columns.flatMap(({ cells }) => (cells?.lines && cells.file === undefined ? [cells.lines] : []));
  let last = 0;
  for (const lines of joined) for (let r = 0; r < lines.length; r++) if (lines[r] > last) last = lines[r];
  const rowOf = new Int32Array(last + 1);
  let count = 0;
  for (const lines of joined)
    for (let r = 0; r < lines.length; r++) {
      const line = lines[r];
      if (line === 0 || line === rowLines[r] || rowOf[line] !== 0) continue;
      rowOf[line] = rowLines[r];
      count++;
    }
  if (count === 0) return undefined;
  const result = { lines: new Int32Array(count), rowLines: new Int32Array(count) };
  for (let line = 1, k = 0; line <= last; line++) {
    if (rowOf[line] === 0) continue;
    result.lines[k] = line;
    result.rowLines[k++] = rowOf[line];
  }
  return result;
}

/**
 * The records a joined table was made of, in the order they were read: each one's step, line, the column of its `{`
 * on that line (0 when not known) and whether it wrote a cell of the joined table's column `column`.
 */
export interface JoinedRecords {
  readonly count: number;
  step(record: number): number;
  line(record: number): number;
  opensAt(record: number): number;
  wrote(record: number, column: number): boolean;
}

/**
 * Where each joined cell's record opens (Table.joinedObjectColumns): per row of `joined` some record lands on, per
 * column, the `{` column of the last record of its step that wrote the cell on the line the joined table places it
 * (the value a step's later record wrote wins the join, and its line is the cell's); 0 where none is on that line (no
 * column rather than a wrong one). One rule for a trainer state's log_history entries and a JSON array's records.
 */
export function joinedObjectColumnsOf(joined: Table, records: JoinedRecords): Map<number, Int32Array> {
  const steps = joined.columns[0].values;
  const out = new Map<number, Int32Array>();
  for (let r = 0; r < records.count; r++) {
    const [step, opensAt] = [records.step(r), records.opensAt(r)];
    const row = lowerBound(steps, step);
    if (steps[row] !== step || opensAt === 0) continue;
    let columns = out.get(row);
    if (columns === undefined) out.set(row, (columns = new Int32Array(joined.columns.length)));
    for (let k = 0; k < joined.columns.length; k++) {
      const line = joined.columns[k].cells?.lines?.[row] || joined.lines[row];
      if (records.line(r) === line && records.wrote(r, k)) columns[k] = opensAt;
    }
  }
  return out;
}

/**
 * One series as a column on the joined rows; the last point of a step wins. A non-finite value logged (a diverged
 * loss) stays a written NaN, told apart from a step the series did not log. Each row's line is its earliest point's;
 * `cellLines`, when given, gets each cell's: the line of the point that won.
 */
function joinSeries(
  points: SeriesPoints,
  steps: Float64Array,
  lines: Int32Array,
  cellLines: Int32Array | null,
): Column {
  if (onEveryRow(points, steps)) return fullColumn(points, lines, cellLines);
  const values = new Float64Array(steps.length).fill(NaN);
  const written = new Uint8Array(steps.length);
  let row = -1;
  for (let i = 0; i < points.length; i++) {
    // A series in step order lands on the next row, or one a little further: searched only when it does not (every
    // step of a series is one of the distinct steps, so the search finds its row).
    const step = points.steps[i];
    row = row >= 0 && row + 1 < steps.length && steps[row + 1] === step ? row + 1 : lowerBound(steps, step);
    values[row] = points.values[i];
    written[row] = 1;
    const line = points.lineAt(i);
    if (line < lines[row]) lines[row] = line;
    if (cellLines) cellLines[row] = line;
  }
  // As the text reader counts them: a written NaN is a number (coded 'NaN'), a step not logged an empty cell.
  let numericCount = 0;
  let nanCount = 0;
  for (let r = 0; r < steps.length; r++) {
    if (!written[r]) continue;
    numericCount++;
    if (Number.isNaN(values[r])) nanCount++;
  }
  const emptyCount = steps.length - numericCount;
  const column: Column = { name: points.name, values, numericCount, textCount: 0, emptyCount, suffixes: [] };
  if (nanCount > 0) {
    const codes = new Int32Array(steps.length).fill(-1);
    for (let r = 0; r < steps.length; r++) if (written[r] && Number.isNaN(values[r])) codes[r] = 0;
    column.text = { codes, dictionary: ['NaN'] };
  }
  return column;
}

/** Whether the series has exactly one point on each row, in order (series logged together at every step). */
function onEveryRow(points: SeriesPoints, steps: Float64Array): boolean {
  if (points.length !== steps.length) return false;
  // The joined steps may be this series' own (the first series, or one all the others match).
  if (steps.buffer === points.steps.buffer && steps.byteOffset === 0) return true;
  for (let i = 0; i < steps.length; i++) if (points.steps[i] !== steps[i]) return false;
  return true;
}

/**
 * joinSeries for a series on every row: its values whole (no row search, no cell left empty), the series' own array
 * when it fills its buffer.
 */
function fullColumn(points: SeriesPoints, lines: Int32Array, cellLines: Int32Array | null): Column {
  const n = points.length;
  const values = fitted(points.values.subarray(0, n));
  for (let r = 0; r < n; r++) {
    const line = points.lineAt(r);
    if (line < lines[r]) lines[r] = line;
    if (cellLines) cellLines[r] = line;
  }
  let nanCount = 0;
  if (points.mayHoldNaN) for (let r = 0; r < n; r++) if (Number.isNaN(values[r])) nanCount++;
  const column: Column = { name: points.name, values, numericCount: n, textCount: 0, emptyCount: 0, suffixes: [] };
  if (nanCount > 0) {
    const codes = new Int32Array(n).fill(-1);
    for (let r = 0; r < n; r++) if (Number.isNaN(values[r])) codes[r] = 0;
    column.text = { codes, dictionary: ['NaN'] };
  }
  return column;
}
