// What a user reads in the editor, built from one Analysis: CodeLenses, hovers, diagnostics and the column picker's
// answer, as the LSP types the server sends. Pure functions of the analysis (no connection, no documents), so they
// are tested directly (test/server/present.test.ts).
import { pathToFileURL } from 'node:url';
import {
  DiagnosticSeverity,
  MarkupKind,
  type CodeLens,
  type Diagnostic,
  type DiagnosticRelatedInformation,
  type Hover,
  type Position,
  type Range,
} from 'vscode-languageserver';
import type {
  Analysis,
  CurveReport,
  FileSummary,
  Finding,
  FitResult,
  LawDeparture,
  LawId,
  Prediction,
  Series,
  LawSelection,
  WithheldValue,
} from '../core/analysis/types';
import { isSizeLaw } from '../core/analysis/lossLaw';
import { fitOfCurve, hasValue, pointWasFitted } from '../core/analysis/trust';
import {
  formatCompact,
  formatCount,
  formatEstimate,
  formatFlop,
  formatNumber,
  formatPercent,
} from '../core/util/format';
import {
  beyondFittedText,
  computeOptimumText,
  downstreamTarget,
  estimateText,
  predictionAt,
} from '../core/analysis/describe';
import { defaultHints, FINDINGS } from '../core/findings';
import { departureDetail, departureLabel } from '../core/analysis/departureText';
import { breakPoint } from '../core/analysis/breaks';
import { fitLawName, LAW_NAMES } from '../core/analysis/lawNames';
import { Commands, type ColumnsResult } from '../shared/protocol';
import { ANALYSIS_FAILED, editorHint, editorMessage, findingHref } from './hints';
import { labelText, markdownText } from './markdown';
import { shownOnOneLine } from '../core/util/controls';

/** Wider than any line a diagnostic or related row spans to its end (LSP clamps ranges to the line). */
const LINE_END = 1000;

/** A whole 0-based line, or the lines from `line` to `endLine`, up to `endCharacter`. */
function lineRange(line: number, character = 0, endLine = line, endCharacter = LINE_END): Range {
  return { start: { line, character }, end: { line: endLine, character: endCharacter } };
}

/** A lens on a 0-based line that runs one of the extension's commands; its texts quote run names, shown as text. */
function lens(line: number, title: string, command: string, args: unknown[], tooltip?: string): CodeLens {
  return {
    range: lineRange(line, 0, line, 0),
    command: {
      title: labelText(title),
      command,
      arguments: args,
      ...(tooltip && { tooltip: labelText(tooltip, 'many') }),
    },
  };
}

const METRIC_NAMES: Record<Prediction['metric'], string> = { loss: 'Loss', bleu: 'BLEU', ce: 'CE' };

/** What a lens says of a fit the data do not support (its findings say why, in the Problems panel). */
const UNSUPPORTED = '⚠ not supported by the data';

/** How a lens starts where a number would be and none is shown; the core's reason follows. */
const NO_PREDICTION = '⚠ no prediction, ';

/** A withheld prediction where a number would be: the target, then why there is none. */
function withheldText(at: string, p: WithheldValue): string {
  return `${at}: ${NO_PREDICTION}${p.statusReason}`;
}

/** The label a downstream group shows: `en-fr / D_f 42M`. */
export function groupLabel(fields: Record<string, string | number> | undefined, fallback = ''): string {
  if (!fields) return fallback;
  const entries = Object.entries(fields);
  const mix = entries.find(([k]) => !/^d_?f$/i.test(k));
  const df = entries.find(([k]) => /^d_?f$/i.test(k));
  // A number (a model size N, a D_f) reads as a count, as the file's lens and legend write it: "N=7B", not 7000000000.
  const parts = [
    mix ? (typeof mix[1] === 'number' ? `${mix[0]}=${formatCompact(mix[1])}` : mix[1]) : '',
    df ? `D_f ${typeof df[1] === 'number' ? formatCompact(df[1]) : df[1]}` : '',
  ];
  return parts.filter(Boolean).join(' / ') || fallback;
}

