// The hover at a position of a run file: on the header line the file's fits (headerHover.ts), on a data row that point
// against its law (observed, predicted with its band, residual, whether it was fitted). Pure functions of the
// analysis, tested directly (test/server/hovers.test.ts).
import { basename } from 'node:path';
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import type { Analysis, CellSteps, CurveReport, FileSummary, FitResult, Series } from '../core/analysis/types';
import { estimateText } from '../core/analysis/describe';
import { lowerBound, upperBound } from '../core/util/arrays';
import type { FileFormat } from '../core/table/types';
import { fitOfCurve, hasValue, pointWasFitted } from '../core/analysis/trust';
import { lawOnlyBand } from '../core/analysis/bands';
import {
  formatCount,
  formatEstimate,
  formatFlop,
  formatNumber,
  formatPercent,
  formatQuantity,
} from '../core/util/format';
import { breakPoint } from '../core/analysis/breaks';
import { LAW_NAMES, shortLawName } from '../core/analysis/lawNames';
import { markdownText, tableHead } from '../shared/markdown';
import { hoverForHeader } from './headerHover';
import { fileOf, METRIC_NAMES, shownLawName } from './present';

/**
 * The hover at a position: on the header line the file's fits (and the column under the cursor), on a data row that
 * point against its law. `lineText` gives a line of the document when it is open, to find the column.
 */
export function hoverAt(
  analysis: Analysis<Series>,
  file: string,
  position: Position,
  lineText: (line: number) => string | undefined,
): Hover | null {
  const line = position.line + 1;
  const summary = analysis.files.find((f) => f.file === file);
  const value =
    line === (summary?.headerLine ?? 0)
      ? hoverForHeader(analysis, file, columnAt(summary, lineText(position.line), position.character))
      : (hoverForRow(analysis, file, line, position.character) ??
        hoverForLrRecord(analysis, file, line) ??
        hoverForField(analysis, file, summary, line, lineText) ??
        (opensDocument(summary, line) ? hoverForHeader(analysis, file) : null));
  return value ? { contents: { kind: MarkupKind.Markdown, value } } : null;
}

/** Formats whose rows are pretty-printed JSON objects, each row located at the line of its opening brace. */
const OBJECT_ROW_FORMATS: ReadonlySet<FileFormat> = new Set(['hf-trainer-state', 'json']);
/**
 * A pretty-printed JSON run file has no header line (headerLine 0): its first line (the `{` of a trainer_state.json,
 * under the lens) hovers as the header, with the fits and how the law was chosen, when no row is on it.
 */
function opensDocument(summary: FileSummary | undefined, line: number): boolean {
  return line === 1 && summary?.headerLine === 0 && OBJECT_ROW_FORMATS.has(summary.format);
}
/** How far up a field's line the opening brace of its entry is looked for (a log entry has a dozen fields). */
const ENTRY_SCAN_LINES = 200;

/**
 * The hover of a field inside a pretty-printed log entry (`"loss": 2.31,` of a trainer_state.json): its entry's row,
 * which the reader located at the entry's `{` line. Lines outside any entry (the file's own keys) get none.
 */
function hoverForField(
  analysis: Analysis<Series>,
  file: string,
  summary: FileSummary | undefined,
  line: number,
  lineText: (line: number) => string | undefined,
): string | null {
  if (!summary || !OBJECT_ROW_FORMATS.has(summary.format)) return null;
  const start = entryStart(line, lineText);
  return start === undefined ? null : hoverForRow(analysis, file, start);
}

/**
 * The line (1-based) of the `{` that opens the object around `line`, when no other brace lies between them: the
 * hovered line may close the entry (`},`), but a `}` above it ends another object, so the line is in none.
 */
function entryStart(line: number, lineText: (line: number) => string | undefined): number | undefined {
  for (let l = line; l >= Math.max(1, line - ENTRY_SCAN_LINES); l--) {
    const text = lineText(l - 1);
    if (text === undefined) return undefined;
    const open = text.lastIndexOf('{');
    const close = text.lastIndexOf('}');
    if (open > close) return l;
    if (close >= 0 && (l !== line || open >= 0)) return undefined;
  }
  return undefined;
}

