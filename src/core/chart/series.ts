// From one Analysis to the chart's series, in two stages: buildChart computes every series at full resolution once
// per analysis (laws on dense grids, extrapolations, bands, breaks, baselines), and sampleChart cuts that to an x
// window and at most a few thousand points per series (LTTB) for each draw or zoom. The raw rows stay in the model.
// The loss-curve chart is built here; the sweeps' charts in sweepSeries.ts, from the pieces in seriesParts.ts.
import { assumedLrPhrase, lastLogged } from '../analysis/assumedLr';
import { isSizeLaw } from '../analysis/lossLaw';
import { logBand } from '../analysis/lossBands';
import { fitOfCurve, hasValue } from '../analysis/trust';
import type {
  Analysis,
  CurveReport,
  FitResult,
  LawRefits,
  PredictedValue,
  Prediction,
  PredictionBase,
  Series,
} from '../analysis/types';
import { plainAnalysis } from '../analysis/series';
import { distinctDigits } from '../util/format';
import { concat, appendAll, maxOf, minOf } from '../util/arrays';
import { runToEnd, type Steps } from '../util/steps';
import { departureLabel } from '../analysis/departureText';
import { describePrediction } from '../analysis/describe';
import { fitLawName, LAW_NAMES, runnerUpLawName } from '../analysis/lawNames';
import { axisValues, lttbIndices, pointBudget, windowRange } from './lttb';
import { band, columnName, interpolateLog, law, logGrid, observed, targetMarker, type Parts } from './seriesParts';
import { computeSeries, downstreamSeries, powerSeries } from './sweepSeries';
import type {
  ChartData,
  ChartFit,
  ChartMarker,
  ChartPanelSpec,
  ChartSeries,
  LawChoiceText,
  WhatIfDefaults,
  XWindow,
} from './types';
import { defaultSpec, longerSteps } from './whatIfSpec';
import {
  lawSettings,
  lawWithRefits,
  meanWithRefits,
  pastLogSums,
  pastLoss,
  predictsSchedules,
  reachSteps,
  sizeGroup,
  whatIfLawName,
  type LawOfFit,
  type LawSettings,
  type MeanOfFit,
  type PastLogSums,
} from './whatIf';

export { evaluateLaw } from './sweepSeries';
export { logGrid } from './seriesParts';

export interface ChartModel {
  data: ChartData<Series>;
  /** log of each series' x, computed on the first log-axis sample and kept (the law and its band share one x). */
  logAxes: WeakMap<Series, ArrayLike<number>>;
}

export interface SampleOptions {
  /** Plot width in CSS pixels: about two points per pixel are kept. */
  width: number;
  logX: boolean;
  window?: XWindow;
  /** Export: every row, no downsampling. */
  full?: boolean;
}

export function buildChart(analysis: Analysis<Series>): ChartModel {
  return runToEnd(chartSteps(analysis));
}

/**
 * buildChart in steps, one per loss curve: a sweep of hundreds of runs is seconds of work, which the language server
 * does between its other requests after a fit (a step is the unit it can stop at).
 */
export function* chartSteps(analysis: Analysis<Series>): Steps<ChartModel> {
  const parts = yield* chartParts(analysis);
  const fits: ChartFit[] = analysis.fits.map((f) => ({
    law: f.law,
    name: fitLawName(f),
    group: f.group,
    formula: f.formula,
    params: f.params,
    ...(f.undetermined && { undetermined: Object.keys(f.undetermined) }),
  }));
  const groups = [...new Set(parts.series.map((s) => s.group).filter((g) => g !== ''))];
  return {
    data: {
      kind: analysis.kind,
      panels: parts.panels,
      series: parts.series,
      markers: parts.markers,
      groups,
      fits,
      predictions: analysis.predictions,
      notes: [...unsupportedNotes(analysis.fits), ...withheldNotes(analysis)],
      whatIf: parts.whatIf,
      ...(parts.legendByGroup && { legendByGroup: true }),
      ...(parts.lawChoice && { lawChoice: parts.lawChoice }),
      logX: true,
    },
    logAxes: new WeakMap(),
  };
}

