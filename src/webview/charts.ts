// One chart.js chart per panel: options (axes, zoom, tooltips, markers) built from the panel spec and the theme.
import {
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  Tooltip,
  type ChartOptions,
  type LegendItem,
  type Plugin,
  type Scale,
  type Tick,
  type TooltipItem,
} from 'chart.js';
import annotationPlugin, { type AnnotationOptions } from 'chartjs-plugin-annotation';
import zoomPlugin from 'chartjs-plugin-zoom';
import type { ChartMarker, ChartPanelSpec, DatasetKind } from '../shared/chart';
import type { LensDataset, LensPoint } from './datasets';
import { formatNumber } from '../core/util/format';
import { shownOnOneLine } from '../core/util/controls';
import { logGridValues, tickLabels } from './format';
import { fitText, layoutStacks, type PlacedBox, type ScreenPoints } from './labelLayout';
import { withAlpha, type Theme } from './theme';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  LinearScale,
  LogarithmicScale,
  Filler,
  Legend,
  Tooltip,
  zoomPlugin,
  annotationPlugin,
);

export type LensChart = Chart<'line', LensPoint[]>;

export interface PanelView {
  spec: ChartPanelSpec;
  logX: boolean;
  logY: boolean;
  residuals: boolean;
  markers: ChartMarker[];
  theme: Theme;
  /** The x range every panel shares (one step sits at one x in all of them); undefined: the data's own. */
  xRange?: { min: number; max: number };
  /** List each group once, under its own name, however few the groups (ChartData.legendByGroup). */
  legendByGroup?: boolean;
  /** Colour of a group, as its series are drawn (marker labels carry it). */
  colorOf: (group: string) => string;
  /** A zoom or pan ended: the new x range, or undefined after a reset. */
  onWindow: (chart: LensChart) => void;
  /** A legend entry standing for a whole group was clicked. */
  onToggleGroup: (group: string) => void;
  onDraw: () => void;
}

/** Room for a y-axis title and labels like "2.5e-4" (px). */
const Y_AXIS_WIDTH = 76;

/** Above this many groups in a panel the legend lists each group once (its observed points), not each series. */
const LEGEND_GROUPS = 4;

/**
 * Each chart's current view, by its canvas (known before the chart's first render, which runs in its constructor):
 * the plugins read it, and a theme change replaces it.
 */
const views = new WeakMap<HTMLCanvasElement, PanelView>();
/** The marker labels as last drawn, per chart, for the test hook. */
const drawnLabels = new WeakMap<LensChart, DrawnLabel[]>();

/** A label box as drawn: its lines, where, and how many data points it covers. */
type DrawnLabel = { text: string[]; box: PlacedBox; covers: number };

