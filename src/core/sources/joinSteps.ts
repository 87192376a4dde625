// Records that log one step in parts joined into one row per step: a Hugging Face log_history saved as a bare JSON
// array holds a training entry {loss, learning_rate, epoch, step} and an evaluation entry {eval_loss, epoch, step} of
// the same step, which a trainer_state.json's reader joins on one step axis (json/document.ts, stepTable.ts); read
// as one row each, the evaluation loss would sit on rows without a learning rate. Joined only when nothing is lost:
// every row has a step, no column holds text (a run or schedule name: rows of several runs share steps), and no two
// rows of a step wrote different values in one column (several runs, a run that logged a step twice). Otherwise the
// table is left as read, and the curve reader says what it finds (steps-repeated, step-missing).
import { ROLE_ALIASES, normaliseColumnName } from '../table/roleNames';
import { ProblemLog, quote } from '../table/problems';
import { textAt, type Table } from '../table/types';
import { joinedObjectColumnsOf, StepTableBuilder } from './stepTable';
import { addColumnsByStep, withProblems } from './tableSeries';

/** Keys named in the note about what was joined. */
const KEYS_NAMED = 4;

/** The step column by the step role's aliases, in their order of preference; -1 when there is none. */
function stepColumnOf(table: Table): number {
  const names = table.columns.map((c) => normaliseColumnName(c.name));
  for (const alias of ROLE_ALIASES.step) {
    const index = names.indexOf(normaliseColumnName(alias));
    if (index >= 0 && table.columns[index].numericCount > 0) return index;
  }
  return -1;
}

/** A cell as written: its number, 'NaN' for a written NaN, or null for a cell the row did not write. */
function cellOf(table: Table, column: number, row: number): number | 'NaN' | null {
  const value = table.columns[column].values[row];
  if (value === value) return value;
  return textAt(table.columns[column], row) === 'NaN' ? 'NaN' : null;
}

/** What joining would merge: the rows that share a step with an earlier row, and the first of them. */
interface Sharing {
  rows: number;
  first: { row: number; step: number; keys: string[]; with: string[] } | null;
}

/**
 * The rows that share a step with another row, when every row of each step wrote disjoint keys or equal values
 * (an `epoch` both entries carry) and each logs a key the step's earlier rows did not; null when some step's rows
 * disagree on a column or one repeats the others (a record logged twice), or a row has no step.
 */
function sharedSteps(table: Table, step: number): Sharing | null {
  const steps = table.columns[step].values;
  const order = Int32Array.from({ length: table.rowCount }, (_, r) => r);
  for (const r of order) if (!Number.isFinite(steps[r])) return null;
  order.sort((a, b) => steps[a] - steps[b] || a - b);
  const others = table.columns.map((_, j) => j).filter((j) => j !== step);
  const sharing: Sharing = { rows: 0, first: null };
  for (let start = 0, end = 1; start < order.length; start = end, end = start + 1) {
    while (end < order.length && steps[order[end]] === steps[order[start]]) end++;
    if (end - start < 2) continue;
    sharing.rows += end - start - 1;
    // Per row of the group, whether it wrote a key no earlier row of the group wrote: a repeated record does not.
    const addsKey = new Uint8Array(end - start);
    addsKey[0] = 1;
    for (const j of others) {
      let seen: number | 'NaN' | null = null;
      for (let k = start; k < end; k++) {
        const cell = cellOf(table, j, order[k]);
        if (cell === null) continue;
        if (seen !== null && cell !== seen) return null;
        if (seen === null) addsKey[k - start] = 1;
        seen = cell;
      }
    }
    if (addsKey.includes(0)) return null;
    if (sharing.first === null) {
      const written = (row: number) => others.filter((j) => cellOf(table, j, row) !== null);
      const base = written(order[start]);
      const added = written(order[start + 1]).filter((j) => !base.includes(j));
      const name = (j: number) => quote(table.columns[j].name);
      sharing.first = {
        row: order[start + 1],
        step: steps[order[start]],
        keys: added.map(name),
        with: base.filter((j) => !added.includes(j)).map(name),
      };
    }
  }
  return sharing;
}

/** A list of quoted keys, the first few named. */
function listed(keys: string[]): string {
  if (keys.length === 0) return 'no other keys';
  return (
    keys.slice(0, KEYS_NAMED).join(', ') + (keys.length > KEYS_NAMED ? ` and ${keys.length - KEYS_NAMED} more` : '')
  );
}

/**
 * The table with the rows of each step joined into one, as step-keyed sources join their series, and a note of what
 * was joined; the table itself when there is nothing to join or joining would lose a value.
 */
export function joinRowsOfOneStep(table: Table): Table {
  const step = stepColumnOf(table);
  if (step < 0 || table.rowCount < 2) return table;
  if (table.columns.some((c) => c.textCount > 0 || c.suffixes.length > 0)) return table;
  const sharing = sharedSteps(table, step);
  if (sharing === null || sharing.first === null) return table;
  const log = new ProblemLog(table.file);
  const builder = new StepTableBuilder(log);
  const series = table.columns.map((c, index) => ({ index, name: c.name })).filter((c) => c.index !== step);
  addColumnsByStep(builder, table, step, series, log);
  // A joined row's cell lies in the record that logged it: the object opening on its line.
  const joined = builder.finish({
    format: table.format,
    bytesRead: table.bytesRead,
    stepName: table.columns[step].name,
    cells: {},
  });
  const { row, keys, with: base } = sharing.first;
  const line = table.lines[row];
  log.addForFile(
    'rows-joined',
    'info',
    line,
    1,
    `${sharing.rows} record(s) share their step with an earlier record and log other keys (the first at line ` +
      `${line}, step ${sharing.first.step}: ${listed(keys)} beside ${listed(base)}); the records of each step are ` +
      `joined into one row, as a trainer_state.json's log_history is, so training and evaluation values sit on one ` +
      `step axis (${table.rowCount} records, ${joined.rowCount} steps)`,
  );
  const joinedObjectColumns = joinedObjectColumnsOfRecords(table, step, joined);
  const noted: Table = {
    ...joined,
    ...(joinedObjectColumns && { joinedObjectColumns }),
    problems: log.sorted(),
    problemCount: log.count,
    ...(table.run !== undefined && { run: table.run }),
    ...(table.hints !== undefined && { hints: table.hints }),
  };
  return withProblems(noted, table.problems, table.problemCount);
}

/**
 * Where each joined cell's record opens (Table.joinedObjectColumns), from the records' own (Table.objectColumns): the
 * records of a step agree on every value they share, so any of them on the cell's line holds it. Undefined for
 * records whose places are not known.
 */
function joinedObjectColumnsOfRecords(table: Table, step: number, joined: Table): Map<number, Int32Array> | undefined {
  const objectColumns = table.objectColumns;
  if (objectColumns === undefined) return undefined;
  const byName = new Map(table.columns.map((c, j) => [c.name, j]));
  const sources = joined.columns.map((c, k) => (k === 0 ? step : byName.get(c.name)));
  const steps = table.columns[step].values;
  return joinedObjectColumnsOf(joined, {
    count: table.rowCount,
    step: (r) => steps[r],
    line: (r) => table.lines[r],
    opensAt: (r) => objectColumns[r],
    wrote: (r, k) => sources[k] !== undefined && cellOf(table, sources[k], r) !== null,
  });
}