/**
 * The series of the analysis's kind. The loss chart reads the analysis's own arrays, typed in the language server (a
 * million-row log's number[] copies cost 0.2 s of Show Chart), a step per curve; the sweeps' charts read number[]
 * (plainAnalysis, in place), in one step (a few groups' laws).
 */
function* chartParts(analysis: Analysis<Series>): Steps<Parts> {
  if (analysis.kind === 'downstream') return downstreamSeries(plainAnalysis(analysis));
  if (analysis.kind === 'compute') return computeSeries(plainAnalysis(analysis));
  if (analysis.kind === 'power') return powerSeries(plainAnalysis(analysis));
  return yield* lossSeries(analysis);
}

/**
 * A note per fit the data do not support: the chart draws its data (and a loss or power law over the data only) but
 * no band or prediction from it, which without a word reads as a chart that lost them.
 */
function unsupportedNotes(fits: readonly FitResult[]): string[] {
  return fits.flatMap((f) =>
    f.unsupported
      ? [
          `${f.group !== undefined ? `${f.group}: the` : 'The'} ${fitLawName(f)} fit is not supported by the data (${f.unsupported.map((u) => u.reason).join('; ')}), so no band or prediction is drawn from it (see the Problems panel).`,
        ]
      : [],
  );
}

/**
 * A note per withheld target of a loss curve whose fit the data support (an unsupported fit has its own note): its
 * marker is missing (past a resumed log's reach, after an LR drop the fit curves never showed, past a departure), and
 * without a word the chart reads as one that lost it.
 */
function withheldNotes(analysis: Analysis<Series>): string[] {
  if (analysis.kind !== 'loss-curve') return [];
  return analysis.curves.flatMap((c) =>
    fitOfCurve(analysis.fits, c)?.unsupported
      ? []
      : analysis.predictions
          .filter((p) => p.curve === c.name && p.xName === 'step' && !hasValue(p))
          .map((p) => `${describePrediction(p)}.`),
  );
}

/** The window and point budget applied to every series; bands and laws keep their own grids inside the window. */
export function sampleChart(model: ChartModel, given: SampleOptions): ChartData {
  // A window that is no range (NaN, inverted, not an object: a raw request's) is the whole range, not one point a series.
  const options = isRange(given.window) ? given : { ...given, window: undefined };
  const budget = options.full ? Infinity : pointBudget(options.width);
  let hidden = 0;
  const series = model.data.series.map((s) => {
    if (options.logX && s.kind === 'observed') hidden += countNonPositive(s.x);
    return sampleSeries(s, options, budget, options.logX ? logAxisOf(model, s.x) : s.x);
  });
  const notes = hidden
    ? [
        ...model.data.notes,
        `${hidden} observed row(s) with x ≤ 0 are not drawn on the log x-axis; switch x to linear to see them.`,
      ]
    : model.data.notes;
  return { ...model.data, series, notes, window: options.window, logX: options.logX };
}

/** Whether a window is a range of x: finite ends, the first below the second. */
function isRange(window: XWindow | undefined): boolean {
  return (
    typeof window === 'object' &&
    window !== null &&
    Number.isFinite(window.xMin) &&
    Number.isFinite(window.xMax) &&
    window.xMin < window.xMax
  );
}

/** Rows a log x-axis cannot show. A counting loop: a filter would copy a million-row column on every request. */
function countNonPositive(x: Series): number {
  let count = 0;
  for (let i = 0; i < x.length; i++) if (!(x[i] > 0)) count++;
  return count;
}

function logAxisOf(model: ChartModel, x: Series): ArrayLike<number> {
  let t = model.logAxes.get(x);
  if (!t) model.logAxes.set(x, (t = axisValues(x, true)));
  return t;
}

function sampleSeries(
  s: ChartSeries<Series>,
  options: SampleOptions,
  budget: number,
  axis: ArrayLike<number>,
): ChartSeries {
  const [from, to] = options.window ? windowRange(s.x, options.window.xMin, options.window.xMax) : [0, s.x.length];
  // Indices into the full arrays: no slice of the window is copied first.
  const keep = lttbIndices(s.x, s.y, budget, options.logX, from, to, axis);
  const pick = (a: Series) => keep.map((i) => a[i]);
  const pickOptional = (a: Series | undefined) => (a ? pick(a) : undefined);
  return {
    ...s,
    x: pick(s.x),
    y: pick(s.y),
    y2: pickOptional(s.y2),
    predicted: pickOptional(s.predicted),
    lines: pickOptional(s.lines),
  };
}