function fileOf(analysis: Analysis<Series>, file: string): CurveReport<Series>[] {
  return analysis.curves.filter((c) => c.file === file);
}

/** The laws fitted across loss curves: one fit, a lens per curve. */
const LOSS_CURVE_LAWS: ReadonlySet<LawId> = new Set<LawId>(['lr-annealing', 'mpl', 'lr-annealing-size', 'mpl-size']);

function lossLenses(analysis: Analysis<Series>, file: string, uri: string): CodeLens[] {
  const fit = analysis.fits.find((f) => LOSS_CURVE_LAWS.has(f.law));
  const curves = fileOf(analysis, file).filter((c) => c.law === fit?.law);
  if (!fit || curves.length === 0) return [];
  const lawName = fitLawName(fit);
  const single = curves.length === 1;
  const lenses: CodeLens[] = [];
  if (!single) {
    const heldOut = fit.heldOut ? ` · held-out PredE ${formatPercent(fit.heldOut.predE)}` : '';
    const trust = fit.unsupported ? ` · ${UNSUPPORTED} (see Problems)` : '';
    const title = `Loss · ${lawName} · fitted on ${fit.fittedOn.length} curves · R² ${formatNumber(fit.quality.r2, 4)}${heldOut}${trust}`;
    lenses.push(lens(0, title, Commands.showChart, [uri]));
  }
  for (const curve of curves) {
    const line = single ? 0 : Math.max(0, curve.firstLine - 1);
    const who = single ? 'Loss' : curve.name;
    for (const p of analysis.predictions.filter((x) => x.curve === curve.name && x.metric === 'loss')) {
      const at = `L(${formatCompact(p.step ?? p.x)})`;
      if (!hasValue(p)) {
        const title = `${who} · ${lawName} · ${withheldText(at, p)}`;
        const tooltip = p.status === 'law-departed' && curve.departure ? departureTooltip(curve.departure) : undefined;
        lenses.push(lens(line, title, Commands.predictAt, [uri, { kind: 'step' }], tooltip));
        continue;
      }
      const quality =
        curve.role === 'heldout' && curve.metrics
          ? `held-out PredE ${formatPercent(curve.metrics.predE)}`
          : `R² ${formatNumber(curve.metrics?.r2 ?? NaN, 4)}`;
      // A run below its law keeps its number, flagged (a run above it has none: withheld in the core).
      const departed = curve.departure ? ` · ⚠ ${departureLabel(curve.departure)}` : '';
      const title = `${who} · ${lawName}${sizeText(curve)} · ${predictionAt(p)} = ${estimateText(p)} · ${quality}${departed}`;
      // What the prediction assumes past the log (the LR held), and how a departure was judged, on hover of the lens.
      const tooltip = [
        p.assumption && `${at} assumes the ${p.assumption}`,
        curve.departure && departureTooltip(curve.departure),
      ]
        .filter(Boolean)
        .join('. ');
      lenses.push(lens(line, title, Commands.predictAt, [uri, { kind: 'step' }], tooltip || undefined));
    }
  }
  return lenses;
}

/** How a run that left its law was judged (tolerance, points off and outside the band), and where to change it. */
function departureTooltip(departure: LawDeparture): string {
  const settings = defaultHints('law-departure').map(editorHint).join(' ');
  return `${departureDetail(departure)} ${settings}`;
}

