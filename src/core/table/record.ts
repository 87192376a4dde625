// One delimited record between the tokenizer and the table: cells are staged here and handed to a RowSink only
// once the record is complete, so a record cut by a chunk boundary is simply parsed again with more bytes.

import { characterColumn, LF } from './bytes';
import type { CellLocation, ColumnBuilder } from './columnBuilder';
import { MAX_COLUMNS } from './limits';
import type { TableBuilder } from './tableBuilder';
import { parseNumberCell, type NumberCellOptions } from './number';

export const CELL_EMPTY = 0;
export const CELL_NUMBER = 1;
export const CELL_TEXT = 2;
/** A number written with a unit suffix ("12B"); the suffix is kept in `texts`. */
export const CELL_SUFFIXED = 3;

/** What a data cell's text reads as: empty, a number (value), a number with a unit suffix (value, text) or text. */
export interface ParsedCell {
  readonly kind: number;
  readonly value: number;
  /** The text of a CELL_TEXT cell, the suffix of a CELL_SUFFIXED one ('' otherwise). */
  readonly text: string;
}

const EMPTY_CELL: ParsedCell = { kind: CELL_EMPTY, value: NaN, text: '' };

/** Classifies a data cell's text: empty (whitespace only), number (suffixes, separators, nan, inf) or text. */
export function parseCell(text: string, numbers: NumberCellOptions): ParsedCell {
  if (text.trim() === '') return EMPTY_CELL;
  const number = parseNumberCell(text, numbers);
  if (number === null) return { kind: CELL_TEXT, value: NaN, text };
  if (number.suffix === undefined) return { kind: CELL_NUMBER, value: number.value, text: '' };
  return { kind: CELL_SUFFIXED, value: number.value, text: number.suffix };
}

export class RecordCells {
  /** Fields in the record; may exceed the capacity (the extras are counted, not kept). */
  count = 0;
  kinds: Uint8Array;
  values: Float64Array;
  /** Text of CELL_TEXT cells, suffix of CELL_SUFFIXED cells. */
  texts: string[];
  /** Byte offset of each field in `source`, to locate problems. Slot `capacity` is the first extra field. */
  starts: Int32Array;
  source: Buffer = Buffer.alloc(0);
  /** Byte offset and 1-based line where the record starts. */
  start = 0;
  line = 1;
  /** The last offset located, its line and column, and where that line starts: locate() goes on from there. */
  private cursor = -1;
  private cursorLine = 0;
  private cursorLineStart = 0;
  private cursorColumn = 0;

  /**
   * capacity: the header width; growable: for the header itself, whose width is not known yet (it keeps at most
   * MAX_COLUMNS fields and the first one past them, and counts the rest).
   */
  constructor(
    private capacity: number,
    private readonly growable = false,
  ) {
    this.kinds = new Uint8Array(capacity + 1);
    this.values = new Float64Array(capacity + 1);
    this.texts = new Array<string>(capacity + 1).fill('');
    this.starts = new Int32Array(capacity + 1);
  }

  reset(source: Buffer, start: number, line: number): void {
    this.source = source;
    this.start = start;
    this.line = line;
    this.count = 0;
    this.cursor = -1;
  }

  setNumber(field: number, value: number, start: number): void {
    if (!this.keeps(field)) return;
    this.kinds[field] = CELL_NUMBER;
    this.values[field] = value;
    this.starts[field] = start;
  }

  setText(field: number, text: string, start: number): void {
    if (!this.keeps(field)) return;
    this.kinds[field] = CELL_TEXT;
    this.texts[field] = text;
    this.starts[field] = start;
  }

  setEmpty(field: number, start: number): void {
    if (!this.keeps(field)) return;
    this.kinds[field] = CELL_EMPTY;
    this.starts[field] = start;
  }

  /** A cell as parseCell read it. */
  setParsed(field: number, cell: ParsedCell, start: number): void {
    if (!this.keeps(field)) return;
    this.kinds[field] = cell.kind;
    this.values[field] = cell.value;
    this.texts[field] = cell.text;
    this.starts[field] = start;
  }

  /** Fields past the capacity are dropped, except the first one whose position the ragged-row warning needs. */
  private keeps(field: number): boolean {
    if (field < this.capacity) return true;
    if (!this.growable || this.capacity === MAX_COLUMNS) return field === this.capacity;
    this.grow(Math.min(MAX_COLUMNS, Math.max(8, this.capacity * 2)));
    return this.keeps(field);
  }

