// From a parsed table to clean loss curves: one per run value (or per file), sorted by step, one value per step,
// invalid cells reported with their line and left out. Real logs are messy; each cleaning rule says why below.
import { formatCount, plural, sizeNames } from '../util/format';
import { basename, extname } from 'node:path';
import { zeroLrUntil, type LoggedSchedule } from '../laws/schedule';
import { sizesLoggedAtSeveralSteps } from '../table/roles';
import {
  textAt,
  type Column,
  type JoinedLines,
  type MetricFileLines,
  type RoleAssignment,
  type Table,
} from '../table/types';
import { appendAll, lowerBound, maxOf } from '../util/arrays';
import { rowFinding, RowFindings, ROWS_LINKED, ROWS_READ } from './rowFindings';
import { RunRows } from './runRows';
import { gather, implausibleFrom, lastPerStep, sameValues, staleText, type PerStep } from './curveSteps';
import { EpochCount, EpochTrack, epochColumn } from './epochs';
import { isModelSize, MAX_PARAMS, MAX_STEP } from '../util/counts';
import type { CellSteps, Finding, FindingCell } from './types';
import { cellPlaces, type CellPlace } from './cellPlace';

export interface LossCurve {
  name: string;
  file: string;
  /** Points the law can use: integer step >= 1, finite loss > 0; ascending, unique. */
  steps: Float64Array;
  loss: Float64Array;
  lines: Int32Array;
  /** Records joined into a point's row from other lines, and their rows' lines (Table.joinedLines). */
  joinedLines?: JoinedLines;
  /** The metric files the loss and LR were read from, when each is a file of its own (Table MetricFileLines). */
  metricFiles?: MetricFileLines[];
  /** The cells of every column on lines that hold several values, with their points' steps (CellSteps). */
  cellSteps?: CellSteps<Int32Array, Float64Array>;
  /** Every row with a usable LR (rows without a loss still give the schedule). */
  schedule: LoggedSchedule;
  firstLine: number;
  /** The last step the run's own configuration plans (Table.hints.maxSteps), when it states one. */
  plannedSteps?: number;
  /** Rows with a loss cell that gave no point (text, a loss <= 0 or not finite, step 0): each said by a finding. */
  lossesLeftOut?: number;
  /**
   * The loss is no number (NaN, infinite, text) on every row that logs one from this step to the log's end, past the
   * last point: the run diverged, so no prediction is shown for it (the finding loss-diverged).
   */
  diverged?: LossDiverged;
  /** Model size N from the file's params column, for the model-size law (set by sizeAnalysis.ts). */
  modelSize?: number;
}

/** Where a run's loss stopped being a number for good: the first such row's step and line, and how many rows. */
export interface LossDiverged {
  step: number;
  line: number;
  rows: number;
}

/** A curve as fits carried between analyses know it: by file and name (a followed run's prepared order may change). */
export const curveKey = (c: LossCurve) => `${c.file}\n${c.name}`;

/**
 * Curve name when the file has no run column: the file's base name without extension, except that TensorBoard's
 * exports ("run-<run>-tag-<tag>.csv", one tag per file) are named by their run, so a run's loss and LR files meet.
 */
export function curveNameFromFile(file: string): string {
  const stem = basename(file, extname(file));
  const tensorboard = /^run[-_](.+?)[-_]tag[-_].+$/.exec(stem);
  return tensorboard ? tensorboard[1] : stem;
}

/** Curve name of a table without a run column: the run it is (one run of a folder), else from its file's name. */
export function curveNameOf(table: Table): string {
  return table.run ?? curveNameFromFile(table.file);
}

/**
 * Runs read from one file at most: a run column that holds a different value on every row (a timestamp, an id) would
 * otherwise make a curve per row, and work and memory per curve add up.
 */
const MAX_RUNS = 2000;

function runKeyOf(
  table: Table,
  runColumn: number | undefined,
  row: number,
  fallback: string,
  sizeName: ((row: number) => string) | undefined,
): string {
  if (runColumn === undefined) return sizeName === undefined ? fallback : `${fallback} ${sizeName(row)}`;
  const text = textAt(table.columns[runColumn], row);
  if (text !== undefined) return text;
  const v = table.columns[runColumn].values[row];
  return Number.isNaN(v) ? fallback : String(v);
}

/**
 * The size part of the name of a curve of one model size in a file of several without a run column ("sweep N=25M"),
 * by row: its size to the digits that tell the column's model sizes apart (sizeNames).
 */
export function sizedCurveNames(sizes: Column): (row: number) => string {
  const name = sizeNames(sizes.values.filter(isModelSize));
  return (row) => name(sizes.values[row]);
}

/**
 * The size-invalid message of a row whose params cell is no model size (isModelSize), and what becomes of it
 * (`consequence`): in a file whose runs are told apart by their size the row belongs to no curve; elsewhere only the
 * cell is not used.
 */
function invalidSizeMessage(column: Column, row: number, consequence: string): string {
  const written = textAt(column, row);
  const value = column.values[row];
  const cell =
    written !== undefined
      ? `Model size ${quotedCell(written)} is not a number`
      : Number.isNaN(value)
        ? 'The params cell is empty'
        : `Model size ${value} is not a parameter count (above 0 and at most ${MAX_PARAMS.toExponential()})`;
  return `${cell}: ${consequence}`;
}

const SIZE_SPLITS_ROW =
  "in this file of several model sizes without a run column, a row's size says which curve it belongs to, so the row is left out.";
const SIZE_CELL_UNUSED =
  "this cell is not used: the run's model size N comes from the params cells of its rows that hold one (a run with none has no size).";

/**
 * Whether a params cell holds something that is no model size (text, a written NaN, 0, a negative, above 1e15): an
 * empty cell is a size not logged on that row, not a stray one.
 */
function strayParamsCell(column: Column, row: number): boolean {
  const v = column.values[row];
  return !isModelSize(v) && (!Number.isNaN(v) || textAt(column, row) !== undefined);
}

