// A table that grows: the rows of a followed run file, read once and then appended to as the run writes more. Its
// columns are typed arrays with spare room (an eighth more, grown by half), so appending k rows costs O(k) amortised
// and a followed million-row log holds little more than its rows; a snapshot is a set of views of the rows so far
// (no copy), valid for as long as it is used, because rows once written never change. A column's warning about its
// text cells is the table's, not a part's: a part of one row of text in a column of numbers is all text on its own.
import type { ParseProblem, Table } from '../table/types';
import type { ColumnPart } from '../table/columnBuilder';
import { DEFAULT_MAX_PROBLEMS, ProblemLog } from '../table/problems';
import { reportTextInNumericColumn } from '../table/tableBuilder';
import { resized } from '../util/arrays';

/** What a read knows of its columns' text cells beyond the table: where each column's first one is. */
export type FirstTexts = readonly Pick<ColumnPart, 'name' | 'firstText'>[];

/** Rows a column has room for at first, at least. */
const MIN_ROOM = 1024;

/** Room for `rows` rows and the ones a run writes next. */
function roomFor(rows: number): number {
  return rows + Math.max(MIN_ROOM, rows >> 3);
}

class GrowingColumn {
  values: Float64Array;
  codes: Int32Array | null = null;
  readonly dictionary: string[] = [];
  private readonly codeOf = new Map<string, number>();
  numericCount = 0;
  textCount = 0;
  firstText: ColumnPart['firstText'] = null;
  readonly suffixes: string[] = [];

  constructor(
    readonly name: string,
    capacity: number,
  ) {
    this.values = new Float64Array(capacity);
  }

  /** Room for `capacity` rows (the values past the rows written are NaN, as empty cells). */
  grow(capacity: number, rows: number): void {
    if (capacity <= this.values.length) return;
    this.values = resized(this.values, capacity, rows);
    if (this.codes !== null) this.codes = resized(this.codes, capacity, rows, -1);
  }

  /**
   * Rows [at, at + length) from a column of a table read from the bytes that follow (or NaN when it has none), and
   * where that read found its first text cell.
   */
  write(
    at: number,
    length: number,
    from: Table['columns'][number] | undefined,
    firstText: ColumnPart['firstText'] = null,
  ): void {
    if (from === undefined) {
      this.values.fill(NaN, at, at + length);
      this.codes?.fill(-1, at, at + length);
      return;
    }
    this.values.set(from.values, at);
    this.numericCount += from.numericCount;
    this.textCount += from.textCount;
    this.firstText ??= firstText;
    for (const suffix of from.suffixes) if (!this.suffixes.includes(suffix)) this.suffixes.push(suffix);
    const text = from.text;
    if (text === undefined) {
      this.codes?.fill(-1, at, at + length);
      return;
    }
    this.codes ??= new Int32Array(this.values.length).fill(-1);
    const remap = Int32Array.from(text.dictionary, (word) => this.code(word));
    for (let i = 0; i < length; i++) this.codes[at + i] = text.codes[i] < 0 ? -1 : remap[text.codes[i]];
  }

  private code(word: string): number {
    let code = this.codeOf.get(word);
    if (code === undefined) {
      code = this.dictionary.length;
      this.dictionary.push(word);
      this.codeOf.set(word, code);
    }
    return code;
  }

  view(rows: number): Table['columns'][number] {
    return {
      name: this.name,
      values: this.values.subarray(0, rows),
      ...(this.codes && { text: { codes: this.codes.subarray(0, rows), dictionary: this.dictionary.slice() } }),
      numericCount: this.numericCount,
      textCount: this.textCount,
      emptyCount: rows - this.numericCount - this.textCount,
      suffixes: this.suffixes.slice(),
    };
  }
}

export class LiveTable {
  private readonly columns: GrowingColumn[] = [];
  private lines: Int32Array;
  private rows = 0;
  private readonly problems: ParseProblem[] = [];
  private problemCount = 0;
  private rowsRejected = 0;
  private bytesRead = 0;
  private readonly head: Pick<Table, 'file' | 'format' | 'run' | 'delimiter' | 'headerLine'>;

  /** Starts from the table of a file's first read. */
  constructor(first: Table, firstTexts: FirstTexts) {
    const { file, format, run, delimiter, headerLine } = first;
    this.head = { file, format, run, delimiter, headerLine };
    this.lines = new Int32Array(roomFor(first.rowCount));
    this.append(first, firstTexts);
  }