function downstreamLenses(analysis: Analysis<Series>, file: string, uri: string): CodeLens[] {
  const lenses: CodeLens[] = [];
  const curves = fileOf(analysis, file).filter((c) => c.metric === 'bleu' || c.metric === 'ce');
  for (const curve of curves) {
    const line = Math.max(0, curve.firstLine - 1);
    const label = groupLabel(curve.groupFields, curve.group ?? curve.name);
    const metric = METRIC_NAMES[curve.metric];
    const chart = (title: string) =>
      lens(line, `${metric} · ${label} · ${title}`, Commands.showChart, [uri, curve.group]);
    const at = curve.metric === 'bleu' ? breakPoint(analysis, curve) : undefined;
    const predictions = analysis.predictions.filter((p) => p.group === curve.group && p.metric === curve.metric);
    if (predictions.length === 0) {
      const fitted = analysis.fits.some(
        (f) => f.group === curve.group && (f.law === 'bleu') === (curve.metric === 'bleu'),
      );
      if (at !== undefined) lenses.push(chart(`law breaks at D_p = ${formatCompact(at)}`));
      else if (!fitted) lenses.push(chart('no fit (see Problems)'));
      continue;
    }
    // Targets withheld for one reason (a break, an unsupported fit) share one lens that says why.
    const reasons = new Set(predictions.flatMap((p) => (hasValue(p) ? [] : [p.statusReason])));
    for (const reason of reasons) lenses.push(chart(`${NO_PREDICTION}${reason}`));
    for (const p of predictions.filter(hasValue)) {
      const what = p.dataMultiplier !== undefined ? `${p.dataMultiplier}×D_p` : `D_p ${formatCompact(p.x)}`;
      lenses.push(chart(`${what} → ${estimateText(p)}`));
    }
  }
  return lenses;
}

/** (N, D) sweeps lead with what to train at each budget (N*, D*, the loss, and whether that lies past the runs). */
function computeLenses(analysis: Analysis<Series>, uri: string): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const p of analysis.predictions.filter((x) => x.xName === 'C')) {
    const title = hasValue(p)
      ? `C = ${formatFlop(p.x)} FLOP → ${computeOptimumText(p)}`
      : withheldText(`C = ${formatFlop(p.x)} FLOP`, p);
    lenses.push(lens(0, title, Commands.predictAt, [uri, { kind: 'compute' }]));
  }
  for (const fit of analysis.fits.filter((f) => f.law === 'chinchilla' || f.law === 'power')) {
    const trust = fit.unsupported ? ` · ${UNSUPPORTED} (see Problems)` : '';
    const title = `Loss · ${fitLawName(fit)} · fitted on ${fit.points} ${fit.law === 'chinchilla' ? 'runs' : 'points'} · R² ${formatNumber(fit.quality.r2, 4)}${trust}`;
    lenses.push(lens(0, title, Commands.showChart, [uri]));
  }
  return lenses;
}

/** The lenses of one file (`file` is the path findings carry, `uri` what the commands are given). */
export function buildLenses(analysis: Analysis<Series>, file: string, uri: string): CodeLens[] {
  return [
    ...lossLenses(analysis, file, uri),
    ...downstreamLenses(analysis, file, uri),
    ...computeLenses(analysis, uri),
  ];
}

/** The curve point whose source line is `line` (1-based), found by binary search on each curve's lines. */
export function pointAtLine(
  analysis: Analysis<Series>,
  file: string,
  line: number,
): { curve: CurveReport<Series>; index: number } | null {
  for (const curve of fileOf(analysis, file)) {
    const lines = curve.points.lines;
    // Lines are ascending when rows were logged in step order; otherwise fall back to a scan.
    const index = isAscending(lines) ? binarySearch(lines, line) : lines.indexOf(line);
    if (index >= 0) return { curve, index };
  }
  return null;
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
      : hoverForRow(analysis, file, line);
  return value ? { contents: { kind: MarkupKind.Markdown, value } } : null;
}

/** The name of the column under `character` in the header line's text (delimited files only). */
function columnAt(summary: FileSummary | undefined, text: string | undefined, character: number): string | undefined {
  if (!summary?.delimiter || text === undefined) return undefined;
  const index = text.slice(0, character).split(summary.delimiter).length - 1;
  return summary.columns[index]?.name;
}

