// Series from the server -> chart.js datasets, styled from the theme. Colour follows the group; point style and dash
// follow it too, so series stay apart in high contrast and for readers who do not see the colours.
import type { ChartDataset } from 'chart.js';
import type { ChartSeries, DatasetKind, PanelId, WhatIfCurve } from '../shared/chart';
import { bandAlpha, withAlpha, type Theme } from './theme';
import { shownOnOneLine } from '../core/util/controls';

export interface LensPoint {
  x: number;
  y: number;
  /** Source line in the run file. */
  line?: number;
  /** The law's prediction at this point. */
  pred?: number;
  /** Residual view: the observed value behind y. */
  obs?: number;
}

export interface LensMeta {
  id: string;
  group: string;
  kind: DatasetKind;
  /** Rows behind the series before downsampling. */
  total: number;
  /** Where the legend lists it, when not where it is drawn (chart.js lists by `order`, the drawing order). */
  legendOrder?: number;
}

export type LensDataset = ChartDataset<'line', LensPoint[]> & { lens: LensMeta };

const POINT_STYLES = ['circle', 'rect', 'triangle', 'rectRot', 'star', 'crossRot'] as const;
const DASHES: number[][] = [[], [8, 4], [2, 3], [12, 3, 2, 3], [4, 4], [16, 4]];

export interface StyleContext {
  theme: Theme;
  /** Index of each group in the filter, so a group keeps its colour when others are hidden. */
  groupIndex: Map<string, number>;
  /** Main panel in residual view: observed as (observed / law - 1) in %. */
  residuals: boolean;
}

export function toPoints(s: ChartSeries, residuals: boolean): LensPoint[] {
  const out: LensPoint[] = [];
  for (let i = 0; i < s.x.length; i++) {
    const pred = s.predicted?.[i];
    if (residuals) {
      if (pred === undefined || !(pred > 0)) continue;
      out.push({ x: s.x[i], y: 100 * (s.y[i] / pred - 1), line: s.lines?.[i], pred, obs: s.y[i] });
    } else out.push({ x: s.x[i], y: s.y[i], line: s.lines?.[i], pred });
  }
  return out;
}

/** One or two datasets per series (a band is a lower edge plus an upper edge filled down to it). */
/** A group's colour: the theme's palette by the group's place in the filter; '' (whole-chart series) in the text colour. */
export function groupColor(group: string, ctx: Pick<StyleContext, 'theme' | 'groupIndex'>): string {
  const gi = ctx.groupIndex.get(group) ?? 0;
  return group === '' ? ctx.theme.foreground : ctx.theme.palette[gi % ctx.theme.palette.length];
}

