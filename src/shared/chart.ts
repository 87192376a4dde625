// Every message of the chart panel, typed once: the client <-> server requests for chart data and what-if curves,
// and the extension <-> webview messages. The webview says `ready` before it is sent anything.
import { RequestType } from 'vscode-languageserver-protocol';
import type { ChartData, Outcome, PanelId, WhatIfCurve, WhatIfSpec, XWindow } from '../core/chart/types';

export type {
  ChartData,
  ChartSeries,
  ChartMarker,
  ChartPanelSpec,
  PanelId,
  WhatIfCurve,
  WhatIfDefaults,
  WhatIfSpec,
  XWindow,
  Outcome,
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

/** Predicted loss curves of what-if schedules under the file's LR-annealing fit, one outcome per spec. */
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
