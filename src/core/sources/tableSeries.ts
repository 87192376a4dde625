// Text tables as step series: Lightning's metrics.csv (training and validation values on separate rows of one step)
// and DVCLive's one-metric TSVs are read by the text reader, then their columns are handed to a StepTableBuilder,
// which joins them on step. Shared here so the two read cells the same way: a number or a written NaN is a point,
// an empty cell is "not logged" (never 0), a text cell was already reported by the reader.
import { DEFAULT_MAX_PROBLEMS, type ProblemLog } from '../table/problems';
import { textAt, type CellSource, type ParseProblem, type Table } from '../table/types';
import type { StepTableBuilder } from './stepTable';

/** A column of a table and the series name it is added under. */
export interface SeriesColumn {
  index: number;
  name: string;
}

/**
 * Adds each written cell of `columns` as a point at its row's step, column by column (so the series keep the table's
 * column order; within a series the rows' order, so the later of two values of a step wins). A row whose step cell
 * is empty or not a number is reported once on `log`, at the first such row of the table's file, with the count; its
 * values are left out. `cells` says where a column's cells lie on their lines (StepTableBuilder.cellsOf): the joined
 * table then keeps the line of each, for findings about one.
 */
export function addColumnsByStep(
  builder: StepTableBuilder,
  table: Table,
  stepIndex: number,
  columns: readonly SeriesColumn[],
  log: ProblemLog,
  cells?: (index: number) => Omit<CellSource, 'lines'>,
): void {
  const steps = table.columns[stepIndex].values;
  for (const { index, name } of columns) {
    const values = table.columns[index].values;
    for (let r = 0; r < table.rowCount; r++) {
      const value = values[r];
      // A number is a point; a NaN only when it was written as one (the cheap test first: most cells are numbers).
      if (Number.isFinite(steps[r]) && (value === value || written(table, index, r)))
        builder.add(name, steps[r], value, table.lines[r]);
    }
    if (cells) builder.cellsOf(name, cells(index));
  }
  let stepless = 0;
  let firstLine = 0;
  for (let r = 0; r < table.rowCount; r++) {
    if (Number.isFinite(steps[r]) || !columns.some((c) => written(table, c.index, r))) continue;
    stepless++;
    firstLine ||= table.lines[r];
  }
  if (stepless > 0) {
    const column = table.columns[stepIndex].name;
    log.addForFile(
      'metric-line-invalid',
      'warning',
      firstLine,
      1,
      // The file and line are the finding's own (the CLI prints them before it, the Problems panel lists it there).
      `${stepless} row(s), the first on this line, have values but no number in the "${column}" column; ` +
        'their values are left out',
      // At the line of the file read (a run folder's metric file), not of the run's log.
      { file: table.file },
    );
  }
}

/** Whether the cell holds a value logged: a number, or a NaN written as such. */
function written(table: Table, index: number, row: number): boolean {
  const column = table.columns[index];
  return !Number.isNaN(column.values[row]) || textAt(column, row) === 'NaN';
}

/**
 * The table with problems found in its parts (each metric file's own read) added, in all at most the usual number
 * kept; `count` is how many there were in all.
 */
export function withProblems(table: Table, extra: readonly ParseProblem[], count: number): Table {
  if (count === 0) return table;
  const room = Math.max(0, DEFAULT_MAX_PROBLEMS - table.problems.length);
  return {
    ...table,
    problems: [...extra.slice(0, room), ...table.problems],
    problemCount: table.problemCount + count,
  };
}
