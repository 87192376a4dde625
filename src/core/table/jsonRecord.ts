// A JSON object as one row of a table: nested objects flattened to "a/b" column names (the W&B convention), columns
// created as keys are first seen, arrays and W&B media objects ignored with one note per key. Shared by the JSONL
// reader (one object per line) and the JSON document source (an array of records).

import type { CellLocation, ColumnBuilder } from './columnBuilder';
import { MAX_NESTING } from './limits';
import { quote } from './problems';
import { CELL_EMPTY, CELL_SUFFIXED, CELL_TEXT, parseCell, type ParsedCell } from './record';
import type { TableBuilder } from './tableBuilder';

export type JsonObject = { [key: string]: unknown };

export class JsonRecordWriter {
  /** Columns by flattened name; null for a name the table left out (see TableBuilder.addColumn). */
  private readonly columns = new Map<string, ColumnBuilder | null>();
  /** Keys already reported as holding non-scalars (arrays, W&B media), so each is reported once. */
  private readonly ignoredKeys = new Set<string>();
  /** The line of the record being written, for the columns it adds and the notes it makes. */
  line = 1;

  /** `where`: the location of a column's first text cell, from its key (null: the column needs none). */
  constructor(
    private readonly table: TableBuilder,
    private readonly where: (column: ColumnBuilder, key: string) => CellLocation | null,
  ) {}

  /** Writes the object's scalars into `row`. */
  write(object: JsonObject, row: number): void {
    this.flatten(object, '', row, 0);
  }

  /** Writes the object's scalars, nested objects as "a/b" (down to MAX_NESTING levels: the rest is ignored). */
  private flatten(object: JsonObject, prefix: string, row: number, depth: number): void {
    for (const key of Object.keys(object)) {
      const value = object[key];
      const name = prefix + key;
      if (value !== null && typeof value === 'object') {
        if (Array.isArray(value) || typeof (value as JsonObject)._type === 'string' || depth === MAX_NESTING)
          this.ignore(name, value);
        else this.flatten(value as JsonObject, `${name}/`, row, depth + 1);
        continue;
      }
      const column = this.column(name);
      if (column === null) continue;
      if (typeof value === 'number') column.setNumber(row, value);
      else if (typeof value === 'string') this.setCell(column, row, parseCell(value, {}), key);
      else if (typeof value === 'boolean') column.setText(row, String(value), this.where(column, key));
      else column.setEmpty(row); // null
    }
  }

  /** A string value's cell: numeric strings ("12B", "NaN", "1e-4") are numbers, blank ones empty, others text. */
  setCell(column: ColumnBuilder, row: number, cell: ParsedCell, key: string): void {
    if (cell.kind === CELL_EMPTY) column.setEmpty(row);
    else if (cell.kind === CELL_TEXT) column.setText(row, cell.text, this.where(column, key));
    else column.setNumber(row, cell.value, cell.kind === CELL_SUFFIXED ? cell.text : undefined);
  }

  private ignore(name: string, value: object): void {
    if (this.ignoredKeys.has(name)) return;
    this.ignoredKeys.add(name);
    const what = Array.isArray(value)
      ? 'an array'
      : typeof (value as JsonObject)._type === 'string'
        ? 'a W&B media or histogram object'
        : `an object nested more than ${MAX_NESTING} levels deep`;
    this.table.problems.add(
      'jsonl-value-ignored',
      'info',
      this.line,
      1,
      `key ${quote(name)} holds ${what}, which is not a scalar; it is ignored (log a number under its own key to use it)`,
    );
  }

  /** The column of a flattened name, or null when the table left it out (it is not asked again). */
  column(name: string): ColumnBuilder | null {
    let column = this.columns.get(name);
    if (column === undefined) {
      column = this.table.addColumn(name, this.line);
      this.columns.set(name, column);
    }
    return column;
  }
}
