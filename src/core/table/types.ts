// The parsed shape of a run file. Everything downstream (curves, laws, the server, the CLI) reads these types only,
// never the raw text: a file is read once into typed columns, with each row's source line kept for diagnostics.
// textAt is the one way to read a text cell, kept beside the dictionary coding it reads.
import type { ParseProblemCode } from '../findings';

/**
 * What was read. The text formats come from the table reader (the two exports are CSV underneath with their own
 * column conventions); the others from a source of src/core/sources, one module each.
 */
export type FileFormat =
  | 'csv'
  | 'tsv'
  | 'jsonl'
  | 'tensorboard-csv'
  | 'wandb-csv'
  | 'tensorboard'
  | 'hf-trainer-state'
  | 'json'
  | 'llama-factory'
  | 'lightning'
  | 'mlflow'
  | 'dvclive'
  | 'wandb-history'
  | 'wandb';

export type Severity = 'error' | 'warning' | 'info';

/** A problem found while reading: always located, always phrased so a user can act on it. */
export interface ParseProblem {
  code: ParseProblemCode; // stable, e.g. 'row-ragged', 'cell-not-numeric', 'jsonl-bad-line', 'file-empty'
  severity: Severity;
  message: string;
  file: string;
  line: number; // 1-based line in the file
  column: number; // 1-based character column in that line
  /** The delimited field the problem is about, when it is about one cell: the shells underline the whole cell. */
  cell?: ProblemCell;
}

/** A field of a delimited line: its 0-based position and the delimiter (as Finding.cell finds it on the line). */
export interface ProblemCell {
  field: number;
  delimiter: string;
}

/** Non-numeric cells, dictionary-coded: run names and mixes repeat, so memory stays proportional to rows. */
export interface TextCells {
  codes: Int32Array; // per row: index into dictionary, or -1 when the cell is a usable number or empty (a written NaN is coded 'NaN')
  dictionary: string[];
}

export interface Column {
  name: string;
  /** Per row: the number, or NaN when the cell is empty or not a number (see `text`). */
  values: Float64Array;
  /** Present when at least one cell is non-numeric text or a written NaN. */
  text?: TextCells;
  numericCount: number;
  textCount: number;
  emptyCount: number;
  /** Unit suffixes seen in numeric cells (e.g. 'B' for "12B"); more than one means mixed notation. */
  suffixes: string[];
  /** Where its cells were read, when the table joined them from records on other lines or in other files. */
  cells?: CellSource;
}

/**
 * Where a joined column's cells lie (a table joined on step, stepTable.ts: a step's training and validation records,
 * one file per metric): what a finding about one of them points at, where that is not its row's line in the table's
 * file.
 */
export interface CellSource {
  /** The file the cells were read from, when not the table's (a DVCLive metric TSV, an MLflow metric file). */
  file?: string;
  /** Delimited text: the cell's 0-based field on its line, and the delimiter; absent where no field locates it. */
  field?: number;
  delimiter?: string;
  /**
   * Per row, the line its cell was read from (0 where the row has none): always for cells in a file of their own,
   * else when some cell is not on its row's line.
   */
  lines?: Int32Array;
  /**
   * Per row, the 1-based character column of its cell on its line (0 where the row has none), where no field locates
   * it: an object of JSON column arrays (`{"step": [...], "loss": [...]}`), whose cells are values in an array.
   */
  columns?: Int32Array;
}

/** A text cell's text (a written NaN reads 'NaN'); undefined when the cell is a usable number or empty. */
export function textAt(column: Column, row: number): string | undefined {
  const cells = column.text;
  if (cells === undefined) return undefined;
  const code = cells.codes[row];
  return code >= 0 ? cells.dictionary[code] : undefined;
}