export function datasetsFor(s: ChartSeries, ctx: StyleContext): LensDataset[] {
  const gi = ctx.groupIndex.get(s.group) ?? 0;
  // Rows the file flags to leave out of the fit are drawn greyed: there, not fitted.
  const color = s.role === 'excluded' ? withAlpha(ctx.theme.foreground, 0.45) : groupColor(s.group, ctx);
  const meta = (kind: LensMeta['kind'] = s.kind): LensMeta => ({ id: s.id, group: s.group, kind, total: s.total });
  // A label is file text drawn on the canvas (legend, tooltip): one line, its controls and bidirectional formatting
  // characters shown escaped, or a run name's right-to-left override would draw the legend entry backwards.
  const base = { parsing: false as const, normalized: true, spanGaps: true, label: shownOnOneLine(s.label) };
  if (ctx.residuals && s.kind !== 'observed') return [];
  switch (s.kind) {
    case 'observed': {
      const dense = s.x.length > 300;
      const plain = {
        borderColor: color,
        backgroundColor: s.role === 'heldout' ? 'transparent' : s.role === 'excluded' ? color : withAlpha(color, 0.8),
        pointStyle: s.role === 'excluded' ? 'crossRot' : POINT_STYLES[gi % POINT_STYLES.length],
        pointRadius: dense ? 1.5 : 3.5,
        pointBorderWidth: 1,
      };
      const breakX = s.breakX;
      // Per-point (scriptable) options only where a break highlights some points: chart.js resolves scriptable
      // options point by point on every draw, constant ones once per dataset (thousands of points on a long log).
      const style =
        breakX === undefined
          ? plain
          : {
              borderColor: (c: PointContext) => (pointX(c) >= breakX ? ctx.theme.alert : plain.borderColor),
              backgroundColor: (c: PointContext) =>
                pointX(c) >= breakX && s.role !== 'heldout' ? ctx.theme.alert : plain.backgroundColor,
              pointStyle: (c: PointContext) => (pointX(c) >= breakX ? 'triangle' : plain.pointStyle),
              // A long log's departed tail (hundreds of points) stays readable with smaller triangles.
              pointRadius: (c: PointContext) => (pointX(c) >= breakX ? (dense ? 3 : 6) : plain.pointRadius),
              pointBorderWidth: (c: PointContext) => (pointX(c) >= breakX ? 2 : 1),
            };
      return [{ ...base, lens: meta(), data: toPoints(s, ctx.residuals), showLine: false, ...style, order: 1 }];
    }
    case 'law':
      return [
        {
          ...base,
          lens: meta(),
          data: toPoints(s, false),
          borderColor: color,
          borderWidth: 2,
          borderDash: s.role === 'heldout' ? [6, 3] : DASHES[gi % DASHES.length],
          pointRadius: 0,
          order: 2,
        },
      ];
    case 'band':
    case 'run-band': {
      // A new run's band is lighter and behind the law's: the law's band lies inside it.
      const run = s.kind === 'run-band';
      const low: LensDataset = {
        ...base,
        label: `${base.label} (low)`,
        lens: meta(run ? 'run-band-low' : 'band-low'),
        data: toPoints(s, false),
        borderWidth: 0,
        pointRadius: 0,
        fill: false,
        order: run ? 4 : 3,
      };
      const alpha = bandAlpha(ctx.theme, run);
      const high: LensDataset = {
        ...base,
        lens: meta(),
        data: s.x.map((x, i) => ({ x, y: s.y2?.[i] ?? NaN })),
        borderWidth: 0,
        pointRadius: 0,
        backgroundColor: withAlpha(color, alpha),
        fill: '-1',
        order: run ? 4 : 3,
      };
      return [low, high];
    }
    case 'schedule':
      return [
        {
          ...base,
          lens: meta(),
          data: toPoints(s, false),
          borderColor: color,
          borderWidth: 1.5,
          borderDash: DASHES[gi % DASHES.length],
          pointRadius: 0,
          order: 2,
        },
      ];
    case 'schedule-assumed':
      return [
        {
          ...base,
          lens: meta(),
          data: toPoints(s, false),
          borderColor: withAlpha(color, 0.9),
          borderWidth: 1.5,
          borderDash: [6, 4],
          pointRadius: 0,
          order: 2,
        },
      ];
    case 'target':
      return [
        {
          ...base,
          lens: meta(),
          data: toPoints(s, false),
          showLine: false,
          borderColor: color,
          backgroundColor: color,
          pointStyle: 'rectRot',
          pointRadius: 6,
          order: 0,
        },
      ];
    case 'baseline':
      return [
        {
          ...base,
          lens: meta(),
          data: toPoints(s, false),
          borderColor: color,
          borderWidth: 1.5,
          borderDash: [3, 4],
          pointRadius: 0,
          order: 2,
        },
      ];
    case 'runner-up':
    case 'runner-up-band':
      return runnerUpDatasets(s, color, ctx.theme.background, meta);
    case 'frontier':
      return [
        {
          ...base,
          lens: meta(),
          data: toPoints(s, false),
          borderColor: ctx.theme.foreground,
          borderWidth: 2.5,
          borderDash: [10, 5],
          pointRadius: 0,
          order: 0,
        },
      ];
  }
}

