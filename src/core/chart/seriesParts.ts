// The pieces every chart series is built from: a kind's panels, series and markers (Parts), and the observed points,
// law lines, bands and target markers of one curve, shared by the loss, downstream and compute charts.
import { estimateText, predictionAt } from '../analysis/describe';
import type { Analysis, CurveReport, PredictedValue, PredictionBase, Series } from '../analysis/types';
import type { ChartMarker, ChartPanelSpec, ChartSeries, LawChoiceText, WhatIfDefaults } from './types';

/** A prediction with a number: the only kind a chart draws (a withheld one has none to draw). */
export type ValuedPrediction = PredictionBase & PredictedValue;

/** Points on a law's dense grid: smooth on screen, cheap to send. */
export const LAW_GRID = 160;

export { logGrid } from '../util/arrays';

export interface Parts {
  panels: ChartPanelSpec[];
  /** At full resolution, in the analysis's own arrays (ChartSeries). */
  series: ChartSeries<Series>[];
  markers: ChartMarker[];
  whatIf?: WhatIfDefaults;
  legendByGroup?: boolean;
  lawChoice?: LawChoiceText;
}

export function observed<S extends Series>(c: CurveReport<S>, panel: ChartSeries['panel']): ChartSeries<S> {
  const held = c.role === 'heldout' ? ' (held out)' : '';
  return {
    id: `obs:${c.name}`,
    label: `${c.name}${held}`,
    kind: 'observed',
    panel,
    group: c.group ?? c.name,
    role: c.excludedBy ? 'excluded' : c.role,
    x: c.points.x,
    y: c.points.observed,
    predicted: c.points.predicted.length ? c.points.predicted : undefined,
    lines: c.points.lines,
    total: c.points.x.length,
  };
}

export function law<S extends Series>(c: CurveReport<Series>, panel: ChartSeries['panel'], x: S, y: S): ChartSeries<S> {
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

/** A curve's band: the law's (`band`), or a sweep law's new-run band (`run-band`). */
export function band<S extends Series>(
  c: CurveReport<Series>,
  panel: ChartSeries['panel'],
  x: S,
  low: S,
  high: S,
  kind: 'band' | 'run-band' = 'band',
  what = kind === 'band' ? '95 % band' : "new run's 95 % band",
): ChartSeries<S> {
  return {
    id: `${kind}:${c.name}`,
    label: `${c.name} · ${what}`,
    kind,
    panel,
    group: c.group ?? c.name,
    role: c.role,
    x,
    y: low,
    y2: high,
    total: x.length,
  };
}

export function targetSeries(
  c: CurveReport,
  panel: ChartSeries['panel'],
  group: string,
  targets: ValuedPrediction[],
): ChartSeries {
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

/**
 * A target's labelled marker: who is predicted (a curve or run) and the value with its band, written at the target
 * (`cosine: L(40k) = 2.48 [2.47, 2.49]`), so the chart reads without its tooltips. A sweep law's new-run band is drawn
 * around its band, not written: with it the labels ran past the canvas edge and were cut.
 */
export function targetMarker(
  panel: ChartSeries['panel'],
  who: string,
  group: string,
  p: ValuedPrediction,
): ChartMarker {
  return {
    panel,
    kind: 'target',
    x: p.x,
    y: p.value,
    group,
    label: `${who}: ${predictionAt(p)} = ${estimateText(p, false)}`,
  };
}

export function columnName(analysis: Analysis<Series>, role: string): string | undefined {
  return analysis.files[0]?.columns.find((c) => c.role === role)?.name;
}

/** Linear interpolation in log(x) through ascending anchors, held flat outside them. */
export function interpolateLog(xs: number[], ys: number[], x: number): number {
  if (x <= xs[0] || xs.length === 1) return ys[0];
  for (let k = 1; k < xs.length; k++) {
    if (x <= xs[k]) {
      const t = (Math.log(x) - Math.log(xs[k - 1])) / (Math.log(xs[k]) - Math.log(xs[k - 1]));
      return ys[k - 1] + t * (ys[k] - ys[k - 1]);
    }
  }
  return ys[ys.length - 1];
}