/** The name of the column under `character` in the header line's text (delimited files only). */
function columnAt(summary: FileSummary | undefined, text: string | undefined, character: number): string | undefined {
  if (!summary?.delimiter || text === undefined) return undefined;
  const index = text.slice(0, character).split(summary.delimiter).length - 1;
  return summary.columns[index]?.name;
}

/**
 * A data row's hover markdown (1-based `line`; `character`, 0-based, picks the value under it where a line holds
 * several): observed, predicted with its band, residual; null off the data.
 */
export function hoverForRow(analysis: Analysis<Series>, file: string, line: number, character?: number): string | null {
  const hit = pointAtLine(analysis, file, line, character);
  if (!hit) return null;
  const { curve, index } = hit;
  const p = curve.points;
  const observed = p.observed[index];
  const predicted = p.predicted[index];
  const title = pointTitle(curve, p.x[index]);
  const withheld = withheldPoint(analysis, curve, index);
  if (withheld) return `${title}\n\nobserved ${formatNumber(observed, 5)} · ${withheld}`;
  if (predicted === undefined || !Number.isFinite(predicted)) {
    return `${title}\n\nobserved ${formatNumber(observed, 5)} · no law fitted to this ${curve.group ? 'group' : 'curve'} (see the Problems panel)`;
  }
  const low = p.low[index];
  const high = p.high[index];
  const [runLow, runHigh] = [p.runLow?.[index], p.runHigh?.[index]];
  const residual = observed - predicted;
  const fit = fitOfCurve(analysis.fits, curve);
  const inside =
    Number.isFinite(low) && Number.isFinite(high)
      ? bandsHolding(observed, { low, high, runLow, runHigh }, fit)
      : 'no band (bootstrap off)';
  return [
    title,
    '',
    tableHead(['', '']),
    `| observed | ${formatNumber(observed, 5)} |`,
    `| predicted (${lawOf(analysis, curve)}) | ${estimateText({ value: predicted, low, high, runLow, runHigh })} |`,
    `| residual | ${residual >= 0 ? '+' : ''}${formatNumber(residual, 3)} (${residual >= 0 ? '+' : ''}${formatPercent(residual / observed)}) |`,
    '',
    `${inside} · ${fitRole(curve, index)}`,
  ].join('\n');
}

/**
 * Which 95 % bands hold an observed value. A sweep law's band is where the law lies, not where a run falls
 * (lawOnlyBand), said as the law's; its new-run band (the law plus the runs' scatter) is where a run falls.
 */
function bandsHolding(
  observed: number,
  band: { low: number; high: number; runLow?: number; runHigh?: number },
  fit: FitResult | undefined,
): string {
  const inLaw = observed >= band.low && observed <= band.high;
  if (!lawOnlyBand(fit)) {
    // A power law along one run's steps: its band is where the run's next logged point falls, as a loss curve's is.
    const next = fit?.nextPointBand ? " (where this run's next logged point falls)" : '';
    return inLaw ? `inside the 95 % band${next}` : `**outside** the 95 % band${next}`;
  }
  const { runLow, runHigh } = band;
  if (runLow === undefined || runHigh === undefined || !Number.isFinite(runLow)) {
    const why = fit?.noRunBand ? ` · ${markdownText(fit.noRunBand)}` : '';
    return inLaw
      ? `inside the law's 95 % band${why}`
      : `**outside** the law's 95 % band (the law's uncertainty, not a run's noise: most runs lie outside it)${why}`;
  }
  if (inLaw) return "inside the law's 95 % band and a new run's";
  return observed >= runLow && observed <= runHigh
    ? "outside the law's 95 % band (where the law lies), inside a new run's (where runs fall)"
    : "**outside** the law's 95 % band and a new run's: further off the law than its runs scatter";
}

/** A point's hover title: its curve (or group), its x and its metric. */
function pointTitle(curve: CurveReport<Series>, x: number): string {
  const at = curve.xName === 'C' ? `${formatFlop(x)} FLOP` : formatCount(x);
  return `**${markdownText(curve.group ?? curve.name)}** · ${markdownText(curve.xName)} ${at} · ${METRIC_NAMES[curve.metric]}`;
}

