// From one Analysis to the chart's series, in two stages: buildChart computes every series at full resolution once
// per analysis (laws on dense grids, extrapolations, bands, breaks, baselines), and sampleChart cuts that to an x
// window and at most a few thousand points per series (LTTB) for each draw or zoom. The raw rows stay in the model.
import { isLossLaw } from '../analysis/lossLaw';
import { breakPoint } from '../analysis/breaks';
import { maxOf, minOf } from '../util/arrays';
import type { Analysis, CurveReport, FitResult, Prediction } from '../analysis/types';
import { bleuLaw } from '../laws/bleu';
import { chinchillaLaw, chinchillaPoints, computeOptimal } from '../laws/chinchilla';
import { powerLaw } from '../laws/powerLaw';
import { formatCompact, formatNumber } from '../util/format';
import { axisValues, lttbIndices, pointBudget, windowRange } from './lttb';
import type { ChartData, ChartFit, ChartMarker, ChartPanelSpec, ChartSeries, WhatIfDefaults, XWindow } from './types';
import { lawSettings, predictLoss } from './whatIf';

/** Points on a law's dense grid: smooth on screen, cheap to send. */
const LAW_GRID = 160;

export interface ChartModel {
  data: ChartData;
  /** log of each series' x, computed on the first log-axis sample and kept (the law and its band share one x). */
  logAxes: WeakMap<number[], ArrayLike<number>>;
}

export interface SampleOptions {
  /** Plot width in CSS pixels: about two points per pixel are kept. */
  width: number;
  logX: boolean;
  window?: XWindow;
  /** Export: every row, no downsampling. */
  full?: boolean;
}