/**
 * The params column when it holds several model sizes, each logged at several steps, and no run column tells the
 * runs apart: then each size is a curve of its own (loss curves of several sizes in one file), not one curve whose
 * steps repeat.
 */
export function sizesSplittingRuns(table: Table, { roles }: RoleAssignment): Column | undefined {
  if (roles.params === undefined || roles.run !== undefined) return undefined;
  const column = table.columns[roles.params];
  // Sizes only: cells that are none (0, -1, 1e400) split no runs, and are said as size-invalid when sizes do.
  const first = column.values.find(isModelSize);
  const several = column.values.some((v) => isModelSize(v) && v !== first);
  return several && sizesLoggedAtSeveralSteps(table, roles) ? column : undefined;
}

/** The run column's values (its codes when it holds text), or undefined without one. */
function runColumnValues(table: Table, runCol: number | undefined): ArrayBufferView | undefined {
  if (runCol === undefined) return undefined;
  const column = table.columns[runCol];
  return column.text?.codes ?? column.values;
}

/** One run's rows as they are read: its loss points, its logged LRs, and where it starts. */
interface RunEntry {
  points: RunRows;
  lrs: RunRows;
  firstLine: number;
  epochs: EpochTrack;
  /** The step of the run's last row as written, before rounding (NaN before its first). */
  lastWritten: number;
  /** Rows whose loss cell holds something that is no point (text, a loss <= 0 or not finite, step 0). */
  lossesLeftOut: number;
  /** The rows whose loss is no number (NaN, infinite, text) since the run's last point, and the first's place. */
  failedTail?: { rows: number; step: number; place: CellPlace };
  /** Whether a loss of it can be fitted: until one can, its rows whose loss cannot are held (`unfittable`). */
  hasValidLoss: boolean;
  /**
   * Its rows whose loss cannot be fitted, while none can: a run with no loss to fit is one finding, not one a row
   * (a policy loss, all negative); its first valid loss gives them to the row findings.
   */
  unfittable?: HeldRows;
  /** Its losses that can be fitted, and those below 0 (isSignedLoss). */
  lossesValid: number;
  lossesNegative: number;
  /**
   * Its losses of 0 or below: a signed loss (a GAN's, an RL objective), said once for the run with their count, not
   * once a row as a stray text or NaN is (lossInvalid).
   */
  belowZero?: HeldRows;
}

/**
 * Rows of a run held back from the row findings: how many, how many of them are losses of 0 or below (`signed`), and
 * the first ROWS_READ of them.
 */
interface HeldRows {
  rows: number;
  signed: number;
  held: { message: string; place: CellPlace; signed: boolean }[];
}

/**
 * Where a table's row pass stopped and what it found: a followed run's table (LiveTable) grows by appended rows and
 * never changes the rows it has, so its next pass goes on from here instead of reading a million rows again.
 */
interface RowPass {
  rows: number;
  /** The arrays the pass read (lines, then the step, loss, LR, run, epoch and params columns): a table that views the same buffers
   * from the same offsets, with at least as many rows, has these rows unchanged. */
  sources: (ArrayBufferView | undefined)[];
  file: string;
  fallback: string;
  byRun: Map<string, RunEntry>;
  onlyRun?: RunEntry;
  rowFindings: RowFindings;
  // Runs past MAX_RUNS: their names (to count them) and rows are left out, said once.
  runsLeftOut: Set<string>;
  rowsOfRunsLeftOut: number;
  firstLineLeftOut: number;
  /** The first step-0 row's step cell, or its loss's where the step has no cell of its own (a run's metric files). */
  stepZeroAt: CellPlace | undefined;
  stepZeroCount: number;
  /** Rows whose loss cannot be fitted, the first's place and message, and rows whose loss can: with none of those,
   * the column's every loss is bad (a policy loss, all negative) and one finding says so, not one a row. */
  lossesInvalid: number;
  lossInvalidAt: CellPlace | undefined;
  lossInvalidFirst: string;
  lossesValid: number;
  roundedSteps: number;
  /** The first rounded row's place (CellPlaces.atRow), where the finding about all of them points. */
  roundedAt: CellPlace | undefined;
  /** Rows that rounding put on the whole step of their run's row before (0.5 after 0.4): one of the two is lost. */
  roundedOntoAnother: number;
  noStep: number;
  /** The first row without a step's place (CellPlaces.atRow). */
  noStepAt: CellPlace | undefined;
  epochCount: EpochCount;
}

/** Each table's last row pass, by its lines' buffer (a LiveTable's snapshots share it until it grows its arrays). */
const passes = new WeakMap<ArrayBufferLike, RowPass>();

/**
 * The table's last pass when this table holds its rows unchanged (a grown snapshot of the same table), else a new
 * one; `carried` false: a new one, not kept.
 */
function rowPassFor(
  table: Table,
  sources: (ArrayBufferView | undefined)[],
  fallback: string,
  carried: boolean,
): RowPass {
  const last = carried ? passes.get(table.lines.buffer) : undefined;
  const same = (a: ArrayBufferView | undefined, b: ArrayBufferView | undefined) =>
    a === b || (a !== undefined && b !== undefined && a.buffer === b.buffer && a.byteOffset === b.byteOffset);
  if (
    last &&
    last.rows <= table.rowCount &&
    last.file === table.file &&
    last.fallback === fallback &&
    last.sources.length === sources.length &&
    last.sources.every((a, i) => same(a, sources[i]))
  ) {
    for (const run of last.byRun.values()) {
      run.points.grownTo(table.rowCount);
      run.lrs.grownTo(table.rowCount);
    }
    last.sources = sources;
    return last;
  }
  const pass: RowPass = {
    rows: 0,
    sources,
    file: table.file,
    fallback,
    byRun: new Map(),
    rowFindings: new RowFindings(),
    runsLeftOut: new Set(),
    rowsOfRunsLeftOut: 0,
    firstLineLeftOut: 0,
    stepZeroAt: undefined,
    stepZeroCount: 0,
    lossesInvalid: 0,
    lossInvalidAt: undefined,
    lossInvalidFirst: '',
    lossesValid: 0,
    roundedSteps: 0,
    roundedAt: undefined,
    roundedOntoAnother: 0,
    noStep: 0,
    noStepAt: undefined,
    epochCount: new EpochCount(),
  };
  if (carried) passes.set(table.lines.buffer, pass);
  else passes.delete(table.lines.buffer);
  return pass;
}

