// Every message of the chart panel, typed once: the client <-> server requests for chart data and what-if curves,
// and the extension <-> webview messages. The webview says `ready` before it is sent anything. Also the shape of
// what the webview publishes for the browser tests and the panel benchmark (ChartHook).
import { RequestType } from 'vscode-languageserver-protocol';
import type {
  ChartData,
  ChartMarker,
  Outcome,
  PanelId,
  SeriesKind,
  WhatIfCurve,
  WhatIfSpec,
  XWindow,
} from '../core/chart/types';

export type {
  ChartData,
  ChartSeries,
  ChartMarker,
  ChartPanelSpec,
  PanelId,
  SeriesKind,
  WhatIfCurve,
  WhatIfDefaults,
  WhatIfSpec,
  XWindow,
  Outcome,
  LawChoiceText,
} from '../core/chart/types';

export interface ChartDataParams {
  uri: string;
  /** Plot width in CSS pixels; about two points per pixel are sent. */
  width: number;
  /** Sample (LTTB) in log10(x), and leave out x <= 0. */
  logX: boolean;
  /** Only this x range (after a zoom or pan). */
  window?: XWindow;
  /** Every row, not downsampled (CSV/JSON export). */
  full?: boolean;
}

/** Where the server's time on one chart request went (ms), for the panel's first-draw breakdown. */
export interface ChartDataTiming {
  /** Waiting for the file's analysis (0 when cached; a fit in flight is joined). */
  analysisMs: number;
  /** The full-resolution chart model (once per analysis). */
  modelMs: number;
  /** Windowing and LTTB of every series (0 when this view was sampled before). */
  sampleMs: number;
}

export type ChartDataResult = Outcome<ChartData> & { timing?: ChartDataTiming };

/** Downsampled series of a file's analysis; the server holds the analysis and the raw rows. */
export const ChartDataRequest = new RequestType<ChartDataParams, ChartDataResult, void>('scalingLens/chartData');

export interface WhatIfParams {
  uri: string;
  specs: WhatIfSpec[];
}

/** Predicted loss curves of what-if schedules under the file's loss-curve fit (either law), one outcome per spec. */
export const WhatIfRequest = new RequestType<WhatIfParams, Outcome<WhatIfCurve>[], void>('scalingLens/whatIf');

export const CHART_VIEW_TYPE = 'scalingLens.chart';

/** What the webview remembers across reloads (getState/setState) and the serializer restores from. */
export interface ChartViewState {
  uri: string;
  logX?: Partial<Record<PanelId, boolean>>;
  logY?: Partial<Record<PanelId, boolean>>;
  residuals?: boolean;
  hiddenGroups?: string[];
  whatIf?: WhatIfSpec[];
  /** The runner-up law of an automatic choice is overlaid (ChartData.lawChoice). */
  runnerUp?: boolean;
}

export type ExportFormat = 'png' | 'csv' | 'json';

/**
 * Wall-clock marks (epoch ms: performance.timeOrigin + performance.now(), comparable across the extension host and
 * the browser) of a panel's first load in the extension host, and the server's own split. The webview keeps them in
 * its test hook beside its own marks, so a benchmark can tell where the time to the first draw went.
 */
export interface HostTiming {
  /** Show Chart ran (absent for a panel restored after a reload). */
  command?: number;
  /** The webview panel exists and has its HTML. */
  panel: number;
  /** The chart data request went to the server (at panel creation, in parallel with the webview's load). */
  requested: number;
  /** The server answered. */
  answered?: number;
  /** The webview said `ready`. */
  ready?: number;
  /** The data message was posted to the webview. */
  posted?: number;
  server?: ChartDataTiming;
}

export type ToWebview =
  | { type: 'data'; file: string; data: ChartData; reason: 'load' | 'refresh' | 'window'; timing?: HostTiming }
  | { type: 'status'; state: 'fitting' | 'error' | 'empty'; message: string }
  | { type: 'whatIf'; results: Outcome<WhatIfCurve>[] }
  | { type: 'exported'; ok: boolean; message: string };