/** The law a curve's values are predicted by, by its short name (a mean's full one widened the row's table). */
function lawOf(analysis: Analysis<Series>, curve: CurveReport<Series>): string {
  const fit = fitOfCurve(analysis.fits, curve);
  return fit ? shownLawName(analysis, fit, shortLawName) : curve.law ? LAW_NAMES[curve.law] : 'law';
}

/**
 * The hover of an LR metric file's record at a step where its curve has no point (an LR logged between losses, or past
 * the last; a loss left out): its joined row, the LR at that step, what the loss file logged there, and the law's
 * prediction there when the fit made one (a target step).
 */
function hoverForLrRecord(analysis: Analysis<Series>, file: string, line: number): string | null {
  const record = metricRecordsAt(analysis, file, line).find((r) => r.role === 'lr');
  if (!record) return null;
  const { curve, step, row } = record;
  const schedule = curve.schedule;
  const at = schedule ? indexOfLine(schedule.steps, step) : -1;
  const prediction = analysis.predictions.find((p) => p.metric === 'loss' && p.curve === curve.name && p.step === step);
  const predicted = prediction
    ? [
        `| predicted (${lawOf(analysis, curve)}) | ${hasValue(prediction) ? formatEstimate(prediction.value, prediction.low, prediction.high) : markdownText(prediction.statusReason)} |`,
      ]
    : [];
  return [
    pointTitle(curve, step),
    '',
    tableHead(['', '']),
    ...(at >= 0 ? [`| LR | ${formatNumber(schedule!.lr[at], 5)} |`] : []),
    `| observed | ${lossAtRow(curve, row)} |`,
    ...predicted,
    '',
    prediction
      ? 'a target step: predicted, not fitted'
      : 'no law value here: the fit predicts at the logged losses and its target steps (scalingLens.predict.steps)',
  ].join('\n');
}

/**
 * What a run's loss file logged at a row without a point: nothing, or a record the curve left out (a NaN, a negative
 * loss: said in the Problems panel), at its line.
 */
function lossAtRow(curve: CurveReport<Series>, row: number): string {
  const loss = curve.points.metricFiles?.find((f) => f.role === 'loss');
  const line = loss ? loss.lines[row] : 0;
  return line > 0
    ? `the loss logged at line ${line} of ${markdownText(basename(loss!.file))} is left out of the curve (see the Problems panel)`
    : 'no loss logged at this step';
}

/** Whether the fit used this point, said per point: a held-out curve, a point the fit left out, or a fitted one. */
function fitRole(curve: CurveReport<Series>, index: number): string {
  if (curve.role === 'heldout') return 'this curve was held out: a true prediction';
  return pointWasFitted(curve, index)
    ? 'this point was fitted'
    : 'this point was not fitted: predicted from the points that were';
}

/**
 * Why a row shows no law value, when the law must not be read there: the point lies past the group's law break, or
 * the data do not support the fit. Undefined when the law's value at the point can be shown.
 */
function withheldPoint(analysis: Analysis<Series>, curve: CurveReport<Series>, index: number): string | undefined {
  const fitted = pointWasFitted(curve, index);
  // A fitted group's point without a law value lies past the law's break: the law does not hold there.
  if (curve.role === 'fit' && !fitted && !Number.isFinite(curve.points.predicted[index])) {
    const at = curve.metric === 'bleu' ? breakPoint(analysis, curve) : undefined;
    const where =
      at !== undefined ? `past the law's break at ${formatQuantity('D_p', at)}` : 'past where the data left the law';
    return `${where}: ${METRIC_NAMES[curve.metric]} no longer follows the law, so it predicts nothing here · this point was not fitted`;
  }
  // A loss curve whose LR falls lower than the fit curves' ever did: the law's value from there is a guess.
  const drop = curve.withheldFrom;
  if (drop && curve.points.x[index] >= drop.x)
    return `⚠ no law value is shown here: ${markdownText(drop.reason)} · ${curve.role === 'heldout' ? 'this curve was held out' : 'this point was not fitted'}`;
  const fit = fitOfCurve(analysis.fits, curve);
  if (!fit?.unsupported) return undefined;
  const why = fit.unsupported.map((problem) => problem.reason).join('; ');
  return `⚠ the law fitted here is not supported by the data (${markdownText(why)}), so no law value is shown · ${fitted ? 'this point was fitted' : curve.role === 'heldout' ? 'this curve was held out' : 'this point was not fitted'}`;
}