export function buildChart(analysis: Analysis): ChartModel {
  const parts =
    analysis.kind === 'downstream'
      ? downstreamSeries(analysis)
      : analysis.kind === 'compute'
        ? computeSeries(analysis)
        : lossSeries(analysis);
  const fits: ChartFit[] = analysis.fits.map((f) => ({
    law: f.law,
    group: f.group,
    formula: f.formula,
    params: f.params,
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
      notes: [],
      whatIf: parts.whatIf,
      logX: true,
    },
    logAxes: new WeakMap(),
  };
}

interface Parts {
  panels: ChartPanelSpec[];
  series: ChartSeries[];
  markers: ChartMarker[];
  whatIf?: WhatIfDefaults;
}

/** The window and point budget applied to every series; bands and laws keep their own grids inside the window. */
export function sampleChart(model: ChartModel, options: SampleOptions): ChartData {
  const budget = options.full ? Infinity : pointBudget(options.width);
  let hidden = 0;
  const series = model.data.series.map((s) => {
    if (options.logX && s.kind === 'observed') hidden += countNonPositive(s.x);
    return sampleSeries(s, options, budget, options.logX ? logAxisOf(model, s.x) : s.x);
  });
  const notes = hidden
    ? [`${hidden} observed row(s) with x ≤ 0 are not drawn on the log x-axis; switch x to linear to see them.`]
    : [];
  return { ...model.data, series, notes, window: options.window, logX: options.logX };
}

/** Rows a log x-axis cannot show. A counting loop: a filter would copy a million-row column on every request. */
function countNonPositive(x: number[]): number {
  let count = 0;
  for (let i = 0; i < x.length; i++) if (!(x[i] > 0)) count++;
  return count;
}

function logAxisOf(model: ChartModel, x: number[]): ArrayLike<number> {
  let t = model.logAxes.get(x);
  if (!t) model.logAxes.set(x, (t = axisValues(x, true)));
  return t;
}

function sampleSeries(s: ChartSeries, options: SampleOptions, budget: number, axis: ArrayLike<number>): ChartSeries {
  const [from, to] = options.window ? windowRange(s.x, options.window.xMin, options.window.xMax) : [0, s.x.length];
  // Indices into the full arrays: no slice of the window is copied first.
  const keep = lttbIndices(s.x, s.y, budget, options.logX, from, to, axis);
  const pick = (a: number[]) => keep.map((i) => a[i]);
  const pickOptional = (a: number[] | undefined) => (a ? pick(a) : undefined);
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

function lossSeries(analysis: Analysis): Parts {
  const fit = analysis.fits.find((f) => isLossLaw(f.law));
  const lossColumn = columnName(analysis, 'loss') ?? 'loss';
  const series: ChartSeries[] = [];
  const markers: ChartMarker[] = [];
  for (const c of analysis.curves) {
    const targets = analysis.predictions.filter((p) => p.curve === c.name && p.xName === 'step');
    series.push(observed(c, 'main'));
    if (c.points.predicted.length) {
      const extra = fit ? lossExtrapolation(c, fit, targets) : { x: [], y: [], low: [], high: [] };
      // concat, not spread (a million rows), and one x shared by the law and its band.
      const x = c.points.x.concat(extra.x);
      series.push(law(c, 'main', x, c.points.predicted.concat(extra.y)));
      if (c.points.low.some(Number.isFinite))
        series.push(band(c, 'main', x, c.points.low.concat(extra.low), c.points.high.concat(extra.high)));
    }
    if (c.schedule)
      series.push({
        id: `lr:${c.name}`,
        label: `${c.name} · LR`,
        kind: 'schedule',
        panel: 'secondary',
        group: c.name,
        x: c.schedule.steps,
        y: c.schedule.lr,
        total: c.schedule.steps.length,
      });
    for (const p of targets)
      markers.push({
        panel: 'main',
        kind: 'target',
        x: p.x,
        group: c.name,
        label: `${c.name}: L(${formatCompact(p.x)}) = ${formatNumber(p.value, 4)}${band95(p)}`,
      });
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
  return { panels, series, markers, whatIf: fit ? whatIfDefaults(analysis, fit) : undefined };
}

/**
 * The law from the last logged step to the furthest target, on a log grid, with the LR held at its last value (as
 * the analysis predicts targets). The band is interpolated in log(step) between its relative width at the last point
 * and at each target's prediction: the bootstrap sets behind it are not in the Analysis.
 */
function lossExtrapolation(
  c: CurveReport,
  fit: FitResult,
  targets: Prediction[],
): { x: number[]; y: number[]; low: number[]; high: number[] } {
  const empty = { x: [], y: [], low: [], high: [] };
  const last = c.points.x[c.points.x.length - 1];
  const end = Math.max(...targets.map((t) => t.x));
  const settings = lawSettings(fit);
  if (!settings.ok || !c.schedule || !(end > last)) return empty;
  const grid = logGrid(last, end, 60)
    .map(Math.round)
    .filter((s, i, a) => s > last && s !== a[i - 1]);
  const schedule = { steps: Float64Array.from(c.schedule.steps), lr: Float64Array.from(c.schedule.lr) };
  const y = predictLoss(settings.value, schedule, grid);
  const n = c.points.x.length - 1;
  const edge = (v: number, pred: number) => Math.log(v / pred);
  const anchors = [
    { x: last, lo: edge(c.points.low[n], c.points.predicted[n]), hi: edge(c.points.high[n], c.points.predicted[n]) },
    ...targets
      .filter((t) => t.x > last)
      .sort((a, b) => a.x - b.x)
      .map((t) => ({ x: t.x, lo: edge(t.low, t.value), hi: edge(t.high, t.value) })),
  ];
  const rel = (s: number, key: 'lo' | 'hi') =>
    interpolateLog(
      anchors.map((a) => a.x),
      anchors.map((a) => a[key]),
      s,
    );
  return {
    x: grid,
    y,
    low: grid.map((s, i) => y[i] * Math.exp(rel(s, 'lo'))),
    high: grid.map((s, i) => y[i] * Math.exp(rel(s, 'hi'))),
  };
}

export function whatIfDefaults(analysis: Analysis, fit: FitResult): WhatIfDefaults {
  const fitted = analysis.curves.filter((c) => fit.fittedOn.includes(c.name));
  const totalSteps = Math.max(...fitted.map((c) => c.points.x[c.points.x.length - 1]).filter(Number.isFinite), 2);
  const warmupSteps = Number(String(fit.settings.warmupEndSteps ?? '0').split(',')[0]) || 0;
  const fromStep = Math.min(...fitted.map((c) => c.points.x[0]).filter((x) => x > 0), totalSteps);
  return { peakLr: Number(fit.settings.etaMax ?? fit.settings.etaRef), warmupSteps, totalSteps, fromStep };
}

// ---- downstream sweeps -----------------------------------------------------------------------------------------

function downstreamSeries(analysis: Analysis): Parts {
  const series: ChartSeries[] = [];
  const markers: ChartMarker[] = [];
  for (const c of analysis.curves) {
    const panel = c.metric === 'ce' ? 'secondary' : 'main';
    const group = c.group ?? c.name;
    const fit = analysis.fits.find((f) => f.law === c.law && f.group === c.group);
    const targets = analysis.predictions.filter((p) => p.group === c.group && p.metric === c.metric);
    const breakX = c.metric === 'bleu' ? breakPoint(analysis, c) : undefined;
    series.push({ ...observed(c, panel), breakX });
    if (breakX !== undefined)
      markers.push({
        panel,
        kind: 'break',
        x: breakX,
        group,
        label: `${group}: law breaks at D_p = ${formatCompact(breakX)}`,
      });
    const xMax = Math.max(maxOf(c.points.x), maxOf(targets.map((t) => t.x)));
    if (fit) {
      const grid = logGrid(minOf(c.points.x), xMax, LAW_GRID);
      series.push(law(c, panel, grid, evaluateLaw(fit, grid)));
    }
    if (c.points.low.some(Number.isFinite)) {
      const rows = [
        ...c.points.x.map((x, i) => ({ x, lo: c.points.low[i], hi: c.points.high[i] })),
        ...targets.map((t) => ({ x: t.x, lo: t.low, hi: t.high })),
      ].sort((a, b) => a.x - b.x);
      series.push(
        band(
          c,
          panel,
          rows.map((r) => r.x),
          rows.map((r) => r.lo),
          rows.map((r) => r.hi),
        ),
      );
    }
    if (targets.length) series.push(targetSeries(c, panel, group, targets));
    if (c.baseline) {
      const xMin = minOf(c.points.x);
      series.push({
        id: `baseline:${c.name}`,
        label: `${c.name} · not pretrained`,
        kind: 'baseline',
        panel,
        group,
        x: [xMin, xMax],
        y: [c.baseline.value, c.baseline.value],
        lines: [c.baseline.line, c.baseline.line],
        total: 1,
      });
    }
  }
  const dp = columnName(analysis, 'pretrainData') ?? 'D_p';
  const panels: ChartPanelSpec[] = [
    {
      id: 'main',
      title: 'BLEU vs pretraining data',
      xLabel: dp,
      yLabel: columnName(analysis, 'bleu') ?? 'BLEU',
      logX: true,
      logY: false,
    },
    {
      id: 'secondary',
      title: 'Cross-entropy vs pretraining data',
      xLabel: dp,
      yLabel: columnName(analysis, 'ce') ?? 'CE',
      logX: true,
      logY: true,
    },
  ];
  return { panels, series, markers };
}

/** A fitted single-x law evaluated in the user's units (the FitResult's raw params). */
export function evaluateLaw(fit: FitResult, x: number[]): number[] {
  const out = new Float64Array(x.length);
  const p = fit.params;
  if (fit.law === 'bleu')
    bleuLaw.predict(Float64Array.of(p.lnA, p.alpha, p.beta), { u: Float64Array.from(x, Math.log) }, out);
  else powerLaw.predict(Float64Array.of(p.E, p.A, p.alpha), { x: Float64Array.from(x) }, out);
  return Array.from(out);
}

// ---- (N, D) sweeps ---------------------------------------------------------------------------------------------

function computeSeries(analysis: Analysis): Parts {
  const series: ChartSeries[] = [];
  const markers: ChartMarker[] = [];
  const fit = analysis.fits.find((f) => f.law === 'chinchilla');
  const budgets = analysis.predictions.filter((p) => p.xName === 'C');
  const allX = [...analysis.curves.flatMap((c) => c.points.x), ...budgets.map((p) => p.x)].filter((v) => v > 0);
  const [cMin, cMax] = [minOf(allX), maxOf(allX)];
  for (const c of analysis.curves) {
    series.push(observed(c, 'main'));
    const n = c.groupFields?.N;
    if (fit?.normalized && typeof n === 'number') {
      const grid = logGrid(minOf(c.points.x), maxOf(c.points.x) * 4, LAW_GRID);
      series.push(law(c, 'main', grid, chinchillaAt(fit, n, grid)));
    } else if (c.points.predicted.length) series.push(law(c, 'main', c.points.x, c.points.predicted));
    if (fit?.law !== 'chinchilla' && c.points.low.some(Number.isFinite))
      series.push(band(c, 'main', c.points.x, c.points.low, c.points.high));
  }
  if (fit && fit.law === 'chinchilla' && allX.length) {
    const k = { A: fit.params.A, B: fit.params.B, E: fit.params.E, alpha: fit.params.alpha, beta: fit.params.beta };
    const grid = logGrid(cMin, cMax, LAW_GRID);
    series.push({
      id: 'frontier',
      label: 'compute-optimal frontier L*(C)',
      kind: 'frontier',
      panel: 'main',
      group: '',
      x: grid,
      y: grid.map((C) => computeOptimal(k, C).loss),
      total: grid.length,
    });
  }
  for (const p of budgets)
    markers.push({
      panel: 'main',
      kind: 'target',
      x: p.x,
      group: '',
      label: `C = ${formatNumber(p.x, 3)}: L* = ${formatNumber(p.value, 4)}${p.extra ? `, N* = ${formatCompact(p.extra.N)}, D* = ${formatCompact(p.extra.D)}` : ''}`,
    });
  const power = analysis.fits.find((f) => f.law === 'power');
  const xLabel = power ? String(power.settings.x ?? 'x') : 'compute C (FLOP)';
  const panels: ChartPanelSpec[] = [
    {
      id: 'main',
      title: power ? 'Loss (power law)' : 'Loss vs compute',
      xLabel,
      yLabel: columnName(analysis, 'loss') ?? 'loss',
      logX: true,
      logY: true,
    },
  ];
  return { panels, series, markers };
}

/** L(N, C/(6N)) along a compute grid for one model size, from the solver parameters of the fit. */
function chinchillaAt(fit: FitResult, n: number, grid: number[]): number[] {
  const p = fit.normalized!.params;
  const out = new Float64Array(grid.length);
  chinchillaLaw.predict(
    Float64Array.of(p.a, p.b, p.e, p.alpha, p.beta),
    chinchillaPoints(
      grid.map(() => n),
      grid.map((C) => C / (6 * n)),
    ),
    out,
  );
  return Array.from(out);
}

// ---- shared pieces ---------------------------------------------------------------------------------------------

function observed(c: CurveReport, panel: ChartSeries['panel']): ChartSeries {
  const held = c.role === 'heldout' ? ' (held out)' : '';
  return {
    id: `obs:${c.name}`,
    label: `${c.name}${held}`,
    kind: 'observed',
    panel,
    group: c.group ?? c.name,
    role: c.role,
    x: c.points.x,
    y: c.points.observed,
    predicted: c.points.predicted.length ? c.points.predicted : undefined,
    lines: c.points.lines,
    total: c.points.x.length,
  };
}

function law(c: CurveReport, panel: ChartSeries['panel'], x: number[], y: number[]): ChartSeries {
  const what = c.role === 'heldout' ? 'predicted' : 'law';
  return {
    id: `law:${c.name}`,
    label: `${c.name} · ${what}`,
    kind: 'law',
    panel,
    group: c.group ?? c.name,
    role: c.role,
    x,
    y,
    total: x.length,
  };
}

function band(c: CurveReport, panel: ChartSeries['panel'], x: number[], low: number[], high: number[]): ChartSeries {
  return {
    id: `band:${c.name}`,
    label: `${c.name} · 95 % band`,
    kind: 'band',
    panel,
    group: c.group ?? c.name,
    role: c.role,
    x,
    y: low,
    y2: high,
    total: x.length,
  };
}

function targetSeries(c: CurveReport, panel: ChartSeries['panel'], group: string, targets: Prediction[]): ChartSeries {
  const sorted = [...targets].sort((a, b) => a.x - b.x);
  return {
    id: `target:${c.name}`,
    label: `${c.name} · prediction`,
    kind: 'target',
    panel,
    group,
    x: sorted.map((t) => t.x),
    y: sorted.map((t) => t.value),
    y2: sorted.map((t) => t.high),
    predicted: sorted.map((t) => t.low),
    total: sorted.length,
  };
}

function band95(p: Prediction): string {
  return Number.isFinite(p.low) ? ` [${formatNumber(p.low, 4)}–${formatNumber(p.high, 4)}]` : '';
}

function columnName(analysis: Analysis, role: string): string | undefined {
  return analysis.files[0]?.columns.find((c) => c.role === role)?.name;
}

/** `n` points from a to b, evenly spaced in log (a, b > 0). */
export function logGrid(a: number, b: number, n: number): number[] {
  if (!(a > 0) || !(b > a)) return a > 0 ? [a] : [];
  const [la, lb] = [Math.log(a), Math.log(b)];
  return Array.from({ length: n }, (_, k) => Math.exp(la + ((lb - la) * k) / (n - 1)));
}

/** Linear interpolation in log(x) through ascending anchors, held flat outside them. */
function interpolateLog(xs: number[], ys: number[], x: number): number {
  if (x <= xs[0] || xs.length === 1) return ys[0];
  for (let k = 1; k < xs.length; k++) {
    if (x <= xs[k]) {
      const t = (Math.log(x) - Math.log(xs[k - 1])) / (Math.log(xs[k]) - Math.log(xs[k - 1]));
      return ys[k - 1] + t * (ys[k] - ys[k - 1]);
    }
  }
  return ys[ys.length - 1];
}