/** Fills the canvas with the editor background first, so an exported PNG reads like the panel. */
const background: Plugin<'line'> = {
  id: 'lensBackground',
  beforeDraw(chart, _args, options: { color?: string }) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = options.color ?? 'transparent';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

export function createChart(canvas: HTMLCanvasElement, datasets: LensDataset[], view: PanelView): LensChart {
  const drawn: Plugin<'line'> = { id: 'lensDrawn', afterRender: (chart) => views.get(chart.canvas)?.onDraw() };
  views.set(canvas, view);
  return new Chart<'line', LensPoint[]>(canvas, {
    type: 'line',
    data: { datasets },
    options: optionsFor(view),
    plugins: [background, finalTicks, markerLabels, drawn],
  });
}

/** A new view for a live chart (theme change): its options and what its plugins read. */
export function applyView(chart: LensChart, view: PanelView): void {
  views.set(chart.canvas, view);
  chart.options = optionsFor(view);
}

/** The marker labels of a chart as last drawn: their lines of text, boxes (px) and the points they cover. */
export function labelsOf(chart: LensChart): DrawnLabel[] {
  return drawnLabels.get(chart) ?? [];
}

export function optionsFor(view: PanelView): ChartOptions<'line'> {
  const { theme, spec } = view;
  const yLog = view.logY && !view.residuals;
  const axis = (log: boolean, title: string) => ({
    type: log ? ('logarithmic' as const) : ('linear' as const),
    title: { display: true, text: title, color: theme.foreground },
    grid: { color: withAlpha(theme.grid, 0.6) },
    border: { color: theme.grid },
    afterBuildTicks: log ? logGrid : undefined,
    // Every tick keeps its grid line; labels go to ticks far enough apart, with digits enough to tell them apart.
    ticks: {
      color: theme.foreground,
      callback(this: Scale, _v: number | string, i: number, all: Tick[]) {
        return labelsFor(this, all, log)[i];
      },
      maxRotation: 0,
      minRotation: 0,
      autoSkip: false,
    },
  });
  const done = ({ chart }: { chart: Chart }) => view.onWindow(chart as unknown as LensChart);
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    parsing: false,
    normalized: true,
    color: theme.foreground,
    font: { family: theme.font },
    interaction: { mode: 'nearest', intersect: false, axis: 'xy' },
    scales: {
      x: { ...axis(view.logX, spec.xLabel), min: view.xRange?.min, max: view.xRange?.max },
      y: {
        ...axis(yLog, view.residuals && spec.id === 'main' ? `residual (observed / law − 1, %)` : spec.yLabel),
        // One y-axis width in every panel, so stacked panels put a step at the same pixel column too.
        afterFit: (scale: Scale) => void (scale.width = Math.max(scale.width, Y_AXIS_WIDTH)),
      },
    },
    plugins: {
      lensBackground: { color: theme.background },
      legend: {
        position: 'bottom',
        // Bands and prediction markers follow their group (group filter); the legend keeps to the series a user toggles.
        labels: {
          color: theme.foreground,
          usePointStyle: true,
          boxHeight: 7,
          font: { size: 11 },
          filter: (item, data) => inLegend(item, data.datasets as LensDataset[], view.legendByGroup),
          generateLabels: (chart) => legendLabels(chart as LensChart, view.legendByGroup),
        },
        onClick: (_e: unknown, item: LegendItem, legend: { chart: Chart }) =>
          legendClick(item, legend.chart as LensChart),
      },
      tooltip: {
        callbacks: { label: tooltipLabel },
        filter: (item) => !UNTIPPED.includes((item.dataset as LensDataset).lens.kind),
      },
      zoom: {
        limits: { x: { min: 'original', max: 'original' } },
        pan: { enabled: true, mode: 'xy', modifierKey: 'shift', onPanComplete: done },
        zoom: {
          wheel: { enabled: true },
          pinch: { enabled: true },
          drag: { enabled: true, backgroundColor: withAlpha(theme.palette[0], 0.15) },
          mode: 'xy',
          onZoomComplete: done,
        },
      },
      annotation: { annotations: markerAnnotations(view) },
    },
  } as ChartOptions<'line'>;
}

/** A vertical line per target and per break; their labels are drawn by markerLabels, laid out not to overlap. */
function markerAnnotations(view: PanelView): Record<string, AnnotationOptions> {
  const out: Record<string, AnnotationOptions> = {};
  if (view.residuals && view.spec.id === 'main') {
    out.zero = { type: 'line', yMin: 0, yMax: 0, borderColor: view.theme.foreground, borderWidth: 1 };
  }
  view.markers.forEach((m, i) => {
    const color = m.kind === 'break' ? view.theme.alert : view.colorOf(m.group);
    out[`${m.kind}-${i}`] = {
      type: 'line',
      scaleID: 'x',
      value: m.x,
      borderColor: withAlpha(color, 0.8),
      borderWidth: m.kind === 'break' ? 2 : 1,
      borderDash: m.kind === 'break' ? [] : [4, 4],
    };
  });
  return out;
}

const LABEL_FONT = 11;
const LABEL_LINE = 15;
const LABEL_PAD = 4;

/**
 * The markers' labels: the markers at one x share a box (one line each, with its group's colour), and boxes are
 * placed beside their line without covering each other (labelLayout.ts). Text is drawn as text, never parsed.
 */
const markerLabels: Plugin<'line'> = {
  id: 'lensMarkerLabels',
  afterDatasetsDraw(c) {
    const chart = c as LensChart;
    const view = views.get(chart.canvas);
    const { ctx, chartArea: area, scales } = chart;
    if (!view || !scales.x) return;
    ctx.save();
    ctx.font = `${LABEL_FONT}px ${view.theme.font}`;
    // A label wider than the plot is cut to it with an ellipsis, not by the canvas edge.
    const room = area.right - area.left - 2 * LABEL_PAD - 10;
    const stacks = markerStacks(view, scales.x, area).map((st) => ({
      ...st,
      markers: st.markers.map((m) => ({ ...m, label: fitText(m.label, room, (t) => ctx.measureText(t).width) })),
    }));
    const lines = stacks.map((st) => ({
      x: st.px,
      widths: st.markers.map((m) => ctx.measureText(m.label).width + 2 * LABEL_PAD + 10),
      ys: st.markers.map((m) => (m.y === undefined || !scales.y ? undefined : scales.y.getPixelForValue(m.y))),
    }));
    const placed = lines.length
      ? layoutStacks(lines, area, drawnPoints(chart), { line: LABEL_LINE, pad: LABEL_PAD })
      : [];
    const drawn: DrawnLabel[] = [];
    for (const { stack, from, to, box, covers } of placed) {
      if (!box) continue;
      const markers = stacks[stack].markers.slice(from, to);
      drawLabelBox(ctx, view, markers, box);
      drawn.push({ text: markers.map((m) => m.label), box, covers });
    }
    drawnLabels.set(chart, drawn);
    ctx.restore();
  },
};