  get rowCount(): number {
    return this.rows;
  }

  /**
   * Appends a table read from the bytes that follow the ones read so far, numbered by the file's lines (read with
   * ReadTableOptions.firstLine): columns match by name, a column new in it (a JSONL key) joins with empty cells before.
   * `firstTexts`: where the read of the part found each column's first text cell.
   */
  append(part: Table, firstTexts: FirstTexts): void {
    const rows = this.rows + part.rowCount;
    if (rows > this.lines.length) this.grow(Math.max(roomFor(rows), Math.ceil(1.5 * this.lines.length)));
    const byName = new Map(part.columns.map((column) => [column.name, column]));
    const firstOf = new Map(firstTexts.map((column) => [column.name, column.firstText]));
    for (const column of this.columns)
      column.write(this.rows, part.rowCount, byName.get(column.name), firstOf.get(column.name));
    const known = new Set(this.columns.map((column) => column.name));
    for (const column of part.columns) {
      if (known.has(column.name)) continue;
      const added = new GrowingColumn(column.name, this.lines.length);
      added.write(0, this.rows, undefined);
      added.write(this.rows, part.rowCount, column, firstOf.get(column.name));
      this.columns.push(added);
    }
    this.lines.set(part.lines.subarray(0, part.rowCount), this.rows);
    this.rows = rows;
    this.rowsRejected += part.rowsRejected;
    this.bytesRead += part.bytesRead;
    this.addProblems(part, firstOf);
  }

  /**
   * A part's problems on the file's lines; "no data rows yet" only stands while the file has none. Its warnings about
   * text in numeric columns, kept or not, are of its rows alone: the table's, of all its rows, are made by snapshot.
   */
  private addProblems(part: Table, firstOf: ReadonlyMap<string, ColumnPart['firstText']>): void {
    const texts = part.problems.filter((p) => p.code === 'cell-not-numeric').length;
    const warned = part.columns.filter((c) => firstOf.get(c.name) && c.numericCount >= c.textCount).length;
    const kept = part.problems.filter(
      (p) => p.code !== 'cell-not-numeric' && (p.code !== 'no-data-rows' || this.rows === 0),
    );
    if (this.rows > 0) this.dropProblem('no-data-rows');
    this.problemCount += kept.length + (part.problemCount - part.problems.length) - (warned - texts);
    for (const problem of kept) {
      if (this.problems.length >= DEFAULT_MAX_PROBLEMS) break;
      this.problems.push({ ...problem, file: this.head.file });
    }
  }

  private dropProblem(code: ParseProblem['code']): void {
    const at = this.problems.findIndex((p) => p.code === code);
    if (at < 0) return;
    this.problems.splice(at, 1);
    this.problemCount--;
  }

  /** Adds a problem found by the follower itself (the file was deleted), replacing an earlier one of the same code. */
  note(problem: Omit<ParseProblem, 'file'>): void {
    this.dropProblem(problem.code);
    this.problems.push({ ...problem, file: this.head.file });
    this.problemCount++;
  }

  /** Removes the follower's problem of that code, if any (what it said no longer holds). */
  clear(code: ParseProblem['code']): void {
    this.dropProblem(code);
  }

  private grow(capacity: number): void {
    this.lines = resized(this.lines, capacity, this.rows);
    for (const column of this.columns) column.grow(capacity, this.rows);
  }

  /** The rows so far as a Table: views of these arrays, not copies. */
  snapshot(): Table {
    const rows = this.rows;
    // Room for them as a read leaves it: counted all the same once the list is full.
    const texts = new ProblemLog(this.head.file, Math.max(0, DEFAULT_MAX_PROBLEMS - this.problems.length));
    texts.delimiter = this.head.delimiter;
    for (const column of this.columns) reportTextInNumericColumn(texts, column);
    return {
      ...this.head,
      columns: this.columns.map((column) => column.view(rows)),
      rowCount: rows,
      lines: this.lines.subarray(0, rows),
      problems: [...this.problems, ...texts.items].sort((a, b) => a.line - b.line || a.column - b.column),
      problemCount: this.problemCount + texts.count,
      rowsRejected: this.rowsRejected,
      bytesRead: this.bytesRead,
    };
  }
}
