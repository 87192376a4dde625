// The charts of sweeps: downstream BLEU and CE against D_p per group (laws, the break, the baseline), a power law as
// the loss against its x column per run, and (N, D) sweeps as loss against compute per model size with the
// compute-optimal frontier.
import { breakPoint } from '../analysis/breaks';
import { hasValue } from '../analysis/trust';
import type { Analysis, FitResult } from '../analysis/types';
import { bleuLaw } from '../laws/bleu';
import { computeOptimal } from '../laws/chinchilla';
import { powerLaw, powerPoints } from '../laws/powerLaw';
import { maxOf, minOf } from '../util/arrays';
import { formatCompact, formatFlop, formatQuantity } from '../util/format';
import { estimateText } from '../analysis/describe';
import {
  band,
  columnName,
  LAW_GRID,
  law,
  logGrid,
  observed,
  targetMarker,
  targetSeries,
  type Parts,
  type ValuedPrediction,
} from './seriesParts';
import type { ChartMarker, ChartPanelSpec, ChartSeries } from './types';

export function downstreamSeries(analysis: Analysis): Parts {
  const series: ChartSeries[] = [];
  const markers: ChartMarker[] = [];
  for (const c of analysis.curves)
    singleXSeries(analysis, c, c.metric === 'ce' ? 'secondary' : 'main', series, markers);
  // The column as the file names it, and what it counts: an axis without a unit leaves "8B" of what to guess.
  const dp = `${columnName(analysis, 'pretrainData') ?? 'D_p'} (pretraining tokens)`;
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

/**
 * The power law L(x) = E + A*x^(-alpha) (law 'power'): the loss against the column the law was fitted over (the
 * step of a loss curve, tokens, FLOP), one curve per run, drawn as a downstream group's law is: the law to its
 * targets, its band and the target markers. The axes name the fit's own columns, so it is never read as compute.
 */
export function powerSeries(analysis: Analysis): Parts {
  const series: ChartSeries[] = [];
  const markers: ChartMarker[] = [];
  for (const reported of analysis.curves) {
    // A run of several is named by its run alone (`small`, not `small: loss vs step`): the title says what is
    // plotted against what, as a loss curve's chart names its runs.
    const c = { ...reported, name: reported.group ?? reported.name };
    // Each target is labelled with its value, as a loss curve's is.
    for (const p of singleXSeries(analysis, c, 'main', series, markers))
      markers.push(targetMarker('main', c.name, c.name, p));
  }
  const fit = analysis.fits.find((f) => f.law === 'power');
  const x = String(fit?.settings.x ?? analysis.curves[0]?.xName ?? 'x');
  const y = String(fit?.settings.y ?? columnName(analysis, 'loss') ?? 'loss');
  const panels: ChartPanelSpec[] = [
    { id: 'main', title: `${y} vs ${x} (power law)`, xLabel: x, yLabel: y, logX: true, logY: true },
  ];
  return { panels, series, markers };
}

/**
 * One curve of a single-x law (BLEU, CE, power): its points, the law up to its last valued point or furthest target,
 * the band, the targets, and a BLEU law's break and a group's not-pretrained baseline. Returns the targets drawn.
 */
function singleXSeries(
  analysis: Analysis,
  c: Analysis['curves'][number],
  panel: ChartSeries['panel'],
  series: ChartSeries[],
  markers: ChartMarker[],
): ValuedPrediction[] {
  const group = c.group ?? c.name;
  const fit = analysis.fits.find((f) => f.law === c.law && f.group === c.group);
  // Only predictions with a number are drawn: past a break or from an unsupported fit there is no line, band or marker.
  const targets = analysis.predictions.filter((p) => p.group === c.group && p.metric === c.metric).filter(hasValue);
  const supported = !fit?.unsupported;
  const breakX = c.metric === 'bleu' ? breakPoint(analysis, c) : undefined;
  series.push({ ...observed(c, panel), breakX });
  if (breakX !== undefined)
    markers.push({
      panel,
      kind: 'break',
      x: breakX,
      group,
      label: `${group}: law breaks at ${formatQuantity('D_p', breakX)}`,
    });
  const xMax = Math.max(maxOf(c.points.x), maxOf(targets.map((t) => t.x)));
  if (fit) {
    const grid = logGrid(minOf(c.points.x), lawEnd(c, targets), LAW_GRID);
    series.push(law(c, panel, grid, evaluateLaw(fit, grid)));
  }
  if (supported) {
    const { runLow, runHigh } = c.points;
    if (runLow && runHigh) {
      const ends = targets.map((t) => ({ x: t.x, lo: t.runLow ?? NaN, hi: t.runHigh ?? NaN }));
      pushBand(series, c, panel, c.points.x, [runLow, runHigh], ends, 'run-band');
    }
    const ends = targets.map((t) => ({ x: t.x, lo: t.low, hi: t.high }));
    // Along one run's steps the band is where its next logged point falls (FitResult.nextPointBand), and says so.
    const what = fit?.nextPointBand ? "next logged point's 95 % band" : undefined;
    pushBand(series, c, panel, c.points.x, [c.points.low, c.points.high], ends, 'band', what);
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
  return targets;
}

/** A curve's band over its points and on to its targets' (`ends`), in x order; none where it has no finite end. */
function pushBand(
  series: ChartSeries[],
  c: Analysis['curves'][number],
  panel: ChartSeries['panel'],
  x: readonly number[],
  [low, high]: [readonly number[], readonly number[]],
  ends: { x: number; lo: number; hi: number }[],
  kind: 'band' | 'run-band',
  what?: string,
): void {
  const rows = [...x.map((v, i) => ({ x: v, lo: low[i], hi: high[i] })), ...ends]
    .filter((r) => Number.isFinite(r.lo))
    .sort((a, b) => a.x - b.x);
  if (!rows.length) return;
  const column = (key: 'x' | 'lo' | 'hi') => rows.map((r) => r[key]);
  series.push(band(c, panel, column('x'), column('lo'), column('hi'), kind, what));
}

/** Where a law's line ends: its last point with a law value (none past a break) or its furthest drawn target. */
function lawEnd(c: Analysis['curves'][number], targets: { x: number }[]): number {
  const valued = c.points.x.filter((_, i) => Number.isFinite(c.points.predicted[i]));
  return Math.max(maxOf(valued), maxOf(targets.map((t) => t.x)));
}

/** A fitted single-x law evaluated in the user's units (the FitResult's raw params). */
export function evaluateLaw(fit: FitResult, x: number[]): number[] {
  const out = new Float64Array(x.length);
  const p = fit.params;
  if (fit.law === 'bleu')
    bleuLaw.predict(Float64Array.of(p.lnA, p.alpha, p.beta), { u: Float64Array.from(x, Math.log) }, out);
  else powerLaw.predict(Float64Array.of(p.E, p.A, p.alpha), powerPoints(x, 1), out);
  return Array.from(out);
}

// ---- (N, D) sweeps ---------------------------------------------------------------------------------------------

export function computeSeries(analysis: Analysis): Parts {
  const series: ChartSeries[] = [];
  const markers: ChartMarker[] = [];
  // A fit the data do not support draws no law, frontier or band: only the observed points (its findings say why).
  const found = analysis.fits.find((f) => f.law === 'chinchilla');
  const fit = found?.unsupported ? undefined : found;
  const unsupported = found?.unsupported !== undefined;
  const budgets = analysis.predictions.filter((p) => p.xName === 'C').filter(hasValue);
  const fitted = analysis.curves.filter((c) => !c.excludedBy);
  const allX = [...fitted.flatMap((c) => c.points.x), ...budgets.map((p) => p.x)].filter((v) => v > 0);
  const [cMin, cMax] = [minOf(allX), maxOf(allX)];
  for (const c of analysis.curves) {
    series.push(observed(c, 'main'));
    if (c.excludedBy || unsupported) continue;
    const line = c.lawLine;
    if (!line) {
      if (c.points.predicted.length) series.push(law(c, 'main', c.points.x, c.points.predicted));
      continue;
    }
    // Each size's law along compute at its N, with a new run's band and, inside it, the law's: the bands at the
    // runs' own points lie off the line in a bin of many sizes, so they are drawn along it (CurveReport.lawLine).
    series.push(law(c, 'main', line.x, line.value));
    const drawn = (lo: readonly number[]) => lo.some(Number.isFinite);
    if (line.runLow && line.runHigh && drawn(line.runLow))
      series.push(band(c, 'main', line.x, line.runLow, line.runHigh, 'run-band'));
    if (drawn(line.low)) series.push(band(c, 'main', line.x, line.low, line.high, 'band'));
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
      label: `C = ${formatFlop(p.x)}: L* = ${estimateText(p, false)}${p.extra ? `, N* = ${formatCompact(p.extra.N)}, D* = ${formatCompact(p.extra.D)}` : ''}`,
    });
  const panels: ChartPanelSpec[] = [
    {
      id: 'main',
      title: 'Loss vs compute',
      xLabel: 'compute C (FLOP)',
      yLabel: columnName(analysis, 'loss') ?? 'loss',
      logX: true,
      logY: true,
    },
  ];
  return { panels, series, markers };
}

// ---- shared pieces ---------------------------------------------------------------------------------------------