export interface Table {
  file: string;
  format: FileFormat;
  /**
   * The run's name when the table is one run of a folder (its path relative to the folder given, `runs/cosine` given
   * as `runs` is `cosine`) or a source that names its run; curves without a run column go by it.
   */
  run?: string;
  /** The field delimiter for delimited formats. */
  delimiter?: string;
  /** The line of the header row (1-based); 0 for JSONL. */
  headerLine: number;
  columns: Column[];
  rowCount: number;
  /** 1-based source line of each row (Float64Array would waste memory; files past 2^31 lines are refused). */
  lines: Int32Array;
  /** Where rows were joined from records on several lines: those records' lines and their rows' (JoinedLines). */
  joinedLines?: JoinedLines;
  /**
   * A JSON array of records: per row, the 1-based character column of its record's `{` on its line, so a finding
   * about a cell of a record written on one line among others (a whole array on one line) finds it in that record.
   */
  objectColumns?: Int32Array;
  /**
   * Rows joined from several records written on one line (a trainer state without indent: a step's train and eval
   * entries; a JSON array of records on one line whose records share steps, joinSteps.ts), where objectColumns has
   * none: per such row, per column, the 1-based character column of the `{` of the record its cell came from (0 where
   * not known; both made by stepTable.ts's joinedObjectColumnsOf).
   */
  joinedObjectColumns?: ReadonlyMap<number, Int32Array>;
  problems: ParseProblem[];
  /** How many problems there were in all; `problems` keeps only the first few hundred. */
  problemCount: number;
  rowsRejected: number;
  bytesRead: number;
  /** What the run's own configuration says about its schedule (hparams.yaml, MLflow params), when a source read it. */
  hints?: TableHints;
}

/**
 * The lines of records joined into a row whose line is another (a step's validation record joined to its training
 * record), ascending, each with its row's line: a position on any record of a row finds the row (a hover).
 */
export interface JoinedLines<S extends ArrayLike<number> = Int32Array> {
  lines: S;
  rowLines: S;
}

/** Schedule facts a run's configuration states; each absent when it does not say. */
export interface TableHints {
  maxSteps?: number;
  warmupSteps?: number;
  /** Other settings worth showing, as "name: value" (the schedule, the peak learning rate). */
  notes: string[];
}

export interface ReadOptions {
  /** Force a delimiter instead of detecting it. */
  delimiter?: string;
  /** Refuse files larger than this many bytes with a clear message (default 4 GiB). */
  maxBytes?: number;
  /** Display name used in messages; defaults to the path. */
  displayName?: string;
  /** Keep at most this many problems in `problems` (default 200). */
  maxProblems?: number;
  /**
   * Read only the first this many bytes of each file (a sample of its first rows: the Select Columns picker's of a
   * run folder), its complete lines there (an event file's records that start there); the rows past them are not read.
   */
  headBytes?: number;
}

/** What a column is for. The same names are used by the CLI's `--columns role=name` and the extension's settings. */
export type ColumnRole =
  | 'step' // optimiser step of a loss curve
  | 'loss' // training or validation loss of a loss curve
  | 'lr' // learning rate at that step
  | 'run' // which curve a row belongs to (several runs in one file)
  | 'group' // pretraining mix or dataset of a downstream sweep
  | 'pretrainData' // D_p: pretraining tokens seen
  | 'finetuneData' // D_f: fine-tuning tokens
  | 'bleu' // BLEU, COMET or another higher-is-better downstream score
  | 'ce' // downstream cross-entropy
  | 'params' // N: model parameters
  | 'tokens' // D: training tokens
  | 'compute'; // C: training FLOP

/** Which kind of file this is, decided from the roles found. */
export type FileKind = 'loss-curve' | 'downstream' | 'compute' | 'unknown';

export interface RoleAssignment {
  kind: FileKind;
  /** Role -> index into Table.columns. */
  roles: Partial<Record<ColumnRole, number>>;
  /** Human-readable notes, e.g. which alias matched, or which roles are missing and how to map them. */
  notes: string[];
  /**
   * Columns named like a role left unassigned (step, loss, lr) whose cells are all text, so they could not take it:
   * where their first cell is, for a located warning (a loss column of "diverged" is otherwise only "no loss").
   */
  textOnly?: TextOnlyColumn[];
  /** Column mappings that name no column of this table (role=name as mapped): the detected columns stand instead. */
  unmatched?: { role: ColumnRole; name: string }[];
}

/** A column named like `role` without a single number: its name, index and first cell, with that cell's line. */
export interface TextOnlyColumn {
  role: ColumnRole;
  name: string;
  index: number;
  line: number;
  cell: string;
}

/**
 * A metric file's records joined into a table's rows on step (DVCLive's plots/metrics/*.tsv, MLflow's metrics/<key>):
 * per row, the line of its record in `file` (0 where the file logged none at that step) and the row's step. A hover
 * on one of the file's lines finds the step of the row it went into. The table's own arrays, not copies. `role`: the
 * column the file gave (an LR record at a step without a loss hovers as its row; a loss record there was left out).
 */
export interface MetricFileLines<L extends ArrayLike<number> = Int32Array, S extends ArrayLike<number> = Float64Array> {
  file: string;
  role: 'loss' | 'lr';
  lines: L;
  steps: S;
}
