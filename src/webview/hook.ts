// The read-only test hook window.__scalingLensChart (its shape, ChartSnapshot, is in shared/chart.ts beside the
// messages): what the panel drew, as numbers and labels, and when. Read by the browser tests and the panel
// benchmark. Separate from main.ts, which runs the page: this module only reports on it.
import type { ChartData, ChartHook, ChartSnapshot, PanelId, WebviewTiming, WhatIfCurve } from '../shared/chart';
import { labelsOf, type LensChart } from './charts';
import { scriptStart } from './clock';
import type { LensDataset } from './datasets';

/** What the page shows, read for each snapshot. */
export interface PageView {
  file: string;
  data: ChartData | undefined;
  charts: Map<PanelId, LensChart>;
  whatIf: WhatIfCurve[];
  status: string;
  timing: WebviewTiming;
}

/** The timing marks, with the page's load read now; `started`: when the page's own code began. */
export function startTiming(started: number): WebviewTiming {
  return {
    origin: performance.timeOrigin,
    page: pageLoad(),
    scriptStart,
    started,
    ready: 0,
    firstData: 0,
    firstDraw: 0,
    lastData: 0,
    lastDraw: 0,
    draws: 0,
    host: undefined,
  };
}

/**
 * When the page's HTML and this bundle arrived (navigation and resource timing; the bundle is the script with a src).
 * `worker`: when the webview host's service worker took the page's request (VS Code's part, before any of ours).
 */
function pageLoad(): WebviewTiming['page'] {
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  const src = document.querySelector<HTMLScriptElement>('script[src]')?.src;
  const script = src ? (performance.getEntriesByName(src)[0] as PerformanceResourceTiming | undefined) : undefined;
  return {
    worker: nav?.workerStart ?? 0,
    html: nav?.responseEnd ?? 0,
    script: script?.responseEnd ?? 0,
    scriptBytes: script?.decodedBodySize ?? 0,
  };
}

/** The labels of a scale's ticks as drawn. */
function tickTexts(chart: LensChart, axis: 'x' | 'y'): string[] {
  return (chart.scales[axis]?.ticks ?? []).map((t) => String(t.label ?? ''));
}

/** An axis's title as drawn (the column it names, or what a view plots). */
function axisTitle(chart: LensChart, axis: 'x' | 'y'): string | undefined {
  return (chart.options.scales?.[axis] as { title?: { text?: string } } | undefined)?.title?.text;
}

/**
 * The visible datasets' indices in the order chart.js draws them, first (bottom) to last (top): it sorts them by
 * `order` and draws the sorted list from its end.
 */
function layers(c: LensChart): number[] {
  return c
    .getSortedVisibleDatasetMetas()
    .map((m) => m.index)
    .reverse();
}

/** Replaces the snapshot with what `view` shows; fields of `extra` (the last export) stay until replaced. */
export function publish(view: PageView, extra: Pick<ChartSnapshot, 'lastExport' | 'exportHeader'>): void {
  const panels = [...view.charts].map(([id, c]) => {
    const drawn = layers(c);
    return {
      id,
      xType: c.options.scales?.x?.type,
      yType: c.options.scales?.y?.type,
      xMin: c.scales.x?.min,
      xMax: c.scales.x?.max,
      ticks: { x: tickTexts(c, 'x'), y: tickTexts(c, 'y') },
      labels: labelsOf(c),
      width: c.width,
      xTitle: axisTitle(c, 'x'),
      yTitle: axisTitle(c, 'y'),
      legend: (c.legend?.legendItems ?? []).map((item) => item.text),
      legendKeys: (c.legend?.legendItems ?? []).map((item) => String(item.pointStyle ?? '')),
      datasets: (c.data.datasets as LensDataset[]).map((d, i) => ({
        id: d.lens.id,
        label: d.label ?? '', // every dataset is given one (datasets.ts); Chart.js types it optional
        kind: d.lens.kind,
        group: d.lens.group,
        points: d.data.length,
        total: d.lens.total,
        layer: drawn.indexOf(i),
        stroke: typeof d.borderColor === 'string' ? d.borderColor : '',
        dash: Array.isArray(d.borderDash) ? d.borderDash.filter((n): n is number => typeof n === 'number') : [],
      })),
    };
  });
  const hook = window as unknown as ChartHook;
  hook.__scalingLensChart = {
    ...hook.__scalingLensChart,
    file: view.file,
    kind: view.data?.kind,
    panels,
    markers: view.data?.markers ?? [],
    groups: view.data?.groups ?? [],
    notes: view.data?.notes ?? [],
    status: view.status,
    whatIf: view.whatIf.map((w) => ({
      label: w.label,
      shape: w.spec.shape,
      finalLoss: w.finalLoss,
      points: w.steps.length,
    })),
    timing: { ...view.timing },
    ...extra,
  };
}
