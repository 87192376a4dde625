// A JSON document -> a Table, in one streaming walk. Three shapes are read: a Hugging Face trainer_state.json (the
// entries of `log_history` as series on one step axis, its max_steps as the run's schedule end), an array of records
// (one row each, as JSONL lines are, then the records of one step joined: joinSteps.ts), and an object of column
// arrays. Anything else is said, naming what was found.
// A document cut short (a run writing it) keeps the records before the cut; what was left out is said by
// documentReports.ts.
import type { FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import type { ColumnBuilder } from '../../table/columnBuilder';
import { JsonRecordWriter, type JsonObject } from '../../table/jsonRecord';
import { describeFsError, formatBytes, ProblemLog, quote } from '../../table/problems';
import { CELL_NUMBER, CELL_SUFFIXED, parseCell } from '../../table/record';
import { TableBuilder } from '../../table/tableBuilder';
import { DEFAULT_MAX_BYTES } from '../../table/tableReader';
import { NotRegularFileError, openRegularFile } from '../regularFile';
import { positiveInteger } from '../runHints';
import { doubled, lowerBound } from '../../util/arrays';
import { headOf } from '../scan';
import { binaryReason, hasBom } from '../../table/detect';
import type { SourceOptions } from '../types';
import type { CellSource, FileFormat, Table, TableHints } from '../../table/types';
import { joinRowsOfOneStep } from '../joinSteps';
import { joinedLinesOf, joinedObjectColumnsOf, StepTableBuilder } from '../stepTable';
import type { JsonContainer, JsonPosition, JsonScalar } from './tokenizer';
import { walkJsonFile, type JsonPath, type JsonValue, type JsonVisitor } from './walk';
import { reportHistory, reportShape, reportSkipped, reportStop } from './documentReports';
import { plural } from '../../util/format';

/** Bytes one record (a log_history entry, an element of an array of records) may span. */
const DEFAULT_MAX_RECORD_BYTES = 64 * 1024 * 1024;
/** The top-level keys of a trainer state its hints are read from. */
const HINT_KEYS: ReadonlySet<string> = new Set(['max_steps', 'global_step', 'logging_steps']);
/** Top-level keys remembered for the message about a document of another shape. */
const KEYS_NAMED = 6;

/** A log_history entry: its step, line, `{` column and the keys it logged numbers for. */
interface LogEntry {
  step: number;
  line: number;
  column: number;
  keys: string[];
}

/** One array of an object of columns: numbers in a typed array, the rare other cells (text, booleans, null) aside. */
class ColumnArray {
  private numbers = new Float64Array(16);
  private lineOf = new Int32Array(16);
  private columnOf = new Int32Array(16);
  private readonly others = new Map<number, JsonScalar>();
  length = 0;
  containers = 0;
  constructor(readonly name: string) {}

  push(value: JsonScalar, at: { line: number; column: number }): void {
    if (this.length === this.numbers.length) {
      const numbers = new Float64Array(this.length * 2);
      numbers.set(this.numbers);
      const lines = new Int32Array(this.length * 2);
      lines.set(this.lineOf);
      const columns = new Int32Array(this.length * 2);
      columns.set(this.columnOf);
      [this.numbers, this.lineOf, this.columnOf] = [numbers, lines, columns];
    }
    if (typeof value === 'number') this.numbers[this.length] = value;
    else this.others.set(this.length, value);
    this.columnOf[this.length] = at.column;
    this.lineOf[this.length++] = at.line;
  }

  value(row: number): JsonScalar {
    return this.others.has(row) ? this.others.get(row)! : this.numbers[row];
  }

  line(row: number): number {
    return this.lineOf[row];
  }

  /**
   * Where each of `rows` rows' cell lies (0 past the array's end): a finding about a value points at it in its array,
   * not at its row's line (the first array's element).
   */
  cells(rows: number): CellSource {
    const lines = new Int32Array(rows);
    const columns = new Int32Array(rows);
    const n = Math.min(rows, this.length);
    lines.set(this.lineOf.subarray(0, n));
    columns.set(this.columnOf.subarray(0, n));
    return { lines, columns };
  }
}

/** The walk's record of a document: its shape, its rows as built, and what was left out (see documentReports.ts). */
export class DocumentVisitor implements JsonVisitor {
  root: JsonContainer | 'scalar' | null = null;
  /** The document's one value, when it is neither an object nor an array. */
  rootValue: JsonScalar | undefined;
  /** The top-level scalars a trainer state's hints come from (global_step, max_steps, logging_steps). */
  readonly scalars = new Map<string, JsonScalar>();
  /** The first few top-level keys of each kind, for a message about a document of another shape. */
  readonly keys: { objects: string[]; arrays: string[]; scalars: string[] } = { objects: [], arrays: [], scalars: [] };
  readonly counts = { objects: 0, arrays: 0, scalars: 0 };
  logHistory = false;
  readonly history = { entries: 0, noStep: 0, summaries: 0, notObjects: 0, firstNoStep: 0 };
  /**
   * Per key, the log_history values that are neither a number nor a numeric string: how many, and the first. A key
   * with numbers too is a column losing cells (a warning); one never a number (an ETA as text) is no column at all.
   */
  readonly notNumbers = new Map<string, { count: number; value: string; line: number }>();
  /** The log_history keys with a number somewhere. */
  readonly numericKeys = new Set<string>();
  /** The first step-less entry's first keys and its number of keys, for the warning. */
  noStepKeys: { named: string[]; count: number } = { named: [], count: 0 };
  readonly steps: StepTableBuilder;
  readonly records: TableBuilder;
  private readonly writer: JsonRecordWriter;
  /** The line of the value being written, where a column's first text cell is said to be. */
  private line = 1;
  recordCount = 0;
  notRecords = 0;
  readonly columns: ColumnArray[] = [];
  /** Per row of an array of records, the column of its `{` (Table.objectColumns). */
  private objectColumns = new Int32Array(16);
  /** Each log_history entry's step and the column of its `{`: a row made of one entry opens there. */
  private entrySteps = new Float64Array(16);
  private entryColumns = new Int32Array(16);
  private entryCount = 0;
  /** The last log_history entry. */
  private lastEntry: LogEntry | null = null;
  /** The steps logged by entries written on one line (a trainer state without indent: a step's train and eval entries). */
  private readonly sharedLineSteps = new Set<number>();
  /** Their entries in the order read, from the first of two in a row at the step on one line (noteSharedLine). */
  private readonly sharedLineEntries: LogEntry[] = [];

  constructor(
    readonly problems: ProblemLog,
    bytes: () => number,
    /** Bytes a record may span (see JsonWalker). */
    readonly maxRecordBytes: number,
  ) {
    this.steps = new StepTableBuilder(problems);
    this.records = new TableBuilder(problems, null, null, bytes);
    this.writer = new JsonRecordWriter(this.records, () => ({ line: this.line, column: 1 }));
  }

  enter(path: JsonPath, kind: JsonContainer): 'descend' | 'collect' | 'skip' {
    if (path.length === 0) {
      this.root = kind;
      return 'descend';
    }
    if (this.root === 'array') {
      if (kind === 'object' && !this.records.stopped) return 'collect';
      this.notRecords++;
      return 'skip';
    }
    const key = path[0] as string;
    if (path.length === 1) {
      this.note(kind === 'array' ? 'arrays' : 'objects', key);
      if (kind === 'object') return 'skip';
      if (key === 'log_history') {
        this.logHistory = true;
        this.columns.length = 0;
      } else if (this.mayBeColumns()) this.columns.push(new ColumnArray(key));
      else return 'skip';
      return 'descend';
    }
    if (key === 'log_history') {
      if (kind === 'object') return 'collect';
      this.history.notObjects++;
    } else this.columns[this.columns.length - 1].containers++;
    return 'skip';
  }

  value(path: JsonPath, value: JsonValue, at: JsonPosition): void {
    if (path.length === 0) {
      this.root = 'scalar';
      this.rootValue = value as JsonScalar;
    } else if (this.root === 'array') {
      if (isObject(value)) this.record(value, at);
      else this.notRecords++;
    } else if (path.length === 1) {
      const key = path[0] as string;
      this.note('scalars', key);
      if (HINT_KEYS.has(key)) this.scalars.set(key, value as JsonScalar);
    } else if (path[0] === 'log_history') {
      if (isObject(value)) this.entry(value, at);
      else this.history.notObjects++;
    } else {
      const column = this.columns[this.columns.length - 1];
      column.push(value as JsonScalar, at);
    }
  }

  tooLarge(path: JsonPath, at: JsonPosition): void {
    this.records.rowsRejected++;
    this.problems.add(
      'line-too-long',
      'error',
      at.line,
      at.column,
      `the record at line ${at.line} (${describePath(path)}) spans more than ` +
        `${formatBytes(this.maxRecordBytes)}, so it is skipped — a record of a run log is a few keys`,
    );
  }

  private note(kind: 'objects' | 'arrays' | 'scalars', key: string): void {
    this.counts[kind]++;
    if (this.keys[kind].length < KEYS_NAMED) this.keys[kind].push(key);
    // Only a document of nothing but arrays is read as columns (tableOf): once it cannot be one, the arrays held
    // are let go and no more are collected, so a trainer state's array of 30 million numbers costs no memory.
    if (!this.mayBeColumns()) this.columns.length = 0;
  }

  /** Whether the document may still be an object of column arrays (no log_history, top-level scalar or object yet). */
  private mayBeColumns(): boolean {
    return !this.logHistory && this.counts.scalars === 0 && this.counts.objects === 0;
  }

  /** One cell of an object of columns. */
  setScalar(builder: ColumnBuilder, row: number, value: JsonScalar, line: number): void {
    this.line = line;
    if (typeof value === 'number') builder.setNumber(row, value);
    else if (typeof value === 'boolean') builder.setText(row, String(value), { line, column: 1 });
    else if (value === null) builder.setEmpty(row);
    else this.writer.setCell(builder, row, parseCell(value, {}), '');
  }

  /** An element of an array of records: one row, its `{` at `at`. */
  private record(value: JsonObject, at: JsonPosition): void {
    const row = this.records.beginRow();
    this.line = this.writer.line = at.line;
    this.writer.write(value, row);
    this.records.endRow(at.line);
    this.recordCount++;
    if (row >= this.objectColumns.length) this.objectColumns = doubled(this.objectColumns);
    this.objectColumns[row] = at.column;
  }

  /**
   * Per row of a trainer state's table (rows by ascending step), the column of its entry's `{` where one entry made
   * it (Table.objectColumns); 0 where several did (a step's training and evaluation entries), whose cells' entry is
   * not known.
   */
  entryColumnsOf(steps: Float64Array): Int32Array {
    const columns = new Int32Array(steps.length);
    for (let k = 0; k < this.entryCount; k++) {
      const row = lowerBound(steps, this.entrySteps[k]);
      if (steps[row] === this.entrySteps[k]) columns[row] = columns[row] === 0 ? this.entryColumns[k] : -1;
    }
    for (let row = 0; row < columns.length; row++) if (columns[row] < 0) columns[row] = 0;
    return columns;
  }

  /** The column of each row's record's `{` (Table.objectColumns), for the `rows` rows the table kept. */
  objectColumnsOf(rows: number): Int32Array {
    return this.objectColumns.slice(0, rows);
  }

  /** A log_history entry: its numbers as points at its step; the run's closing summary is not a step's log. */
  private entry(value: JsonObject, { line, column }: JsonPosition): void {
    this.history.entries++;
    // A step written as text ("100") is read as the values are (numberIn), so one rule decides what is a number.
    const step = typeof value.step === 'string' ? numberIn(value.step) : value.step;
    if (typeof step !== 'number' || !Number.isFinite(step)) {
      // Named in the warning: `predict_*` results of trainer.predict() are not a step's log, a broken entry is.
      if (this.history.noStep++ === 0) {
        const keys = Object.keys(value);
        this.history.firstNoStep = line;
        this.noStepKeys = { named: keys.slice(0, KEYS_NAMED), count: keys.length };
      }
      return;
    }
    if ('train_runtime' in value) {
      this.history.summaries++;
      return;
    }
    if (this.entryCount === this.entrySteps.length)
      [this.entrySteps, this.entryColumns] = [doubled(this.entrySteps), doubled(this.entryColumns)];
    [this.entrySteps[this.entryCount], this.entryColumns[this.entryCount++]] = [step, column];
    const keys: string[] = [];
    for (const [key, cell] of Object.entries(value)) {
      if (key === 'step') continue;
      const number = typeof cell === 'number' ? cell : typeof cell === 'string' ? numberIn(cell) : null;
      if (number !== null) {
        this.steps.add(key, step, number, line);
        this.numericKeys.add(key);
        keys.push(key);
      } else if (cell !== null && typeof cell !== 'boolean') {
        const seen = this.notNumbers.get(key);
        if (seen) seen.count++;
        else
          this.notNumbers.set(key, {
            count: 1,
            value: typeof cell === 'string' ? quote(cell) : 'an array or object',
            line,
          });
      }
    }
    this.noteSharedLine({ step, line, column, keys });
  }

  /**
   * Keeps the entries of a step whose entries share a line (sharedLineSteps), for which entry each key came from: known
   * from the second entry in a row at that step on the first's line, and kept up by any later entry at that step. A
   * step whose first entry came apart from the others leaves that entry's keys unknown (no column rather than a wrong
   * one).
   */
  private noteSharedLine(entry: LogEntry): void {
    const last = this.lastEntry;
    if (!this.sharedLineSteps.has(entry.step) && last?.step === entry.step && last.line === entry.line) {
      this.sharedLineSteps.add(entry.step);
      this.sharedLineEntries.push(last);
    }
    if (this.sharedLineSteps.has(entry.step)) this.sharedLineEntries.push(entry);
    this.lastEntry = entry;
  }

  /**
   * Per row of a trainer state's table joined from entries on one line (sharedLineSteps), per table column the `{`
   * column of the entry its cell came from, 0 where not known (Table.joinedObjectColumns). An entry's keys leave out
   * its step: a joined row's step cell is placed at its line.
   */
  joinedEntryColumnsOf(table: Table): Map<number, Int32Array> {
    const entries = this.sharedLineEntries;
    const names = table.columns.map((c) => c.name);
    return joinedObjectColumnsOf(table, {
      count: entries.length,
      step: (e) => entries[e].step,
      line: (e) => entries[e].line,
      opensAt: (e) => entries[e].column,
      wrote: (e, k) => entries[e].keys.includes(names[k]),
    });
  }
}

/** A record's place: "element 3" of a top-level array, "log_history[12]" of a trainer state. */
function describePath(path: JsonPath): string {
  if (path.length === 1 && typeof path[0] === 'number') return `element ${path[0] + 1}`;
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${p}`)).join('');
}

function isObject(value: JsonValue): value is { [key: string]: JsonValue } {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A numeric string's number ("NaN", "1e-4"), else null. */
function numberIn(text: string): number | null {
  const cell = parseCell(text, {});
  return cell.kind === CELL_NUMBER || cell.kind === CELL_SUFFIXED ? cell.value : null;
}

export interface JsonDocumentOptions extends SourceOptions {
  /** The format to report for a document that is not a trainer state (default 'json'). */
  reportAs?: FileFormat;
}

type Failure = 'file-unreadable' | 'file-too-large' | 'file-read-failed' | 'file-not-text';

/**
 * Reads a JSON document into a table. Never throws for bad input: problems are in Table.problems. The file is opened
 * once and all of it (what it is, its size, its bytes) read through that descriptor: one replaced or removed while it
 * is read (a trainer rewriting trainer_state.json) is read whole as the open found it, or said not to exist.
 */
export async function readJsonDocument(path: string, options: JsonDocumentOptions = {}): Promise<Table> {
  const file = options.displayName ?? path;
  const problems = new ProblemLog(file, options.maxProblems);
  const failed = (message: string, code: Failure) => {
    problems.add(code, 'error', 1, 1, message);
    return new TableBuilder(problems).finish({ format: options.reportAs ?? 'json', headerLine: 0, bytesRead: 0 });
  };
  // A trainer_state.json inside an output_dir that is a FIFO or a device: opening it would block, reading never end.
  let handle: FileHandle;
  try {
    handle = await openRegularFile(path, file);
  } catch (error) {
    return failed(
      error instanceof NotRegularFileError ? error.message : describeFsError(error, file),
      'file-unreadable',
    );
  }
  try {
    return await readOpenDocument(handle, problems, failed, { ...options, file, name: basename(path) });
  } catch (error) {
    return failed(describeFsError(error, file), 'file-unreadable');
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** readJsonDocument's read of the file it opened. */
async function readOpenDocument(
  handle: FileHandle,
  problems: ProblemLog,
  failed: (message: string, code: Failure) => Table,
  options: JsonDocumentOptions & { file: string; name: string },
): Promise<Table> {
  const { file } = options;
  const { size } = await handle.stat();
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  // A sample of the head (SourceOptions.headBytes) is read whatever the size.
  if (size > maxBytes && options.headBytes === undefined)
    return failed(
      `${file} is ${formatBytes(size)}, over the ${formatBytes(maxBytes)} limit; raise the file size limit or split it`,
      'file-too-large',
    );
  // UTF-16 (PowerShell's default), gzip or binary: said as what it is, not as a JSON error at its first byte.
  const head = await headOf(handle);
  const notText = binaryReason(head, hasBom(head, head.length) ? 3 : 0, head.length, options.name);
  if (notText !== null) return failed(`${file} ${notText}`, 'file-not-text');
  let bytesRead = 0;
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const visitor = new DocumentVisitor(problems, () => Math.max(size, bytesRead), maxRecordBytes);
  const walk = await walkJsonFile(handle, visitor, maxRecordBytes, options.headBytes);
  if (walk instanceof Error) return failed(describeFsError(walk, file), 'file-unreadable');
  bytesRead = walk.bytesRead;
  reportStop(problems, walk.stop, visitor);
  reportSkipped(problems, walk.skipped);
  return tableOf(visitor, { format: options.reportAs ?? 'json', bytesRead, file });
}

/** The table of the shape the document turned out to have. */
function tableOf(visitor: DocumentVisitor, head: { format: FileFormat; bytesRead: number; file: string }): Table {
  if (visitor.logHistory) {
    reportHistory(visitor);
    const hints = trainerHints(visitor.scalars);
    if (hints.notes.length > 0)
      visitor.problems.addForFile('run-hints', 'info', 1, 1, `trainer_state.json: ${hints.notes.join('; ')}`);
    // Each entry's values keep its line (the entry's `{`), for findings about one of them.
    const table = visitor.steps.finish({ format: 'hf-trainer-state', bytesRead: head.bytesRead, cells: {} });
    // ...and where its entry opens, for an entry written on one line among others (no indent).
    const objectColumns = visitor.entryColumnsOf(table.columns[0].values);
    const joinedObjectColumns = visitor.joinedEntryColumnsOf(table);
    return { ...table, hints, objectColumns, ...(joinedObjectColumns.size > 0 && { joinedObjectColumns }) };
  }
  if (visitor.root === 'array') {
    if (visitor.recordCount === 0) reportShape(visitor, head.file);
    else if (visitor.notRecords > 0)
      visitor.problems.add(
        'json-shape',
        'error',
        1,
        1,
        `${visitor.notRecords} element(s) of the array are not objects (records); they are left out`,
      );
    // A log_history exported as an array: the entries of one step joined as a trainer state's are.
    const table = visitor.records.finish({ format: head.format, headerLine: 0, bytesRead: head.bytesRead });
    // Joined rows keep where each cell's record opens (joinRowsOfOneStep: Table.joinedObjectColumns).
    return joinRowsOfOneStep({ ...table, objectColumns: visitor.objectColumnsOf(table.rowCount) });
  }
  // Columns only when every member is an array: a config's one list among its settings is not a table.
  const onlyArrays = visitor.counts.scalars === 0 && visitor.counts.objects === 0;
  const columns = onlyArrays ? visitor.columns.filter((c) => c.length > 0) : [];
  if (columns.length === 0) reportShape(visitor, head.file);
  return columnsTable(visitor, columns, head);
}

/** An object of column arrays: row r holds element r of each array; a shorter array leaves its cells empty. */
function columnsTable(
  visitor: DocumentVisitor,
  columns: ColumnArray[],
  head: { format: FileFormat; bytesRead: number },
): Table {
  const table = visitor.records;
  const builders = columns.map((c) => ({ array: c, builder: table.addColumn(c.name, c.line(0)) }));
  const rows = columns.reduce((most, c) => Math.max(most, c.length), 0);
  for (let r = 0; r < rows && !table.stopped; r++) {
    const row = table.beginRow();
    for (const { array, builder } of builders) {
      if (builder === null || r >= array.length) continue;
      visitor.setScalar(builder, row, array.value(r), array.line(r));
    }
    table.endRow(columns.find((c) => r < c.length)!.line(r));
  }
  reportShortArrays(visitor, columns, rows);
  const nested = columns.filter((c) => c.containers > 0);
  if (nested.length > 0)
    visitor.problems.add(
      'jsonl-value-ignored',
      'info',
      1,
      1,
      `column ${quote(nested[0].name)}${nested.length > 1 ? ` and ${nested.length - 1} more` : ''} hold arrays or ` +
        'objects among their values; those are not scalars and are ignored',
    );
  const finished = table.finish({ format: head.format, headerLine: 0, bytesRead: head.bytesRead });
  for (const { array } of builders) {
    const column = finished.columns.find((c) => c.name === array.name);
    if (column) column.cells = array.cells(finished.rowCount);
  }
  // Arrays spread over lines (json.dump(indent=2)): a value's line off its row's (the first array's) finds the row.
  const joinedLines = joinedLinesOf(finished.columns, finished.lines);
  return joinedLines ? { ...finished, joinedLines } : finished;
}

/**
 * Arrays shorter than the longest, said once: their elements pair with the others' by position, so an `eval_loss`
 * logged every tenth step sits at the first steps, and its values are fitted there, unless the arrays line up.
 */
function reportShortArrays(visitor: DocumentVisitor, columns: readonly ColumnArray[], rows: number): void {
  const short = columns.filter((c) => c.length < rows);
  if (short.length === 0) return;
  const [first] = short;
  const longest = columns.find((c) => c.length === rows)!;
  const more = short.length > 1 ? ` (and ${plural(short.length - 1, 'more array')})` : '';
  visitor.problems.add(
    'row-ragged',
    'warning',
    first.line(Math.max(first.length - 1, 0)) || 1,
    1,
    `array ${quote(first.name)} holds ${first.length} values where ${quote(longest.name)} holds ${rows}${more}: ` +
      `element r of each array makes row r, so ${first.length + 1 === rows ? `row ${rows} has` : `rows ${first.length + 1} to ${rows} have`} no ${quote(first.name)}, and ` +
      'its values sit at the first rows whatever step logged them — give every array one value per row (null where ' +
      'none was logged)',
  );
}

/** The schedule facts of a trainer state: max_steps ends the schedule; global_step and logging_steps are said. */
function trainerHints(scalars: ReadonlyMap<string, JsonScalar>): TableHints {
  // Step counts: whole and positive, as in every other run's configuration (a max_steps of 1e300 is no plan).
  const number = (key: string): number | undefined => {
    const value = scalars.get(key);
    return typeof value === 'number' ? positiveInteger(value) : undefined;
  };
  const maxSteps = number('max_steps');
  const globalStep = number('global_step');
  const logging = number('logging_steps');
  const notes: string[] = [];
  if (maxSteps !== undefined) notes.push(`the schedule ends at step ${maxSteps} (max_steps)`);
  if (globalStep !== undefined)
    notes.push(
      maxSteps !== undefined && globalStep < maxSteps
        ? `the run is at step ${globalStep} of ${maxSteps} (global_step): still training, or stopped early`
        : `the run reached step ${globalStep} (global_step)`,
    );
  if (logging !== undefined) notes.push(`it logs every ${logging} steps (logging_steps)`);
  return maxSteps === undefined ? { notes } : { maxSteps, notes };
}