/** A data row's hover markdown (1-based `line`): observed, predicted with its band, residual; null off the data. */
export function hoverForRow(analysis: Analysis<Series>, file: string, line: number): string | null {
  const hit = pointAtLine(analysis, file, line);
  if (!hit) return null;
  const { curve, index } = hit;
  const p = curve.points;
  const observed = p.observed[index];
  const predicted = p.predicted[index];
  const x = curve.xName === 'C' ? `${formatFlop(p.x[index])} FLOP` : formatCount(p.x[index]);
  const title = `**${markdownText(curve.group ? groupLabel(curve.groupFields, curve.group) : curve.name)}** · ${markdownText(curve.xName)} ${x} · ${METRIC_NAMES[curve.metric]}`;
  const withheld = withheldPoint(analysis, curve, index);
  if (withheld) return `${title}\n\nobserved ${formatNumber(observed, 5)} · ${withheld}`;
  if (predicted === undefined || !Number.isFinite(predicted)) {
    return `${title}\n\nobserved ${formatNumber(observed, 5)} · no law fitted to this ${curve.group ? 'group' : 'curve'} (see the Problems panel)`;
  }
  const low = p.low[index];
  const high = p.high[index];
  const residual = observed - predicted;
  const inside =
    Number.isFinite(low) && Number.isFinite(high)
      ? observed >= low && observed <= high
        ? 'inside the 95 % band'
        : '**outside** the 95 % band'
      : 'no band (bootstrap off)';
  const fit = fitOfCurve(analysis.fits, curve);
  const law = fit ? fitLawName(fit) : curve.law ? LAW_NAMES[curve.law] : 'law';
  return [
    title,
    '',
    '| | |',
    '|---|---|',
    `| observed | ${formatNumber(observed, 5)} |`,
    `| predicted (${law}) | ${formatEstimate(predicted, low, high)} |`,
    `| residual | ${residual >= 0 ? '+' : ''}${formatNumber(residual, 3)} (${residual >= 0 ? '+' : ''}${formatPercent(residual / observed)}) |`,
    '',
    `${inside} · ${fitRole(curve, index)}`,
  ].join('\n');
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
      at !== undefined ? `past the law's break at D_p = ${formatCompact(at)}` : 'past where the data left the law';
    return `${where}: ${METRIC_NAMES[curve.metric]} no longer follows the law, so it predicts nothing here · this point was not fitted`;
  }
  const fit = fitOfCurve(analysis.fits, curve);
  if (!fit?.unsupported) return undefined;
  const why = fit.unsupported.map((problem) => problem.reason).join('; ');
  return `⚠ the law fitted here is not supported by the data (${markdownText(why)}), so no law value is shown · ${fitted ? 'this point was fitted' : curve.role === 'heldout' ? 'this curve was held out' : 'this point was not fitted'}`;
}

/** The model size a model-size-law curve is predicted at, for its lens: " (N=25M)"; empty for other laws. */
function sizeText(curve: CurveReport<Series>): string {
  return curve.modelSize !== undefined ? ` (N=${formatCompact(curve.modelSize)})` : '';
}

/**
 * The model-size law's sizes: which were fitted, what was held, whether other sizes are predicted, and why this law.
 * Every part is the analysis's own text (sizes in the number rule), none of it from the file.
 */
function sizesMarkdown(fit: FitResult): string {
  const { sizesFitted, held, sizesExtrapolate, lawChoice } = fit.settings;
  const heldText = held && held !== 'none' ? ` · held: ${held}` : '';
  const reach = sizesExtrapolate
    ? 'predicts any model size'
    : 'predicts only the fitted sizes (fewer than three sizes fitted and no size exponent given)';
  const why = lawChoice ? ` · law ${lawChoice}` : '';
  return `Model sizes fitted: ${sizesFitted}${heldText} · ${reach}${why}.`;
}

/**
 * How `law: 'auto'` chose: the law kept, what the backtest is, each law's backtest error (and the runner-up's held-out
 * PredE when curves were held out), why, and where to see the runner-up.
 */