// ---- loss curves -----------------------------------------------------------------------------------------------

/** A step per curve: a curve's series are the unit of work (its extrapolations, runner-up and schedule). */
function* lossSeries(analysis: Analysis<Series>): Steps<Parts> {
  const fit = analysis.fits.find(predictsSchedules);
  const lossColumn = columnName(analysis, 'loss') ?? 'loss';
  const series: ChartSeries<Series>[] = [];
  const markers: ChartMarker[] = [];
  // The model-size law's curves are drawn one colour per size, smallest first, and listed by size in the legend.
  const bySize = analysis.fits.some((f) => isSizeLaw(f.law));
  const curves = bySize ? sizeOrder(analysis.curves) : analysis.curves;
  const digits = distinctDigits(curves.flatMap((c) => c.modelSize ?? []));
  for (const reported of curves) {
    const c =
      bySize && reported.modelSize !== undefined
        ? { ...reported, group: sizeGroup(reported.modelSize, digits) }
        : reported;
    const group = c.group ?? c.name;
    // Only predictions with a number are drawn; a withheld one (unsupported fit) has no line, band or marker.
    const targets = analysis.predictions.filter((p) => p.curve === c.name && p.xName === 'step').filter(hasValue);
    const supported = !fitOfCurve(analysis.fits, c)?.unsupported;
    // A run that left its law: its points from that step are highlighted, and a marker names the step and the kind.
    const departed = c.departure;
    series.push({ ...observed(c, 'main'), ...(departed && { breakX: departed.step }) });
    if (departed)
      markers.push({
        panel: 'main',
        kind: 'break',
        x: departed.step,
        group: c.name,
        label: `${c.name}: ${departureLabel(departed)}`,
      });
    // The chosen law and the runner-up past the log read one copy of the schedule and share their sums over it.
    const sums = fit && c.schedule ? pastLogSums(c.schedule, c.logEnd) : undefined;
    if (c.points.predicted.length) {
      const extra = fit ? chosenExtrapolation(c, fit, targets, sums) : { x: [], y: [], low: [], high: [] };
      // concat, not spread (a million rows), and one x shared by the law and its band.
      const x = concat([c.points.x, extra.x]);
      series.push(law(c, 'main', x, concat([c.points.predicted, extra.y])));
      if (supported && c.points.low.some(Number.isFinite))
        series.push(band(c, 'main', x, concat([c.points.low, extra.low]), concat([c.points.high, extra.high])));
    }
    if (fit?.runnerUpFit) {
      // Named as the toggle names it (lawChoiceText): beside a mean, "MPL alone".
      const name = fit.selection ? runnerUpLawName(fit.selection) : LAW_NAMES[fit.runnerUpFit.law];
      appendAll(series, runnerUpSeries(c, fit.runnerUpFit, targets, fit.selection?.spreadRefits, sums, name));
    }
    if (c.schedule) {
      series.push({
        id: `lr:${c.name}`,
        label: `${c.name} · LR`,
        kind: 'schedule',
        panel: 'secondary',
        group,
        x: c.schedule.steps,
        y: c.schedule.lr,
        total: c.schedule.steps.length,
      });
      const assumed = assumedSchedule(c, targets, bySize);
      if (assumed && !series.some((s) => s.id === assumed.id)) series.push(assumed);
    }
    for (const p of targets) markers.push(targetMarker('main', c.name, group, p));
    yield;
  }
  const panels: ChartPanelSpec[] = [
    { id: 'main', title: 'Loss', xLabel: 'step', yLabel: lossColumn, logX: true, logY: true },
    {
      id: 'secondary',
      title: 'Learning-rate schedule',
      xLabel: 'step',
      yLabel: columnName(analysis, 'lr') ?? 'LR',
      logX: true,
      logY: false,
    },
  ];
  return {
    panels,
    series,
    markers,
    whatIf: fit ? chartWhatIf(analysis, fit) : undefined,
    legendByGroup: bySize,
    lawChoice: lawChoiceText(fit, series, runnerUpGap(curves, analysis.predictions)),
  };
}