/** Where the visible series' points lie on screen, for labels to keep off them (lines are drawn through them). */
function drawnPoints(chart: LensChart): ScreenPoints {
  const x: number[] = [];
  const y: number[] = [];
  for (const meta of chart.getSortedVisibleDatasetMetas()) {
    for (const el of meta.data) {
      if (Number.isFinite(el.x) && Number.isFinite(el.y)) {
        x.push(el.x);
        y.push(el.y);
      }
    }
  }
  return { x, y };
}

/** Markers inside the plot, grouped by their x on screen (within 2 px), left to right. */
function markerStacks(
  view: PanelView,
  x: Scale,
  area: { left: number; right: number },
): { px: number; markers: ChartMarker[] }[] {
  const stacks: { px: number; markers: ChartMarker[] }[] = [];
  const visible = view.markers
    .map((m) => ({ m, px: x.getPixelForValue(m.x) }))
    .filter((p) => p.px >= area.left - 1 && p.px <= area.right + 1)
    .sort((a, b) => a.px - b.px);
  for (const { m, px } of visible) {
    const last = stacks[stacks.length - 1];
    if (last && Math.abs(last.px - px) <= 2) last.markers.push(m);
    else stacks.push({ px, markers: [m] });
  }
  return stacks;
}

function drawLabelBox(ctx: CanvasRenderingContext2D, view: PanelView, markers: ChartMarker[], box: PlacedBox): void {
  const { theme } = view;
  ctx.fillStyle = withAlpha(theme.background, 0.75);
  ctx.strokeStyle = withAlpha(theme.foreground, 0.35);
  ctx.lineWidth = 1;
  ctx.fillRect(box.left, box.top, box.right - box.left, box.bottom - box.top);
  ctx.strokeRect(box.left + 0.5, box.top + 0.5, box.right - box.left - 1, box.bottom - box.top - 1);
  ctx.textBaseline = 'middle';
  markers.forEach((m, i) => {
    const y = box.top + LABEL_PAD / 2 + LABEL_LINE * (i + 0.5);
    ctx.fillStyle = m.kind === 'break' ? theme.alert : view.colorOf(m.group);
    ctx.fillRect(box.left + LABEL_PAD, y - 3, 6, 6);
    ctx.fillStyle = theme.foreground;
    ctx.fillText(m.label, box.left + LABEL_PAD + 10, y);
  });
}

/** A log axis' ticks (so its grid lines) at round values, never crowded: logGridValues in format.ts. */
function logGrid(scale: Scale): void {
  const values = logGridValues(scale.min, scale.max, scale.isHorizontal() ? scale.width : scale.height);
  if (values.length) scale.ticks = values.map((value) => ({ value, major: Number.isInteger(Math.log10(value)) }));
}

/** Tick labels of one scale, computed once per tick list (chart.js asks per tick). */
const tickCache = new WeakMap<Tick[], string[]>();

function labelsFor(scale: Scale, ticks: Tick[], log: boolean): string[] {
  let labels = tickCache.get(ticks);
  if (!labels) tickCache.set(ticks, (labels = scaleLabels(scale, ticks, log)));
  return labels;
}

function scaleLabels(scale: Scale, ticks: Tick[], log: boolean): string[] {
  const horizontal = scale.isHorizontal();
  return tickLabels(
    ticks.map((t) => t.value),
    {
      log,
      min: scale.min,
      max: scale.max,
      lengthPx: horizontal ? scale.width : scale.height,
      minGapPx: horizontal ? 48 : 20,
    },
  );
}

/**
 * The tick callback runs while chart.js is still sizing the axes (on a first guess of their length): once the layout
 * is final, the labels are chosen again for the real length, so a short panel never prints labels over each other.
 */
const finalTicks: Plugin<'line'> = {
  id: 'lensFinalTicks',
  afterLayout(chart) {
    for (const scale of Object.values(chart.scales)) {
      const labels = scaleLabels(scale, scale.ticks, scale.type === 'logarithmic');
      scale.ticks.forEach((t, i) => (t.label = labels[i]));
    }
  },
};

/**
 * Bands and prediction markers follow their group and are not listed. With many groups in a panel, each group is
 * listed once (its observed points, or its first series) and the law lines take their group's colour; the LR
 * assumed after the log stays listed, since it is what every prediction past the log rests on.
 */