/**
 * The runner-up law of an automatic choice: round dots (a pattern no chosen law line uses, so it stays apart without
 * telling colours apart) in its curve's colour, each ringed by a halo of the editor background, over the chosen law's
 * line and over the data: where it matches the data its dots sit on observed markers of the same colour, and the halo
 * is what keeps them apart. Listed after the chosen law's line, which is the primary reading; its legend key is a
 * dotted line, not a point. Its band is two fine dotted edges, unfilled, so the chosen law's line and filled band stay
 * the primary reading.
 */
/** The runner-up's place in the legend: after the chosen law's lines (order 2), before the bands (never listed). */
const RUNNER_UP_LEGEND = 2.5;
/** Dots 3 px across, 9.5 px apart; the halo rings each with 1.5 px of background, leaving a gap between halos. */
const RUNNER_UP_DOT = { width: 3, halo: 6, dash: [0.5, 9] };

function runnerUpDatasets(
  s: ChartSeries,
  color: string,
  background: string,
  meta: (kind?: LensMeta['kind']) => LensMeta,
): LensDataset[] {
  const base = {
    parsing: false as const,
    normalized: true,
    spanGaps: true,
    pointRadius: 0,
    label: shownOnOneLine(s.label),
  };
  if (s.kind === 'runner-up') {
    // The halo is the same dotted path, wider, in the background colour, drawn just under the dots (same data and
    // dash, so each halo lies under its dot) and over the observed points (order 1).
    const dots = {
      ...base,
      data: toPoints(s, false),
      borderDash: RUNNER_UP_DOT.dash,
      borderCapStyle: 'round' as const,
      pointStyle: 'line' as const,
    };
    return [
      { ...dots, lens: meta('runner-up-halo'), borderColor: background, borderWidth: RUNNER_UP_DOT.halo, order: 0.75 },
      {
        ...dots,
        lens: { ...meta(), legendOrder: RUNNER_UP_LEGEND },
        borderColor: color,
        borderWidth: RUNNER_UP_DOT.width,
        order: 0.5,
      },
    ];
  }
  const edge = {
    ...base,
    borderColor: withAlpha(color, 0.7),
    borderWidth: 1,
    borderDash: [1, 4],
    fill: false,
    order: 3,
  };
  return [
    { ...edge, label: `${base.label} (low)`, lens: meta('runner-up-band-low'), data: toPoints(s, false) },
    { ...edge, lens: meta(), data: s.x.map((x, i) => ({ x, y: s.y2?.[i] ?? NaN })) },
  ];
}

/**
 * What-if curves: loss on the main panel, LR on the schedule panel; A and B told apart by dash as well as colour.
 * Drawn over the data but under the runner-up's dots and halos (order 0.5 and 0.75), which a solid stroke would hide
 * where the two run together; still listed first in the legend.
 */
export function whatIfDatasets(curves: WhatIfCurve[], panel: PanelId, theme: Theme): LensDataset[] {
  const colors = [theme.palette[4 % theme.palette.length], theme.palette[5 % theme.palette.length]];
  return curves.map((c, i) => ({
    parsing: false as const,
    normalized: true,
    label: `${shownOnOneLine(c.label)} (${c.spec.shape})${panel === 'main' ? '' : ' · LR'}`,
    lens: { id: `whatif:${i}:${panel}`, group: '', kind: 'whatif' as const, total: c.steps.length, legendOrder: 0 },
    data: c.steps.map((x, k) => ({ x, y: panel === 'main' ? c.loss[k] : c.lr[k] })),
    borderColor: colors[i % 2],
    borderWidth: 2.5,
    borderDash: i === 0 ? [2, 2] : [10, 3, 2, 3],
    pointRadius: 0,
    order: 0.9,
  }));
}

/** What chart.js passes a scriptable point option (only `raw`, the LensPoint, is read). */
type PointContext = { raw?: unknown };

/** The x of the point a scriptable option is asked about. */
function pointX(c: PointContext): number {
  const raw = c.raw as LensPoint | undefined;
  return raw ? raw.x : NaN;
}
