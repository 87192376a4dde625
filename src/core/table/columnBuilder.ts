// One column of the table under construction: its numbers in a typed array, its text cells dictionary-coded, and the
// counts the findings need (the last write to a row wins, so a JSONL key flattened twice in one object counts once).
// The part of a column parsed by another thread is appended with absorb(). Separate from the table
// (tableBuilder.ts), which decides the row count, the capacity and where a worker's rows go.

import type { Column } from './types';

/** What a column's last write held (see ColumnBuilder.forget). */
const KIND_NONE = 0;
const KIND_NUMBER = 1;
const KIND_TEXT = 2;

/** One column of a TablePart: its cells and counts, its dictionary still local to the part. */
export interface ColumnPart {
  name: string;
  values: Float64Array;
  /** The values are still where the Placement put them (the worker never had to regrow the column). */
  placed: boolean;
  codes: Int32Array | null;
  dictionary: string[];
  suffixes: string[];
  numericCount: number;
  textCount: number;
  /** Line relative to the part's first line (1). */
  firstText: (CellLocation & { text: string }) | null;
}

/** Where a cell sits in the file, for the one warning each column gets about its non-numeric cells. */
export interface CellLocation {
  line: number;
  column: number;
  /** The cell's 0-based field on a delimited line (absent for JSON). */
  field?: number;
}

/** Cells of one column, row by row; its arrays are sized and regrown by the TableBuilder that owns it. */
export class ColumnBuilder {
  /** Rows [0, written) hold their value or NaN; later rows are unset zeros (see reach). */
  private values: Float64Array;
  private written = 0;
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
  private lastKind = KIND_NONE;
  /** The values are in memory shared with the other thread, where both expect them (false once regrown). */
  private shared: boolean;

  /** `storage`: the column's memory when it is given (shared), else it is allocated (shared when asked). */
  constructor(
    readonly name: string,
    capacity: number,
    storage: { values: Float64Array } | { shared: boolean } = { shared: false },
  ) {
    // Not filled with NaN up front: that is a whole extra pass over the column; rows are filled as reached.
    if ('values' in storage) {
      this.values = storage.values;
      this.shared = true;
    } else {
      this.values = storage.shared ? new Float64Array(new SharedArrayBuffer(capacity * 8)) : new Float64Array(capacity);
      this.shared = storage.shared;
    }
  }

  /** The shared memory of the values, when they are in one (see TableBuilder.share). */
  get sharedBuffer(): SharedArrayBuffer | null {
    const buffer = this.values.buffer;
    return this.shared && buffer instanceof SharedArrayBuffer ? buffer : null;
  }

  /** Prepares row `row` for a write: the rows skipped since the last write become NaN (empty). */
  private reach(row: number): void {
    if (row > this.written) this.values.fill(NaN, this.written, row);
    if (row >= this.written) this.written = row + 1;
  }

  /** Fills every unwritten row before `end` with NaN. */
  fillTo(end: number): void {
    if (end <= this.written) return;
    this.values.fill(NaN, this.written, end);
    this.written = end;
  }

  setNumber(row: number, value: number, suffix?: string): void {
    if (row === this.written && suffix === undefined && value === value) {
      // The common case, the next row and a plain number: nothing to forget, fill or code.
      this.values[row] = value;
      this.written = row + 1;
      this.lastRow = row;
      this.numericCount++;
      this.lastKind = KIND_NUMBER;
      return;
    }
    this.forget(row);
    this.reach(row);
    this.values[row] = value;
    this.numericCount++;
    this.lastKind = KIND_NUMBER;
    if (suffix !== undefined && !this.suffixes.includes(suffix)) this.suffixes.push(suffix);
    // A written NaN ("nan" in a diverged run's loss) must stay distinguishable from an empty cell.
    if (Number.isNaN(value)) this.setCode(row, 'NaN');
  }

  /**
   * Rows [first, first + count) at once, from src[offset + i * stride]: numbers, NaN for an empty cell (never a
   * written NaN). The same cells and counts as setNumber on each number, with the bookkeeping done once.
   */
  setPlain(first: number, src: Float64Array, offset: number, stride: number, count: number): void {
    this.forget(first);
    if (first > this.written) this.values.fill(NaN, this.written, first);
    const values = this.values;
    let numbers = 0;
    let value = NaN;
    for (let i = 0, j = offset; i < count; i++, j += stride) {
      value = src[j];
      values[first + i] = value;
      if (value === value) numbers++;
    }
    this.numericCount += numbers;
    this.written = Math.max(this.written, first + count);
    this.lastRow = first + count - 1;
    this.lastKind = value === value ? KIND_NUMBER : KIND_NONE;
  }

  private setCode(row: number, text: string): void {
    const code = this.codeOf(text);
    this.codes ??= new Int32Array(this.values.length).fill(-1);
    this.codes[row] = code;
  }

  /** The dictionary code of a text, added when new. */
  private codeOf(text: string): number {
    let code = this.dictionaryIndex.get(text);
    if (code === undefined) {
      code = this.dictionary.length;
      this.dictionary.push(text);
      this.dictionaryIndex.set(text, code);
    }
    return code;
  }

  /** True until the first text cell: only then does the caller need to work out where the cell is. */
  get wantsLocation(): boolean {
    return this.firstText === null;
  }

  /** Text cells are dictionary-coded. `where` is needed for the first one only (see wantsLocation). */
  setText(row: number, text: string, where: CellLocation | null): void {
    this.forget(row);
    this.reach(row);
    this.values[row] = NaN;
    this.setCode(row, text);
    if (this.firstText === null)
      this.firstText = { line: where?.line ?? 1, column: where?.column ?? 1, field: where?.field, text };
    this.textCount++;
    this.lastKind = KIND_TEXT;
  }