function inLegend(item: LegendItem, datasets: LensDataset[], byGroup = false): boolean {
  const ds = datasets[item.datasetIndex ?? 0];
  const kind = ds.lens.kind;
  if (UNLISTED.includes(kind)) return false;
  if (kind === 'schedule-assumed' || ds.lens.group === '') return true;
  if (!groupedLegend(datasets, byGroup)) return true;
  // With many groups the runner-up law is listed once, as the key to its dotted style.
  if (kind === 'runner-up') return datasets.find((d) => d.lens.kind === 'runner-up') === ds;
  return representative(datasets, ds.lens.group) === ds;
}

/** Whether the legend lists each group once: asked for by the data, or too many groups to list every series. */
function groupedLegend(datasets: LensDataset[], byGroup = false): boolean {
  return byGroup || new Set(datasets.map((d) => d.lens.group).filter((g) => g !== '')).size > LEGEND_GROUPS;
}

/**
 * chart.js's legend items, lines keyed as lines; a group listed by its name stands as the group's name (N=25M), not its
 * first series'.
 */
function legendLabels(chart: LensChart, byGroup = false): LegendItem[] {
  const datasets = chart.data.datasets as LensDataset[];
  // A series drawn as a line is keyed by a line in its own dash (a law's, the runner-up's dots), not by a circle
  // that reads as the observed points: only observed points are keyed by their point.
  const items = Chart.defaults.plugins.legend.labels
    .generateLabels(chart)
    .map((item) =>
      datasets[item.datasetIndex ?? 0]?.lens.kind === 'observed' ? item : { ...item, pointStyle: 'line' as const },
    )
    // chart.js lists by drawing order; a series drawn over others may be listed elsewhere (stable sort).
    .sort((a, b) => legendOrder(datasets[a.datasetIndex ?? 0]) - legendOrder(datasets[b.datasetIndex ?? 0]));
  if (!byGroup) return items;
  return items.map((item) => {
    const ds = datasets[item.datasetIndex ?? 0];
    const named = ds.lens.group !== '' && ds.lens.kind !== 'schedule-assumed' && ds.lens.kind !== 'runner-up';
    return named ? { ...item, text: shownOnOneLine(ds.lens.group) } : item;
  });
}

/** Where a dataset is listed: its lens's legend order, else its drawing order (chart.js's default). */
function legendOrder(d: LensDataset | undefined): number {
  return d?.lens.legendOrder ?? d?.order ?? 0;
}

/** Datasets that follow their group and are never listed: bands and prediction markers. */
const UNLISTED: DatasetKind[] = [
  'band-low',
  'band',
  'run-band-low',
  'run-band',
  'target',
  'runner-up-band',
  'runner-up-band-low',
  'runner-up-halo',
];

/** Datasets with no tooltip of their own: a band's lower edge (its upper edge speaks for it), the runner-up's halo. */
const UNTIPPED: DatasetKind[] = ['band-low', 'run-band-low', 'runner-up-band-low', 'runner-up-halo'];

function representative(datasets: LensDataset[], group: string): LensDataset | undefined {
  const mine = datasets.filter(
    (d) => d.lens.group === group && !UNLISTED.includes(d.lens.kind) && d.lens.kind !== 'runner-up',
  );
  return mine.find((d) => d.lens.kind === 'observed') ?? mine[0];
}

/** A listed group stands for all its series: a click hides or shows the group (as the group filter does). */
function legendClick(item: LegendItem, chart: LensChart): void {
  const datasets = chart.data.datasets as LensDataset[];
  const ds = datasets[item.datasetIndex ?? 0];
  const view = views.get(chart.canvas);
  const grouped = groupedLegend(datasets, view?.legendByGroup);
  if (view && grouped && ds.lens.group !== '' && ds.lens.kind !== 'schedule-assumed') {
    view.onToggleGroup(ds.lens.group);
    return;
  }
  const index = item.datasetIndex ?? 0;
  chart.setDatasetVisibility(index, !chart.isDatasetVisible(index));
  chart.update();
}

function tooltipLabel(item: TooltipItem<'line'>): string | string[] {
  const p = item.raw as LensPoint;
  const ds = item.dataset as LensDataset;
  const head = `${ds.label ?? ''}: x = ${formatNumber(p.x, 6)}, y = ${formatNumber(p.y, 6)}`;
  const extra: string[] = [];
  if (p.obs !== undefined && p.pred !== undefined)
    extra.push(`observed ${formatNumber(p.obs, 6)}, law ${formatNumber(p.pred, 6)}`);
  else if (p.pred !== undefined && ds.lens.kind === 'observed')
    extra.push(`law ${formatNumber(p.pred, 6)} (residual ${formatNumber(100 * (p.y / p.pred - 1), 3)} %)`);
  if (p.line !== undefined) extra.push(`line ${p.line}`);
  return extra.length ? [head, ...extra] : head;
}
