// MLflow's file store: `mlruns/<experiment>/<run>/` with `meta.yaml` (the run's name, its lifecycle stage),
// `metrics/<key>` (one line per value: `<timestamp_ms> <value> <step>`; a key with '/' is a sub-folder) and
// `params/<key>` (one value each). A run folder is one run named by its meta.yaml name (else its id); an experiment
// folder and the store itself hold several, named by run (and experiment) name. Runs marked deleted are left out with
// a note; a constant learning rate given only as a param becomes the LR column, said so; metrics logged without a
// step (every step 0) are ordered by their timestamps, said so.
//
// MLflow's SQLite store (mlflow.db, the default since MLflow 3.7) is recognised and not read: the pure-JS or wasm
// SQLite libraries (sql.js, the one well kept) load the whole database into memory, and a tracking database holds
// every experiment's metrics, so memory would grow with the history of the whole store rather than the runs wanted;
// Node 20, which VS Code runs extensions on, has no built-in SQLite. The message names the exports that work.
import type { Stats } from 'node:fs';
import { readdir, stat, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parseNumberCell } from '../table/number';
import { shortRunId } from '../util/format';
import { maxOf, appendAll } from '../util/arrays';
import { describeFsError, ProblemLog } from '../table/problems';
import { detectRoles } from '../table/roles';
import { normaliseColumnName } from '../table/roleNames';
import { TableBuilder } from '../table/tableBuilder';
import type { ParseProblem, Table } from '../table/types';
import { DEFAULT_SCAN_LIMITS } from './scan';
import { filesUnder } from './fileTree';
import { bytesBefore, NotRegularFileError, openRegularFile, readSmallFile } from './regularFile';
import type { FileResumes } from './resume';
import { hintsFromConfig, readYamlFile, reportHints } from './runHints';
import { RunTable, type NewPoints } from './runTable';
import { StepTableBuilder } from './stepTable';
import { withProblems } from './tableSeries';
import type { Probe, RunPart, Source, SourceOptions } from './types';

const META = 'meta.yaml';
const RUN_ID = /^[0-9a-f]{32}$/;
const SQLITE_MAGIC = 'SQLite format 3\0';
/** Folders of a key tree walked at most (a key `a/b/c` is two folders deep). */
const MAX_KEY_DEPTH = 8;
/** A param's file is one value; more than this is not a learning rate or a step count. */
const MAX_PARAM_BYTES = 4096;
/** A metric line is under 100 bytes; a longer one (a binary file among the metrics) is not kept in memory. */
const MAX_LINE_BYTES = 4096;

/** Params whose constant value is the run's learning rate when it logged no LR metric (normalised names; Keras's
 * autologging logs its optimizer's as `opt_learning_rate`). */
const LR_PARAMS = ['learning_rate', 'lr', 'base_lr', 'peak_lr', 'max_lr', 'initial_lr', 'init_lr', 'opt_learning_rate'];

type FolderKind = 'run' | 'experiment' | 'store';

/** A metric file of a run in a file store: its run folder (`mlruns/<experiment>/<run id>`), then its key. */
const METRIC_FILE = /^(.*[\\/]mlruns[\\/][^\\/]+[\\/][0-9a-f]{32})[\\/]metrics[\\/](.+)$/;

/**
 * The MLflow run a path is a metric file of (`mlruns/<experiment>/<run id>/metrics/<key>`, the key as the run's table
 * names it): a part of its run, read with the run's other metrics when the run folder is fitted, never a run file of
 * its own. Null for any other path.
 */
export function mlflowRunOf(path: string): RunPart | null {
  const match = METRIC_FILE.exec(path);
  return match ? { run: match[1], format: 'mlflow', metric: match[2].split('\\').join('/') } : null;
}

/** What a folder of the store is, from its entries. */
function folderKind(name: string, entries: readonly string[]): FolderKind | null {
  if (entries.includes(META)) {
    if (entries.includes('metrics')) return 'run';
    if (entries.some((e) => RUN_ID.test(e))) return 'experiment';
    return null;
  }
  const experiments = entries.some((e) => /^\d+$/.test(e));
  return experiments && (name === 'mlruns' || entries.includes('.trash')) ? 'store' : null;
}