/** Curves by ascending model size (a stable sort: the file's order within a size); curves without one last. */
function sizeOrder<S extends Series>(curves: CurveReport<S>[]): CurveReport<S>[] {
  return [...curves].sort((a, b) => (a.modelSize ?? Infinity) - (b.modelSize ?? Infinity));
}

/**
 * The LR every prediction past the log assumes (held at its last logged value), from the last logged step to the
 * furthest target: the LR panel then spans the loss panel's x range, and the legend names the assumption. Under the
 * model-size law (a legend of sizes) curves that assume the same are one series, named by the assumption alone: the
 * same schedule run at three sizes listed it three times, and the short LR panel's legend was cut off.
 */
function assumedSchedule(c: CurveReport<Series>, targets: Prediction[], shared: boolean): ChartSeries | undefined {
  const last = c.schedule && lastLogged(c.schedule);
  const end = maxOf(targets.map((t) => t.x));
  const phrase = c.schedule && assumedLrPhrase(c.schedule, end);
  if (!last || !phrase) return undefined;
  return {
    id: shared ? `lr-assumed:${last.step}:${last.lr}:${end}` : `lr-assumed:${c.name}`,
    label: shared ? `assumed: ${phrase}` : `${c.name} · assumed: ${phrase}`,
    kind: 'schedule-assumed',
    panel: 'secondary',
    group: shared ? '' : (c.group ?? c.name),
    x: [last.step, end],
    y: [last.lr, last.lr],
    total: 2,
  };
}

/** A law's value at one step with its band (NaN ends without one): the anchors of an extrapolation. */
interface LawPoint {
  x: number;
  value: number;
  low: number;
  high: number;
}

/**
 * A law from the last logged step (`last`) to the furthest target, on a log grid, with the LR held at its last value
 * (as the analysis predicts targets). Under a mean of both laws the line is the mean at each drawn step (meanLoss, as a
 * what-if's), not one law's shape scaled to meet it: where the weights move between the last point and a target, the
 * shape of either law alone is neither's nor the mean's. Its band is the mixture of both laws' refits at each drawn
 * step (meanWithRefits), as the analysis's band of a mean is; MPL alone beside a mean (the runner-up) takes its own
 * refits' (`refits`, the same kept in selection.spreadRefits); one law without kept refits has its band interpolated
 * in log(step) between its relative width at the last point and at each target's prediction. Either is then moved
 * to meet the lens's own numbers at the anchors exactly, by their log ratio there interpolated in log(step) in between; so is the line, whose ratio is 1 up to rounding (the multi-power law's
 * compressed sum, a mean's weights measured at other steps). The mixture's edges move little (the analysis's band
 * adds the residuals' noise and has its own refits), but their shape between targets is the mixture's, not a line.
 */
function lossExtrapolation(
  schedule: PastLogSums | undefined,
  fit: MeanOfFit,
  last: LawPoint,
  targets: LawPoint[],
  modelSize?: number,
  refits?: LawRefits,
): { x: number[]; y: number[]; low: number[]; high: number[] } {
  const empty = { x: [], y: [], low: [], high: [] };
  // No target with a number, no extrapolation: -Infinity fails the test below.
  const end = maxOf(targets.map((t) => t.x));
  const settings = lawSettings(fit, modelSize);
  if (!settings.ok || !schedule || !(end > last.x)) return empty;
  const points = [last, ...targets.filter((t) => t.x > last.x).sort((a, b) => a.x - b.x)];
  // Every target is a drawn step too: the line passes through each target's marker, not between grid steps.
  const grid = logGrid(last.x, end, 60)
    .map(Math.round)
    .concat(points.slice(1).map((t) => t.x))
    .sort((a, b) => a - b)
    .filter((s, i, a) => s > last.x && s !== a[i - 1]);
  const edge = (v: number, pred: number) => Math.log(v / pred);
  const loss = drawnLoss(fit, settings.value, schedule, grid, points, refits);
  if (!loss) return empty;
  const { y, own, band } = loss;
  // The band's own log edges at the drawn steps and the anchors: the mixture's, or none (0, interpolated below).
  const lo = (k: number) => band?.lo[k] ?? 0;
  const hi = (k: number) => band?.hi[k] ?? 0;
  const anchors = points.map((t, k) => ({
    x: t.x,
    lo: edge(t.low, t.value) - lo(grid.length + k),
    hi: edge(t.high, t.value) - hi(grid.length + k),
    // A prediction without a finite value moves nothing.
    shift: Number.isFinite(edge(t.value, own[k])) ? edge(t.value, own[k]) : 0,
  }));
  const rel = (s: number, key: 'lo' | 'hi' | 'shift') =>
    interpolateLog(
      anchors.map((a) => a.x),
      anchors.map((a) => a[key]),
      s,
    );
  const line = grid.map((s, i) => y[i] * Math.exp(rel(s, 'shift')));
  return {
    x: grid,
    y: line,
    low: grid.map((s, i) => line[i] * Math.exp(lo(i) + rel(s, 'lo'))),
    high: grid.map((s, i) => line[i] * Math.exp(hi(i) + rel(s, 'hi'))),
  };
}

