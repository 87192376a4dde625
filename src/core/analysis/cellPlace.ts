// Where a finding about one cell of a table points: its file, its line and the cell on it (Finding.cell), whose
// character column the shells find on the line's text (cellColumn.ts). Usually the row's own line in the table's
// file; a row joined from several records (a Lightning step's training and validation lines, a trainer_state.json's
// train and eval entries) or from several files (DVCLive, MLflow: a file per metric) holds each cell where its record
// was read (Column.cells), and the finding points there, not at the row's first line where that cell is empty.
import type { FileFormat, Table } from '../table/types';
import type { FindingCell } from './types';

/** A finding's place: spread into rowFinding / RowFindings.add as their (file, line, cell) arguments. */
export type CellPlace = [file: string, line: number, cell: FindingCell | undefined];

/** JSON Lines read by the text reader, one row a line, under the format of the tool that wrote them. */
const JSON_LINES: ReadonlySet<FileFormat> = new Set(['jsonl', 'wandb-history', 'llama-factory']);
/**
 * Delimited text whose table columns are its header's fields in order: a CSV, a TSV, a TensorBoard export, a
 * Lightning log read as written (one it could not merge). Not a W&B chart export: it is reshaped to a row per run.
 */
const FIELDS_AS_WRITTEN: ReadonlySet<FileFormat> = new Set(['csv', 'tsv', 'tensorboard-csv', 'lightning']);

/** JSON documents, whose records are objects located at their opening `{` (often pretty-printed, a key a line). */
const JSON_OBJECTS: ReadonlySet<FileFormat> = new Set(['json', 'hf-trainer-state']);

/**
 * A column's cells for findings (Finding.cell): where a joined table read them from delimited text (Column.cells), by
 * their field there; by position for delimited text whose columns are its fields (FIELDS_AS_WRITTEN); by key for
 * JSON Lines, and inside the record's object for JSON documents; none for formats whose rows are not lines of text.
 */
export function findingCell(table: Table, column: number | undefined): FindingCell | undefined {
  if (column === undefined) return undefined;
  const { name, cells } = table.columns[column];
  if (cells?.field !== undefined) return { name, field: cells.field, delimiter: cells.delimiter };
  // A value in an array: its column on the line is the row's (CellSource.columns, put in by `at` below).
  if (cells?.columns !== undefined) return { name };
  if (JSON_OBJECTS.has(table.format)) return { name, inObject: true };
  if (cells !== undefined) return undefined;
  if (JSON_LINES.has(table.format)) return { name };
  if (FIELDS_AS_WRITTEN.has(table.format) && table.delimiter !== undefined)
    return { name, field: column, delimiter: table.delimiter };
  return undefined;
}

/**
 * The places of a table's cells, each column's worked out once: `at(column, row)` in O(1), `atLine(column, line)` for
 * a row known by its line (a curve's point), found by a binary search. `value`: the cell's value as the finding's
 * message shows it, an infinity or a zero to be replaced there by the cell as written (FindingCell.shown).
 */
export function cellPlaces(table: Table): {
  at(column: number | undefined, row: number, value?: number): CellPlace;
  atLine(column: number | undefined, line: number): CellPlace;
  atRow(row: number, columns: readonly (number | undefined)[], step?: number): CellPlace;
  atRowOfLine(line: number, columns: readonly (number | undefined)[], step?: number): CellPlace;
} {
  const cells = new Map<number, FindingCell | undefined>();
  const cellOf = (column: number) => {
    if (!cells.has(column)) cells.set(column, findingCell(table, column));
    return cells.get(column);
  };
  const at = (column: number | undefined, row: number, value?: number): CellPlace => {
    if (column === undefined) return [table.file, table.lines[row], undefined];
    const source = table.columns[column].cells;
    // A row's cell not logged on another line (0) is the row's: what a finding about an empty cell points at.
    const line = source?.lines?.[row] || table.lines[row];
    const objectAt = table.joinedObjectColumns?.get(row)?.[column] || table.objectColumns?.[row];
    const cell = cellOfRow(cellOf(column), source?.columns?.[row], objectAt);
    const shown =
      cell && value !== undefined && mayBeWrittenOtherwise(value) ? { ...cell, shown: String(value) } : cell;
    return [source?.file ?? table.file, line, shown];
  };
  // The row whose line is `line`, or -1 where lines that do not ascend hide it.
  const rowAt = (line: number) => {
    const row = rowOfLine(table.lines, line);
    return table.lines[row] === line ? row : -1;
  };
  /**
   * A whole row's place (a step left out, repeated, rounded): its cell of the first of `columns` that has one there,
   * the step's as a rule. A run folder's step has none (its metric files are joined on it): then the record of the
   * loss or LR in its metric file, not the folder with that file's line, which no editor can show. `step`: the step
   * the finding's message shows (columns[0] is the step's), quoted by the shells as its cell writes it whatever it
   * is (FindingCell.shown): a double's digits are not the file's (`-5.0`, `3.5e10`, `9007199254740993`).
   */
  const atRow = (row: number, columns: readonly (number | undefined)[], step?: number): CellPlace => {
    const placed = columns.find((c) => c !== undefined && cellOf(c) && (table.columns[c].cells?.lines?.[row] ?? 1));
    const [file, line, cell] = at(placed ?? columns[0], row);
    const quoted = step !== undefined && cell !== undefined && (placed ?? columns[0]) === columns[0];
    return [file, line, quoted ? { ...cell, shown: String(step) } : cell];
  };
  return {
    at,
    atLine(column, line) {
      // Only a joined column's cells may lie off their row's line; a row not found by its line keeps the finding there.
      const row = column !== undefined && table.columns[column].cells ? rowAt(line) : -1;
      if (row >= 0) return at(column, row);
      return [table.file, line, column === undefined ? undefined : cellOf(column)];
    },
    atRow,
    atRowOfLine(line, columns, step) {
      const row = rowAt(line);
      return row >= 0 ? atRow(row, columns, step) : [table.file, line, undefined];
    },
  };
}

/**
 * Whether a value may read otherwise than the file writes it: an infinity (`1e400`, `inf`), a zero a cell may write
 * as `-0` or as a number too small for a double (`1e-400`, read as 0), or one past 2^53, whose digits a double does not
 * keep (`9007199254740993` reads 9007199254740992) and which reads in exponent form from 1e21 on (a step of
 * `1000000000000000000000`). The shells quote such a cell as written.
 */
function mayBeWrittenOtherwise(value: number): boolean {
  return value === 0 || Math.abs(value) > Number.MAX_SAFE_INTEGER;
}

/**
 * A column's cell for one row: at its value's column on the line where the table knows it (a value in a JSON column
 * array), or in its record's object where the table knows where that opens (records written several to a line).
 */
function cellOfRow(
  cell: FindingCell | undefined,
  charAt: number | undefined,
  objectAt: number | undefined,
): FindingCell | undefined {
  if (cell && charAt) return { ...cell, at: charAt };
  return cell?.inObject && objectAt ? { ...cell, objectAt } : cell;
}

/** Binary search of the row whose source line is `line` (lines ascend with rows in a log written in step order). */
export function rowOfLine(lines: Int32Array, line: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid] < line) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