export const mlflowSource: Source = {
  format: 'mlflow',
  recognise(probe: Probe): boolean {
    if (probe.isDirectory) return folderKind(probe.name, probe.entries) !== null;
    return probe.name === 'mlflow.db' && new TextDecoder().decode(probe.head.subarray(0, 16)) === SQLITE_MAGIC;
  },
  async read(path: string, options: SourceOptions): Promise<Table[]> {
    const display = options.displayName ?? path;
    const info = await stat(path).catch(() => null);
    if (info === null || !info.isDirectory()) return [sqliteStore(display)];
    const entries = await readdir(path).catch(() => [] as string[]);
    const limit = options.scan?.maxRuns ?? DEFAULT_SCAN_LIMITS.maxRuns;
    switch (folderKind(basename(path), entries)) {
      case 'experiment':
        return (await readExperiment(path, display, limit, options)).tables;
      case 'store':
        return readStore(path, display, entries, limit, options);
      default: {
        // A run folder, or any folder forced to be read as one.
        const run = await readRun(path, display, options);
        return [run.table];
      }
    }
  },
};

/** The message for mlflow.db: what to export instead. */
function sqliteStore(display: string): Table {
  const log = new ProblemLog(display);
  log.add(
    'mlflow-db',
    'error',
    1,
    1,
    `${display} is MLflow's SQLite store, which is not read directly (it holds every experiment's history). Point ` +
      'MLflow at a file store (MLFLOW_TRACKING_URI=file:./mlruns) and open mlruns/, or export each run: the MLflow ' +
      'UI\'s chart "Download CSV", or MlflowClient().get_metric_history(run_id, key) written to a CSV of step and ' +
      'value columns',
  );
  return new TableBuilder(log).finish({ format: 'mlflow', headerLine: 0, bytesRead: 0 });
}

interface RunRead {
  table: Table;
  /** The run's name from meta.yaml (or its id). */
  name: string;
  deleted: boolean;
}

/** One run folder: meta.yaml, metrics/, params/ (of each metric file its first `headBytes` only, when given). */
async function readRun(path: string, display: string, options: SourceOptions): Promise<RunRead> {
  const { headBytes, metricFiles: resumes, runTables } = options;
  const log = new ProblemLog(display);
  const meta = await readMeta(path, display, log);
  const name = meta.name ?? (await readText(join(path, 'tags', 'mlflow.runName'))) ?? basename(path);
  if (meta.deleted) {
    log.addForFile('mlflow-run-deleted', 'info', 1, 1, `run "${name}" is marked deleted in MLflow; it is left out`);
    const table = new TableBuilder(log).finish({ format: 'mlflow', headerLine: 0, bytesRead: 0 });
    return { table: { ...table, run: name }, name, deleted: true };
  }
  const keys = await filesUnder(join(path, 'metrics'), log, MAX_KEY_DEPTH);
  const live = headBytes === undefined ? runTables?.get(path) : undefined;
  const appended = live && (await appendRun(path, display, keys, live, resumes));
  const kept = headBytes === undefined ? { resumes, runTables } : {};
  const metrics = appended || (await joinRun(path, display, name, keys, headBytes, kept, log));
  const { parts, partCount, bytesRead, stepless } = metrics;
  if (stepless.length > 0)
    log.addForFile(
      'mlflow-steps-missing',
      'info',
      1,
      1,
      `${quoteList(stepless)} logged no step (every step 0): their values are ordered by timestamp and numbered ` +
        '1, 2, 3, … as steps; log with step= for a schedule-aware fit',
    );
  const params = await readParams(join(path, 'params'), log);
  const hints = hintsFromConfig(params);
  if (hints !== null) reportHints(hints, 'MLflow params', log);
  const autolog = await readText(join(path, 'tags', AUTOLOG_TAG));
  const epochs = epochAxis(autolog, params, metrics.kerasLoss);
  if (epochs)
    log.addForFile('steps-are-epochs', 'warning', 1, 1, epochs, { file: join(display, 'metrics', KERAS_LOSS) });
  let built: Table;
  if (metrics.finish === undefined) {
    // Appended to the run's table: the problems its join found when it was made are said again (a resumed run's).
    log.sayAgain(live!.joinProblems);
    const head = { file: log.file, format: 'mlflow' as const, run: name, headerLine: 0, rowsRejected: 0, bytesRead };
    built = { ...head, ...live!.table(keys), problems: log.sorted(), problemCount: log.count };
    runTables!.set(path, live!);
  } else built = metrics.finish(bytesRead);
  const table = withLrParam(hints === null ? built : { ...built, hints }, params, display);
  return { table: withProblems(table, parts, partCount), name, deleted: false };
}