/**
 * The law's loss at the drawn steps (`grid`, ascending past the first anchor, the targets among them) and at its
 * anchors (`points`), in one pass: a mean of both laws is summed and weighed once over both (each law's sum over a
 * long schedule is the cost). A mean's band is the log quantiles of its refits' mixture there (`band`: at the grid's
 * steps, then the anchors'). Undefined when a mean's laws cannot be read (no line rather than the wrong one).
 */
function drawnLoss(
  fit: MeanOfFit,
  settings: LawSettings,
  schedule: PastLogSums,
  grid: number[],
  points: LawPoint[],
  refits?: LawRefits,
): { y: number[]; own: number[]; band?: { lo: Float64Array; hi: Float64Array } } | undefined {
  const at = [points[0].x, ...grid];
  const mean = meanWithRefits(fit, schedule, Float64Array.from(at));
  if (mean && !mean.ok) return undefined;
  // One law's band from its own refits where they are kept (the runner-up of a mean), in the same pass as its loss.
  const alone =
    !mean && refits && refits.sets.length >= 2
      ? lawWithRefits(settings, refits, schedule, Float64Array.from(at))
      : undefined;
  const values = mean
    ? mean.value.loss
    : alone
      ? Array.from(alone.loss)
      : pastLoss(settings, schedule, Float64Array.from(at));
  const index = new Map(at.map((s, k) => [s, k]));
  const order = grid.concat(points.map((p) => p.x)).map((s) => index.get(s)!);
  const y = order.slice(0, grid.length).map((k) => values[k]);
  const own = order.slice(grid.length).map((k) => values[k]);
  const mixture = mean?.value.mixture ?? alone?.sets;
  if (!mixture) return { y, own };
  // The analysis's quantiles (logBand) of the refits (a mean's mixed) against the line, without the residuals' noise
  // (not in the Analysis: the anchors' log ratio carries it).
  const all = logBand(mixture, Float64Array.from(values), new Float64Array(0), () => 0);
  const reorder = (a: Float64Array) => Float64Array.from(order, (k) => a[k]);
  return { y, own, band: { lo: reorder(all.lo), hi: reorder(all.hi) } };
}

/** The chosen law past a curve's log: from its last point's prediction to its targets' predictions. */
function chosenExtrapolation(
  c: CurveReport<Series>,
  fit: FitResult,
  targets: (PredictionBase & PredictedValue)[],
  sums: PastLogSums | undefined,
) {
  const n = c.points.x.length - 1;
  const last = { x: c.points.x[n], value: c.points.predicted[n], low: c.points.low[n], high: c.points.high[n] };
  return lossExtrapolation(sums, fit, last, targets, c.modelSize);
}

/**
 * The runner-up law of an automatic choice over one curve (CurveReport.runnerUp, kept at some logged steps and the
 * targets) and on past the log like the chosen law, with its own band where it has one. Drawn only on request. Past
 * the log it goes only to `targets`, the curve's predictions that have a number: where they are withheld (the run
 * left its law, the fit is not supported) no law is drawn, the runner-up no more than the chosen one.
 */