function selectionMarkdown(fit: FitResult, selection: LawSelection): string {
  const cuts = selection.cuts.map((c) => Math.round(c * 100));
  const cutList = cuts.length > 1 ? `${cuts.slice(0, -1).join(', ')} and ${cuts[cuts.length - 1]}` : `${cuts[0]}`;
  const heldOut = fit.heldOut && fit.runnerUpFit?.heldOut;
  const rows = selection.candidates.map((c) => {
    const chosen = c.law === selection.chosen;
    const note = c.identified
      ? ''
      : `its terms are not pinned down by the fit curves (${c.atBounds.join(', ')} at a bound)`;
    const held = heldOut ? ` | ${formatPercent((chosen ? fit.heldOut : fit.runnerUpFit?.heldOut)?.predE ?? NaN)}` : '';
    const weight = selection.weights?.[c.law];
    const range = selection.weightRange?.[c.law];
    const mark =
      weight === undefined
        ? chosen
          ? ' (chosen)'
          : ''
        : range
          ? ` (weight ${range[0].toFixed(2)}-${range[1].toFixed(2)}, mean ${weight.toFixed(2)})`
          : ` (weight ${weight.toFixed(2)})`;
    return `| ${LAW_NAMES[c.law]}${mark} | ${formatPercent(c.backtestError)}${held} | ${note} |`;
  });
  const overlay = fit.runnerUpFit
    ? ` Show Chart can overlay ${LAW_NAMES[selection.runnerUp]}, the runner-up (the toggle above the loss panel).`
    : '';
  return [
    `Law chosen automatically: **${fitLawName(fit)}**${selection.weights ? ` (every prediction and band is the ${selection.weightRange ? 'weighted mean, each law weighted at each step by the inverse of its bootstrap spread there' : 'mean'}; the coefficients below are the ${LAW_NAMES[selection.chosen]}'s)` : ''}. Each law was refitted on the first ${cutList} % of every fit curve and scored on the rest (backtest error: the mean relative error there).`,
    [
      `| law | backtest error${heldOut ? ' | held-out PredE' : ''} | |`,
      `|---|---${heldOut ? '|---' : ''}|---|`,
      ...rows,
    ].join('\n'),
    `Why: ${markdownText(selection.reason)}.${overlay}`,
  ].join('\n\n');
}

/** The fits the header hover of `file` tells about: those fitted on the file, its curves or groups, or on no curve. */
function fitsOfFile(analysis: Analysis<Series>, file: string): FitResult[] {
  return analysis.fits.filter(
    (f) =>
      f.fittedOn.length === 0 ||
      f.fittedOn.includes(file) ||
      analysis.curves.some((c) => c.file === file && (f.group ? c.group === f.group : f.fittedOn.includes(c.name))),
  );
}

/** Where the details left out of hovers are: one click away. */
const DETAILS_NOTE = `Solver settings and every fitted row: **Export Fit…** (command palette) or [Show Log](command:${Commands.showLog}).`;

/**
 * The header line's hover: what was fitted, how well, what it predicts and what to watch out for, in a user's words
 * (the solver's settings are in Export Fit and the log). Downstream sweeps get one table for all their groups.
 */
export function hoverForHeader(analysis: Analysis<Series>, file: string, column?: string): string | null {
  const fits = fitsOfFile(analysis, file);
  if (fits.length === 0) return null;
  const downstream = fits.every((f) => f.law === 'bleu' || f.law === 'downstream-ce');
  const body = downstream
    ? downstreamHeader(analysis, file, fits)
    : fits.map((fit) => fitMarkdown(analysis, fit)).join('\n\n---\n\n');
  return [column ? `column **${markdownText(column)}**` : '', body, watchOut(analysis, file), DETAILS_NOTE]
    .filter(Boolean)
    .join('\n\n');
}

/** "run a" or "3 curves": what a fit was fitted on, short enough for a hover's first line. */
function fittedOnText(fit: FitResult): string {
  if (fit.law === 'chinchilla') return `${fit.points} runs`;
  const names = fit.fittedOn.length <= 2 ? fit.fittedOn.map(markdownText).join(', ') : `${fit.fittedOn.length} curves`;
  return `${names} (${fit.points} points)`;
}

/** One fit: what, how well, what it predicts, how the law was chosen, its coefficients, and a non-converged fit. */
function fitMarkdown(analysis: Analysis<Series>, fit: FitResult): string {
  const held = fit.heldOut ? ` · held-out PredE ${formatPercent(fit.heldOut.predE)}` : '';
  const head = `**${fitLawName(fit)}** fitted on ${fittedOnText(fit)} · R² ${formatNumber(fit.quality.r2, 4)}${held}`;
  const predictions = predictionsOf(analysis, fit).map((p) => `- ${predictionMarkdown(p)}`);
  const coefficients = Object.entries(fit.params).map(([k, v]) => {
    const ci = fit.intervals?.[k];
    return `| ${k} | ${ci ? formatEstimate(v, ci[0], ci[1]) : formatNumber(v, 4)} | ${fit.units[k] ?? ''} |`;
  });
  return [
    head,
    fit.converged ? '' : '⚠ **The fit did not converge**: its coefficients and predictions are not reliable.',
    fit.unsupported
      ? `${UNSUPPORTED}: ${markdownText(fit.unsupported.map((p) => p.reason).join('; '))}. No prediction is shown from this fit.`
      : '',
    predictions.length ? ['Predicts:', ...predictions].join('\n') : '',
    fit.selection ? selectionMarkdown(fit, fit.selection) : '',
    isSizeLaw(fit.law) ? sizesMarkdown(fit) : '',
    `\`${fit.formula}\``,
    ['| coefficient | value [95 % interval] | unit |', '|---|---|---|', ...coefficients].join('\n'),
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** The predictions a fit makes: its curves' loss targets, its budgets, or its group's targets (at most 4). */
function predictionsOf(analysis: Analysis<Series>, fit: FitResult): Prediction[] {
  const belongs = (p: Prediction): boolean => {
    switch (fit.law) {
      case 'chinchilla':
        return p.xName === 'C';
      case 'bleu':
      case 'downstream-ce':
        return p.group === fit.group && (p.metric === 'bleu') === (fit.law === 'bleu');
      case 'power':
        return p.xName !== 'C' && p.curve !== undefined && fit.fittedOn.includes(p.curve);
      default:
        return p.metric === 'loss' && p.xName === 'step';
    }
  };
  return analysis.predictions.filter(belongs).slice(0, 4);
}

/** One prediction as a hover line, with its extrapolation warning. */
function predictionMarkdown(p: Prediction): string {
  if (p.xName === 'C') return `at C = ${formatFlop(p.x)} FLOP: ${computeOptimumText(p)}`;
  const beyond = beyondFittedText(p.beyondFitted);
  const who = p.curve && p.xName === 'step' ? `${markdownText(p.curve)}: ` : '';
  if (!hasValue(p)) return `${who}${markdownText(withheldText(predictionAt(p), p))}`;
  return `${who}${markdownText(predictionAt(p))} = ${estimateText(p)}${beyond ? ` · ⚠ ${beyond}` : ''}`;
}

/** A downstream sweep: one row per group with each law's fit quality and first prediction, or its break. */
function downstreamHeader(analysis: Analysis<Series>, file: string, fits: FitResult[]): string {
  const groups = [...new Set(fits.map((f) => f.group ?? ''))];
  const cell = (group: string, law: LawId): string => {
    const fit = fits.find((f) => (f.group ?? '') === group && f.law === law);
    if (!fit) return 'no fit';
    const curve = fileOf(analysis, file).find(
      (c) => c.group === group && c.metric === (law === 'bleu' ? 'bleu' : 'ce'),
    );
    const at = law === 'bleu' && curve ? breakPoint(analysis, curve) : undefined;
    if (at !== undefined) return `⚠ law breaks at ${markdownText(`D_p = ${formatCompact(at)}`)}`;
    const [first] = predictionsOf(analysis, fit);
    const answer =
      first && (hasValue(first) ? estimateText(first) : `no prediction (${markdownText(first.statusReason)})`);
    return `R² ${formatNumber(fit.quality.r2, 3)}${first ? ` · ${markdownText(downstreamTarget(first))} → ${answer}` : ''}`;
  };
  const rows = groups.map((g) => {
    const fit = fits.find((f) => (f.group ?? '') === g)!;
    return `| ${markdownText(groupLabel(fit.groupFields, g))} | ${cell(g, 'bleu')} | ${cell(g, 'downstream-ce')} |`;
  });
  return [
    `**Downstream laws** (Isik et al. 2024), fitted per group: BLEU \`${fits.find((f) => f.law === 'bleu')?.formula ?? '–'}\`, CE \`${fits.find((f) => f.law === 'downstream-ce')?.formula ?? '–'}\``,
    ['| group | BLEU | CE |', '|---|---|---|', ...rows].join('\n'),
  ].join('\n\n');
}

/** The warnings and errors of the file in a line: how many, and what they are about (titles of the catalogue). */
function watchOut(analysis: Analysis<Series>, file: string): string {
  const serious = analysis.findings.filter((f) => f.file === file && f.severity !== 'info');
  if (serious.length === 0) return '';
  // The catalogue's titles are the project's own words: no file text, nothing to escape.
  const titles = [...new Set(serious.map((f) => FINDINGS[f.code].title))];
  const shown = titles.slice(0, 3).join('; ') + (titles.length > 3 ? `; and ${titles.length - 3} more` : '');
  return `**Watch out** (${serious.length} in the Problems panel): ${shown}.`;
}

const SEVERITY = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
} as const;

/** Everything the Problems panel shows for a file: why its analysis failed, if it did, then its findings. */
export function fileDiagnostics(
  analysis: Analysis<Series> | undefined,
  file: string,
  failure: string | undefined,
  relatedInformation: boolean,
): Diagnostic[] {
  return [
    ...(failure ? [failureDiagnostic(failure)] : []),
    ...(analysis ? buildDiagnostics(analysis, file, relatedInformation) : []),
  ];
}

/** An analysis that failed outright (a bug, or a worker that ran out of memory), on the first line. */
function failureDiagnostic(message: string): Diagnostic {
  return {
    range: lineRange(0),
    severity: DiagnosticSeverity.Error,
    source: 'Scaling Lens',
    ...ANALYSIS_FAILED,
    message: shownOnOneLine(message),
  };
}

/**
 * The findings of one file as diagnostics, each linked to its documentation. Related rows are attached when the
 * client can show them; `maxChar` is the end of a finding that covers whole lines.
 */
export function buildDiagnostics(
  analysis: Analysis<Series>,
  file: string,
  relatedInformation = true,
  maxChar = 10000,
): Diagnostic[] {
  return analysis.findings
    .filter((f) => f.file === file)
    .map((f) => {
      const line = Math.max(0, (f.line || 1) - 1);
      const character = f.column ? f.column - 1 : 0;
      const endLine = Math.max(line, (f.endLine ?? f.line ?? 1) - 1);
      return {
        range: lineRange(line, character, endLine, f.column ? character + 1 : maxChar),
        severity: SEVERITY[f.severity],
        source: 'Scaling Lens',
        code: f.code,
        codeDescription: { href: findingHref(f.code) },
        message: shownOnOneLine(editorMessage(f)),
        relatedInformation: relatedInformation ? relatedRows(f) : undefined,
      };
    });
}

/** The rows that bear on a finding, as locations (their lines are 1-based; 0 means the file). */
function relatedRows(finding: Finding): DiagnosticRelatedInformation[] {
  return (finding.related ?? []).map((r) => ({
    location: { uri: pathToFileURL(r.file).toString(), range: lineRange(Math.max(0, r.line - 1)) },
    message: shownOnOneLine(r.message),
  }));
}

/** The columns of a file and the role each was taken for, for the "Select Columns and Law" picker. */
export function columnsOf(analysis: Analysis<Series> | undefined): ColumnsResult {
  const summary = analysis?.files[0];
  if (!summary) return { columns: [], roles: {}, kind: 'unknown' };
  const roles: ColumnsResult['roles'] = {};
  for (const c of summary.columns) if (c.role) roles[c.role] = c.name;
  return { columns: summary.columns.map((c) => c.name), roles, kind: summary.kind };
}