/** What a run's metric files gave: their problems, the bytes of their lines, the metrics logged without steps. */
interface RunMetrics {
  parts: ParseProblem[];
  partCount: number;
  bytesRead: number;
  stepless: string[];
  /** The steps of Keras's loss, asked only of a run Keras logged. */
  kerasLoss: () => readonly number[];
  /** A whole read's: the joined table, made once the run's other problems are said; absent when appended. */
  finish?: (bytesRead: number) => Table;
}

/**
 * Reads every metric file whole and joins their points (a follower keeps the joined table, with each file's read,
 * to append to: `runTables`, when a later read can).
 */
async function joinRun(
  path: string,
  display: string,
  name: string,
  keys: readonly string[],
  headBytes: number | undefined,
  kept: { resumes?: FileResumes<MetricFileRead>; runTables?: FileResumes<RunTable> },
  log: ProblemLog,
): Promise<RunMetrics> {
  const builder = new StepTableBuilder(log);
  const parts: ParseProblem[] = [];
  let partCount = 0;
  let bytesRead = 0;
  let failed = false;
  const stepless: string[] = [];
  let kerasLoss: readonly number[] = [];
  for (const key of keys) {
    const file = join(display, 'metrics', key);
    const read = await readMetricFile(join(path, 'metrics', key), file, headBytes, kept.resumes, true);
    const { points, log: fileLog } = read;
    failed ||= read.failed;
    if (key === KERAS_LOSS) kerasLoss = points.steps;
    appendAll(parts, fileLog.sorted());
    partCount += fileLog.count;
    bytesRead += read.bytes;
    if (addPoints(builder, key, points)) stepless.push(key);
    // A metric's value is the second field of its file's lines ("timestamp value step").
    builder.cellsOf(key, { file, field: 1, delimiter: ' ' });
  }
  const finish = (bytes: number): Table => {
    const said = log.items.length;
    const table = builder.finish({ format: 'mlflow', bytesRead: bytes, run: name });
    // Not kept to append to: joined by timestamp, series left out, or a file not read (the next read is whole).
    const capped = table.problems.some((p) => p.code === 'columns-capped');
    const run = kept.runTables && stepless.length === 0 && !capped && !failed ? RunTable.from(table) : null;
    if (run === null) return table;
    run.joinProblems = log.items.slice(said);
    kept.runTables!.set(path, run);
    // Its views, so the join's arrays go: one copy of the run's points.
    return { ...table, ...run.table(keys) };
  };
  return { parts, partCount, bytesRead, stepless, kerasLoss: () => kerasLoss, finish };
}

/**
 * Reads what each metric file appended and appends its points to the run's table; null when a file cannot be
 * resumed (cut short, replaced, unreadable) or the table cannot take them (runTable.ts): the run is then read whole.
 */
async function appendRun(
  path: string,
  display: string,
  keys: readonly string[],
  live: RunTable,
  resumes: FileResumes<MetricFileRead> | undefined,
): Promise<RunMetrics | null> {
  const points = new Map<string, NewPoints>();
  const parts: ParseProblem[] = [];
  let partCount = 0;
  let bytesRead = 0;
  for (const key of keys) {
    const read = await readMetricFile(join(path, 'metrics', key), join(display, 'metrics', key), undefined, resumes);
    if (read.failed || (!read.resumed && live.has(key))) return null;
    appendAll(parts, read.log.sorted());
    partCount += read.log.count;
    bytesRead += read.bytes;
    points.set(key, read.points);
  }
  const cells = (key: string) => ({ file: join(display, 'metrics', key), field: 1, delimiter: ' ' });
  if (!live.append(keys, points, cells, bytesRead)) return null;
  return { parts, partCount, bytesRead, stepless: [], kerasLoss: () => live.writtenSteps(KERAS_LOSS) };
}

/** The run tag naming the library MLflow's autologging logged the run from, and Keras's names there. */
const AUTOLOG_TAG = 'mlflow.autologging';
const KERAS_AUTOLOG = ['keras', 'tensorflow'];
/** The key Keras logs its training loss under. */
const KERAS_LOSS = 'loss';