export type FromWebview =
  | { type: 'ready'; state?: ChartViewState; width: number; logX: boolean }
  /** Re-sample: the axis type or the visible x window changed. */
  | { type: 'view'; width: number; logX: boolean; window?: XWindow }
  | { type: 'whatIf'; specs: WhatIfSpec[] }
  /** PNG: the canvas as base64 (the webview cannot download); CSV/JSON: the extension fetches every row itself. */
  | { type: 'export'; format: ExportFormat; base64?: string; logX: boolean }
  | { type: 'state'; state: ChartViewState };

// ---- the webview's test hook ---------------------------------------------------------------------------------------

/** What a drawn dataset is: a server series' kind, or one the webview adds (what-if, a band's lower edge, y = 0). */
export type DatasetKind =
  SeriesKind | 'whatif' | 'band-low' | 'run-band-low' | 'runner-up-band-low' | 'runner-up-halo' | 'zero';

/**
 * Marks of the webview's load and draws in ms since its frame's time origin (`origin`, epoch ms, turns them into
 * wall-clock time); `host`: the extension host's marks (epoch ms).
 */
export interface WebviewTiming {
  origin: number;
  /** When the page's HTML and the bundle arrived; `worker`: when VS Code's service worker took the request. */
  page: { worker: number; html: number; script: number; scriptBytes: number };
  /** The bundle began to run (before chart.js evaluated), and the page's own code began (after it). */
  scriptStart: number;
  started: number;
  /** The webview said `ready`. */
  ready: number;
  /** The first and the latest data message, and the first and latest draw of data; `draws` counts every draw. */
  firstData: number;
  firstDraw: number;
  lastData: number;
  lastDraw: number;
  draws: number;
  host?: HostTiming;
}

/** One dataset as drawn: how many points of how many rows. */
export interface DrawnDataset {
  id: string;
  label: string;
  kind: DatasetKind;
  group: string;
  points: number;
  total: number;
  /** Its place in the drawing order: 0 is drawn first (under the rest); -1 hidden. */
  layer: number;
  /** Its line's (or points' border) colour and dash as given to chart.js, so a test tells series apart by look. */
  stroke: string;
  dash: number[];
}

export interface DrawnPanel {
  id: PanelId;
  /** Chart.js scale types ('logarithmic', 'linear'). */
  xType: string | undefined;
  yType: string | undefined;
  datasets: DrawnDataset[];
  /** The x-axis range drawn (shared by the panels). */
  xMin?: number;
  xMax?: number;
  /** Tick labels as drawn ('' = a grid line without a label), per axis. */
  ticks?: { x: string[]; y: string[] };
  /** The target and break labels as drawn: their lines of text, boxes in px, and the data points each covers. */
  labels?: { text: string[]; box: { left: number; top: number; right: number; bottom: number }; covers: number }[];
  /** The chart's width (CSS px), which every label box lies within. */
  width?: number;
  /** The axes' titles. */
  xTitle?: string;
  yTitle?: string;
  /** The legend's entries as shown. */
  legend?: string[];
  /** Each entry's key, as chart.js names its point style ('line' for a line's key, 'circle', 'rect'...). */
  legendKeys?: string[];
}

/** What the panel shows, as read-only numbers and labels. */
export interface ChartSnapshot {
  file: string;
  kind?: ChartData['kind'];
  panels: DrawnPanel[];
  markers: ChartMarker[];
  groups: string[];
  notes: string[];
  status: string;
  whatIf: { label: string; shape: WhatIfSpec['shape']; finalLoss: number; points: number }[];
  timing: WebviewTiming;
  /** The answer to the last export, kept until the next one. */
  lastExport?: Extract<ToWebview, { type: 'exported' }>;
  /** The title lines drawn on the last exported PNG. */
  exportHeader?: string[];
}

/**
 * The webview's global test hook: window.__scalingLensChart, replaced after every change and draw. Read by the
 * browser tests (test/e2e/chart.test.ts) and the panel benchmark (bench/panel.ts), never by the extension.
 */
export interface ChartHook {
  __scalingLensChart?: ChartSnapshot;
}