  /** Marks an empty cell (only needed to overwrite a value set earlier in the same row). */
  setEmpty(row: number): void {
    this.forget(row);
    this.reach(row);
    this.values[row] = NaN;
    this.lastKind = KIND_NONE;
  }

  /** Undoes a value already written to this row, so the last write wins and counts stay exact. */
  private forget(row: number): void {
    if (this.lastRow !== row) {
      this.lastRow = row;
      return;
    }
    if (this.lastKind === KIND_NUMBER) this.numericCount--;
    if (this.lastKind === KIND_TEXT) this.textCount--;
    this.values[row] = NaN;
    if (this.codes !== null) this.codes[row] = -1;
  }

  /** The distinct texts of the column's text cells (and 'NaN' for written NaNs), in first-seen order. */
  get texts(): readonly string[] {
    return this.dictionary;
  }

  /** The first row whose cell is the text `text`, or -1. */
  firstRowOf(text: string): number {
    const code = this.dictionaryIndex.get(text);
    if (code === undefined || this.codes === null) return -1;
    return this.codes.subarray(0, this.written).indexOf(code);
  }

  /**
   * Turns the text cells that `read` reads as a number into numbers (text kept as text until the whole file was
   * seen, see decimalComma.ts); returns how many. When the first text cell was one, the first one left is found
   * by its row: its line from `lineOf`, its column not known any more (1).
   */
  convertTexts(read: (text: string) => number | null, lineOf: (row: number) => number): number {
    const codes = this.codes;
    if (codes === null) return 0;
    // A written NaN is coded 'NaN' but is a number already.
    const values = this.dictionary.map((text) => (text === 'NaN' ? null : read(text)));
    if (values.every((value) => value === null)) return 0;
    const kept: string[] = [];
    const recode = new Int32Array(values.length).fill(-1);
    values.forEach((value, code) => {
      if (value === null) recode[code] = kept.push(this.dictionary[code]) - 1;
    });
    let converted = 0;
    let firstLeft = -1;
    for (let row = 0; row < this.written; row++) {
      const code = codes[row];
      if (code < 0) continue;
      const value = values[code];
      if (value === null) {
        codes[row] = recode[code];
        if (firstLeft < 0 && kept[recode[code]] !== 'NaN') firstLeft = row;
      } else {
        this.values[row] = value;
        codes[row] = -1;
        converted++;
      }
    }
    this.numericCount += converted;
    this.textCount -= converted;
    this.dictionary.length = 0;
    this.dictionaryIndex.clear();
    for (const text of kept) this.codeOf(text);
    if (this.firstText !== null && read(this.firstText.text) !== null)
      this.firstText = firstLeft < 0 ? null : { line: lineOf(firstLeft), column: 1, text: kept[codes[firstLeft]] };
    return converted;
  }

  /** Moves the column to new arrays of `capacity` rows (rows past `written` hold nothing to keep). */
  grow(capacity: number, shared = false): void {
    const values = shared ? new Float64Array(new SharedArrayBuffer(capacity * 8)) : new Float64Array(capacity);
    values.set(this.values.subarray(0, this.written));
    this.values = values;
    this.shared = shared;
    if (this.codes !== null) {
      const codes = new Int32Array(capacity).fill(-1);
      codes.set(this.codes.subarray(0, this.written));
      this.codes = codes;
    }
  }

  /** The column as parsed on its own, to be absorbed by the builder of the whole file. */
  part(rowCount: number): ColumnPart {
    this.fillTo(rowCount);
    return {
      name: this.name,
      values: this.values.subarray(0, rowCount),
      placed: this.shared,
      codes: this.codes?.subarray(0, rowCount) ?? null,
      dictionary: this.dictionary,
      suffixes: this.suffixes,
      numericCount: this.numericCount,
      textCount: this.textCount,
      firstText: this.firstText,
    };
  }

  /**
   * Appends a part's cells at rows [at, at + length): text codes are remapped to this dictionary. `placedAt` is
   * the row where a worker wrote the values into these same arrays, or -1.
   */
  absorb(part: ColumnPart, at: number, lineShift: number, placedAt: number): void {
    this.fillTo(at);
    if (placedAt >= 0 && part.placed && this.shared)
      this.values.copyWithin(at, placedAt, placedAt + part.values.length);
    else this.values.set(part.values, at);
    this.written = at + part.values.length;
    this.lastRow = -1;
    this.numericCount += part.numericCount;
    this.textCount += part.textCount;
    for (const suffix of part.suffixes) if (!this.suffixes.includes(suffix)) this.suffixes.push(suffix);
    if (this.firstText === null && part.firstText !== null)
      this.firstText = { ...part.firstText, line: part.firstText.line + lineShift };
    if (part.codes !== null) this.absorbCodes(part.codes, part.dictionary, at);
  }

  /** Part codes -> codes of this dictionary; entries new to it are added in the part's (first-seen) order. */
  private absorbCodes(codes: Int32Array, dictionary: readonly string[], at: number): void {
    const remap = Int32Array.from(dictionary, (text) => this.codeOf(text));
    this.codes ??= new Int32Array(this.values.length).fill(-1);
    for (let i = 0; i < codes.length; i++) this.codes[at + i] = codes[i] < 0 ? -1 : remap[codes[i]];
  }

  finish(rowCount: number): Column {
    this.fillTo(rowCount);
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
 * doubled buffer is copied to the exact length, so the table never pins twice its size. Also trims Table.lines.
 */
export function trim<T extends Float64Array | Int32Array>(array: T, length: number): T {
  if (array.length === length) return array;
  const view = array.length - length <= array.length * MAX_KEPT_SLACK;
  return (view ? array.subarray(0, length) : array.slice(0, length)) as T;
}