/**
 * Why a run's step axis counts epochs, when its files show it: MLflow's Keras autologging (its tag `keras` or
 * `tensorflow`) logs a fit's metrics once per epoch at step = the epoch index, unless it was given log_every_n_steps
 * (then at optimizer iterations). Told apart by the fit's `epochs` param: every loss step an epoch index under it.
 * The laws' step is an optimizer step (λ, a warmup), so the user is told what the axis is; no optimizer steps are
 * made up for it. Null otherwise.
 */
function epochAxis(
  autolog: string | null,
  params: Record<string, string>,
  stepsOf: () => readonly number[],
): string | null {
  const epochs = Number(params.epochs);
  if (autolog === null || !KERAS_AUTOLOG.includes(autolog) || !Number.isInteger(epochs) || epochs < 1) return null;
  const steps = stepsOf();
  if (steps.length < 2 || !steps.every((s) => Number.isInteger(s) && s >= 0 && s < epochs)) return null;
  const last = maxOf(steps);
  return (
    `"${KERAS_LOSS}" was logged by MLflow's Keras autologging once per epoch, at step = epoch index (steps 0 to ` +
    `${last}; param epochs = ${epochs}): this run's step axis counts epochs, not optimizer steps. A loss law fitted ` +
    'on it is fitted on epochs (the annealing momentum λ and a warmup act per epoch, not per step), and its target ' +
    'steps are epochs. Autolog with log_every_n_steps (or log the loss with step=) for a curve on optimizer steps.'
  );
}

/** The run's name and lifecycle stage; a meta.yaml that cannot be read is a warning and the run is still read. */
async function readMeta(path: string, display: string, log: ProblemLog): Promise<{ name?: string; deleted: boolean }> {
  const read = await readYamlFile(join(path, META), join(display, META), log);
  if (!read.ok || read.config === null || typeof read.config !== 'object') return { deleted: false };
  const meta = read.config as Record<string, unknown>;
  const name = [meta.run_name, meta.name, meta.run_id, meta.run_uuid].find(
    (v): v is string => typeof v === 'string' && v.trim() !== '',
  );
  return { name, deleted: meta.lifecycle_stage === 'deleted' };
}

/** A small text file's content, trimmed; null when absent, unreadable, not a regular file or too large. */
async function readText(path: string): Promise<string | null> {
  const read = await readSmallFile(path, path, MAX_PARAM_BYTES);
  return 'text' in read ? read.text.trim() : null;
}

/**
 * Params as a record of key -> text (a key with '/' as in MLflow). One that is no regular file or cannot be read when
 * it is opened (replaced by a FIFO after the walk saw it) is left out and said so; one removed since is no news.
 */
async function readParams(root: string, log: ProblemLog): Promise<Record<string, string>> {
  const params: Record<string, string> = {};
  for (const key of await filesUnder(root, log, MAX_KEY_DEPTH)) {
    const read = await readSmallFile(join(root, key), join(root, key), MAX_PARAM_BYTES);
    if ('text' in read) params[key] = read.text.trim();
    else if (read.reason === 'not-regular') log.addForFile('file-unreadable', 'error', 1, 1, read.message);
    else if (read.reason === 'failed')
      log.addForFile('file-unreadable', 'error', 1, 1, describeFsError(read.error, join(root, key)));
  }
  return params;
}

/** A metric file's points, in file order. */
interface MetricPoints {
  timestamps: number[];
  values: number[];
  steps: number[];
  lines: number[];
  bytes: number;
}

/**
 * What a read of a metric file kept for the next (a follower's, SourceOptions.metricFiles): which file it was, where
 * its complete lines ended and the bytes before (other bytes there: rewritten, read whole), its line count, the bytes
 * of its lines read so far and its problems. Its points are in the run's table (runTable.ts), not kept here.
 */
export interface MetricFileRead {
  ino: number;
  dev: number;
  /** Offset after the last line feed read. */
  consumed: number;
  seam: Buffer;
  lineNo: number;
  /** The bytes of the lines read so far (MetricPoints.bytes of every read of the file). */
  bytes: number;
  log: ProblemLog;
}

