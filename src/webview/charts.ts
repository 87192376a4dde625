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
  type Plugin,
  type TooltipItem,
} from 'chart.js';
import annotationPlugin, { type AnnotationOptions } from 'chartjs-plugin-annotation';
import zoomPlugin from 'chartjs-plugin-zoom';
import type { ChartMarker, ChartPanelSpec } from '../shared/chart';
import type { LensDataset, LensPoint } from './datasets';
import { formatNumber } from '../core/util/format';
import { tick } from './format';
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
  /** A zoom or pan ended: the new x range, or undefined after a reset. */
  onWindow: (chart: LensChart) => void;
  onDraw: () => void;
}

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
  const drawn: Plugin<'line'> = { id: 'lensDrawn', afterRender: () => view.onDraw() };
  return new Chart<'line', LensPoint[]>(canvas, {
    type: 'line',
    data: { datasets },
    options: optionsFor(view),
    plugins: [background, drawn],
  });
}

export function optionsFor(view: PanelView): ChartOptions<'line'> {
  const { theme, spec } = view;
  const yLog = view.logY && !view.residuals;
  const axis = (log: boolean, title: string) => ({
    type: log ? ('logarithmic' as const) : ('linear' as const),
    title: { display: true, text: title, color: theme.foreground },
    grid: { color: withAlpha(theme.grid, 0.6) },
    border: { color: theme.grid },
    // A log axis over a narrow range ticks every 0.01: label about eight of them, keep every grid line.
    ticks: {
      color: theme.foreground,
      callback: (v: number | string, i: number, all: unknown[]) =>
        i % Math.ceil(all.length / 8) === 0 ? tick(Number(v)) : '',
      maxRotation: 0,
      minRotation: 0,
      sampleSize: 20,
      autoSkip: true,
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
      x: axis(view.logX, spec.xLabel),
      y: axis(yLog, view.residuals && spec.id === 'main' ? `residual (observed / law − 1, %)` : spec.yLabel),
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
          filter: (item, data) =>
            !['band-low', 'band', 'target'].includes((data.datasets[item.datasetIndex ?? 0] as LensDataset).lens.kind),
        },
      },
      tooltip: {
        callbacks: { label: tooltipLabel },
        filter: (item) => (item.dataset as LensDataset).lens.kind !== 'band-low',
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

/** A vertical line per target and per break, labelled with its prediction (label text is drawn, never parsed). */
function markerAnnotations(view: PanelView): Record<string, AnnotationOptions> {
  const out: Record<string, AnnotationOptions> = {};
  if (view.residuals && view.spec.id === 'main') {
    out.zero = { type: 'line', yMin: 0, yMax: 0, borderColor: view.theme.foreground, borderWidth: 1 };
  }
  view.markers.forEach((m, i) => {
    const color = m.kind === 'break' ? view.theme.alert : view.theme.foreground;
    out[`${m.kind}-${i}`] = {
      type: 'line',
      scaleID: 'x',
      value: m.x,
      borderColor: withAlpha(color, 0.8),
      borderWidth: m.kind === 'break' ? 2 : 1,
      borderDash: m.kind === 'break' ? [] : [4, 4],
      label: {
        display: true,
        content: m.label,
        position: m.kind === 'break' ? 'end' : 'start',
        yAdjust: 14 * (i % 3),
        color: view.theme.background,
        backgroundColor: withAlpha(color, 0.85),
        font: { size: 11 },
      },
    };
  });
  return out;
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