function runnerUpSeries(
  c: CurveReport<Series>,
  fit: LawOfFit & Pick<FitResult, 'law'>,
  targets: readonly (PredictionBase & PredictedValue)[],
  spreadRefits: Partial<Record<string, LawRefits>> | undefined,
  sums: PastLogSums | undefined,
  name: string,
): ChartSeries[] {
  const r = c.runnerUp;
  if (!r || r.x.length === 0 || c.points.x.length === 0) return [];
  const lastLogged = c.points.x[c.points.x.length - 1];
  const points = r.x.map((x, k) => ({ x, value: r.predicted[k], low: r.low[k], high: r.high[k] }));
  const logged = points.filter((p) => p.x <= lastLogged);
  const beyond = points.filter((p) => p.x > lastLogged && targets.some((t) => t.x === p.x));
  const extra = logged.length
    ? lossExtrapolation(sums, fit, logged[logged.length - 1], beyond, c.modelSize, spreadRefits?.[fit.law])
    : { x: [], y: [], low: [], high: [] };
  const x = logged.map((p) => p.x).concat(extra.x);
  const group = c.group ?? c.name;
  const label = `${c.name} · runner-up: ${name}`;
  const line: ChartSeries = {
    id: `runner-up:${c.name}`,
    label,
    kind: 'runner-up',
    panel: 'main',
    group,
    role: c.role,
    x,
    y: logged.map((p) => p.value).concat(extra.y),
    total: x.length,
  };
  if (!logged.some((p) => Number.isFinite(p.low))) return [line];
  const band: ChartSeries = {
    ...line,
    id: `runner-up-band:${c.name}`,
    label: `${label} · 95 % band`,
    kind: 'runner-up-band',
    y: logged.map((p) => p.low).concat(extra.low),
    y2: logged.map((p) => p.high).concat(extra.high),
  };
  return [line, band];
}

/**
 * What an automatic choice drew and what it can overlay, by name, and why, when the runner-up is drawn. Under a mean
 * of both laws the runner-up is one of them alone ("MPL alone"), beside the mean.
 */
function lawChoiceText(
  fit: FitResult | undefined,
  series: ChartSeries<Series>[],
  targetGap: number | undefined,
): LawChoiceText | undefined {
  const selection = fit?.selection;
  if (!selection || !fit.runnerUpFit || !series.some((s) => s.kind === 'runner-up')) return undefined;
  const runnerUp = runnerUpLawName(selection);
  const unsupported = fit.runnerUpFit.unsupported?.map((p) => p.reason).join('; ');
  return {
    chosen: fitLawName(fit),
    runnerUp,
    reason: selection.reason,
    ...(targetGap !== undefined && { targetGap }),
    ...(unsupported !== undefined && { unsupported }),
  };
}

/**
 * The largest relative difference between the runner-up's prediction and the chosen law's at the curves' targets:
 * where the laws agree the runner-up's dots lie on the chosen law's line, and the toggle says so instead of seeming
 * to do nothing. Undefined without a target both predict.
 */
function runnerUpGap(curves: CurveReport<Series>[], predictions: Prediction[]): number | undefined {
  let gap: number | undefined;
  for (const c of curves) {
    const r = c.runnerUp;
    if (!r) continue;
    for (const p of predictions) {
      if (p.curve !== c.name || p.xName !== 'step' || !hasValue(p)) continue;
      const k = r.x.indexOf(p.x);
      const off = k < 0 ? NaN : Math.abs(r.predicted[k] / p.value - 1);
      if (Number.isFinite(off)) gap = Math.max(gap ?? 0, off);
    }
  }
  return gap;
}