  private grow(capacity: number): void {
    const kinds = new Uint8Array(capacity + 1);
    kinds.set(this.kinds);
    const values = new Float64Array(capacity + 1);
    values.set(this.values);
    const starts = new Int32Array(capacity + 1);
    starts.set(this.starts);
    this.kinds = kinds;
    this.values = values;
    this.starts = starts;
    this.texts.length = capacity + 1;
    this.capacity = capacity;
  }

  /**
   * Line and character column of a byte offset inside this record (quoted fields may span lines). Located in
   * increasing order (a header's names, a row's cells), each goes on from the last: a record of a million fields is
   * located in one pass, not one pass per field.
   */
  locate(offset: number): CellLocation {
    const from = this.cursor >= this.start && offset >= this.cursor ? this.cursor : this.start;
    let line = from === this.start ? this.line : this.cursorLine;
    let lineStart = from === this.start ? this.start : this.cursorLineStart;
    for (let i = from; i < offset; i++) {
      if (this.source[i] === LF) {
        line++;
        lineStart = i + 1;
      }
    }
    const onCursorLine = from === this.cursor && lineStart === this.cursorLineStart;
    const column = onCursorLine
      ? this.cursorColumn + characterColumn(this.source, this.cursor, offset) - 1
      : characterColumn(this.source, lineStart, offset);
    this.cursor = offset;
    this.cursorLine = line;
    this.cursorLineStart = lineStart;
    this.cursorColumn = column;
    return { line, column };
  }

  where(field: number): CellLocation {
    return { ...this.locate(this.starts[Math.min(field, this.capacity)]), field };
  }
}

/**
 * Records the parser's fast path took, staged row by row: `width` values each, NaN for an empty cell (a scanned
 * number is never NaN), and each record's line. A cell that is more than a value (text, "nan", "12B") is NaN in
 * `values` and its ParsedCell is in `parsed`. Handed to the sink when full and before any other record.
 */
export class PlainRows {
  readonly values: Float64Array;
  /** Not Int32: a line past the table's limit must stay what it is, to be refused (see TableBuilder.endRow). */
  readonly lines: Float64Array;
  /** Offset of each record in `source`, which holds the records while the batch is written (to locate text). */
  readonly starts: Int32Array;
  /** By cell (record * width + field): the cells that are more than a value, null elsewhere; and their offsets. */
  readonly parsed: (ParsedCell | null)[];
  readonly parsedStarts: Int32Array;
  /** By field: 1 when the batch may hold such cells there; the other fields' columns take the values alone. */
  readonly parsedFields: Uint8Array;
  readonly capacity: number;
  count = 0;
  /** Such cells in the record being staged (forgotten when it is not taken). */
  private staged = 0;

  constructor(
    readonly width: number,
    readonly source: Buffer,
  ) {
    // About 256 KiB of values, so the batch stays in cache while it is written out column by column.
    this.capacity = Math.max(1, Math.min(512, Math.floor(32768 / Math.max(1, width))));
    this.values = new Float64Array(this.capacity * width);
    this.lines = new Float64Array(this.capacity);
    this.starts = new Int32Array(this.capacity);
    this.parsed = new Array<ParsedCell | null>(this.capacity * width).fill(null);
    this.parsedStarts = new Int32Array(this.capacity * width);
    this.parsedFields = new Uint8Array(width);
  }

  /** Where the next record's values go. */
  get base(): number {
    return this.count * this.width;
  }

  /** A cell of the record being staged that is more than a value, at offset `start` of the source. */
  setParsed(field: number, cell: ParsedCell, start: number): void {
    const index = this.base + field;
    this.values[index] = NaN;
    this.parsed[index] = cell;
    this.parsedStarts[index] = start;
    this.parsedFields[field] = 1;
    this.staged++;
  }

  /** Commits the next record, at `line` and offset `start` of the source. */
  add(line: number, start: number): void {
    this.lines[this.count] = line;
    this.starts[this.count++] = start;
    this.staged = 0;
  }

  /** The record being staged is not taken: its slot must hold no cell of it when the next record is staged there. */
  discard(): void {
    if (this.staged === 0) return;
    this.parsed.fill(null, this.base, this.base + this.width);
    this.staged = 0;
  }

  /** Empties the batch once the sink has written it. */
  clear(): void {
    const end = this.count * this.width;
    for (let field = 0; field < this.width; field++) {
      if (this.parsedFields[field] === 0) continue;
      for (let i = field; i < end; i += this.width) this.parsed[i] = null;
      this.parsedFields[field] = 0;
    }
    this.count = 0;
  }