export function extractLossCurves(
  table: Table,
  assignment: RoleAssignment,
): { curves: LossCurve[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const file = table.file;
  const { step: stepCol, loss: lossCol, lr: lrCol, run: runCol } = assignment.roles;
  // A file may hold only the schedule (a TensorBoard export of the LR tag): it still gives curves, without points.
  if (stepCol === undefined || (lossCol === undefined && lrCol === undefined)) return { curves: [], findings };
  const steps = table.columns[stepCol].values;
  const loss = lossCol === undefined ? new Float64Array(table.rowCount).fill(NaN) : table.columns[lossCol].values;
  const lr = lrCol === undefined ? undefined : table.columns[lrCol].values;
  const fallback = curveNameOf(table);
  // Where a finding about a row's cell points: a joined row's cell may lie on another line than the row's.
  const { at, atLine, atRow, atRowOfLine } = cellPlaces(table);
  // A finding about a whole row points at its step cell, or where a run folder's row was logged (CellPlaces.atRow).
  const rowColumns = [stepCol, lossCol, lrCol];
  const paramsCol = assignment.roles.params;
  const sizeColumn = sizesSplittingRuns(table, assignment);
  const sizes = sizeColumn?.values;
  const sizeName = sizeColumn && sizedCurveNames(sizeColumn);
  // The params column whose cells are checked one by one, when the sizes do not split the runs.
  const paramsColumn =
    sizeColumn === undefined && assignment.roles.params !== undefined
      ? table.columns[assignment.roles.params]
      : undefined;
  const oneRun = runCol === undefined && sizes === undefined;
  const epochs = epochColumn(table, stepCol);
  const metricFiles = metricFilesOf(table, steps, { loss: lossCol, lr: lrCol });
  const sources = [
    table.lines,
    steps,
    lossCol === undefined ? undefined : loss,
    lr,
    runColumnValues(table, runCol),
    epochs,
    paramsColumn?.values,
  ];
  // Runs split by model size are not carried: whether the sizes split runs may change as rows are appended.
  const pass = rowPassFor(table, sources, fallback, sizes === undefined);
  const { byRun, rowFindings, runsLeftOut } = pass;
  let onlyRun = pass.onlyRun;

  for (let r = pass.rows; r < table.rowCount; r++) {
    const line = table.lines[r];
    let step = steps[r];
    const hasLoss = !Number.isNaN(loss[r]);
    const hasLr = lr !== undefined && !Number.isNaN(lr[r]);
    if (!Number.isFinite(step)) {
      if (hasLoss || hasLr) {
        pass.noStep++;
        pass.noStepAt ??= atRow(r, rowColumns);
      }
      continue;
    }
    if (step < 0) {
      // The step quoted as written, as every step finding's (CellPlaces.atRow).
      const place = atRow(r, rowColumns, step);
      rowFindings.add('step-negative', 'warning', `Step ${step} is negative; the row is left out.`, ...place);
      continue;
    }
    if (step > MAX_STEP) {
      // Past 2^53 doubles are no longer whole numbers apart: no training run has such steps, and a law over them is
      // fitted on noise of the step column's rounding.
      rowFindings.add(
        'step-implausible',
        'warning',
        `Step ${step} is beyond any training run's (above 2^53, where steps are no longer whole numbers); the row is left out.`,
        ...atRow(r, rowColumns, step),
      );
      continue;
    }
    const written = step;
    if (!Number.isInteger(step)) {
      pass.roundedSteps++;
      pass.roundedAt ??= atRow(r, rowColumns);
      step = Math.round(step);
    }
    // Runs told apart by their model size: a row without a usable one belongs to none (as a run of its own it was a
    // one-row curve without a size), so it is left out and said, as an invalid loss is.
    if (sizeColumn !== undefined && !isModelSize(sizeColumn.values[r])) {
      if (hasLoss || hasLr)
        rowFindings.add(
          'size-invalid',
          'warning',
          invalidSizeMessage(sizeColumn, r, SIZE_SPLITS_ROW),
          ...at(paramsCol, r, sizeColumn.values[r]),
        );
      continue;
    }
    // Runs told apart otherwise (a run column, or one run): a stray params cell is passed over for the run's valid
    // ones (attachModelSizes), and said, or a run whose every cell is stray loses its size unexplained.
    if (paramsColumn !== undefined && (hasLoss || hasLr) && strayParamsCell(paramsColumn, r))
      rowFindings.add(
        'size-invalid',
        'warning',
        invalidSizeMessage(paramsColumn, r, SIZE_CELL_UNUSED),
        ...at(paramsCol, r, paramsColumn.values[r]),
      );
    // One run (no run column, no model sizes): its entry is looked up once, not at every row.
    const key = oneRun ? fallback : runKeyOf(table, runCol, r, fallback, sizeName);
    let run = oneRun && onlyRun !== undefined ? onlyRun : byRun.get(key);
    if (!run && byRun.size >= MAX_RUNS) {
      runsLeftOut.add(key);
      pass.rowsOfRunsLeftOut++;
      pass.firstLineLeftOut ||= line;
      continue;
    }
    if (!run) {
      run = {
        points: new RunRows(table.rowCount, oneRun),
        lrs: new RunRows(table.rowCount, oneRun),
        firstLine: line,
        epochs: new EpochTrack(),
        lastWritten: NaN,
        lossesLeftOut: 0,
        hasValidLoss: false,
        lossesValid: 0,
        lossesNegative: 0,
      };
      byRun.set(key, run);
      if (oneRun) onlyRun = run;
    }
    // Two steps written apart that round to one (0.5 and 1, 0.01 and 0.02: fractions, an epoch or tokens in millions)
    // are one step: one row is lost.
    if (run.lastWritten !== written && Math.round(run.lastWritten) === step) pass.roundedOntoAnother++;
    run.lastWritten = written;
    if (epochs !== undefined && Number.isFinite(epochs[r]) && epochs[r] >= 0) {
      run.epochs.push(step, epochs[r], line);
      pass.epochCount.note(epochs[r]);
    }
    if (hasLr) {
      const eta = lr![r];
      if (Number.isFinite(eta) && eta >= 0) run.lrs.push(step, eta, line);
      else
        rowFindings.add(
          'lr-invalid',
          'warning',
          `Learning rate ${eta} is not a finite non-negative number; the schedule skips this row.`,
          ...at(lrCol, r, eta),
        );
    } else {
      // Text where an LR should be ("NaN", "nan") is a logged failure, not an empty cell: say so, as for the loss.
      const written = lrCol === undefined ? undefined : textAt(table.columns[lrCol], r);
      if (written !== undefined)
        rowFindings.add(
          'lr-invalid',
          'warning',
          `Learning rate ${quotedCell(written)} is not a number; the schedule skips this row.`,
          ...at(lrCol, r),
        );
    }
    if (!hasLoss) {
      // Text where a loss should be ("nan", "diverged") is a logged failure, not an empty cell: say so.
      const written = lossCol === undefined ? undefined : textAt(table.columns[lossCol], r);
      if (written !== undefined) {
        run.lossesLeftOut++;
        failed(run, step, at(lossCol, r));
        lossInvalid(pass, run, `Loss ${quotedCell(written)} is not a number; the row is left out.`, at(lossCol, r));
      }
      continue;
    }
    const value = loss[r];
    if (!Number.isFinite(value) || value <= 0) {
      run.lossesLeftOut++;
      // A loss of 0 or below is a log-likelihood or a toy's, not a run that broke down.
      const signed = Number.isFinite(value);
      if (!signed) failed(run, step, at(lossCol, r, value));
      if (value < 0) run.lossesNegative++;
      lossInvalid(
        pass,
        run,
        `Loss ${value} cannot be fitted (the law is fitted on log loss, so it must be finite and > 0); the row is left out.`,
        at(lossCol, r, value),
        signed,
      );
      continue;
    }
    pass.lossesValid++;
    run.lossesValid++;
    if (!run.hasValidLoss) validLoss(pass, run);
    if (step === 0) {
      // S1(0) = 0 makes the law's S1^(-alpha) infinite: the initial loss is not on the curve the law describes.
      pass.stepZeroCount++;
      pass.stepZeroAt ??= atRow(r, rowColumns);
      run.lossesLeftOut++;
      continue;
    }
    run.points.push(step, value, line);
    run.failedTail = undefined;
  }
  pass.rows = table.rowCount;
  pass.onlyRun = onlyRun;
  const { rowsOfRunsLeftOut, firstLineLeftOut, stepZeroCount, stepZeroAt, roundedSteps, noStep } = pass;
  const { roundedAt, roundedOntoAnother, noStepAt } = pass;

  // Copies: the pass's findings are given again by the next pass of a grown table.
  appendAll(
    findings,
    rowFindings.findings().map((f) => ({ ...f })),
  );
  // Rows of runs with no loss to fit are held (lossInvalid): one finding for the column when no run has one, else
  // one for each such run.
  const noLossValid = pass.lossesValid === 0 && pass.lossInvalidAt !== undefined;
  if (noLossValid && lossCol !== undefined && pass.lossInvalidAt) {
    const first = { message: pass.lossInvalidFirst, place: pass.lossInvalidAt };
    findings.push(noLossFinding(`in column "${table.columns[lossCol].name}"`, pass.lossesInvalid, first));
  } else
    for (const [name, run] of byRun)
      if (run.unfittable)
        findings.push(noLossFinding(`of "${name}"`, run.unfittable.rows, run.unfittable.held[0], name));
      else if (run.belowZero) findings.push(belowZeroFinding(name, run.belowZero, run));
  if (runsLeftOut.size) {
    findings.push(
      rowFinding(
        'runs-capped',
        'warning',
        `The file holds more than ${MAX_RUNS.toLocaleString('en-US')} runs: ${plural(runsLeftOut.size, 'more run')} (${plural(rowsOfRunsLeftOut, 'row')}) from this line on are left out. Split the file, or analyse the runs you need.`,
        file,
        firstLineLeftOut,
      ),
    );
  }
  if (stepZeroCount && stepZeroAt) {
    findings.push(
      rowFinding(
        'step-zero',
        'info',
        `${plural(stepZeroCount, 'row')} at step 0 left out of the fit: the law is undefined at step 0 (no LR summed before it: S1 = 0), whenever in training the log wrote it.`,
        ...stepZeroAt,
      ),
    );
  }
  if (roundedSteps && roundedAt) findings.push(roundedFinding(roundedSteps, roundedOntoAnother, ...roundedAt));
  if (noStep && noStepAt) {
    findings.push(
      rowFinding(
        'step-missing',
        'info',
        `${plural(noStep, 'row')} had a loss or LR but no step (empty, or not a finite number) and ${noStep === 1 ? 'was' : 'were'} left out (the first at line ${noStepAt[1]}).`,
        ...noStepAt,
      ),
    );
  }

  const curves: LossCurve[] = [];
  for (const [name, run] of byRun) {
    const points = lastPerStep(run.points);
    const lrs = lastPerStep(run.lrs);
    appendAll(
      findings,
      stepOrderFindings(name, run, points, (line) => atRowOfLine(line, rowColumns), sizes !== undefined),
    );
    const repeated = run.epochs.finding(name, file, pass.epochCount);
    if (repeated) findings.push(repeated);
    const [pointsViewed, lrsViewed] = [run.points.viewed, run.lrs.viewed];
    let steps = gather(run.points.steps, run.points.length, points.kept, pointsViewed);
    let scheduleSteps = gather(run.lrs.steps, run.lrs.length, lrs.kept, lrsViewed);
    let loss = gather(run.points.values, run.points.length, points.kept, pointsViewed);
    let lines = gather(run.points.lines, run.points.length, points.kept, pointsViewed);
    let lrValues = gather(run.lrs.values, run.lrs.length, lrs.kept, lrsViewed);
    let lossesLeftOut = run.lossesLeftOut;
    // A signed loss's few values above 0 are no curve of it (belowZeroFinding says so): the run keeps its schedule only.
    if (isSignedLoss(run)) {
      lossesLeftOut += steps.length;
      [steps, loss, lines] = [new Float64Array(0), new Float64Array(0), new Int32Array(0)];
    }
    const cut = implausibleFrom(steps);
    if (cut < steps.length) {
      const limit = steps[cut - 1];
      const lrCut = scheduleSteps.findIndex((s) => s > limit);
      findings.push({
        ...rowFinding(
          'step-implausible',
          'warning',
          `${plural(steps.length - cut, 'row')} of "${name}" from step ${steps[cut]} on lie far beyond the curve's own spacing (its steps before reach ${limit}): a token count or a stray value in the step column? They are left out, with the learning rates logged there.`,
          ...atRowOfLine(lines[cut], rowColumns, steps[cut]),
        ),
        curve: name,
      });
      [steps, loss, lines] = [steps.slice(0, cut), loss.slice(0, cut), lines.slice(0, cut)];
      if (lrCut >= 0) [scheduleSteps, lrValues] = [scheduleSteps.slice(0, lrCut), lrValues.slice(0, lrCut)];
    }
    const spikes = lrSpikes(lrValues);
    if (spikes.length) {
      const lrLines = gather(run.lrs.lines, run.lrs.length, lrs.kept, lrsViewed);
      const k = spikes[0];
      findings.push({
        ...rowFinding(
          'lr-invalid',
          'warning',
          `Learning rate ${lrValues[k]} of "${name}" at step ${scheduleSteps[k]} is over ${LR_SPIKE_FACTOR.toLocaleString('en-US')} times the LRs logged on either side of it: no schedule jumps so, so it is a stray value. ${spikes.length === 1 ? 'It is' : `It and ${plural(spikes.length - 1, 'more like it')} are`} left out of the schedule (the LR there is read between its neighbours); the loss rows stay.`,
          ...atLine(lrCol, lrLines[k]),
        ),
        curve: name,
      });
      const kept = new Set(spikes);
      const keep = (a: Float64Array) => a.filter((_, i) => !kept.has(i));
      [scheduleSteps, lrValues] = [keep(scheduleSteps), keep(lrValues)];
    }
    const strayLosses = lossSpikes(loss);
    if (strayLosses.length) {
      findings.push(strayLossFinding(name, strayLosses, steps, loss, atLine(lossCol, lines[strayLosses[0]])));
      const stray = new Set(strayLosses);
      const keep = <T extends Float64Array | Int32Array>(a: T): T => a.filter((_, i) => !stray.has(i)) as T;
      [steps, loss, lines] = [keep(steps), keep(loss), keep(lines)];
    }
    // A run that diverged had a loss before: a loss column with no number at all is said as such, not as this.
    const tail = run.failedTail;
    const diverged =
      tail && steps.length > 0 && tail.step > steps[steps.length - 1]
        ? { step: tail.step, line: tail.place[1], rows: tail.rows }
        : undefined;
    if (tail && diverged) findings.push({ ...divergedFinding(name, diverged, tail.place), curve: name });
    // A file of one run only: each curve's cells would span every run's rows (R curves x N cells), and its runs'
    // values share lines anyway; a line of several runs' values hovers its first row, as any line did before.
    const cellSteps = byRun.size === 1 ? cellStepsOf(table, stepCol, { steps, lines }) : undefined;
    curves.push({
      name,
      file,
      steps,
      loss,
      lines,
      ...(table.joinedLines && { joinedLines: table.joinedLines }),
      ...(cellSteps && { cellSteps }),
      ...(metricFiles.length > 0 && { metricFiles }),
      // Usually every row has both a loss and an LR: then the two step arrays are one.
      schedule: { steps: sameValues(scheduleSteps, steps) ? steps : scheduleSteps, lr: lrValues },
      firstLine: run.firstLine,
      lossesLeftOut,
      ...(diverged && { diverged }),
      ...(table.hints?.maxSteps !== undefined && { plannedSteps: table.hints.maxSteps }),
    });
  }
  return { curves, findings };
}

/**
 * The cells of every column (step, loss and LR, and grad_norm or any other array beside them) where lines hold several
 * values (CellSteps), each with its point's step in this curve: a row's point is the one at its (rounded) step on its
 * row's line, which a row another point replaced, or another run's, is not. Undefined where every line holds one
 * value: a line finds its row then.
 */
function cellStepsOf(
  table: Table,
  stepCol: number,
  { steps, lines }: { steps: Float64Array; lines: Int32Array },
): CellSteps<Int32Array, Float64Array> | undefined {
  const placed = table.columns.flatMap(({ cells }) =>
    cells?.lines && cells.columns && cells.file === undefined ? [{ lines: cells.lines, columns: cells.columns }] : [],
  );
  if (!placed.some((cells) => cells.lines.some((line, r) => line !== 0 && line === cells.lines[r - 1])))
    return undefined;
  // Each array's values lie together, in order: the arrays in the order they open are in order as a whole.
  placed.sort((a, b) => a.lines[0] - b.lines[0] || a.columns[0] - b.columns[0]);
  const count = placed.reduce((n, cells) => n + cells.lines.reduce((k, line) => k + (line === 0 ? 0 : 1), 0), 0);
  const out = { lines: new Int32Array(count), columns: new Int32Array(count), steps: new Float64Array(count) };
  const stepValues = table.columns[stepCol].values;
  let k = 0;
  for (const cells of placed)
    for (let r = 0; r < cells.lines.length; r++) {
      if (cells.lines[r] === 0) continue;
      const step = Math.round(stepValues[r]);
      const point = lowerBound(steps, step);
      const found = steps[point] === step && lines[point] === table.lines[r];
      [out.lines[k], out.columns[k], out.steps[k++]] = [cells.lines[r], cells.columns[r], found ? step : NaN];
    }
  return out;
}

/**
 * Steps that were not whole numbers, rounded: an info while each stays a step of its own (0.5, 1.5, ...), a warning
 * with the fix when rounding put rows on the step of the row before (0.01, 0.02, ... or 0.5, 1, 1.5): those rows are
 * lost as repeats, so the column is no optimizer step.
 */
function roundedFinding(rounded: number, onto: number, file: string, line: number, cell?: FindingCell): Finding {
  const was = `${plural(rounded, 'step')} ${rounded === 1 ? 'was not a whole number and was' : 'were not whole numbers and were'} rounded (the first at line ${line})`;
  if (!onto) return rowFinding('step-not-integer', 'info', `${was}.`, file, line, cell);
  const message = `${was}, and rounding put ${plural(onto, 'row')} on the step of the row before, where only one of them is kept: a step column of fractions counts no optimizer steps (epochs? tokens in millions?).`;
  return {
    ...rowFinding('step-not-integer', 'warning', message, file, line, cell),
    hints: [{ kind: 'map-role', roles: ['step'] }],
  };
}

/**
 * What a curve's step order says: steps logged again (a resumed run) or rows out of order. In a file whose runs are
 * told apart by model size alone (`bySize`), a size's steps going back may as well be a second run of that size
 * (another schedule) merged into its curve, LRs and all: that is a warning of its own, which says how it was read.
 */
function stepOrderFindings(
  name: string,
  run: RunEntry,
  points: PerStep,
  placeOf: (line: number) => CellPlace,
  bySize: boolean,
): Finding[] {
  const { repeated, stale } = points;
  const rows = run.points;
  const curve = { curve: name };
  if (bySize && !rows.increasing) {
    let k = 1;
    while (k < rows.length && rows.steps[k] > rows.steps[k - 1]) k++;
    const read = repeated.length
      ? `the value logged last is used at each of the ${plural(repeated.length, 'step')} logged more than once.${staleText(stale, rows)}`
      : 'they were sorted by step into that curve.';
    const message = `The steps of "${name}" go back from ${rows.steps[k - 1]} to ${rows.steps[k]} here: a resumed run, or a second run of this model size? In a file of several sizes without a run column, the rows of one size are one curve with one schedule, so ${read} If the file holds several runs of one size, add a run column that tells them apart.`;
    return [{ ...rowFinding('size-runs-merged', 'warning', message, ...placeOf(rows.lines[k])), ...curve }];
  }
  if (repeated.length) {
    const dropped = [...repeated, ...stale];
    const firstLine = dropped.reduce((m, i) => Math.min(m, rows.lines[i]), Infinity);
    const message =
      `${plural(repeated.length, 'step')} of "${name}" logged more than once (a resumed run?); the value logged last is used for each.` +
      staleText(stale, rows);
    return [{ ...rowFinding('steps-repeated', 'info', message, ...placeOf(firstLine)), ...curve }];
  }
  // A resumed run is out of order by nature; only an otherwise shuffled log deserves its own note.
  if (rows.isUnsorted()) {
    const message = `Rows of "${name}" are not in step order; they were sorted by step.`;
    return [{ ...rowFinding('steps-unsorted', 'info', message, ...placeOf(run.firstLine)), ...curve }];
  }
  return [];
}

/**
 * The finding of a curve's stray losses (lossSpikes), at the first's cell (`place`). `xName`: what the curve's x is
 * when not its step (the power law's `--power-x` column).
 */
export function strayLossFinding(
  name: string,
  stray: number[],
  steps: ArrayLike<number>,
  loss: ArrayLike<number>,
  place: CellPlace,
  xName?: string,
): Finding {
  const k = stray[0];
  const factor = LR_SPIKE_FACTOR.toLocaleString('en-US');
  const more = stray.length === 1 ? 'It is' : `It and ${plural(stray.length - 1, 'more like it')} are`;
  const [at, between] = xName === undefined ? ['step', 'logged steps'] : [`${xName} =`, `points next to each other`];
  return {
    ...rowFinding(
      'loss-invalid',
      'warning',
      `Loss ${loss[k]} of "${name}" at ${at} ${steps[k]} is over ${factor} times the two losses logged nearest it, or under a ${factor}th of both: no run's loss moves so between two ${between}, so it is a stray value. ${more} left out.`,
      ...place,
    ),
    curve: name,
  };
}

/**
 * A row whose loss cannot be fitted: a text or NaN by its own finding, a loss of 0 or below (`signed`) held for one
 * finding of its run (belowZeroFinding); while its run has no loss to fit, any of them is held for one finding of the
 * run (or of the column, if no run has one).
 */
function lossInvalid(pass: RowPass, run: RunEntry, message: string, place: CellPlace, signed = false): void {
  if (pass.lossesInvalid++ === 0) {
    pass.lossInvalidAt = place;
    pass.lossInvalidFirst = message;
  }
  if (signed) hold((run.belowZero ??= { rows: 0, signed: 0, held: [] }), message, place, signed);
  if (!run.hasValidLoss) hold((run.unfittable ??= { rows: 0, signed: 0, held: [] }), message, place, signed);
  else if (!signed) pass.rowFindings.add('loss-invalid', 'warning', message, ...place);
}

function hold(rows: HeldRows, message: string, place: CellPlace, signed: boolean): void {
  rows.rows++;
  if (signed) rows.signed++;
  if (rows.held.length < ROWS_READ) rows.held.push({ message, place, signed });
}

/**
 * A run's first loss that can be fitted: the text and NaN rows it held (lossInvalid) are said row by row after all;
 * its losses of 0 or below stay with the run (belowZeroFinding).
 */
function validLoss(pass: RowPass, run: RunEntry): void {
  run.hasValidLoss = true;
  const unfittable = run.unfittable;
  if (!unfittable) return;
  run.unfittable = undefined;
  const said = unfittable.held.filter((h) => !h.signed);
  for (const { message, place } of said) pass.rowFindings.add('loss-invalid', 'warning', message, ...place);
  if (said.length)
    pass.rowFindings.count(
      'loss-invalid',
      'warning',
      said[0].place[0],
      unfittable.rows - unfittable.signed - said.length,
    );
}

/**
 * Whether most of a run's losses are below 0: a signed quantity (a GAN's discriminator loss, an RL objective), not a
 * loss a scaling law fits; its few positive values are no curve of it, so the run is left out, and said so once.
 * A loss of 0 (an underflow, a toy's) is no sign of that.
 */
function isSignedLoss(run: Pick<RunEntry, 'lossesNegative' | 'lossesValid'>): boolean {
  return run.lossesNegative > run.lossesValid;
}

/**
 * The one finding of a run's losses of 0 or below, among losses that can be fitted, at the first's cell with the
 * next ones linked: the run is left out when most are (isSignedLoss), else they are. "Zero" in words: the editor
 * quotes the first loss as written (`-0`, `0.0`) at the message's first number that reads as it.
 */
function belowZeroFinding(
  name: string,
  rows: HeldRows,
  run: Pick<RunEntry, 'lossesNegative' | 'lossesValid'>,
): Finding {
  const valid = run.lossesValid;
  const [first, ...next] = rows.held;
  const message = isSignedLoss(run)
    ? `Most losses of "${name}" are below zero (${formatCount(run.lossesNegative)} of ${formatCount(rows.rows + valid)}): a signed loss (a GAN's, an RL objective) is no loss a scaling law fits, so the run is left out, its ${plural(valid, 'value')} above zero too. Map the loss role to a positive loss to fit it. The first: ${first.message}`
    : rows.rows === 1
      ? first.message
      : `${formatCount(rows.rows)} losses of "${name}" are zero or below and are left out. The first: ${first.message}`;
  const related = next.slice(0, ROWS_LINKED).map((h) => ({ file: h.place[0], line: h.place[1], message: h.message }));
  return {
    ...rowFinding('loss-invalid', 'warning', message, ...first.place),
    ...(rows.rows > 1 && { rows: rows.rows }),
    ...(related.length && { related }),
    curve: name,
  };
}

/**
 * The one finding of losses none of which can be fitted, at the first's cell: a run's (others' can be), or a loss
 * column's (no run's can be).
 */
function noLossFinding(subject: string, rows: number, first: { message: string; place: CellPlace }, curve?: string) {
  const counted = rows === 1 ? 'its one loss is' : `all ${formatCount(rows)} of its losses are`;
  return {
    ...rowFinding(
      'loss-invalid',
      'warning',
      `No loss ${subject} can be fitted: ${counted} left out. The first: ${first.message}`,
      ...first.place,
    ),
    rows,
    ...(curve !== undefined && { curve }),
  };
}

/** A row whose loss is no number: the run's failed tail grows (or starts here); its next point ends it. */
function failed(run: RunEntry, step: number, place: CellPlace): void {
  if (run.failedTail) run.failedTail.rows++;
  else run.failedTail = { rows: 1, step, place };
}

/** The finding of a run whose loss is no number from some step to its log's end, at the first such cell. */
function divergedFinding(name: string, d: LossDiverged, place: CellPlace): Finding {
  const rows = d.rows === 1 ? 'its last row that logs a loss' : `all ${formatCount(d.rows)} rows that log a loss`;
  return rowFinding(
    'loss-diverged',
    'warning',
    `The loss of "${name}" is not a number (NaN, infinite or text) from step ${formatCount(d.step)} on, in ${rows} from there to the end of the log: the run diverged, or its loss stopped being logged. Its law describes the run before, not since, so no prediction is shown for it.`,
    ...place,
  );
}

/**
 * A text cell as a message quotes it: the table codes every written NaN ("nan", "NaN", "-nan") as 'NaN', so that one
 * is named, not quoted as if it were the cell's text.
 */
function quotedCell(written: string): string {
  return written === 'NaN' ? 'NaN' : `"${written}"`;
}

/** The folder of a curve's file, with forward slashes ('' for a bare file name). */
export function folderOf(file: string): string {
  const path = file.replace(/\\/g, '/');
  return path.slice(0, Math.max(0, path.lastIndexOf('/')));
}

/**
 * A run logged in two files, one with the loss and one with only the LR (TensorBoard writes one tag per file), is
 * one curve: the schedule-only curve lends its schedule to the curve with points when that one has none. Only within
 * a folder: files of one name in two folders are two runs (a folder per model size), and one's LR lent to the other
 * fitted a run on another run's schedule without a word.
 */
export function mergeScheduleOnlyCurves(curves: LossCurve[]): LossCurve[] {
  const scheduleOnly = curves.filter((c) => c.steps.length === 0 && c.schedule.steps.length > 0);
  const merged = new Set<LossCurve>();
  for (const donor of scheduleOnly) {
    const takers = curves.filter(
      (c) =>
        c !== donor &&
        c.name === donor.name &&
        folderOf(c.file) === folderOf(donor.file) &&
        c.steps.length > 0 &&
        c.schedule.steps.length === 0,
    );
    if (takers.length !== 1) continue;
    takers[0].schedule = donor.schedule;
    merged.add(donor);
  }
  return curves.filter((c) => !merged.has(c));
}

/**
 * Loss points logged while the LR had been 0 at every step (zeroLrUntil) are left out of each curve, with one finding
 * a curve: S1 is 0 there, so each law's value is infinite and every start of a fit failed ("every start gave a
 * non-finite loss"). Run after a schedule logged apart has joined its curve (mergeScheduleOnlyCurves).
 */
export function leaveOutUntrained(curves: LossCurve[]): Finding[] {
  return curves.flatMap((c) => {
    const until = zeroLrUntil(c.schedule);
    const n = lowerBound(c.steps, until + 1);
    if (until === 0 || n === 0) return [];
    const line = c.lines[0];
    [c.steps, c.loss, c.lines] = [c.steps.slice(n), c.loss.slice(n), c.lines.slice(n)];
    c.lossesLeftOut = (c.lossesLeftOut ?? 0) + n;
    return [
      {
        ...rowFinding(
          'lr-zero-start',
          'info',
          `${plural(n, 'loss row')} of "${c.name}" at steps up to ${formatCount(until)} ${n === 1 ? 'comes' : 'come'} before any step with an LR above 0 (the LR logged up to step ${formatCount(until)} is 0): no update had changed the model, so S1 = 0 and the laws are undefined there. ${n === 1 ? 'It is' : 'They are'} left out of the fit.`,
          c.file,
          line,
        ),
        curve: c.name,
      },
    ];
  });
}

/**
 * Two curves from different files with the same name are told apart by their file name, or by as much of its path
 * as it takes when the file names are the same too (`cosine_24000 (csv_25/cosine_24000.csv)`: one schedule logged
 * for models of several sizes, a folder per size).
 */
export function disambiguateCurveNames(curves: { name: string; file: string }[]): void {
  const byName = new Map<string, { name: string; file: string }[]>();
  for (const c of curves) {
    const same = byName.get(c.name);
    if (same) same.push(c);
    else byName.set(c.name, [c]);
  }
  for (const [name, same] of byName) {
    if (same.length < 2) continue;
    const parts = same.map((c) => c.file.split(/[\\/]+/));
    const longest = maxOf(parts.map((p) => p.length));
    let depth = 1;
    const tail = (p: string[]) => p.slice(-depth).join('/');
    while (depth < longest && new Set(parts.map(tail)).size < new Set(parts.map((p) => p.join('/'))).size) depth++;
    same.forEach((c, i) => (c.name = `${name} (${tail(parts[i])})`));
  }
}

/** An LR or loss this many times above (a loss: or below) every one logged beside it is a stray value. */
export const LR_SPIKE_FACTOR = 1000;

/**
 * Indices of a schedule's LR spikes: a logged LR more than LR_SPIKE_FACTOR times the ones on either side of it (on
 * its one side at an end). No schedule jumps so in one logged step (a warmup rises from 0 to its next value, which it
 * is not above), so it is a stray value, and one of 1e300 among 3e-4 would set the peak every LR is read against.
 */
export function lrSpikes(lr: Float64Array): number[] {
  const out: number[] = [];
  const n = lr.length;
  // The ends apart (one side each) and the middle in a plain loop, as lossSpikes: it runs on each followed update.
  if (n > 1 && lrAbove(lr[0], lr[1])) out.push(0);
  for (let k = 1; k < n - 1; k++) if (lrAbove(lr[k], Math.max(lr[k - 1], lr[k + 1]))) out.push(k);
  if (n > 1 && lrAbove(lr[n - 1], lr[n - 2])) out.push(n - 1);
  return out;
}

/** Whether an LR is LR_SPIKE_FACTOR times above the larger LR beside it (none above when that one is not > 0). */
function lrAbove(lr: number, beside: number): boolean {
  return beside > 0 && lr > LR_SPIKE_FACTOR * beside;
}

/**
 * Indices of stray losses (all > 0 here): over LR_SPIKE_FACTOR times both of its two nearest losses, or under a
 * LR_SPIKE_FACTOR-th of both. No run's loss moves so between two logged steps (a diverging one rises to a few times
 * its value, or to NaN), while one 1e300 among 3.5 set the closed-form starts of every law, and the multi-power law
 * then spent its whole iteration budget on each start (90 s for one row). The nearest two are the losses on either
 * side, and at an end the two on its one side: the last loss beside a stray would be judged by the stray alone.
 */
export function lossSpikes(loss: Float64Array): number[] {
  const out: number[] = [];
  const n = loss.length;
  if (n < 3) return out;
  // The ends apart and the middle in a plain loop: this runs at every row of a followed run's log on each update.
  if (strayBeside(loss[0], loss[1], loss[2])) out.push(0);
  for (let k = 1; k < n - 1; k++) if (strayBeside(loss[k], loss[k - 1], loss[k + 1])) out.push(k);
  if (strayBeside(loss[n - 1], loss[n - 2], loss[n - 3])) out.push(n - 1);
  return out;
}

/** Whether loss x is LR_SPIKE_FACTOR times above both of a and b, or as many times below both. */
function strayBeside(x: number, a: number, b: number): boolean {
  return x > LR_SPIKE_FACTOR * Math.max(a, b) || x * LR_SPIKE_FACTOR < Math.min(a, b);
}

/** The metric files of a table joined from a file per metric, for `columns` (the loss's and the LR's), each once. */
function metricFilesOf(
  table: Table,
  steps: Float64Array,
  columns: Record<MetricFileLines['role'], number | undefined>,
): MetricFileLines[] {
  const files: MetricFileLines[] = [];
  for (const role of ['loss', 'lr'] as const) {
    const column = columns[role];
    const cells = column === undefined ? undefined : table.columns[column].cells;
    if (cells?.file === undefined || cells.lines === undefined || files.some((f) => f.file === cells.file)) continue;
    files.push({ file: cells.file, role, lines: cells.lines, steps });
  }
  return files;
}