export function whatIfDefaults(analysis: Analysis<Series>, fit: FitResult): WhatIfDefaults {
  const fitted = analysis.curves.filter((c) => fit.fittedOn.includes(c.name));
  const totalSteps = Math.max(maxOf(fitted.map((c) => c.points.x[c.points.x.length - 1]).filter(Number.isFinite)), 2);
  // The LR-annealing law records each curve's warmup; the other laws only the one asked for (--warmup-steps).
  const warmupSteps = Number(String(fit.settings.warmupEndSteps ?? fit.settings.warmupStepsOption).split(',')[0]) || 0;
  const fromStep = Math.min(minOf(fitted.map((c) => c.points.x[0]).filter((x) => x > 0)), totalSteps);
  const reference = referenceCurve(analysis, fit);
  const last = reference?.schedule && lastLogged(reference.schedule);
  const logged = reference && last ? { curve: reference.name, lastStep: last.step, lastLr: last.lr } : undefined;
  const sizes = isSizeLaw(fit.law) ? fittedSizes(fitted, fit) : undefined;
  const peakLr = Number(fit.settings.etaMax ?? fit.settings.etaRef);
  const departed = departedRuns(analysis, fitted, reference);
  return {
    law: whatIfLawName(fit),
    peakLr,
    warmupSteps,
    totalSteps,
    fromStep,
    logged,
    ...(sizes && { sizes }),
    ...(fit.lrFloor !== undefined && { lrFloor: fit.lrFloor }),
    ...(departed && { departed }),
  };
}

/**
 * The what-if form's defaults as the chart sends them: with the longest schedule at the peak LR a fit whose logs start
 * late can predict (reachSteps), which is passes over it (0.24 s of a million-step log's), so once per chart model,
 * not on each what-if request.
 */
function chartWhatIf(analysis: Analysis<Series>, fit: FitResult): WhatIfDefaults {
  const defaults = whatIfDefaults(analysis, fit);
  const { fromStep, totalSteps } = defaults;
  const reach = reachSteps(fit.s1Reach, defaultSpec(defaults), fromStep, totalSteps, longerSteps(totalSteps));
  return reach === undefined ? defaults : { ...defaults, reachSteps: reach };
}

/**
 * Why the law predicts no what-if, by the lens's own rule: a run whose predictions it withholds for leaving the law
 * (status 'law-departed') has none from it. Every fitted run: no schedule; the reference run: not its own, 'logged'.
 */
function departedRuns(
  analysis: Analysis<Series>,
  fitted: CurveReport<Series>[],
  reference: CurveReport<Series> | undefined,
): WhatIfDefaults['departed'] {
  const reasons = new Map<string, string>();
  for (const p of analysis.predictions)
    if (p.status === 'law-departed' && p.curve !== undefined && !reasons.has(p.curve))
      reasons.set(p.curve, p.statusReason);
  const left = fitted.filter((c) => reasons.has(c.name));
  if (left.length === 0) return undefined;
  const said = left.map((c) => `${c.name}: ${reasons.get(c.name)}`).join('; ');
  if (left.length === fitted.length)
    return {
      all: `the ${left.length > 1 ? `${left.length} runs the law was fitted on all` : 'run the law was fitted on'} left it (${said}), so it predicts no schedule, as the lens predicts nothing for ${left.length > 1 ? 'them' : 'it'}.`,
    };
  const own = reference && reasons.get(reference.name);
  return own
    ? {
        logged: `${reference.name}'s schedule is that of a run that left its law (${own}), so the law predicts nothing for it, as the lens predicts nothing for the run. Choose another shape.`,
      }
    : undefined;
}

/** The model-size law's fitted sizes, ascending, and whether it predicts others (FitResult settings). */
function fittedSizes(fitted: CurveReport<Series>[], fit: FitResult): WhatIfDefaults['sizes'] {
  const sizes = [...new Set(fitted.flatMap((c) => c.modelSize ?? []))].sort((a, b) => a - b);
  return { fitted: sizes, extrapolates: fit.settings.sizesExtrapolate === true };
}

/** The fitted run logged longest: its schedule is the file's own, which a 'logged' what-if continues. */
export function referenceCurve<S extends Series>(analysis: Analysis<S>, fit: FitResult): CurveReport<S> | undefined {
  let best: CurveReport<S> | undefined;
  for (const c of analysis.curves) {
    const n = c.schedule?.steps.length ?? 0;
    if (!fit.fittedOn.includes(c.name) || n === 0) continue;
    if (!best || c.schedule!.steps[n - 1] > best.schedule!.steps[best.schedule!.steps.length - 1]) best = c;
  }
  return best;
}

// ---- downstream sweeps -----------------------------------------------------------------------------------------