/**
 * The curve point whose source line is `line` (1-based), found by binary search on each curve's lines; or whose row
 * was joined from a record on `line` (a Lightning step's validation line, a trainer state's eval entry): the row's;
 * or, in a metric file a run folder's curve was read from (DVCLive, MLflow), the point at the step of that line.
 */
export function pointAtLine(
  analysis: Analysis<Series>,
  file: string,
  line: number,
  character?: number,
): { curve: CurveReport<Series>; index: number } | null {
  for (const curve of fileOf(analysis, file)) {
    const cell = character === undefined ? undefined : stepOfCell(curve.points.cellSteps, line, character);
    // A line of several values: the one under the cursor is this curve's point, or another curve's.
    if (cell !== undefined) {
      const index = Number.isNaN(cell) ? -1 : indexOfLine(curve.points.x, cell);
      if (index >= 0) return { curve, index };
      continue;
    }
    const index = indexOfLine(curve.points.lines, line);
    if (index >= 0) return { curve, index };
    const joined = curve.points.joinedLines;
    const record = joined ? binarySearch(joined.lines, line) : -1;
    const row = record >= 0 ? indexOfLine(curve.points.lines, joined!.rowLines[record]) : -1;
    if (row >= 0) return { curve, index: row };
  }
  return pointOfMetricFile(analysis, file, line);
}

/**
 * The step of the value under 0-based `character` of a line that holds several (CellSteps): the last to start at or
 * before it, or the line's first; NaN where its row has no point; undefined where the line holds none of them.
 */
function stepOfCell(cells: CellSteps<Series, Series> | undefined, line: number, character: number): number | undefined {
  if (!cells) return undefined;
  const from = lowerBound(cells.lines, line);
  const to = upperBound(cells.lines, line, from);
  if (from === to) return undefined;
  return cells.steps[Math.max(from, upperBound(cells.columns, character + 1, from, to) - 1)];
}

/**
 * The point a metric file's record went into: its row's step among the curve's steps (a step written as a fraction
 * was rounded to its point's). Null for a record whose step has no point (an LR logged between losses, a NaN loss).
 */
function pointOfMetricFile(
  analysis: Analysis<Series>,
  file: string,
  line: number,
): { curve: CurveReport<Series>; index: number } | null {
  for (const { curve, step } of metricRecordsAt(analysis, file, line)) {
    const index = indexOfLine(curve.points.x, step);
    if (index >= 0) return { curve, index };
  }
  return null;
}

/**
 * The records of a metric file on `line` (1-based) as the curves read them: each curve, the file's role in it (its
 * loss or its LR), the row of the run's table the record was joined into and its step (a fraction rounded).
 */
function metricRecordsAt(
  analysis: Analysis<Series>,
  file: string,
  line: number,
): { curve: CurveReport<Series>; role: 'loss' | 'lr'; step: number; row: number }[] {
  return analysis.curves.flatMap((curve) => {
    const records = curve.points.metricFiles?.find((f) => f.file === file);
    const row = records ? indexOfLine(records.lines, line) : -1;
    return row < 0 ? [] : [{ curve, role: records!.role, step: Math.round(records!.steps[row]), row }];
  });
}

/** The index of `line` (or a step) in ascending values (rows logged in step order) by binary search, else scanned. */
function indexOfLine(lines: Series, line: number): number {
  return isAscending(lines) ? binarySearch(lines, line) : lines.indexOf(line);
}

/** Whether each curve's source lines ascend, checked once per curve (its lines array lives as long as it does). */
const ascending = new WeakMap<Series, boolean>();

function isAscending(values: Series): boolean {
  let known = ascending.get(values);
  if (known === undefined) {
    known = true;
    for (let i = 1; i < values.length && known; i++) known = values[i - 1] <= values[i];
    ascending.set(values, known);
  }
  return known;
}

/** The index of `value` in ascending `values`, or -1. */
function binarySearch(values: Series, value: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] === value) return mid;
    if (values[mid] < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