/** A read of a metric file: the points of the lines it read, its problems so far, and how it went. */
interface MetricRead {
  points: MetricPoints;
  log: ProblemLog;
  /** The bytes of every line of the file read so far. */
  bytes: number;
  /** Read from where the last read ended (else from the start). */
  resumed: boolean;
  /** Not opened, or a read failed part way (said in the log). */
  failed: boolean;
}

/** Bytes before the read end kept to tell a metric file rewritten (truncated, then written longer) from one grown. */
const SEAM_BYTES = 64;

/**
 * Reads `<timestamp_ms> <value> <step>` lines (MLflow before 1.0 wrote no step: 0), streaming. A line that is not
 * that is reported with its line and the column of the field at fault, and the rest read. A last line without its
 * newline is a value MLflow is still writing: it is read next time, once complete. With `resumes` (a follower), only
 * the lines appended since the last read are read, when the file is the same one grown and `whole` is not asked;
 * else it is read whole. The log returned is the one kept: a later read appends to it, so it is used before it.
 */
async function readMetricFile(
  path: string,
  display: string,
  headBytes?: number,
  resumes?: FileResumes<MetricFileRead>,
  whole = false,
): Promise<MetricRead> {
  const points: MetricPoints = { timestamps: [], values: [], steps: [], lines: [], bytes: 0 };
  let handle: FileHandle;
  try {
    handle = await openRegularFile(path, display);
  } catch (error) {
    const log = new ProblemLog(display);
    const message = error instanceof NotRegularFileError ? error.message : describeFsError(error, display);
    log.addForFile('file-unreadable', 'error', 1, 1, message);
    return { points, log, bytes: 0, resumed: false, failed: true };
  }
  try {
    const kept = headBytes === undefined ? resumes : undefined;
    const info = await handle.stat();
    const at = whole ? null : await resumable(handle, info, kept?.get(path));
    const read = at ?? { consumed: 0, seam: Buffer.alloc(0), lineNo: 0, bytes: 0, log: new ProblemLog(display) };
    const { ino, dev } = info;
    const { consumed, failed } = await readMetricLines(handle, read, points, headBytes);
    const bytes = read.bytes + points.bytes;
    // A read that failed part way is not resumed: the next reads the file whole.
    if (!failed)
      kept?.set(path, { ...read, ino, dev, consumed, bytes, seam: await bytesBefore(handle, consumed, SEAM_BYTES) });
    return { points, log: read.log, bytes, resumed: at !== null, failed };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** The last read of the file, when it is the same file grown since (same identity, the bytes before its end unchanged). */
async function resumable(
  handle: FileHandle,
  { ino, dev, size }: Stats,
  last: MetricFileRead | undefined,
): Promise<MetricFileRead | null> {
  if (last === undefined) return null;
  if (ino !== last.ino || dev !== last.dev || size < last.consumed) return null;
  return (await bytesBefore(handle, last.consumed, SEAM_BYTES)).equals(last.seam) ? last : null;
}

/**
 * Reads the complete lines from `read.consumed` on into `points` and its log; the offset after the last, and whether
 * a read failed (said in the log) before the end.
 */
async function readMetricLines(
  handle: FileHandle,
  read: Pick<MetricFileRead, 'consumed' | 'lineNo' | 'log'>,
  points: MetricPoints,
  headBytes?: number,
): Promise<{ consumed: number; failed: boolean }> {
  const { log } = read;
  let consumed = read.consumed;
  try {
    for await (const { line, bytes } of completeLines(handle, consumed, headBytes)) {
      const lineNo = ++read.lineNo;
      consumed += bytes + 1;
      points.bytes += (line?.length ?? MAX_LINE_BYTES) + 1;
      if (line === null) {
        log.add(
          'metric-line-invalid',
          'warning',
          lineNo,
          1,
          // Said in the metric file at its line: the message does not say them again.
          `over ${MAX_LINE_BYTES} bytes, not a metric line; it is left out`,
        );
        continue;
      }
      if (line.trim() === '') continue;
      const parsed = parseMetricLine(line);
      if ('error' in parsed) {
        log.add('metric-line-invalid', 'warning', lineNo, parsed.column, `${parsed.error}; the line is left out`);
        continue;
      }
      points.timestamps.push(parsed.timestamp);
      points.values.push(parsed.value);
      points.steps.push(parsed.step);
      points.lines.push(lineNo);
    }
  } catch (error) {
    log.addForFile('file-unreadable', 'error', Math.max(1, read.lineNo), 1, describeFsError(error, log.file));
    return { consumed, failed: true };
  }
  return { consumed, failed: false };
}

/**
 * The newline-ended lines of an open file from byte `from` (up to its first `headBytes`, when given), streaming, with
 * their lengths in bytes; a line over MAX_LINE_BYTES comes as null, its bytes not kept.
 */
async function* completeLines(
  handle: FileHandle,
  from: number,
  headBytes?: number,
): AsyncGenerator<{ line: string | null; bytes: number }> {
  let carry: Buffer[] = [];
  let carried = 0;
  let overlong = false;
  let skipped = 0;
  const range = { start: from, autoClose: false, ...(headBytes !== undefined && { end: headBytes - 1 }) };
  for await (const chunk of handle.createReadStream(range) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let end = chunk.indexOf(10, start); end >= 0; end = chunk.indexOf(10, start)) {
      const part = chunk.subarray(start, end);
      const bytes = carried + skipped + part.length;
      yield overlong || carried + part.length > MAX_LINE_BYTES
        ? { line: null, bytes }
        : { line: Buffer.concat([...carry, part]).toString('utf8'), bytes };
      skipped = 0;
      carry = [];
      carried = 0;
      overlong = false;
      start = end + 1;
    }
    const rest = chunk.subarray(start);
    if (carried + rest.length > MAX_LINE_BYTES) overlong = true;
    if (overlong) {
      skipped += carried + rest.length;
      carry = [];
      carried = 0;
    } else if (rest.length > 0) {
      carry.push(Buffer.from(rest));
      carried += rest.length;
    }
  }
}

type MetricLine = { timestamp: number; value: number; step: number } | { error: string; column: number };

/** One line of a metric file; the column (1-based) of the field at fault when it is not one. */
export function parseMetricLine(line: string): MetricLine {
  const fields: { text: string; column: number }[] = [];
  for (const m of line.matchAll(/\S+/g)) fields.push({ text: m[0], column: (m.index ?? 0) + 1 });
  if (fields.length < 2 || fields.length > 3)
    return {
      error: `expected "<timestamp> <value> <step>", found ${fields.length} field(s)`,
      column: fields[3]?.column ?? 1,
    };
  const timestamp = Number(fields[0].text);
  if (!Number.isFinite(timestamp))
    return { error: `the timestamp "${fields[0].text.slice(0, 40)}" is not a number`, column: fields[0].column };
  const value = parseNumberCell(fields[1].text);
  if (value === null || value.suffix !== undefined)
    return { error: `the value "${fields[1].text.slice(0, 40)}" is not a number`, column: fields[1].column };
  const step = fields.length === 3 ? Number(fields[2].text) : 0;
  if (!Number.isSafeInteger(step) || step < 0)
    return { error: `the step "${fields[2].text.slice(0, 40)}" is not a whole number`, column: fields[2].column };
  return { timestamp, value: value.value, step };
}

/**
 * Adds a metric's points to the builder. A metric with more than one value and every step 0 was logged without
 * steps: its values are numbered 1, 2, 3, … in timestamp order (file order among equal times). Returns whether so.
 */
function addPoints(builder: StepTableBuilder, key: string, p: MetricPoints): boolean {
  const n = p.values.length;
  const stepless = n > 1 && p.steps.every((s) => s === 0);
  if (!stepless) {
    for (let i = 0; i < n; i++) builder.add(key, p.steps[i], p.values[i], p.lines[i]);
    return false;
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p.timestamps[a] - p.timestamps[b] || a - b);
  order.forEach((i, rank) => builder.add(key, rank + 1, p.values[i], p.lines[i]));
  return true;
}

/** The table with a constant LR column from a learning-rate param, when no metric is taken as the LR; said so. */
function withLrParam(table: Table, params: Record<string, string>, display: string): Table {
  if (table.rowCount === 0 || detectRoles(table).roles.lr !== undefined) return table;
  const key = Object.keys(params).find((k) => LR_PARAMS.includes(normaliseColumnName(k)));
  if (key === undefined) return table;
  const parsed = parseNumberCell(params[key]);
  if (parsed === null || !(parsed.value > 0) || !Number.isFinite(parsed.value)) return table;
  const log = new ProblemLog(display);
  log.addForFile(
    'mlflow-lr-param',
    'info',
    1,
    1,
    `no learning-rate metric was logged: the param ${key} = ${parsed.value} is taken as a constant learning rate at ` +
      'every step; log the LR as a metric if the schedule changed it',
  );
  const values = new Float64Array(table.rowCount).fill(parsed.value);
  const column = { name: key, values, numericCount: table.rowCount, textCount: 0, emptyCount: 0, suffixes: [] };
  return withProblems({ ...table, columns: [...table.columns, column] }, log.sorted(), log.count);
}

/** The runs of an experiment folder, each named by its run name (made unique with its id); deleted runs noted. */
async function readExperiment(
  path: string,
  display: string,
  limit: number,
  options: SourceOptions,
): Promise<{ tables: Table[]; name: string }> {
  const log = new ProblemLog(display);
  const meta = await readYamlFile(join(path, META), join(display, META), log);
  const config = meta.ok && meta.config !== null && typeof meta.config === 'object' ? meta.config : {};
  const expName = (config as Record<string, unknown>).name;
  const name = typeof expName === 'string' && expName.trim() !== '' ? expName : basename(path);
  const ids = (await readdir(path).catch(() => [] as string[])).filter((e) => RUN_ID.test(e)).sort();
  const runs: RunRead[] = [];
  for (const id of ids.slice(0, limit)) {
    const info = await stat(join(path, id)).catch(() => null);
    if (info?.isDirectory() === true) runs.push(await readRun(join(path, id), join(display, id), options));
  }
  const kept = runs.filter((r) => !r.deleted);
  const taken = new Map<string, number>();
  for (const r of kept) taken.set(r.name, (taken.get(r.name) ?? 0) + 1);
  const tables: Table[] = kept.map((r) => ({
    ...r.table,
    run: taken.get(r.name)! > 1 ? `${r.name}-${idOf(r)}` : r.name,
  }));
  const deleted = runs.filter((r) => r.deleted).map((r) => r.name);
  if (deleted.length > 0)
    log.addForFile(
      'mlflow-run-deleted',
      'info',
      1,
      1,
      `${deleted.length} run(s) marked deleted in MLflow are left out (${quoteList(deleted)})`,
    );
  if (ids.length > limit)
    log.addForFile('scan-limited', 'warning', 1, 1, `only the first ${limit} of ${ids.length} runs are read`);
  if (log.count === 0) return { tables, name };
  // Notes about the experiment go on its first run, or on a table of their own when no run is left.
  if (tables.length === 0)
    return { tables: [new TableBuilder(log).finish({ format: 'mlflow', headerLine: 0, bytesRead: 0 })], name };
  tables[0] = withProblems(tables[0], log.sorted(), log.count);
  return { tables, name };
}

/** A run's id, short: its folder's name is the id. */
function idOf(run: RunRead): string {
  return shortRunId(basename(run.table.file));
}

/** The store (mlruns/): every experiment folder but the trash; runs named `<experiment>/<run>`. */
async function readStore(
  path: string,
  display: string,
  entries: readonly string[],
  limit: number,
  options: SourceOptions,
): Promise<Table[]> {
  const tables: Table[] = [];
  for (const id of entries.filter((e) => /^\d+$/.test(e)).sort((a, b) => Number(a) - Number(b))) {
    if (tables.length >= limit) break;
    const experiment = await readExperiment(join(path, id), join(display, id), limit - tables.length, options);
    for (const t of experiment.tables) tables.push({ ...t, run: `${experiment.name}/${t.run ?? id}` });
  }
  if (tables.length > 0) return tables;
  // Said, not an empty answer: a fresh store, or runs copied in under names MLflow never gives them.
  const log = new ProblemLog(display);
  log.addForFile(
    'no-data-rows',
    'info',
    1,
    1,
    `no MLflow run was found in ${display}: runs are read from folders named by their 32-hex-digit run id under an ` +
      'experiment folder (mlruns/0/<run id>/ with meta.yaml and metrics/); open a run folder itself to read it whatever its name',
  );
  return [new TableBuilder(log).finish({ format: 'mlflow', headerLine: 0, bytesRead: 0 })];
}

function quoteList(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max).map((n) => JSON.stringify(n.slice(0, 60)));
  return shown.join(', ') + (names.length > max ? `, and ${names.length - max} more` : '');
}