  /** Line and character column of the cell of `field` in record `row` (see RecordCells.where; no quoted lines here). */
  where(row: number, field: number): CellLocation {
    return {
      line: this.lines[row],
      column: characterColumn(this.source, this.starts[row], this.parsedStarts[row * this.width + field]),
      field,
    };
  }
}

/** Receives complete data records. `width` is how many fields a record should have (the header's). */
export interface RowSink {
  readonly width: number;
  /** How many leading fields it reads (fewer than width when columns were left out): records keep only those. */
  readonly fields: number;
  /** True once the table took all the rows it may (see TableBuilder.stopped): the parser stops there. */
  readonly stopped: boolean;
  row(record: RecordCells): void;
  /** Writes a batch of records from the parser's fast path (see PlainRows); the parser empties it afterwards. */
  plainRows(rows: PlainRows): void;
  /**
   * The sink for records whose field i holds what field order[i] held (a header written again in another order),
   * when this sink can say (every field has its column); null otherwise.
   */
  reordered(order: readonly number[]): RowSink | null;
}

/** The ordinary case: field i goes to column i (the fields past the columns kept are left out). */
export class TableRowSink implements RowSink {
  readonly fields: number;

  constructor(
    private readonly table: TableBuilder,
    private readonly columns: readonly ColumnBuilder[],
    readonly width = columns.length,
  ) {
    this.fields = columns.length;
  }

  get stopped(): boolean {
    return this.table.stopped;
  }

  reordered(order: readonly number[]): RowSink | null {
    if (this.fields !== this.width) return null;
    return new TableRowSink(
      this.table,
      order.map((field) => this.columns[field]),
      this.width,
    );
  }

  row(record: RecordCells): void {
    const row = this.table.beginRow();
    const n = Math.min(record.count, this.fields);
    for (let i = 0; i < n; i++) writeCell(record, i, this.columns[i], row);
    this.table.endRow(record.line);
  }

  /** Column by column: each column writes its run of cells in one go (see ColumnBuilder.setPlain). */
  plainRows(rows: PlainRows): void {
    const count = rows.count;
    if (count === 0) return;
    if (!this.table.fitsLines(rows.lines[count - 1])) return writeEachPlain(rows, this);
    const first = this.table.beginRows(count);
    for (let i = 0; i < this.columns.length; i++) {
      const column = this.columns[i];
      column.setPlain(first, rows.values, i, rows.width, count);
      if (rows.parsedFields[i] !== 0) writeParsedCells(rows, i, column, first);
    }
    this.table.endRows(rows.lines, count);
  }
}

/**
 * The cells of one field of a batch that are more than a value, over the empty cells setPlain wrote for them (so
 * nothing is undone or counted twice), in row order: what writeCell writes for them.
 */
function writeParsedCells(rows: PlainRows, field: number, column: ColumnBuilder, first: number): void {
  for (let r = 0; r < rows.count; r++) {
    const cell = rows.parsed[r * rows.width + field];
    if (cell === null) continue;
    if (cell.kind === CELL_TEXT)
      column.setText(first + r, cell.text, column.wantsLocation ? rows.where(r, field) : null);
    else column.setNumber(first + r, cell.value, cell.kind === CELL_SUFFIXED ? cell.text : undefined);
  }
}

/** A batch of plain rows through `sink.row`, one record at a time (sinks that reshape rows, the line limit). */
export function writeEachPlain(rows: PlainRows, sink: RowSink): void {
  if (rows.count === 0) return;
  const record = new RecordCells(rows.width);
  for (let r = 0; r < rows.count; r++) {
    record.reset(rows.source, rows.starts[r], rows.lines[r]);
    record.count = rows.width;
    for (let i = 0; i < rows.width; i++) {
      const index = r * rows.width + i;
      const cell = rows.parsed[index];
      const value = rows.values[index];
      if (cell !== null) record.setParsed(i, cell, rows.parsedStarts[index]);
      else if (Number.isNaN(value)) record.setEmpty(i, 0);
      else record.setNumber(i, value, 0);
    }
    sink.row(record);
  }
}

/** Copies field `field` of the record into `column` at `row`. Shared by every sink. */
export function writeCell(record: RecordCells, field: number, column: ColumnBuilder, row: number): void {
  const kind = record.kinds[field];
  if (kind === CELL_NUMBER) column.setNumber(row, record.values[field]);
  else if (kind === CELL_SUFFIXED) column.setNumber(row, record.values[field], record.texts[field]);
  else if (kind === CELL_TEXT)
    column.setText(row, record.texts[field], column.wantsLocation ? record.where(field) : null);
}
